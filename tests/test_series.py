"""Series are families of resolutions, never spliced — on the real GA store, each expectation read
independently from the store's Parquet files with plain DuckDB SQL (titles, agenda titles, sessions),
never from the code under test.

The rule (docs/explore.md, unvote/analysis/series.py): one normalised title is one family; a family is
chained to another across a rename only with the same agenda item AND a title overlap, and never beside
it in one session. Every row says how it was linked (``linked_by``); a session with two roll calls of a
series, or with none, is named in a note.
"""

from __future__ import annotations

import re

import duckdb
import pytest
from cli_runner import invoke

import unvote

TAIL = r"\s*:\s*resolution\s*/.*$"  # the catalogue's ": resolution / adopted by …" (sometimes "addopted")
ME = "situation in the middle east"  # the agenda item of the Jerusalem and Golan texts (with or without "The")
CUBA = ("Necessity of ending the economic, commercial and financial embargo imposed by the United States of "
        "America against Cuba")


@pytest.fixture(scope="module")
def calls(ga_store_dir):
    """Every GA roll call: {resolution: (rollcall_id, date, session, title without the tail, agenda_title)}."""
    from unvote.store import Store

    path = Store(ga_store_dir).version("ga") / "rollcalls.parquet"
    rows = duckdb.connect().execute(
        f"SELECT resolution, rollcall_id, date, session, regexp_replace(title, '{TAIL}', ''), coalesce(agenda_title, '') "
        f"FROM '{path}' WHERE kind = 'resolution'").fetchall()
    return {r[0]: r[1:] for r in rows}


def ids(calls, keep) -> set[int]:
    return {c[0] for res, c in calls.items() if keep(res, *c[1:])}


def series_ids(text, store) -> set[int]:
    return set(unvote.series(text, store=store).column_values("rollcall_id"))


def regular_sessions_missing(calls, members: set[int], last: int) -> list[int]:
    sessions = {int(c[2]) for c in calls.values() if c[0] in members and c[2].isdigit()}
    return [n for n in range(min(sessions), last + 1) if n not in sessions]


def named_sessions(note: str) -> list[int]:
    """The session numbers a note names (``74–75, 77`` → [74, 75, 77])."""
    out = []
    for a, b in re.findall(r"(\d+)(?:–(\d+))?", note.split(" in session", 1)[1].split("(")[0]):
        out += range(int(a), int(b or a) + 1)
    return out


# ---- the cases of issue 13 ------------------------------------------------------------------------------
def test_jerusalem_is_the_jerusalem_texts_only(ga_store, calls):
    got = series_ids("Jerusalem", ga_store)
    golan = ids(calls, lambda res, date, session, title, agenda: "golan" in title.lower())
    generic = ids(calls, lambda res, date, session, title, agenda: title == "The situation in the Middle East")
    assert not got & golan and not got & generic
    # exactly the texts titled Jerusalem, and the two earlier ones titled "The situation in the Middle East : Jerusalem"
    want = ids(calls, lambda res, date, session, title, agenda:
               title in ("Jerusalem", "The situation in the Middle East : Jerusalem"))
    assert got == want and len(want) == 27
    rows = unvote.series("Jerusalem", store=ga_store).to_pylist()
    assert [r["resolution"] for r in rows if r["linked_by"] == "agenda+title"] == ["A/RES/48/59A", "A/RES/49/87A"]
    assert {r["linked_by"] for r in rows} == {"title", "agenda+title"}  # words name no single roll call
    assert min(r["date"].year for r in rows) == 1993  # not the 1970s generic texts


def test_golan_series_has_52_54_and_53_38_and_no_1970s_text(ga_store, calls):
    rows = unvote.series("72/16", store=ga_store).to_pylist()
    got = {r["rollcall_id"] for r in rows}
    want = ids(calls, lambda res, date, session, title, agenda: "syrian golan" in title.lower()
               and ME in agenda.lower())
    assert got == want
    assert {"A/RES/52/54", "A/RES/53/38"} <= {r["resolution"] for r in rows}
    assert rows[0]["resolution"] == "A/RES/48/59B" and rows[0]["date"].year == 1993
    generic = ids(calls, lambda res, date, session, title, agenda: title == "The situation in the Middle East")
    assert not got & generic
    # "The occupied Syrian Golan" shares most words but is another agenda item's text: not a rename
    occupied = ids(calls, lambda res, date, session, title, agenda: title == "The occupied Syrian Golan")
    assert occupied and not got & occupied
    linked = {r["resolution"]: r["linked_by"] for r in rows}
    assert linked["A/RES/72/16"] == "query"
    assert {res for res, how in linked.items() if how == "agenda+title"} == \
        {res for res in linked if calls[res][3] != "The Syrian Golan"}


def test_every_roll_call_is_in_exactly_one_series(ga_store, calls):
    """One series per distinct title under the Middle East agenda item, or about the Golan: any two are
    the same or disjoint, and A/RES/74/14 is in exactly one of them — the Golan one."""
    seeds = {}
    for res, (_, _, _, title, agenda) in sorted(calls.items(), key=lambda kv: kv[1][1]):
        if ME in agenda.lower() or "golan" in title.lower():
            seeds.setdefault(title, res)
    assert len(seeds) > 25
    found = {res: frozenset(series_ids(res, ga_store)) for res in seeds.values()}
    for a in found.values():
        for b in found.values():
            assert a == b or not a & b
    rid = calls["A/RES/74/14"][0]
    holding = {s for s in found.values() if rid in s}
    assert len(holding) == 1
    assert holding == {frozenset(series_ids("72/16", ga_store))}
    # and asking from any of its members gives that same series
    golan = next(iter(holding))
    for res in ("A/RES/52/54", "A/RES/74/14"):
        assert series_ids(res, ga_store) == golan


