"""The baseline for `unvote search/votes/align --votes/series`: the same selection asked of the store's own
Parquet files with DuckDB, printed as CSV. Usage: baseline_explore.py STORE search|votes|pair|series"""

import sys

import duckdb

store, question = sys.argv[1], sys.argv[2]
ga = f"{store}/" + open(f"{store}/ga.current").read().strip()  # the current GA version (docs/store.md)
R, V = f"'{ga}/rollcalls.parquet'", f"'{ga}/votes.parquet'"
con = duckdb.connect()
if question == "search":
    rel = con.sql(f"""
        SELECT resolution, date, session, counted_yes AS yes, counted_no AS no, counted_abstain AS abstain,
               counted_non_voting AS non_voting, '' AS topics, title, rollcall_id FROM {R}
        WHERE regexp_matches(strip_accents(lower(concat_ws(' ', resolution, title, agenda_title, subjects))),
                             '(^|[^[:alnum:]])ukraine')
        ORDER BY date DESC, rollcall_id DESC""")
elif question == "votes":
    rel = con.sql(f"""
        SELECT r.resolution, r.date, r.session, 'KHM' AS country, v.vote, r.counted_yes, r.counted_no,
               r.counted_abstain, r.counted_non_voting,
               CASE WHEN v.vote IN ('Y', 'N', 'A') THEN (CASE v.vote WHEN 'Y' THEN counted_yes WHEN 'N' THEN counted_no
                    ELSE counted_abstain END) = greatest(counted_yes, counted_no, counted_abstain) END AS with_plurality,
               CASE WHEN v.vote IN ('Y', 'N', 'A') THEN v.vote = (CASE WHEN counted_yes > counted_no THEN 'Y' ELSE 'N' END)
                    END AS with_outcome,
               '' AS topics, r.title, r.rollcall_id
        FROM {R} r JOIN {V} v USING (rollcall_id)
        WHERE v.ms_code = 'KHM' AND r.date BETWEEN DATE '2022-01-01' AND DATE '2022-12-31' ORDER BY r.date, r.rollcall_id""")
elif question == "pair":
    rel = con.sql(f"""
        WITH a AS (SELECT rollcall_id, vote FROM {V} WHERE ms_code = 'KHM'),
             b AS (SELECT rollcall_id, vote FROM {V} WHERE ms_code IN ('RUS', 'SUN'))
        SELECT r.resolution, r.date, r.session, a.vote AS a_vote, b.vote AS b_vote,
               CASE WHEN a.vote IN ('Y', 'A', 'N') AND b.vote IN ('Y', 'A', 'N') THEN
                    CASE WHEN a.vote = b.vote THEN 'same' WHEN 'A' IN (a.vote, b.vote) THEN 'partial' ELSE 'opposite' END
                    ELSE 'absent' END AS relation,
               r.counted_yes, r.counted_no, r.counted_abstain, r.counted_non_voting, r.title, r.rollcall_id
        FROM {R} r JOIN a USING (rollcall_id) JOIN b USING (rollcall_id)
        WHERE r.date BETWEEN DATE '2022-01-01' AND DATE '2022-12-31' ORDER BY r.date, r.rollcall_id""")
else:  # the series rule is one SQL statement (unvote.analysis.series.members_sql): run that same statement
    from unvote.analysis.series import members_sql

    calls = (f"SELECT rollcall_id, date, session, resolution, title, counted_yes, counted_no, counted_abstain, "
             f"counted_non_voting, agenda_title FROM {R} WHERE kind = 'resolution'")
    seed = con.execute(f"SELECT rollcall_id FROM {R} WHERE resolution = 'A/RES/80/4'").fetchall()[0][0]
    cur = con.execute(f"""
        SELECT resolution, date, session, counted_yes, counted_no, counted_abstain, counted_non_voting, title,
               linked_by, rollcall_id FROM ({members_sql(calls, "r.title", "r.agenda_title")})
        ORDER BY date, rollcall_id""", [seed, True])
    header, rows = [d[0] for d in cur.description], cur.fetchall()
if question != "series":
    header, rows = rel.columns, rel.fetchall()
for row in [header] + rows:
    sys.stdout.write(",".join("" if x is None else str(x) for x in row) + "\n")
