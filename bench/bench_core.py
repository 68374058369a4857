"""Core: ingest, `tally ES-11/1`, `align KHM RUS`, `--help` — end to end, beside baselines."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from common import best_cmd, best_of, run_cmd

HERE = Path(__file__).resolve().parent
UNVOTE = [sys.executable, "-m", "unvote"]


def run(report, ctx) -> None:
    csv_gz = ctx.data / "undl" / "ga_voting.csv.gz"

    # Ingest: unvote fetch --file (read, normalise, check, write 2 tables) vs plain CSV → Parquet.
    def plain_conversion():
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        pq.write_table(pacsv.read_csv(csv_gz), ctx.work / "plain.parquet", compression="zstd")

    plain = best_of(plain_conversion, repeat=3)
    store = ctx.work / "ingest-store"
    ingest, ingest_rss = best_cmd(UNVOTE + ["fetch", "--file", str(csv_gz)],
                                  env={"UNVOTE_DATA_DIR": str(store)}, repeat=3)
    plain_rss = run_cmd([sys.executable, "-c", "import pyarrow.csv as c, pyarrow.parquet as q; "
                         f"q.write_table(c.read_csv('{csv_gz}'), '{ctx.work / 'plain2.parquet'}')"])[1]
    report("ingest (fetch --file ga_voting.csv.gz)", ingest, plain, goal="goal ≤ 1.5×",
           note="baseline: pyarrow read_csv + write_table in-process")
    report("ingest peak RSS", ingest_rss, plain_rss, unit="MB", goal="goal ≤ 300 MB")

    env = {"UNVOTE_DATA_DIR": str(ctx.ga_store())}
    flat = ctx.flat_parquet()
    for question, args in (("tally", ["tally", "ES-11/1", "--format", "csv"]),
                           ("align", ["align", "KHM", "RUS", "--format", "csv"])):
        ours, ours_rss = best_cmd(UNVOTE + args, env=env)
        base, base_rss = best_cmd([sys.executable, str(HERE / "baseline_duckdb.py"), str(flat), question])
        report(f"{' '.join(args[:3])} end to end", ours, base, goal="goal ≤ 1.2×",
               note="baseline: DuckDB script on a flat Parquet copy")
        report(f"{args[0]} peak RSS", ours_rss, base_rss, unit="MB", goal="goal ≤ 300 MB")

    helptime, _ = best_cmd(UNVOTE + ["--help"], env={"COLUMNS": "100"})
    bare, _ = best_cmd([sys.executable, "-c", "pass"])
    report("unvote --help", helptime, bare, goal="goal ≤ 0.15 s", note="baseline: bare python startup")
