"""The baseline: the same questions as `unvote tally ES-11/1` / `unvote align KHM RUS`, asked of a
flat Parquet copy of the UN's CSV with DuckDB, printed as CSV. Usage: baseline_duckdb.py PARQUET tally|align
"""

import sys

import duckdb

path, question = sys.argv[1], sys.argv[2]
con = duckdb.connect()
if question == "tally":
    rel = con.sql(f"""
        SELECT resolution, date, count_if(upper(ms_vote) = 'Y') AS yes, count_if(upper(ms_vote) = 'N') AS no,
               count_if(upper(ms_vote) = 'A') AS abstain, count_if(upper(ms_vote) IN ('X', 'NV', '')) AS non_voting,
               count_if(upper(ms_vote) IN ('Y', 'N', 'A')) AS voting, count(*) AS members, any_value(title) AS title
        FROM '{path}' WHERE resolution = 'A/RES/ES-11/1' GROUP BY resolution, date""")
else:
    rel = con.sql(f"""
        WITH v AS (SELECT undl_id, date, CASE WHEN ms_code = 'SUN' THEN 'RUS' ELSE ms_code END AS c,
                          CASE upper(ms_vote) WHEN 'Y' THEN 1 WHEN 'A' THEN 2 WHEN 'N' THEN 3 ELSE 8 END AS v
                   FROM '{path}' WHERE ms_code IN ('KHM', 'RUS', 'SUN')),
             p AS (SELECT year(a.date::DATE) AS period, a.v AS va, b.v AS vb
                   FROM v a JOIN v b USING (undl_id) WHERE a.c = 'KHM' AND b.c = 'RUS')
        SELECT period, count(*) AS n, count_if(va = vb AND va < 8) AS same,
               count_if(va < 8 AND vb < 8 AND va <> vb AND (va = 2 OR vb = 2)) AS partial,
               count_if(va + vb = 4 AND va <> 2) AS opposite, count_if(va = 8 OR vb = 8) AS absent,
               (same + 0.5 * partial) / nullif(same + partial + opposite, 0) AS score
        FROM p GROUP BY period ORDER BY period""")
for row in [rel.columns] + rel.fetchall():
    sys.stdout.write(",".join("" if x is None else str(x) for x in row) + "\n")
