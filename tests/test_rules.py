"""Issue 13 item 3/5 on the real GA store: each named rule has one home and every command agrees with
it — sessions (--session, --by session, tally's session column, ideal, cohesion, matrix), checked
against straight SQL on the store's parquet files."""

from __future__ import annotations

import duckdb
import pytest

import unvote
import unvote.api
from unvote.analysis.ideal import facts
from unvote.core.errors import UnknownResolution


def _sql(store, query: str, dataset: str = "ga"):
    """A straight DuckDB query over the current version's parquet files (``{rc}``, ``{votes}``)."""
    folder = store.version(dataset)
    text = query.format(rc=f"read_parquet('{folder / 'rollcalls.parquet'}')",
                        votes=f"read_parquet('{folder / 'votes.parquet'}')")
    return duckdb.sql(text).fetchall()


# ---- sessions ------------------------------------------------------------------------------------------
def _session_ids(store, n: int) -> set[int]:
    """Session n as the rule reads it: the resolutions numbered in n, and the special and emergency
    special sessions' roll calls dated in 1945 + n."""
    return {r[0] for r in _sql(store, "SELECT rollcall_id FROM {rc} WHERE session = " f"'{n}' OR "
                               f"(NOT regexp_full_match(session, '[0-9]+') AND year(date) = {1945 + n})")}


@pytest.mark.parametrize("n", [77, 78])
def test_session_filter_and_by_session_select_the_same_roll_calls(ga_store, n):
    from unvote.query.selection import Query, Selection

    expected = _session_ids(ga_store, n)
    specials = {r[0] for r in _sql(ga_store, "SELECT rollcall_id FROM {rc} WHERE "
                                   f"NOT regexp_full_match(session, '[0-9]+') AND year(date) = {1945 + n}")}
    assert specials  # ES-11 votes of 2022 (77) and 2023 (78) are folded in
    selected = Query(Selection.of(session=str(n)), store=ga_store).rollcalls(("rollcall_id", "regular_session"))
    assert set(selected.column("rollcall_id").to_pylist()) == expected
    assert set(selected.column("regular_session").to_pylist()) == {str(n)}
    everything = Query(Selection.of(), store=ga_store).rollcalls(("rollcall_id", "regular_session")).to_pylist()
    assert {c["rollcall_id"] for c in everything if c["regular_session"] == str(n)} == expected

    # align: --session n gives the one row --by session gives for n
    by_session = {r["period"]: r for r in unvote.align("KHM", "RUS", by="session", store=ga_store).to_pylist()}
    only = unvote.align("KHM", "RUS", by="session", session=str(n), store=ga_store).to_pylist()
    assert only == [by_session[str(n)]]
    both = _sql(ga_store, "SELECT count(*) FROM {votes} a JOIN {votes} b USING (rollcall_id) "
                "WHERE a.ms_code = 'KHM' AND b.ms_code = 'RUS' AND rollcall_id IN "
                f"(SELECT unnest({sorted(expected)}::BIGINT[]))")[0][0]
    assert only[0]["n"] == both

    # cohesion and matrix: the session's row counts the same roll calls
    coh = {r["period"]: r for r in unvote.cohesion("EU", by="session", store=ga_store).to_pylist()}
    assert unvote.cohesion("EU", session=str(n), by="session", store=ga_store).to_pylist() == [coh[str(n)]]
    assert coh[str(n)]["rollcalls"] == len(expected)
    pair = [r for r in unvote.matrix(by="session", store=ga_store).to_pylist()
            if r["period"] == str(n) and (r["a"], r["b"]) == ("KHM", "RUS")]
    assert (pair[0]["n"], pair[0]["score"]) == (by_session[str(n)]["n"], by_session[str(n)]["score"])

    # ideal points for session n are fitted on those roll calls (unanimous ones left out)
    fit = facts(unvote.ideal(session=str(n), store=ga_store))["periods"][str(n)]
    assert fit["rollcalls"] + fit["unanimous"] == len(expected)