def test_cuba_series_unchanged_33_roll_calls(ga_store, calls):
    rows = unvote.series("80/4", store=ga_store).to_pylist()
    want = ids(calls, lambda res, date, session, title, agenda: agenda == CUBA)
    assert len(rows) == 33 == len(want) and {r["rollcall_id"] for r in rows} == want
    linked = {r["resolution"]: r["linked_by"] for r in rows}
    assert linked.pop("A/RES/80/4") == "query"
    renamed = {res for res in linked if calls[res][3] != CUBA}
    assert renamed == {"A/RES/59/11"} and "Unites States" in calls["A/RES/59/11"][3]
    assert {res for res, how in linked.items() if how == "agenda+title"} == renamed
    assert set(linked.values()) == {"title", "agenda+title"}



def test_no_rename_beside_its_old_title_in_one_session(ga_store, calls):
    """64/10 and 64/254 share an agenda item and nearly every word ("Second follow-up to …"), but were
    voted in the same session: two texts, not one text renamed."""
    first, second = calls["A/RES/64/10"], calls["A/RES/64/254"]
    assert first[2] == second[2] == "64" and first[4] == second[4] == "Report of the Human Rights Council"
    assert second[3].startswith("Second follow-up") and second[3].endswith(first[3].split(" to ", 1)[1].strip())
    assert first[0] not in series_ids("64/254", ga_store) and second[0] not in series_ids("64/10", ga_store)

# ---- notes: a session with two, or none --------------------------------------------------------------------
def test_notes_name_the_sessions_without_a_roll_call(ga_store, calls):
    last = max(int(c[2]) for c in calls.values() if c[2].isdigit())
    for text in ("80/4", "Jerusalem"):
        table = unvote.series(text, store=ga_store)
        members = set(table.column_values("rollcall_id"))
        missing = regular_sessions_missing(calls, members, last)
        notes = [n for n in table.notes if n.startswith("no roll call")]
        assert len(notes) == 1 and named_sessions(notes[0]) == missing, text
    assert regular_sessions_missing(calls, series_ids("80/4", ga_store), last) == [76]
    # a gap up to the data's latest session gives the data's last date (that session may not be over)
    jerusalem = unvote.series("Jerusalem", store=ga_store).notes
    assert f"which runs to {max(c[1] for c in calls.values())}" in jerusalem[0]
    assert "runs to" not in unvote.series("80/4", store=ga_store).notes[0]
    # the span bounds the sessions a note can name
    until = unvote.series("Jerusalem", until="2021", store=ga_store).notes
    assert [named_sessions(n) for n in until] == [[74, 75]]


def test_notes_name_the_sessions_with_more_than_one_roll_call(ga_store, calls):
    table = unvote.series("32/20", store=ga_store)
    members = set(table.column_values("rollcall_id"))
    assert members == ids(calls, lambda res, date, session, title, agenda: title == "The situation in the Middle East")
    per: dict[str, list[str]] = {}
    for res, c in calls.items():
        if c[0] in members:
            per.setdefault(c[2], []).append(res)
    doubles = {s: sorted(r) for s, r in per.items() if len(r) > 1}
    assert len(doubles) == 12 and len(doubles["37"]) == 6
    note = next(n for n in table.notes if n.startswith("more than one"))
    for session, symbols in doubles.items():
        listed = re.search(rf"(?:^|[ ;]){session} \(([^)]*)\)", note)
        assert listed and sorted(listed.group(1).split(", ")) == symbols
    assert table.num_rows == len(members)  # each is listed, none dropped


def test_series_changes_and_votes_carry_the_notes(ga_store):
    notes = unvote.series("80/4", store=ga_store).notes
    assert unvote.series_changes("80/4", store=ga_store).notes == notes
    assert unvote.series_votes("80/4", since="2024", store=ga_store).notes == []  # 79 and 80: no gap
    assert unvote.series_votes("80/4", since="2021", store=ga_store).notes == notes


# ---- the CLI: linked_by on stdout, notes on stderr ------------------------------------------------------------
def test_cli_prints_linked_by_and_notes_apart(ga_store, calls):
    out = invoke("series", "80/4", "--since", "2019", "--format", "csv")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "resolution,date,session,yes,no,abstain,non_voting,title,subject,linked_by,rollcall_id,url"
    assert [line.split(",")[0] for line in lines[1:]] == \
        sorted((res for res, c in calls.items() if c[4] == CUBA and c[1].year >= 2019), key=lambda r: calls[r][1])
    assert lines[-1].endswith(f",query,{calls['A/RES/80/4'][0]},https://digitallibrary.un.org/record/{calls['A/RES/80/4'][0]}")
    assert "note:" not in out.stdout
    assert out.stderr.splitlines() == [f"note: {n}" for n in unvote.series("80/4", store=ga_store).notes]
    assert "session 76" in out.stderr
    # the terminal caption names the series by its own title, not a renamed one chained in
    view = invoke("series", "72/16", "--until", "1999", "--format", "table")
    assert view.returncode == 0 and "7 roll calls · The Syrian Golan" in view.stdout
    assert calls["A/RES/48/59B"][3] != "The Syrian Golan"  # the first row's title
    # symbols with brackets reach stderr as written (no console markup)
    doubles = invoke("series", "113(II)[D]", "--changes", "--format", "csv")
    assert doubles.returncode == 0, doubles.stderr
    assert "A/RES/113(II)[D], A/RES/113(II)[C]" in doubles.stderr
