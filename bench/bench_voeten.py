"""Voeten's data: reading and mapping the real 2016-17 RData beside a plain pyreadr read, the fetch
that stores it and rebuilds the merged history, and a query on the merged data beside the UNDL one.

Each timed command runs in a fresh subprocess (best of N), so interpreter start and imports count
for both sides, and peak RSS is the child's own.
"""

from __future__ import annotations

import shutil
import sys

from common import best_of, run_cmd

UNVOTE = [sys.executable, "-m", "unvote"]


def paired(ours, base, env=None, repeat=3):
    """Best of ``repeat`` for both, run alternately so a busy machine slows both alike."""
    runs = [(run_cmd(ours, env), run_cmd(base, env)) for _ in range(repeat)]
    return (min(o[0] for o, _ in runs), max(o[1] for o, _ in runs),
            min(b[0] for _, b in runs), max(b[1] for _, b in runs))


def run(report, ctx) -> None:
    rdata = ctx.data / "voeten-unvotespublished-2016" / "UNVotesPublished.RData"
    rollcalls = ctx.data / "dgrtwo-unvotes" / "un_roll_calls.rda"
    if not rdata.exists():
        print("  skipped: no Voeten RData in the real-data folder", file=sys.stderr)
        return

    # Read + map (ccode → store codes by date, vote codes, unres → symbols, roll-call table) vs
    # the bare read every user of the file pays anyway.
    plain = [sys.executable, "-c", f"import pyreadr; pyreadr.read_r({str(rdata)!r})"]
    ours = [sys.executable, "-c", f"from unvote.sources import voeten; voeten.read([{str(rdata)!r}])"]
    mine, mine_rss, base, base_rss = paired(ours, plain)
    report("voeten: read + map UNVotesPublished.RData", mine, base, goal="goal ≤ 1.5×",
           note="baseline: pyreadr.read_r alone")
    report("voeten: read + map peak RSS", mine_rss, base_rss, unit="MB", goal="goal ≤ 1.5×")

    # The whole fetch: read both files, write the store, rebuild the merged history.
    store = ctx.work / "voeten-store"
    shutil.copytree(ctx.ga_store(), store, symlinks=True)
    env = {"UNVOTE_DATA_DIR": str(store)}
    write = [sys.executable, "-c", "import pyreadr, pyarrow as pa, pyarrow.parquet as pq; "
             f"x = pyreadr.read_r({str(rdata)!r})['x']; "
             f"pq.write_table(pa.Table.from_pandas(x), {str(ctx.work / 'voeten-plain.parquet')!r})"]
    fetch, fetch_rss, base, base_rss = paired(UNVOTE + ["fetch", "--source", "voeten", "--file", str(rdata),
                                                        "--file", str(rollcalls)], write, env=env)
    report("voeten: fetch --source voeten --file (+ merged)", fetch, base, goal="goal ≤ 2×",
           note="baseline: pyreadr.read_r + Parquet write")
    report("voeten: fetch peak RSS", fetch_rss, base_rss, unit="MB", goal="goal ≤ 1.2×")

    # A question on the merged data costs what it costs on the UN's own data.
    args = ["align", "USA", "RUS", "--format", "csv"]
    merged, merged_rss, undl, undl_rss = paired(UNVOTE + args + ["--source", "merged"], UNVOTE + args,
                                                env=env, repeat=5)
    report("align USA RUS --source merged (end to end)", merged, undl, goal="goal ≤ 1.2×",
           note="baseline: the same command on --source undl")
    report("align --source merged peak RSS", merged_rss, undl_rss, unit="MB")

    # The merge alone, in process (warm): matching 5,538 UNDL records and 5,429 Voeten roll calls.
    from unvote.ingest import history
    from unvote.store import Store

    s = Store(store)
    tables = (s.rollcalls("ga"), s.votes("ga"), s.rollcalls("voeten"), s.votes("voeten"))
    report("voeten: merged history build (warm)", best_of(lambda: history.build(*tables), 3), None,
           note="match by symbol, symbol base and votes; agreement report")
