"""Spreadsheets, JSON, narrow terminals and early option checks (issue 15: "Library and ecosystem
edges", "Rough edges a newcomer hits"). Figures are checked against straight DuckDB SQL on the
store's Parquet files."""

from __future__ import annotations

import csv
import io
import json
import re

import pyarrow as pa
import pytest
from cli_runner import invoke

from unvote.output.render import write


def run(*args, env=None):
    return invoke(*args, env=env)


def sql(store, query: str) -> list[tuple]:
    duckdb = pytest.importorskip("duckdb")
    root = store.version("ga")
    query = query.replace("ROLLCALLS", f"read_parquet('{root / 'rollcalls.parquet'}')") \
                 .replace("VOTES", f"read_parquet('{root / 'votes.parquet'}')")
    return duckdb.sql(query).fetchall()


def written(table, fmt: str) -> str:
    out = io.BytesIO()
    write(table, fmt, out)
    return out.getvalue().decode("utf-8")


# --- CSV: nested values as JSON text, the missing-value rule of JSON and xlsx ------------------

NESTED = pa.table({
    "struct": pa.array([{"a": 1, "b": "x"}, None]),
    "list": pa.array([[True, None, False], []]),
    "map": pa.array([[("k", 1)], None], pa.map_(pa.string(), pa.int64())),
    "blob": pa.array([b"\xaa\x01", None]),
    "score": pa.array([float("inf"), float("-inf")]),
    "nan": pa.array([float("nan"), 0.5]),
})


def test_csv_writes_nested_values_as_json_text_never_a_python_repr():
    rows = list(csv.DictReader(io.StringIO(written(NESTED, "csv"))))
    assert rows[0]["struct"] == '{"a": 1, "b": "x"}' and json.loads(rows[0]["struct"]) == {"a": 1, "b": "x"}
    assert rows[0]["list"] == "[true, null, false]" and rows[1]["list"] == "[]"
    assert rows[0]["map"] == '{"k": 1}'
    assert rows[0]["blob"] == "aa01"  # hex, as unvote sql writes a BLOB
    text = written(NESTED, "csv")
    assert "{'a'" not in text and "True" not in text and "b'" not in text and "inf" not in text


def test_csv_and_json_agree_on_every_missing_value():
    rows = list(csv.DictReader(io.StringIO(written(NESTED, "csv"))))
    objects = json.loads(written(NESTED, "json"))
    assert [json.loads(line) for line in written(NESTED, "ndjson").splitlines()] == objects
    for row, obj in zip(rows, objects, strict=True):
        for name in NESTED.column_names:
            # a cell is empty in CSV exactly where JSON has null (inf and NaN included)
            assert (row[name] == "") == (obj[name] is None), (name, row[name], obj[name])
    assert objects[0]["struct"] == {"a": 1, "b": "x"} and objects[0]["list"] == [True, None, False]
    assert objects[0]["blob"] == "aa01" and objects[1]["nan"] == 0.5 and rows[1]["nan"] == "0.5"


def test_terminal_cells_show_nested_values_as_json():
    from unvote.output.views import format_cell

    assert format_cell({"a": [1, True]}) == '{"a": [1, true]}' and format_cell(b"\xaa") == "aa"
    assert format_cell(True) == "True" and format_cell(float("inf")) == "–"


# --- period: a number when every period is a year, in every command -----------------------------

@pytest.mark.parametrize("args", [
    ("align", "KHM", "USA", "--since", "2019", "--until", "2022"),
    ("cohesion", "EU", "--since", "2019", "--until", "2022"),
    ("matrix", "--since", "2019", "--until", "2022", "--by", "year", "--limit", "3"),
])
@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_json_period_of_years_is_a_number(ga_store, args, fmt):
    out = run(*args, "--format", fmt)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout) if fmt == "json" else [json.loads(line) for line in out.stdout.splitlines()]
    years = {y for (y,) in sql(ga_store, "SELECT DISTINCT year(date) FROM ROLLCALLS "
                                         "WHERE year(date) BETWEEN 2019 AND 2022")}
    assert years == {2019, 2020, 2021, 2022}
    if args[0] == "matrix":  # the 3 best pairs of the span
        assert len(rows) == 3 and {r["period"] for r in rows} <= years
    else:
        assert {r["period"] for r in rows} == years
    assert all(type(r["period"]) is int for r in rows)


