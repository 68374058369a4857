"""Core: ingest, `tally ES-11/1`, `align KHM RUS`, `--help` — end to end, beside baselines.

Every timed command runs in a fresh subprocess, interleaved with its baseline (medians of the
pairs), so interpreter start, imports and a busy machine count alike for both sides; peak RSS is
the child's own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import best_cmd, best_of, paired_cmd

HERE = Path(__file__).resolve().parent
UNVOTE = [sys.executable, "-m", "unvote"]


def run(report, ctx) -> None:
    csv_gz = ctx.data / "undl" / "ga_voting.csv.gz"

    # Ingest: read, normalise, check, write two tables vs a plain pyarrow CSV → Parquet conversion.
    plain = [sys.executable, "-c", "import pyarrow.csv as c, pyarrow.parquet as q; "
             f"q.write_table(c.read_csv('{csv_gz}'), '{ctx.work / 'plain.parquet'}')"]
    base, base_rss = best_cmd(plain, repeat=3)
    ours, ours_rss = best_cmd(UNVOTE + ["fetch", "--file", str(csv_gz)],
                              env={"UNVOTE_DATA_DIR": str(ctx.work / "ingest-store")}, repeat=3)
    report("ingest: fetch --file ga_voting.csv.gz", ours, base, goal="goal ≤ 1.5×",
           note="baseline: pyarrow read_csv + write_table")
    report("ingest peak RSS", ours_rss, base_rss, unit="MB", goal="goal ≤ 300 MB")

    from unvote.store import Store

    store = Store(ctx.ga_store())
    folder = store.version("ga")
    env = {"UNVOTE_DATA_DIR": str(ctx.ga_store())}
    for question, args in (("tally", ["tally", "ES-11/1"]), ("align", ["align", "KHM", "RUS"])):
        (ours, ours_rss), (base, base_rss) = paired_cmd(
            UNVOTE + args + ["--format", "csv"], [sys.executable, str(HERE / "baseline_duckdb.py"), str(folder),
                                                  question], env=env)
        report(f"{' '.join(args)} --format csv (end to end)", ours, base, goal="goal ≤ 1.2×",
               note="baseline: bare DuckDB script, same query on the same Parquet files")
        report(f"{' '.join(args)} peak RSS", ours_rss, base_rss, unit="MB", goal="goal ≤ 120 MB")

    # The same questions warm, in one process: the query work without start-up costs.
    import duckdb
    from baseline_duckdb import QUERIES

    import unvote

    con = duckdb.connect()
    report("tally ES-11/1 (warm, in-process)", best_of(lambda: unvote.tally("ES-11/1", store=store), 20),
           best_of(lambda: con.sql(QUERIES["tally"].format(folder=folder)).fetchall(), 20),
           note="baseline: the DuckDB query")
    report("align KHM RUS (warm, in-process)", best_of(lambda: unvote.align("KHM", "RUS", store=store), 20),
           best_of(lambda: con.sql(QUERIES["align"].format(folder=folder)).fetchall(), 20),
           note="baseline: the DuckDB query")

    (helptime, _), (bare, _) = paired_cmd(UNVOTE + ["--help"], [sys.executable, "-c", "pass"],
                                          env={"COLUMNS": "100"})
    report("unvote --help", helptime, bare, goal="goal ≤ 0.10 s", note="baseline: bare python start-up")
    (duck, _), (typer_duck, _) = paired_cmd([sys.executable, "-c", "import duckdb"],
                                            [sys.executable, "-c", "import duckdb, typer"])
    report("import floor: duckdb + typer vs duckdb", typer_duck, duck,
           note="what a Typer CLI pays over the bare script before any work")
