"""The baseline: the questions of `unvote tally ES-11/1` / `unvote align KHM RUS`, asked of the same
store files (rollcalls.parquet, votes.parquet of one version) by a bare DuckDB script, printed as CSV.
Usage: baseline_duckdb.py VERSION_FOLDER tally|align
"""

import sys

import duckdb

QUERIES = {
    "tally": """
        SELECT r.resolution, r.date, count_if(v.vote = 'Y') AS yes, count_if(v.vote = 'N') AS no,
               count_if(v.vote = 'A') AS abstain, count_if(v.vote = 'X') AS non_voting,
               count_if(v.vote IN ('Y', 'N', 'A')) AS voting, count(*) AS members, any_value(r.title) AS title
        FROM '{folder}/rollcalls.parquet' r JOIN '{folder}/votes.parquet' v USING (rollcall_id)
        WHERE r.resolution = 'A/RES/ES-11/1' GROUP BY r.resolution, r.date""",
    "align": """
        WITH r AS (SELECT rollcall_id, date FROM '{folder}/rollcalls.parquet' WHERE kind = 'resolution'),
             a AS (SELECT rollcall_id, vote FROM '{folder}/votes.parquet' WHERE ms_code = 'KHM'),
             b AS (SELECT rollcall_id, vote FROM '{folder}/votes.parquet' WHERE ms_code IN ('RUS', 'SUN')),
             p AS (SELECT year(r.date) AS period, a.vote AS va, b.vote AS vb
                   FROM r JOIN a USING (rollcall_id) JOIN b USING (rollcall_id))
        SELECT period, count(*) AS n, count_if(va = vb AND va IN ('Y', 'A', 'N')) AS same,
               count_if(va <> vb AND va IN ('Y', 'A', 'N') AND vb IN ('Y', 'A', 'N') AND 'A' IN (va, vb)) AS partial,
               count_if(va <> vb AND va IN ('Y', 'N') AND vb IN ('Y', 'N')) AS opposite,
               count_if(va NOT IN ('Y', 'A', 'N') OR vb NOT IN ('Y', 'A', 'N')) AS absent,
               (same + 0.5 * partial) / nullif(same + partial + opposite, 0) AS score
        FROM p GROUP BY period ORDER BY period""",
}

if __name__ == "__main__":
    folder, question = sys.argv[1], sys.argv[2]
    rel = duckdb.connect().sql(QUERIES[question].format(folder=folder))
    for row in [rel.columns] + rel.fetchall():
        sys.stdout.write(",".join("" if x is None else str(x) for x in row) + "\n")