def test_ideal_and_align_write_the_period_alike(ga_store):
    ideal = json.loads(run("ideal", "--year", "2019", "--format", "json").stdout)
    align = json.loads(run("align", "KHM", "USA", "--year", "2019", "--format", "json").stdout)
    assert {r["period"] for r in ideal} == {r["period"] for r in align} == {2019}


def test_sessions_and_all_stay_text(ga_store):
    sessions = json.loads(run("align", "KHM", "USA", "--since", "2022", "--by", "session", "--format", "json").stdout)
    expected = {s for (s,) in sql(ga_store, "SELECT DISTINCT session FROM ROLLCALLS WHERE date >= '2022-01-01'")}
    assert {r["period"] for r in sessions} <= expected and all(isinstance(r["period"], str) for r in sessions)
    assert {"77", "78"} <= {r["period"] for r in sessions}  # session numbers are not years: text
    pooled = json.loads(run("align", "KHM", "USA", "--since", "2022", "--by", "all", "--format", "json").stdout)
    assert [r["period"] for r in pooled] == ["all"]
    # CSV is text either way
    first = next(csv.DictReader(io.StringIO(run("align", "KHM", "USA", "--year", "2022", "-f", "csv").stdout)))
    assert first["period"] == "2022"


# --- xlsx: score format, wrapped lines, numeric years ---------------------------------------------

def test_xlsx_formats_scores_wraps_lines_and_numbers_years(tmp_path):
    import openpyxl

    table = pa.table({"period": ["2021", "2022"], "n": [3, 4], "score": [0.123456, None],
                      "note": ["one line", "first line\nsecond line"]})
    path = tmp_path / "t.xlsx"
    with open(path, "wb") as out:
        write(table, "xlsx", out)
    sheet = openpyxl.load_workbook(path)["data"]
    head = [c.value for c in sheet[1]]
    cells = {name: sheet.cell(row=2, column=i + 1) for i, name in enumerate(head)}
    assert cells["period"].value == 2021 and cells["period"].data_type == "n"
    assert cells["score"].value == pytest.approx(0.123456) and cells["score"].number_format == "0.000"
    assert cells["n"].number_format == "General"
    wrapped = sheet.cell(row=3, column=head.index("note") + 1)
    assert wrapped.value == "first line\nsecond line" and wrapped.alignment.wrap_text
    assert not sheet.cell(row=2, column=head.index("period") + 1).alignment.wrap_text


def test_xlsx_period_of_sessions_stays_text(tmp_path):
    import openpyxl

    path = tmp_path / "s.xlsx"
    with open(path, "wb") as out:
        write(pa.table({"period": ["ES-11", "77"], "score": [0.5, 0.25]}), "xlsx", out)
    sheet = openpyxl.load_workbook(path)["data"]
    assert [sheet.cell(row=r, column=1).value for r in (2, 3)] == ["ES-11", "77"]


# --- tables at 80 columns -----------------------------------------------------------------------

def header_and_rows(text: str) -> tuple[list[str], list[str]]:
    """The lines above the table's rule (its title and header) and below it."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.strip() and set(line.strip()) <= set("─━┡╇┩"))
    return lines[:rule], lines[rule + 1:]


def assert_headers_whole(header: list[str], names: list[str]) -> None:
    """Each column name's words (split after "_") appear whole in the header lines, never cut mid-word."""
    tokens = {w for line in header for w in re.split(r"[\s│┃]+", line) if w}
    pieces = {p for token in tokens for p in re.findall(r"[^_]+_?", token)}  # "name_in_" → name_, in_
    for name in names:
        for word in re.findall(r"[^_]+_?", name):
            assert word in pieces, (name, word, header)