def test_tally_session_column_names_what_session_selects(ga_store):
    """tally's session column is the text's own session: a number selects the regular session (with
    the special sessions of its opening year), ES-11 the emergency session itself."""
    es11 = _sql(ga_store, "SELECT resolution, rollcall_id, year(date) FROM {rc} WHERE session = 'ES-11' ORDER BY date")
    assert len(es11) == 8
    rows = unvote.tally(*[r[0] for r in es11], store=ga_store).to_pylist()
    assert {r["session"] for r in rows} == {"ES-11"}
    for _, rcid, year in es11:
        in_number = unvote.align("KHM", "USA", session=str(year - 1945), by="all", store=ga_store).to_pylist()
        in_es = unvote.align("KHM", "USA", session="ES-11", by="session", store=ga_store).to_pylist()
        assert rcid in _session_ids(ga_store, year - 1945)
        assert in_number[0]["n"] >= 1 and str(year - 1945) in {r["period"] for r in in_es}
    from unvote.query.selection import Query, Selection

    es10 = {r[0] for r in _sql(ga_store, "SELECT rollcall_id FROM {rc} WHERE session = 'ES-10'")}
    assert len(es10) > 10  # --session ES-10 is the emergency session alone, 1997–2025
    got = Query(Selection.of(session="es-10"), store=ga_store).rollcalls(("rollcall_id",)).column("rollcall_id")
    assert set(got.to_pylist()) == es10
    regular = unvote.tally("78/221", store=ga_store).to_pylist()
    assert regular[0]["session"] == "78" and regular[0]["rollcall_id"] in _session_ids(ga_store, 78)


# ---- the latest complete year --------------------------------------------------------------------------
def test_one_latest_complete_year_for_ideal_and_votes(ga_store):
    """ideal and votes default to the same year: the newest roll call's, unless that is not dated
    31 December (GA to 2025-10-29 → 2024; Voeten to 2015-12-23 → 2014, his last vote before year end)."""
    import datetime as dt

    from unvote.model.dates import latest_complete_year

    assert latest_complete_year(dt.date(2015, 12, 31)) == 2015
    assert latest_complete_year(dt.date(2015, 12, 23)) == 2014
    newest = _sql(ga_store, "SELECT max(date) FROM {rc}")[0][0]
    expected = newest.year if (newest.month, newest.day) == (12, 31) else newest.year - 1
    assert expected == 2024
    assert unvote.api.latest_complete_year(store=ga_store) == expected
    record = unvote.voting_record("KHM", store=ga_store)
    assert {d.year for d in record.column_values("date")} == {expected}
    fit = facts(unvote.ideal(store=ga_store))
    assert list(fit["periods"]) == [str(expected)]


# ---- majority: with_plurality and with_outcome ---------------------------------------------------------
def test_every_undl_record_reads_as_adopted(ga_store):
    """Every UN Digital Library record is an adopted resolution (A/RES symbol): the rule (more Yes than
    No) reads each one with votes as adopted, recounted straight from the votes."""
    rows = _sql(ga_store, "SELECT r.resolution, count(*) FILTER (WHERE v.vote = 'Y'), count(*) FILTER "
                "(WHERE v.vote = 'N') FROM {rc} r JOIN {votes} v USING (rollcall_id) GROUP BY ALL")
    assert len(rows) > 5000 and all(res.startswith("A/RES/") for res, _, _ in rows)
    cast = [(y, n) for _, y, n in rows if y + n]
    assert all(y > n for y, n in cast)


def test_india_on_78_221_with_the_plurality_not_the_outcome(ga_store):
    (y, n, a), = _sql(ga_store, "SELECT count(*) FILTER (WHERE v.vote = 'Y'), count(*) FILTER (WHERE v.vote = 'N'), "
                      "count(*) FILTER (WHERE v.vote = 'A') FROM {rc} r JOIN {votes} v USING (rollcall_id) "
                      "WHERE r.resolution = 'A/RES/78/221'")
    assert (y, n, a) == (78, 15, 79)  # adopted with more abstentions than Yes votes
    row, = [r for r in unvote.voting_record("IND", since="2023-12-19", until="2023-12-19", store=ga_store).to_pylist()
            if r["resolution"] == "A/RES/78/221"]
    assert (row["vote"], row["with_plurality"], row["with_outcome"]) == ("A", True, False)


