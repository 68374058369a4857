"""Values that realistic mutants of the core changed and no test caught (issue 14): each asserted on
the real GA store, the expected value computed independently (DuckDB or Python over the Parquet
files, the R package's tables, openpyxl and the csv module reading back what was written)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pytest
from cli_runner import invoke

import unvote
from unvote.core.errors import UsageError
from unvote.store import Store


def parquet(store: Store, table: str) -> str:
    return str(store.version("ga") / f"{table}.parquet").replace("'", "''")


def duck(sql: str, params=()):
    import duckdb

    return duckdb.connect().execute(sql, list(params)).fetchall()


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# ---- search: words match at the start of a word ------------------------------------------------

def test_search_nuclear_matches_words_not_inside_words(ga_store):
    """All years: 754 roll calls; matching inside words would add "Denuclearization of Africa" (765)."""
    cols = ("resolution", "draft", "title", "agenda_title", "subjects")  # the text search reads
    rows = duck(f"SELECT rollcall_id, {', '.join(f'coalesce({c}, {chr(39)}{chr(39)})' for c in cols)} "
                f"FROM read_parquet('{parquet(ga_store, 'rollcalls')}') WHERE kind = 'resolution'")
    text = {r[0]: fold(" ".join(r[1:])) for r in rows}
    words = {rid for rid, t in text.items() if re.search(r"(?<![0-9a-z])nuclear", t)}
    inside = {rid for rid, t in text.items() if "nuclear" in t}
    assert (len(words), len(inside)) == (754, 765)
    found = unvote.search("nuclear", since=1946, store=ga_store)
    assert sorted(found.column_values("rollcall_id")) == sorted(words)
    titles = {t for rid, t in text.items() if rid in inside - words}
    assert any("denuclearization of africa" in t for t in titles)
    out = invoke("search", "nuclear", "--since", "1946", "--format", "csv")
    assert out.returncode == 0 and len(list(csv.DictReader(io.StringIO(out.stdout)))) == 754


# ---- sql: one statement ----------------------------------------------------------------------

def test_sql_refuses_two_statements_and_the_views_survive(ga_store):
    with pytest.raises(UsageError, match="give one SELECT statement, not 2"):
        unvote.sql("SELECT 1; DROP VIEW votes", store=ga_store)
    (votes,) = duck(f"SELECT count(*) FROM read_parquet('{parquet(ga_store, 'votes')}')")[0]
    assert unvote.sql("SELECT count(*) AS n FROM votes", store=ga_store).column_values("n") == [votes]
    out = invoke("sql", "SELECT 1; DROP VIEW votes")
    assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1
    assert "give one SELECT statement, not 2" in out.stderr


# ---- a group's position against the roll call's plurality --------------------------------------

def group_members(group: str, on: str) -> list[str]:
    """The group's members on a date, read straight from the package's table."""
    from importlib.resources import files

    with files("unvote").joinpath("data/groups.csv").open(encoding="utf-8") as fh:
        return [r["code"] for r in csv.DictReader(fh) if r["group"] == group
                and r["valid_from"] <= on and (not r["valid_to"] or on < r["valid_to"])]


def test_a_groups_position_and_the_plurality_on_77_13(ga_store):
    """A/RES/77/13 (51 yes, 7 no, 70 abstain): the plurality is Abstain. ASEAN voted Y (not with
    it), the EU A (with it). The text was adopted (A/RES/…, 51 > 7): only a Yes is with the outcome."""
    (rid, date), = duck(f"SELECT rollcall_id, CAST(date AS VARCHAR) FROM read_parquet('{parquet(ga_store, 'rollcalls')}') "
                        "WHERE resolution = 'A/RES/77/13'")
    votes = dict(duck(f"SELECT ms_code, CAST(vote AS VARCHAR) FROM read_parquet('{parquet(ga_store, 'votes')}') "
                      "WHERE rollcall_id = ?", [rid]))
    counts = {v: list(votes.values()).count(v) for v in "YNA"}
    assert counts == {"Y": 51, "N": 7, "A": 70}
    plurality = max(counts, key=counts.get)
    expected = {}
    for group in ("ASEAN", "EU"):
        cast = [votes[c] for c in group_members(group, date) if votes.get(c) in ("Y", "N", "A")]
        expected[group] = max("YNA", key=cast.count)
    assert expected == {"ASEAN": "Y", "EU": "A"} and plurality == "A"
    out = invoke("tally", "77/13", "--by-group", "ASEAN,EU", "--format", "csv")
    assert out.returncode == 0, out.stderr
    positions = {r["group"]: r["position"] for r in csv.DictReader(io.StringIO(out.stdout))}
    assert (positions["ASEAN"], positions["EU"]) == ("Y", "A")
    for group in ("ASEAN", "EU"):
        (row,) = [r for r in unvote.voting_record(group, year=2022, store=ga_store).to_pylist()
                  if r["resolution"] == "A/RES/77/13"]
        assert row["vote"] == expected[group]
        assert row["with_plurality"] is (expected[group] == plurality)  # ASEAN False, EU True
        assert row["with_outcome"] is (expected[group] == "Y")  # ASEAN True, EU False
    # and a country's own vote the same way: a Y voter is not with the plurality, an A voter is
    for letter in "YA":
        code = min(c for c, v in votes.items() if v == letter)
        (row,) = [r for r in unvote.voting_record(code, year=2022, store=ga_store).to_pylist()
                  if r["resolution"] == "A/RES/77/13"]
        assert (row["vote"], row["with_plurality"], row["with_outcome"]) == \
            (letter, letter == plurality, letter == "Y"), code


# ---- output: xlsx headers, CSV quoting ---------------------------------------------------------

def test_an_xlsx_header_2019_stays_text(ga_store, tmp_path):
    import openpyxl

    (n,) = duck(f"SELECT count(*) FROM read_parquet('{parquet(ga_store, 'rollcalls')}') WHERE year(date) = 2019")[0]
    path = tmp_path / "y.xlsx"
    out = invoke("sql", 'SELECT count(*) AS "2019" FROM rollcalls WHERE year(date) = 2019', "-o", str(path))
    assert out.returncode == 0, out.stderr
    sheet = openpyxl.load_workbook(path)["data"]
    assert (sheet["A1"].value, sheet["A1"].data_type) == ("2019", "s")  # a header is text, not the number 2019
    assert (sheet["A2"].value, sheet["A2"].data_type) == (n, "n")


def test_a_carriage_return_is_quoted_in_csv(ga_store):
    out = invoke("sql", "SELECT 'a' || chr(13) || 'b' AS t, 1 AS n", "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout == 't,n\n"a\rb",1\n'  # a bare CR would end the record for most readers
    assert list(csv.reader(io.StringIO(out.stdout, newline=""))) == [["t", "n"], ["a\rb", "1"]]


# ---- ideal points ----------------------------------------------------------------------------------

def test_ideal_2019_usa_std_error(ga_store):
    """The README publishes USA 2019: ideal point 4.559648, std_error 0.370511, 100 votes. The
    n_votes is recounted here; the standard error (a Laplace approximation of this model's posterior)
    has no independent source, so the published figure itself is the check (to 4 places)."""
    table = unvote.ideal(year=2019, store=ga_store)
    (usa,) = [r for r in table.to_pylist() if r["country"] == "USA"]
    assert round(usa["std_error"], 4) == 0.3705
    assert round(usa["ideal_point"], 4) == 4.5596
    # votes cast (Y/A/N) by the USA in 2019 roll calls where not every vote cast was the same
    (n,) = duck(f"""WITH v AS (SELECT rollcall_id, ms_code, CAST(vote AS VARCHAR) AS vote
                              FROM read_parquet('{parquet(ga_store, 'votes')}')
                              WHERE CAST(vote AS VARCHAR) IN ('Y', 'A', 'N')),
                    r AS (SELECT rollcall_id FROM read_parquet('{parquet(ga_store, 'rollcalls')}')
                          WHERE year(date) = 2019 AND kind = 'resolution'),
                    split AS (SELECT rollcall_id FROM v JOIN r USING (rollcall_id) GROUP BY rollcall_id
                              HAVING count(DISTINCT vote) > 1)
                 SELECT count(*) FROM v JOIN split USING (rollcall_id) WHERE ms_code = 'USA'""")[0]
    assert usa["n_votes"] == n == 100


# ---- topics ------------------------------------------------------------------------------------------

def test_the_draft_code_of_crimes_has_no_topic(ga_store, shared_data):
    """"Draft Code of Crimes against the Peace and Security of Mankind" (1987-89): Voeten codes none of
    its three votes (R package ``un_roll_call_issues``), and the rules find no topic in its words."""
    pyreadr = pytest.importorskip("pyreadr")
    from unvote.analysis.topics import classify

    rows = duck(f"SELECT resolution, title, agenda_title, subjects, coalesce(topics, '') "
                f"FROM read_parquet('{parquet(ga_store, 'rollcalls')}') "
                "WHERE title LIKE 'Draft Code of Crimes against the Peace and Security of Mankind%'")
    assert sorted(r[0] for r in rows) == ["A/RES/42/151", "A/RES/43/164", "A/RES/44/32"]
    folder = shared_data / "dgrtwo-unvotes"
    calls = next(iter(pyreadr.read_r(str(folder / "un_roll_calls.rda")).values()))
    issues = next(iter(pyreadr.read_r(str(folder / "un_roll_call_issues.rda")).values()))
    rcids = set(calls.loc[calls["unres"].isin(["R/42/151", "R/43/164", "R/44/32"]), "rcid"])
    assert len(rcids) == 3 and not rcids & set(issues["rcid"])  # Voeten: no issue code
    for resolution, title, agenda, subjects, topics in rows:
        assert topics == "", resolution
        assert classify(title, agenda, subjects) == (), resolution
    found = unvote.search('"Draft Code of Crimes against the Peace"', since=1946, store=ga_store)
    assert len(found.rows) == 3 and set(found.column_values("topics")) == {""}