@pytest.mark.parametrize("args, names", [
    (("votes", "KHM", "--year", "2022"), ["resolution", "date", "vote", "yes", "no", "abstain", "title"]),
    (("search", "climate"), ["resolution", "date", "yes", "no", "abstain", "title"]),
    (("align", "KHM", "USA", "--votes", "--year", "2022"), ["resolution", "date", "a_vote", "b_vote", "relation",
                                                            "title"]),
    (("cohesion", "EU", "--since", "2020"), ["period", "rollcalls", "ties", "voting", "non_voting", "score"]),
    (("neighbors", "KHM", "--year", "2022"), ["country", "partial", "opposite", "absent", "score"]),
    (("tally", "ES-11/1", "--countries"), ["resolution", "country", "name", "vote", "name_in_record"]),
])
def test_80_columns_headers_break_between_words(ga_store, args, names):
    out = run(*args, "--format", "table", env={"COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    assert max(len(line) for line in out.stdout.splitlines()) <= 80
    header, _ = header_and_rows(out.stdout)
    assert_headers_whole(header, names)


@pytest.mark.parametrize("args, symbol", [
    (("search", "climate"), "A/RES/61/201"),
    (("votes", "KHM", "--year", "2022"), "A/RES/ES-11/1"),
    (("align", "KHM", "USA", "--votes", "--year", "2022"), "A/RES/ES-11/1"),
])
def test_80_columns_keep_a_shortened_title(ga_store, args, symbol):
    out = run(*args, "--format", "table", env={"COLUMNS": "80"})
    (title,), = sql(ga_store, f"SELECT title FROM ROLLCALLS WHERE resolution = '{symbol}'")
    line = next(line for line in out.stdout.splitlines() if line.startswith(symbol + " ")).rstrip()
    shown = line[line.index(title[:10]):]  # the title column: the real title's start, cut with "…"
    assert shown.endswith("…") and title.startswith(shown[:-1]) and len(shown) >= 12, (title, line)


def test_80_columns_rows_view_figures_match_sql(ga_store):
    out = run("search", "climate", "--format", "table", env={"COLUMNS": "80"})
    lines = out.stdout.splitlines()
    header = next(line.split() for line in lines if line.startswith("resolution "))
    line = next(line for line in lines if line.startswith("A/RES/61/201 ")).split()
    (date, yes, no, abstain), = sql(ga_store, "SELECT date, total_yes, total_no, total_abstentions FROM ROLLCALLS "
                                              "WHERE resolution = 'A/RES/61/201'")
    # which optional columns fit depends on the rows (an all-empty topics column leaves room for session)
    assert [line[header.index(c)] for c in ("date", "yes", "no", "abstain")] == \
        [date.isoformat(), str(yes), str(no), str(abstain)]


def test_wrap_header():
    from unvote.output.views import wrap_header

    assert wrap_header("with_plurality", 9) == "with_\nplurality"
    assert wrap_header("non_voting", 6) == "non_\nvoting"
    assert wrap_header("name_in_record", 9) == "name_in_\nrecord"
    assert wrap_header("rollcalls", 9) == "rollcalls"
    # only when the terminal cannot give a word its width: abbreviated with a dot, never cut in two
    assert wrap_header("rollcalls", 5) == "roll." and wrap_header("with_plurality", 7) == "with_\nplural."
    assert wrap_header("non_voting", 10) == "non_voting"


# --- options checked early ----------------------------------------------------------------------

def test_cohesion_year_is_since_and_until(ga_store):
    year = run("cohesion", "ASEAN", "--year", "2022", "-f", "csv")
    span = run("cohesion", "ASEAN", "--since", "2022", "--until", "2022", "-f", "csv")
    assert year.returncode == 0, year.stderr
    assert year.stdout == span.stdout
    (row,) = list(csv.DictReader(io.StringIO(year.stdout)))
    (n,), = sql(ga_store, "SELECT count(*) FROM ROLLCALLS WHERE year(date) = 2022")
    assert row["period"] == "2022" and int(row["rollcalls"]) == n == 89
    both = run("cohesion", "ASEAN", "--year", "2022", "--since", "2020")
    assert both.returncode == 2 and both.stderr.count("\n") == 1


def test_ideal_highlight_without_chart_fails_before_the_fit(ga_store, monkeypatch):
    import unvote.api

    def no_fit(*args, **kwargs):
        raise AssertionError("the fit ran before the options were checked")

    monkeypatch.setattr(unvote.api, "ideal", no_fit)
    monkeypatch.setattr(unvote.api, "latest_complete_year", no_fit)
    out = run("ideal", "--highlight", "KHM")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == "unvote: error: --highlight colours countries in a chart: add --chart FILE\n"


def test_tally_by_group_with_countries_is_refused(ga_store, monkeypatch):
    import unvote.api

    def no_query(*args, **kwargs):
        raise AssertionError("queried before the options were checked")

    monkeypatch.setattr(unvote.api, "tally", no_query)
    monkeypatch.setattr(unvote.api, "tally_by_group", no_query)
    out = run("tally", "ES-11/1", "--by-group", "regional", "--countries")
    assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1
    assert "--countries" in out.stderr and "--by-group" in out.stderr


# --- completion without Typer's underscore modules ----------------------------------------------

def test_completion_uses_no_private_typer_module():
    from pathlib import Path

    import unvote.cli

    source = (Path(unvote.cli.__file__).parent / "app.py").read_text()
    assert not re.search(r"typer\._|from typer import _|_get_shell_name", source)
    from typer.completion import completion_init, get_completion_script, install  # what app.py calls

    assert callable(completion_init) and callable(get_completion_script) and callable(install)


# --- docs say what the code does ------------------------------------------------------------------

DOCS = __import__("pathlib").Path(__file__).resolve().parents[1] / "docs"


def test_docs_name_no_machine_path_and_no_stale_claims():
    from unvote.cli.app import app
    from unvote.output.views import TERMINAL_ROWS

    explore = (DOCS / "explore.md").read_text()
    assert "/work/" not in explore and "/tmp/" not in explore
    assert "empty until the store carries" not in explore
    shown = re.search(r"`matrix` \(long form, `--by all`\) shows the (\d+)\s+best pairs", explore)
    assert shown and int(shown.group(1)) == TERMINAL_ROWS
    assert f"shows the {TERMINAL_ROWS} pairs" in (DOCS / "output.md").read_text()
    topics = (DOCS / "topics.md").read_text()
    assert "meant for an `unvote topics` command" not in topics
    assert "topics" in {c.name or c.callback.__name__ for c in app.registered_commands}
    assert not re.search(r"^#+ .*\(issue \d+\)", (DOCS / "benchmarks.md").read_text(), re.M)
    output = (DOCS / "output.md").read_text()
    assert "csvlook -I" in output and "csvkit read the files as they are" not in output


def test_charts_doc_neighbors_claims_hold(ga_store):
    """charts.md: in 2022 Sao Tome and Principe's 1.00 with Cambodia rests on 3 votes, so it has no rank
    (and is not drawn), and Turkmenistan, at 0.99, is the first ranked country."""
    text = (DOCS / "charts.md").read_text()
    assert "Sao Tome\nand Principe's 1.00" in text and "Turkmenistan, at 0.99, tops the chart" in text
    rows = list(csv.DictReader(io.StringIO(run("neighbors", "KHM", "--year", "2022", "-f", "csv").stdout)))
    stp = next(r for r in rows if r["country"] == "STP")
    assert stp["rank"] == "" and float(stp["score"]) == 1.0
    assert int(stp["same"]) + int(stp["partial"]) + int(stp["opposite"]) == 3
    first = next(r for r in rows if r["rank"] == "1")
    assert first["country"] == "TKM" and f"{float(first['score']):.2f}" == "0.99"
    # the shared Y/A/N votes, straight from the votes file
    (shared,), = sql(ga_store, """
        SELECT count(*) FROM VOTES k JOIN VOTES s USING (rollcall_id) JOIN ROLLCALLS r USING (rollcall_id)
        WHERE k.ms_code = 'KHM' AND s.ms_code = 'STP' AND year(r.date) = 2022
          AND k.vote IN ('Y', 'A', 'N') AND s.vote IN ('Y', 'A', 'N')""")
    assert shared == 3
