"""How well the topic rules agree with Erik Voeten's hand coding: precision, recall and F1 per topic.

    python scripts/topic_report.py          # data from $UNVOTE_TEST_DATA or ../shared/data
    python scripts/topic_report.py --timing # also time topic assignment against a whole fetch --file

Reads, in place, the UNDL bulk GA file and Voeten's two releases (``unvote.ingest.releases``: the
R package unvotes' 2021 tables, sessions 1–74, and his 2016 file, sessions 1–70), matches them with
``unvote.ingest.history.build`` (``history.matched_pairs``) and scores the rules of
``unvote.analysis.topics`` on the matched whole-resolution votes against the newest coding
(``unvotes-2021``): the rules are tuned on sessions 1–68, so sessions 69–74 (2014–2019) are the
held-out test. Prints Markdown, pasted into docs/topics.md (which a test checks): the held-out
table, the same without session 74, the training table, and the two releases' own agreement.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGREEMENT = (56, 70)  # the sessions both releases code


def data_dir() -> Path:
    return Path(os.environ.get("UNVOTE_TEST_DATA") or ROOT.parent / "shared" / "data")


def sources(data: Path):
    """(matched pairs, the 2016 codes by rcid): what ``report`` reads."""
    from unvote.ingest import history, releases
    from unvote.sources import undl_csv

    undl = undl_csv.read(data / "undl" / "ga_voting.csv.gz")
    vo, older = releases.read(data)
    return history.matched_pairs(undl.rollcalls, undl.votes, vo.rollcalls, vo.votes), older


def table(rows: list[dict], truth: str = "Voeten-coded", agree: str = "rules agree", only: str = "rules only",
          missed: str = "Voeten only") -> str:
    from unvote.model.topics import name

    lines = [f"| topic | name | {truth} | {agree} | {only} | {missed} | precision | recall | F1 |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['topic']} | {name(r['topic'])} | {r['support']} | {r['tp']} | {r['fp']} | {r['fn']} | "
                     f"{r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |")
    return "\n".join(lines)


def report(pairs, older) -> str:
    from unvote.analysis.topics import TRAIN_LAST_SESSION, evaluate, release_agreement
    from unvote.ingest.releases import NEWEST

    first = TRAIN_LAST_SESSION + 1
    full = evaluate(pairs, release=NEWEST)
    short = evaluate(pairs, last_test=73, release=NEWEST)
    both = release_agreement(pairs, older, *AGREEMENT)
    return "\n".join([
        f"Held out: sessions {first}–74, {full['test_rollcalls']:,} roll calls",
        "", table(full["test"]), "",
        f"Held out without session 74: sessions {first}–73, {short['test_rollcalls']:,} roll calls",
        "", table(short["test"]), "",
        f"Training: sessions 1–{TRAIN_LAST_SESSION}, {full['train_rollcalls']:,} roll calls",
        "", table(full["train"]), "",
        f"The two releases: the 2016 codes against the newest, sessions {AGREEMENT[0]}–{AGREEMENT[1]}, "
        f"{both['rollcalls']:,} roll calls",
        "", table(both["scores"], "newest-coded", "both", "2016 only", "newest only"), ""])


def timing(data: Path, repeat: int = 3) -> str:
    """assign() on the real GA roll-call table (best of ``repeat``) against a whole fetch --file, in
    wall-clock and CPU seconds (the machine may be shared: CPU time is the steadier figure)."""
    import tempfile

    from unvote.ingest import topics
    from unvote.ingest.fetch import fetch
    from unvote.store import Store

    path = data / "undl" / "ga_voting.csv.gz"
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = time.perf_counter(), time.process_time()
        fetch("ga", file=path, store=Store(tmp))
        whole = (time.perf_counter() - wall, time.process_time() - cpu)
        rollcalls = Store(tmp).rollcalls("ga")
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        topics.reference.cache_clear()  # as in a fresh `unvote fetch`: read the packaged codes again
        wall, cpu = time.perf_counter(), time.process_time()
        topics.assign(rollcalls)
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return (f"topic assignment on {rollcalls.num_rows:,} GA roll calls (best of {repeat}): {best[0]:.2f} s wall, "
            f"{best[1]:.2f} s CPU; whole `fetch --file ga_voting.csv.gz` (assignment included): {whole[0]:.2f} s "
            f"wall, {whole[1]:.2f} s CPU; share {best[0] / whole[0]:.1%} wall, {best[1] / whole[1]:.1%} CPU")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timing", action="store_true", help="also time topic assignment against fetch --file")
    args = parser.parse_args()
    data = data_dir()
    if not (data / "undl" / "ga_voting.csv.gz").is_file():
        print(f"no data at {data} (set UNVOTE_TEST_DATA)", file=sys.stderr)
        return 2
    print(report(*sources(data)))
    if args.timing:
        print(timing(data))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