def test_groups_on_77_13_against_the_assembly(ga_store):
    """A/RES/77/13 (51 Yes, 7 No, 70 abstentions; adopted): ASEAN's plurality is Yes — with the
    outcome, not with the Assembly's plurality; the EU abstained — with the plurality, not the outcome."""
    votes = dict(_sql(ga_store, "SELECT v.ms_code, v.vote FROM {rc} r JOIN {votes} v USING (rollcall_id) "
                      "WHERE r.resolution = 'A/RES/77/13'"))
    letters = list(votes.values())
    assert (letters.count("Y"), letters.count("N"), letters.count("A")) == (51, 7, 70)
    rows = {r["group"]: r for r in unvote.tally_by_group("77/13", by="ASEAN,EU", store=ga_store).to_pylist()}
    assert (rows["ASEAN"]["position"], rows["ASEAN"]["with_plurality"], rows["ASEAN"]["with_outcome"]) == ("Y", False, True)
    assert (rows["EU"]["position"], rows["EU"]["with_plurality"], rows["EU"]["with_outcome"]) == ("A", True, False)
    asean = [votes[c] for c in ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM") if c in votes]
    assert max("YNA", key=asean.count) == "Y"


# ---- per-letter counts: one definition -----------------------------------------------------------------
@pytest.fixture(scope="module")
def full_store(shared_data, tmp_path_factory):
    """GA, SC, Voeten's data (with the R package's roll-call table) and the merged history."""
    pytest.importorskip("pyreadr")
    from unvote.ingest.fetch import fetch, fetch_voeten
    from unvote.store import Store

    store = Store(tmp_path_factory.mktemp("full_store"))
    fetch("ga", file=shared_data / "undl" / "ga_voting.csv.gz", store=store)
    fetch("sc", file=shared_data / "undl" / "sc_voting.csv.gz", store=store)
    fetch_voeten(files=[shared_data / "voeten-unvotespublished-2016" / "UNVotesPublished.RData",
                        shared_data / "dgrtwo-unvotes" / "un_roll_calls.rda"], store=store)
    return store


@pytest.mark.parametrize("dataset", ["ga", "sc", "voeten", "merged"])
def test_stored_counts_are_the_live_counts_on_every_roll_call(full_store, dataset):
    """The counted_* columns written at ingest equal a recount of the stored votes (straight SQL) and
    the live count tally uses (Query.counts), on every roll call of each dataset."""
    from unvote.query.selection import Query, Selection

    stored = {r[0]: r[1:] for r in _sql(full_store, "SELECT rollcall_id, counted_yes, counted_no, counted_abstain, "
                                        "counted_non_voting, members FROM {rc}", dataset)}
    recount = {r[0]: r[1:] for r in _sql(
        full_store, "SELECT r.rollcall_id, count(v.vote) FILTER (WHERE v.vote = 'Y'), count(v.vote) FILTER "
        "(WHERE v.vote = 'N'), count(v.vote) FILTER (WHERE v.vote = 'A'), count(v.vote) FILTER (WHERE v.vote = 'X'), "
        "count(v.vote) FROM {rc} r LEFT JOIN {votes} v USING (rollcall_id) GROUP BY r.rollcall_id", dataset)}
    assert len(stored) > 1000 and stored == recount
    body, source = ("sc", "undl") if dataset == "sc" else ("ga", "undl" if dataset == "ga" else dataset)
    live = Query(Selection.of(body=body, source=source, kind="all"), store=full_store).counts(list(stored))
    assert {rid: live.get(rid, (0, 0, 0, 0, 0)) for rid in stored} == stored


# ---- roll calls with no topic --------------------------------------------------------------------------
def test_align_by_topic_has_a_none_row_that_adds_up(ga_store):
    """KHM–RUS since 2022: the none row counts the roll calls with no topic, and none + the roll calls
    with at least one topic (each once) = --by all's n; each topic row counts the roll calls on it."""
    both = ("SELECT r.rollcall_id, coalesce(r.topics, '') AS topics FROM {rc} r WHERE r.date >= DATE '2022-01-01' "
            "AND r.rollcall_id IN (SELECT a.rollcall_id FROM {votes} a JOIN {votes} b USING (rollcall_id) "
            "WHERE a.ms_code = 'KHM' AND b.ms_code = 'RUS')")
    calls = _sql(ga_store, both)
    untopical = {rid for rid, t in calls if t == ""}
    assert (len(calls), len(untopical)) == (305, 56)
    rows = {r["period"]: r for r in unvote.align("KHM", "RUS", since="2022", by="topic", store=ga_store).to_pylist()}
    assert list(rows) == ["me", "nu", "di", "hr", "co", "ec", "none"]
    assert rows["none"]["n"] == 56
    for code in ("me", "nu", "di", "hr", "co", "ec"):
        assert rows[code]["n"] == sum(code in t.split(";") for _, t in calls), code
    everything = unvote.align("KHM", "RUS", since="2022", by="all", store=ga_store).to_pylist()[0]
    assert everything["n"] == rows["none"]["n"] + sum(1 for _, t in calls if t) == 305
    only = unvote.align("KHM", "RUS", since="2022", by="all", topic="none", store=ga_store).to_pylist()[0]
    assert {k: v for k, v in only.items() if k != "period"} == {k: v for k, v in rows["none"].items() if k != "period"}
    # the Ukraine votes of ES-11 are there: all but ES-11/3 (human rights) have no topic
    es11 = dict(_sql(ga_store, "SELECT resolution, rollcall_id FROM {rc} WHERE session = 'ES-11'"))
    assert {r for r, rid in es11.items() if rid in untopical} == set(es11) - {"A/RES/ES-11/3"}


def test_topic_none_filters_every_command(ga_store):
    """--topic none selects exactly the roll calls with no topic in align, neighbors, matrix,
    cohesion, ideal, search, votes and tally --by-group."""
    from unvote.query.selection import Query, Selection

    none_2022 = {r[0] for r in _sql(ga_store, "SELECT rollcall_id FROM {rc} WHERE year(date) = 2022 "
                                    "AND coalesce(topics, '') = ''")}
    assert len(none_2022) > 10
    q = Query(Selection.of(year=2022, topic="none"), store=ga_store)
    assert set(q.rollcalls(("rollcall_id",)).column("rollcall_id").to_pylist()) == none_2022
    mixed = Query(Selection.of(year=2022, topic=["hr", "none"]), store=ga_store)
    hr_or_none = {r[0] for r in _sql(ga_store, "SELECT rollcall_id FROM {rc} WHERE year(date) = 2022 AND "
                                     "(coalesce(topics, '') = '' OR list_contains(string_split(topics, ';'), 'hr'))")}
    assert set(mixed.rollcalls(("rollcall_id",)).column("rollcall_id").to_pylist()) == hr_or_none
    kh = {r[0] for r in _sql(ga_store, "SELECT rollcall_id FROM {votes} WHERE ms_code = 'KHM'")}
    record = unvote.voting_record("KHM", year=2022, topic="none", store=ga_store).to_pylist()
    assert {r["rollcall_id"] for r in record} == none_2022 & kh and {r["topics"] for r in record} == {""}
    found = unvote.search("Ukraine", year=2022, topic="none", store=ga_store).to_pylist()
    assert {r["resolution"] for r in found} == {"A/RES/ES-11/1", "A/RES/ES-11/2", "A/RES/ES-11/4", "A/RES/ES-11/5"}
    near = {r["country"]: r for r in unvote.neighbors("KHM", year=2022, topic="none", store=ga_store).to_pylist()}
    assert near["RUS"]["n"] == len(none_2022 & kh & {r[0] for r in _sql(
        ga_store, "SELECT rollcall_id FROM {votes} WHERE ms_code = 'RUS'")})
    coh = unvote.cohesion("EU", year=2022, topic="none", by="all", store=ga_store).to_pylist()[0]
    assert coh["rollcalls"] == len(none_2022)
    pair = [r for r in unvote.matrix(year=2022, topic="none", store=ga_store).to_pylist()
            if (r["a"], r["b"]) == ("KHM", "RUS")]
    assert pair[0]["n"] == near["RUS"]["n"]
    fit = facts(unvote.ideal(year=2022, topic="none", store=ga_store))["periods"]["2022"]
    assert fit["rollcalls"] + fit["unanimous"] == len(none_2022)
    groups = unvote.tally_by_group("ES-11/1", by="EU", topic="none", store=ga_store).to_pylist()
    assert {r["resolution"] for r in groups} == {"A/RES/ES-11/1"}
    with pytest.raises(UnknownResolution):  # ES-11/3 is on human rights
        unvote.tally_by_group("ES-11/3", by="EU", topic="none", store=ga_store)
