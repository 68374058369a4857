"""The goal's yardstick: `tally ES-11/1` and `align KHM RUS` as a bare Typer + DuckDB script would answer
them — read the store's `<dataset>.current` pointer, run the SQL unvote runs on the same two files, print CSV.
Usage: UNVOTE_DATA_DIR=… baseline_typer_duckdb.py tally ES-11/1 | align KHM RUS
"""
import csv
import os
import sys

import duckdb
import typer

app = typer.Typer(add_completion=False)
COUNTS = ("count(*) FILTER (WHERE v.vote = 'Y') AS yes, count(*) FILTER (WHERE v.vote = 'N') AS no, "
          "count(*) FILTER (WHERE v.vote = 'A') AS abstain, count(*) FILTER (WHERE v.vote = 'X') AS non_voting")
CAST = "a.vote IN ('Y', 'A', 'N') AND b.vote IN ('Y', 'A', 'N')"


def table(name: str) -> str:  # the current version's file, as a reader without unvote finds it
    root = os.environ["UNVOTE_DATA_DIR"]
    with open(os.path.join(root, "ga.current"), encoding="utf-8") as fh:
        return f"read_parquet('{os.path.join(root, fh.read().strip(), name)}.parquet')"


def emit(sql: str, params: list) -> None:
    result = duckdb.connect(config={"threads": 2}).execute(sql, params)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(d[0] for d in result.description)
    out.writerows([round(x, 6) if isinstance(x, float) else x for x in row] for row in result.fetchall())


@app.command()
def tally(symbol: str):  # the symbol's roll call(s) with their counts: unvote's one query
    emit(f"""WITH r AS (SELECT * FROM (SELECT r.rollcall_id, r.resolution, r.date, r.session, r.meeting, r.title,
      coalesce(r.topics, '') AS topics FROM {table('rollcalls')} r WHERE coalesce(r.kind, 'resolution') = 'resolution')
      r WHERE strpos(upper(replace(r.resolution, ' ', '')), ?) > 0), c AS (SELECT v.rollcall_id, {COUNTS}, count(*) AS
      members FROM {table('votes')} v WHERE v.rollcall_id IN (SELECT rollcall_id FROM r) GROUP BY v.rollcall_id)
    SELECT r.resolution, r.date, c.yes, c.no, c.abstain, c.non_voting, c.yes + c.no + c.abstain AS voting, c.members,
      r.title, regexp_replace(r.title, '\\s*:\\s*resolution\\s*/.*$', '', 'i') AS subject,
      c.members - c.yes - c.no - c.abstain - c.non_voting AS unreadable, r.meeting, r.session, r.rollcall_id,
      'https://digitallibrary.un.org/record/' || r.rollcall_id AS url, r.topics FROM r JOIN c USING (rollcall_id)
    WHERE r.resolution = ?""", [symbol, f"A/RES/{symbol}"])


@app.command()
def align(a: str, b: str):  # agreement per year, counted in SQL as unvote counts two countries
    codes = {"RUS": ["RUS", "SUN"]}  # continuity: the USSR's seat is Russia's
    emit(f"""WITH calls AS (SELECT r.rollcall_id, r.date FROM {table('rollcalls')} r
      WHERE coalesce(r.kind, 'resolution') = 'resolution' ORDER BY r.date, r.rollcall_id),
    a AS (SELECT rollcall_id, any_value(vote) AS vote FROM {table('votes')} WHERE ms_code IN (SELECT unnest(?::VARCHAR[]))
      GROUP BY rollcall_id), b AS (SELECT rollcall_id, any_value(vote) AS vote FROM {table('votes')}
      WHERE ms_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY rollcall_id)
    SELECT CAST(year(calls.date) AS VARCHAR) AS period, count(*) AS n,
      count(*) FILTER (WHERE {CAST} AND a.vote = b.vote) AS same,
      count(*) FILTER (WHERE {CAST} AND a.vote <> b.vote AND 'A' IN (a.vote, b.vote)) AS partial,
      count(*) FILTER (WHERE {CAST} AND a.vote <> b.vote AND 'A' NOT IN (a.vote, b.vote)) AS opposite,
      count(*) FILTER (WHERE NOT ({CAST})) AS absent,
      (same + 0.5 * partial) / nullif(same + partial + opposite, 0) AS score
    FROM calls JOIN a USING (rollcall_id) JOIN b USING (rollcall_id) WHERE a.vote IS NOT NULL AND b.vote IS NOT NULL
    GROUP BY period ORDER BY min(calls.date)""", [codes.get(a, [a]), codes.get(b, [b])])


if __name__ == "__main__":
    app()
