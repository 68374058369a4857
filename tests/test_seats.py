"""Who held a seat (``data/seats.csv``, ``model.seats``): the table against the votes in the real GA
store (DuckDB over the Parquet files), the CLI and API views of it against the CSV read with the csv
module, and the ``note:`` an output gets when its span crosses a change of holder."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from cli_runner import invoke

import unvote

SEATS_CSV = Path(__file__).resolve().parents[1] / "unvote" / "data" / "seats.csv"


def rows() -> list[dict]:
    with open(SEATS_CSV, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def day(text: str, end: bool = False) -> dt.date:
    if len(text) == 4:
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    return dt.date.fromisoformat(text)


def duck(sql: str, params=()):
    import duckdb

    return duckdb.connect().execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def parquet(ga_store_dir):
    from unvote.store import Store

    folder = Store(ga_store_dir).version("ga")
    return {t: str(folder / f"{t}.parquet").replace("'", "''") for t in ("votes", "rollcalls")}


def cast_votes(parquet, code: str, first: dt.date, last: dt.date | None) -> int:
    return duck(f"SELECT count(*) FROM read_parquet('{parquet['votes']}') v "
                f"JOIN read_parquet('{parquet['rollcalls']}') r USING (rollcall_id) "
                "WHERE v.ms_code = ? AND v.vote IN ('Y', 'N', 'A') AND r.date BETWEEN ? AND ?",
                [code, first, last or dt.date(2100, 1, 1)])[0][0]


# ---- the table --------------------------------------------------------------------------------

def test_each_code_holders_follow_one_another():
    """Per code, each holder starts the day after the last one ended, or on its last day (a decision
    day: both named), or within the same year where the year alone is known."""
    by_code: dict[str, list[dict]] = {}
    for r in rows():
        assert r["date_quality"] in ("recorded", "approximate"), r
        assert (len(r["from"]) == 4) == (r["date_quality"] == "approximate"), r  # a year alone is approximate
        by_code.setdefault(r["code"], []).append(r)
    for code, held in by_code.items():
        assert all(h["to"] for h in held[:-1]), code  # only the last may hold it still
        for a, b in zip(held, held[1:]):
            gap = (day(b["from"]) - day(a["to"], end=len(a["to"]) == 4)).days
            assert gap in (0, 1) or (len(b["from"]) == 4 and a["to"] == b["from"]), (code, a["holder"], b["holder"])
    assert {"CHN", "KHM", "SUN", "RUS", "YEM", "YMD", "GER", "DDR", "DEU", "CSK", "CZE", "SVK", "YUG", "SCG", "SRB",
            "TZA", "ZAN", "EGY", "SYR"} <= set(by_code)


def test_the_votes_fall_within_the_holders(parquet):
    """No code cast a vote before its first holder or after its last; the periods with no holder (the
    FRY's unaccepted claim, Syria inside the UAR) cast none after the day of the decision."""
    by_code: dict[str, list[dict]] = {}
    for r in rows():
        by_code.setdefault(r["code"], []).append(r)
    for code, held in by_code.items():
        first, last = day(held[0]["from"]), day(held[-1]["to"], end=True) if held[-1]["to"] else None
        total = cast_votes(parquet, code, dt.date(1900, 1, 1), dt.date(2100, 1, 1))
        assert cast_votes(parquet, code, first, last) == total > 0, code
    for r in rows():
        if r["holder"].startswith("no one"):
            assert cast_votes(parquet, r["code"], day(r["from"]) + dt.timedelta(days=1), day(r["to"])) == 0, r


def test_china_seat_changes_on_the_day_of_2758(parquet):
    """The Republic of China's last day and the People's Republic's first are 25 October 1971, and the
    query that reads CHN's votes without continuity switches on that day (one home: model.seats)."""
    from unvote.model import seats
    from unvote.query.selection import roc_until

    china = [r for r in rows() if r["code"] == "CHN"]
    assert [(r["holder"], r["from"], r["to"]) for r in china] == [
        ("Republic of China", "1945-10-24", "1971-10-25"), ("People's Republic of China", "1971-10-25", "")]
    assert roc_until() == seats.handover("CHN", "People's Republic of China") == dt.date(1971, 10, 25)
    (date,) = duck(f"SELECT date FROM read_parquet('{parquet['rollcalls']}') WHERE resolution = 'A/RES/2758(XXVI)'")[0]
    assert date == roc_until()


# ---- views of it ------------------------------------------------------------------------------

def test_countries_command_and_api_list_the_csv_rows(ga_store):
    khm = [r for r in rows() if r["code"] == "KHM"]
    out = invoke("countries", "Cambodia", "--format", "json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert [(g["holder"], g["valid_from"], g["valid_to"] or "", g["date_quality"]) for g in got] == \
        [(r["holder"], r["from"], r["to"], r["date_quality"]) for r in khm]
    assert [g["date_quality"] for g in got].count("approximate") == 3
    # Russia: the USSR's seat first; Czechia: Czechoslovakia's (succeeded_by)
    assert [r["code"] for r in unvote.seats("Russia").to_pylist()] == ["SUN", "RUS"]
    assert [r["code"] for r in unvote.seats("CZE").to_pylist()] == ["CSK", "CZE"]
    # a member with no row: itself, from its admission
    (fra,) = unvote.seats("FRA").to_pylist()
    assert (fra["holder"], fra["valid_from"], fra["valid_to"]) == ("France", "1945-10-24", None)
    listed = invoke("countries", "--format", "csv")
    with open(SEATS_CSV.parent / "countries.csv", encoding="utf-8", newline="") as f:
        assert len(listed.stdout.strip().splitlines()) - 1 == len(list(csv.DictReader(f)))
    bad = invoke("countries", "Atlantis")
    assert bad.returncode != 0 and bad.stderr.startswith("unvote: error: unknown country")


def test_countries_terminal_view_numbers_each_holders_source(ga_store):
    """On a terminal the sources are numbered sentences under the table, one per holder, in order."""
    khm = [r for r in rows() if r["code"] == "KHM"]
    out = invoke("countries", "KHM", "--format", "table", env={"COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "Who held the seat: KHM" in text and "┃ source" not in out.stdout
    at = [text.index(" ".join(f"{i}. {r['holder']}: {r['source']}".split())) for i, r in enumerate(khm, 1)]
    assert at == sorted(at)


def test_sql_has_a_seats_table(ga_store):
    got = unvote.sql("SELECT code, holder, valid_from, valid_to, date_quality FROM seats "
                     "WHERE code = 'KHM' ORDER BY valid_from", store=ga_store).to_pylist()
    khm = [r for r in rows() if r["code"] == "KHM"]
    assert [g["holder"] for g in got] == [r["holder"] for r in khm]
    assert [g["valid_from"] for g in got] == [day(r["from"]) for r in khm]
    assert got[-1]["valid_to"] is None and got[2]["valid_to"] == dt.date(1982, 12, 31)  # approximate: the year's end


# ---- notes ------------------------------------------------------------------------------------

ROC = "note: the China seat was held by the Republic of China until 1971-10-25, then by the People's Republic of China"


@pytest.mark.parametrize("args, notes", [
    (["align", "CHN", "USA", "--since", "1961", "--until", "1972"], [ROC]),
    (["align", "CHN", "USA", "--since", "1961", "--until", "1970"], []),
    (["align", "CHN", "USA", "--since", "1972", "--until", "1975"], []),
    (["align", "CHN", "USA", "--since", "1961", "--until", "1972", "--no-continuity"], []),  # the ROC is TWN then
    (["neighbors", "RUS", "--since", "1990", "--until", "1993"],
     ["note: the Russia seat was held by the USSR until 1991-12-24, then by the Russian Federation"]),
    (["neighbors", "RUS", "--since", "1990", "--until", "1993", "--no-continuity"], []),
    (["votes", "KHM", "--since", "1976", "--until", "1981"], []),  # inside Democratic Kampuchea's years
    (["votes", "KHM", "--since", "1976", "--until", "1982"],
     ["note: the Cambodia seat was held by Democratic Kampuchea until about 1982, then by the Coalition "
      "Government of Democratic Kampuchea"]),
    (["align", "KHM", "ASEAN", "--since", "1992", "--until", "1994"],  # a group has no seat of its own
     ["note: the Cambodia seat was held by the Supreme National Council of Cambodia until 1993-09-23, then by the "
      "Kingdom of Cambodia"]),
    (["tally", "2758(XXVI)", "68/262"], []),  # the counts: no country's votes over time
])
def test_a_span_across_a_change_says_so(ga_store, args, notes):
    out = invoke(*args, "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert [line for line in out.stderr.splitlines() if line.startswith("note: the ")] == notes
    assert "note:" not in out.stdout  # stdout stays data


def test_every_member_listing_names_each_seat_once(ga_store):
    from unvote.model import seats

    out = invoke("tally", "2758(XXVI)", "68/262", "--countries", "--format", "csv")
    lines = [line for line in out.stderr.splitlines() if line.startswith("note: the ")]
    # the seats whose holder changed between 25 October 1971 and 27 March 2014, each once, its holders chained
    crossed = seats.all_changes(dt.date(1971, 10, 25), dt.date(2014, 3, 27))
    assert len(lines) == len({c.seat for c in crossed}) >= 6
    assert not any("China" in line for line in lines)  # 25 October 1971 is the change itself, not crossed
    assert any(line.startswith("note: the Cambodia seat was held by the Khmer Republic until about 1975, then by "
                               "Democratic Kampuchea until about 1982") for line in lines)


def test_the_change_is_in_the_provenance_and_the_label(ga_store, tmp_path):
    import openpyxl

    path = tmp_path / "a.xlsx"
    out = invoke("align", "CHN", "USA", "--since", "1961", "--until", "1972", "-o", str(path))
    assert out.returncode == 0, out.stderr
    facts = {r[0].value: r[1].value for r in openpyxl.load_workbook(path)["provenance"].iter_rows(min_row=2)}
    assert facts["seat changes"] == ROC.removeprefix("note: ")
    from unvote.output.labels import country_seats, label

    tag = label(unvote.Selection.of(since=1961, until=1972), seats=country_seats("CHN", "USA"))
    (change,) = tag.seat_changes
    assert (change.seat, change.date, change.before.holder, change.after.holder, change.approximate) == \
        ("CHN", dt.date(1971, 10, 25), "Republic of China", "People's Republic of China", False)


def test_the_country_page_lists_the_holders_and_marks_the_changes():
    """The HTML report's seat section and chart events read the same table (api.report, output.report)."""
    from unvote.api.report import seat_notes
    from unvote.output.report import _seat_events

    khm = [r for r in rows() if r["code"] == "KHM"]
    (note,) = seat_notes(["KHM"], True)
    assert len(note["history"]) == len(khm) and all(r["source"] in line for r, line in zip(khm, note["history"]))
    events = _seat_events([note], (dt.date(1970, 1, 1), dt.date(1995, 12, 31)))
    assert [d for d, _ in events] == [day(r["from"]) for r in khm[1:]]
    assert events[1][1] == "Cambodia's seat: Khmer Republic → Democratic Kampuchea (the year only is known)"
    (china,) = seat_notes(["CHN"], False)  # without continuity the ROC's votes are TWN's: no change in CHN's
    assert _seat_events([china], (dt.date(1961, 1, 1), dt.date(1980, 12, 31))) == []
