"""How well the topic rules agree with Erik Voeten's hand coding: precision, recall and F1 per topic.

    python scripts/topic_report.py          # data from $UNVOTE_TEST_DATA or ../shared/data
    python scripts/topic_report.py --timing # also time topic assignment against a whole fetch --file

Reads, in place, the UNDL bulk GA file and Voeten's 2016-17 roll calls (with the R package's
roll-call table for the amendment/paragraph flags), matches them with
``unvote.ingest.history.build`` (``unvote.ingest.history.matched_pairs``) and scores the rules of
``unvote.analysis.topics`` on the matched whole-resolution votes: the rules were written on
sessions 1–55, so sessions 56 and later (2001–2015) are the held-out test. Prints Markdown:
the held-out table (pasted into docs/topics.md, which a test checks), then the training table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    return Path(os.environ.get("UNVOTE_TEST_DATA") or ROOT.parent / "shared" / "data")


def voeten_files(data: Path) -> list[Path]:
    return [data / "voeten-unvotespublished-2016" / "UNVotesPublished.RData",
            data / "dgrtwo-unvotes" / "un_roll_calls.rda"]


def evaluation(data: Path) -> dict:
    from unvote.analysis.topics import evaluate
    from unvote.ingest import history

    undl, vo = history.read_sources(data / "undl" / "ga_voting.csv.gz", voeten_files(data))
    return evaluate(history.matched_pairs(undl.rollcalls, undl.votes, vo.rollcalls, vo.votes))


def table(rows: list[dict]) -> str:
    from unvote.model.topics import name

    lines = ["| topic | name | Voeten-coded | rules agree | rules only | Voeten only | precision | recall | F1 |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['topic']} | {name(r['topic'])} | {r['support']} | {r['tp']} | {r['fp']} | {r['fn']} | "
                     f"{r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |")
    return "\n".join(lines)


def report(result: dict) -> str:
    return "\n".join([
        f"Held out: sessions 56–70, {result['test_rollcalls']:,} roll calls",
        "", table(result["test"]), "",
        f"Training: sessions 1–55, {result['train_rollcalls']:,} roll calls",
        "", table(result["train"]), ""])


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
    print(report(evaluation(data)))
    if args.timing:
        print(timing(data))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
