"""Explore: `search`, `votes`, `align --votes`, `series` — end to end (median of 10 fresh processes,
interleaved with the baseline) and warm in one process, beside a DuckDB script asking the same
selection of the same Parquet files (bench/baseline_explore.py)."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from common import best_of, run_cmd

HERE = Path(__file__).resolve().parent
UNVOTE = [sys.executable, "-m", "unvote"]
QUESTIONS = (("search", ["search", "Ukraine"]), ("votes", ["votes", "KHM", "--year", "2022"]),
             ("pair", ["align", "KHM", "RUS", "--year", "2022", "--votes"]), ("series", ["series", "80/4"]))


def run(report, ctx) -> None:
    store = ctx.ga_store()
    env = {"UNVOTE_DATA_DIR": str(store)}
    for question, args in QUESTIONS:
        ours, base = [], []
        for _ in range(10):  # interleaved, so a busy moment hits both sides
            ours.append(run_cmd(UNVOTE + args + ["--format", "csv"], env=env)[0])
            base.append(run_cmd([sys.executable, str(HERE / "baseline_explore.py"), str(store), question])[0])
        report(f"{' '.join(args)} (end to end, median of 10)", statistics.median(ours), statistics.median(base),
               goal="goal ≤ 1.2×", note="baseline: DuckDB script on the store's Parquet files")

    import duckdb

    import unvote
    from unvote.store import Store

    st = Store(store)
    con = duckdb.connect()
    source = (HERE / "baseline_explore.py").read_text()
    sqls = [part.split('""")', 1)[0] for part in source.split('rel = con.sql(f"""')[1:]]
    ga = st.version("ga")
    R, V = f"'{ga}/rollcalls.parquet'", f"'{ga}/votes.parquet'"
    calls = {"search": lambda: unvote.search("Ukraine", store=st),
             "votes": lambda: unvote.voting_record("KHM", year=2022, store=st),
             "pair": lambda: unvote.align_votes("KHM", "RUS", year=2022, store=st),
             "series": lambda: unvote.series("80/4", store=st)}
    queries = {question: (lambda sql=sql.replace("{R}", R).replace("{V}", V): con.sql(sql).fetchall())
               for (question, _), sql in zip(QUESTIONS, sqls)}
    # series: the rule's own statement (analysis.series.members_sql), as baseline_explore.py runs it
    from unvote.analysis.series import members_sql

    seed = con.execute(f"SELECT rollcall_id FROM {R} WHERE resolution = 'A/RES/80/4'").fetchall()[0][0]
    series_sql = members_sql(f"SELECT rollcall_id, date, session, resolution, title, counted_yes, counted_no, "
                             f"counted_abstain, counted_non_voting, agenda_title FROM {R} WHERE kind = 'resolution'",
                             "r.title", "r.agenda_title")
    queries["series"] = lambda: con.execute(series_sql, [seed, True]).fetchall()
    for question, args in QUESTIONS:
        report(f"{' '.join(args)} (warm, in-process)", best_of(calls[question], 10),
               best_of(queries[question], 10), note="baseline: the duckdb query")
