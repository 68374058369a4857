"""Core: ingest, `tally ES-11/1`, `align KHM RUS`, `--help` — end to end, beside baselines.

Every timed command runs in a fresh subprocess, interleaved with its baseline (medians of the
pairs), so interpreter start, imports and a busy machine count alike for both sides; peak RSS is
the child's own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import best_cmd, best_of, median, paired_cmd, paired_ratio, paired_runs

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
    env = {"UNVOTE_DATA_DIR": str(ctx.ga_store())}
    baseline = [sys.executable, str(HERE / "baseline_typer_duckdb.py")]
    for args in (["tally", "ES-11/1"], ["align", "KHM", "RUS"]):
        ours_cmd, base_cmd = UNVOTE + args + ["--format", "csv"], baseline + args
        same_answer(ours_cmd, base_cmd, env)
        a, b = paired_runs(ours_cmd, base_cmd, env, repeat=15)
        (ours, ours_rss), (base, base_rss) = summary(a), summary(b)
        report(f"{' '.join(args)} --format csv (end to end)", ours, base, ratio=paired_ratio(a, b),
               goal="goal ≤ 1.15×", note="baseline: bench/baseline_typer_duckdb.py, the same SQL on the same "
                                         "files; median of 15 interleaved pairs")
        report(f"{' '.join(args)} peak RSS", ours_rss, base_rss, unit="MB", goal="goal ≤ 120 MB")

    # The same questions warm, in one process: the query work without start-up costs (each call
    # opens its own DuckDB connection, on both sides).
    import contextlib
    import io
    import os

    import baseline_typer_duckdb as bare

    import unvote

    os.environ["UNVOTE_DATA_DIR"] = str(ctx.ga_store())  # the baseline reads the store's pointer from it

    def quiet(fn):
        def call():
            with contextlib.redirect_stdout(io.StringIO()):
                fn()
        return call

    report("tally ES-11/1 (warm, in-process)", best_of(lambda: unvote.tally("ES-11/1", store=store), 20),
           best_of(quiet(lambda: bare.tally("ES-11/1")), 20), note="baseline: the script's tally(), warm")
    report("align KHM RUS (warm, in-process)", best_of(lambda: unvote.align("KHM", "RUS", store=store), 20),
           best_of(quiet(lambda: bare.align("KHM", "RUS")), 20), note="baseline: the script's align(), warm")

    pruning(report, store)

    (helptime, _), (bare_start, _) = paired_cmd(UNVOTE + ["--help"], [sys.executable, "-c", "pass"],
                                                env={"COLUMNS": "100"})
    report("unvote --help", helptime, bare_start, goal="goal ≤ 0.10 s", note="baseline: bare python start-up")
    (duck, _), (typer_duck, _) = paired_cmd([sys.executable, "-c", "import duckdb"],
                                            [sys.executable, "-c", "import duckdb, typer"])
    report("import floor: duckdb + typer vs duckdb", typer_duck, duck,
           note="what a Typer CLI pays over the bare script before any work")


def pruning(report, store) -> None:
    """Store.votes(filters=…) (fetch --update reads the held votes of the roll calls it replaces):
    its row-group pruning on min/max statistics beside DuckDB reading the same rows into Arrow."""
    import duckdb

    ids = store.rollcalls("ga", columns=["rollcall_id"])["rollcall_id"].to_pylist()
    path = str(store.version("ga") / "votes.parquet")
    con = duckdb.connect()

    def duck(wanted):
        rel = con.sql("SELECT * FROM read_parquet($path) WHERE rollcall_id IN (SELECT unnest($ids::BIGINT[]))",
                      params={"path": path, "ids": wanted})
        return (getattr(rel, "to_arrow_table", None) or rel.arrow)()

    for label, wanted in (("22 newest", ids[-22:]), ("300 newest", ids[-300:]), ("all", ids)):
        filters = [("rollcall_id", "in", wanted)]
        report(f"store.votes(filters), {label} roll calls (warm)",
               best_of(lambda f=filters: store.votes("ga", filters=f), 7), best_of(lambda w=wanted: duck(w), 7),
               note="baseline: DuckDB read_parquet … WHERE rollcall_id IN … → Arrow")


def summary(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """(median seconds, peak RSS MB) of a command's runs."""
    return median(t for t, _ in runs), max(m for _, m in runs)


def same_answer(ours: list[str], baseline: list[str], env: dict) -> None:
    """The two commands print the same CSV (else the timing compares different work)."""
    import os
    import subprocess

    out = [subprocess.run(cmd, capture_output=True, env={**os.environ, **env}, check=True).stdout
           for cmd in (ours, baseline)]
    if out[0] != out[1]:
        raise SystemExit(f"bench: {' '.join(ours[2:])} and the baseline differ:\n{out[0][:300]!r}\n{out[1][:300]!r}")
