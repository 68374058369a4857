"""Core: ingest, `tally ES-11/1`, `align KHM RUS`, `--help` — end to end, beside baselines.

Every timed command runs in a fresh subprocess (best of N), so interpreter start and imports count
for both sides, and peak RSS is the child's own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import best_cmd, best_of

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

    env = {"UNVOTE_DATA_DIR": str(ctx.ga_store())}
    flat = ctx.flat_parquet()
    for question, args in (("tally", ["tally", "ES-11/1"]), ("align", ["align", "KHM", "RUS"])):
        ours, ours_rss = best_cmd(UNVOTE + args + ["--format", "csv"], env=env)
        base, base_rss = best_cmd([sys.executable, str(HERE / "baseline_duckdb.py"), str(flat), question])
        report(f"{' '.join(args)} (end to end)", ours, base, goal="goal ≤ 1.2×",
               note="baseline: DuckDB script on a flat Parquet copy")
        report(f"{' '.join(args)} peak RSS", ours_rss, base_rss, unit="MB", goal="goal ≤ 300 MB")

    # The same questions warm, in one process: the query work without start-up costs.
    import duckdb

    import unvote
    from unvote.store import Store

    store = Store(ctx.ga_store())
    con = duckdb.connect()
    sql = (HERE / "baseline_duckdb.py").read_text()
    tally_sql = sql.split('rel = con.sql(f"""', 2)[1].split('""")', 1)[0].replace("{path}", str(flat))
    align_sql = sql.split('rel = con.sql(f"""', 2)[2].split('""")', 1)[0].replace("{path}", str(flat))
    report("tally ES-11/1 (warm, in-process)", best_of(lambda: unvote.tally("ES-11/1", store=store), 20),
           best_of(lambda: con.sql(tally_sql).fetchall(), 20), note="baseline: duckdb query")
    report("align KHM RUS (warm, in-process)", best_of(lambda: unvote.align("KHM", "RUS", store=store), 20),
           best_of(lambda: con.sql(align_sql).fetchall(), 20), note="baseline: duckdb query")

    helptime, _ = best_cmd(UNVOTE + ["--help"], env={"COLUMNS": "100"})
    bare, _ = best_cmd([sys.executable, "-c", "pass"])
    report("unvote --help", helptime, bare, goal="goal ≤ 0.15 s", note="baseline: bare python start-up")
    imports, _ = best_cmd([sys.executable, "-c", "import typer, pyarrow.parquet, pyarrow.compute"])
    duck_import, _ = best_cmd([sys.executable, "-c", "import duckdb"])
    report("import floor: typer+pyarrow vs duckdb", imports, duck_import,
           note="start-up every unvote query pays vs the DuckDB script's")
