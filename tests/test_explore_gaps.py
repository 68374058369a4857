"""Issue 9 item 7 on real data: sessions folded as Voeten does, Voeten's symbol-session typos, the China
seat (TWN without continuity), Security Council and draft symbols, ambiguous symbols listed in full."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import invoke

import unvote
from unvote.core.errors import Ambiguous, NoData, UnknownResolution
from unvote.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def voeten_raw(voeten_raw_frame):
    """Voeten's roll calls as his file has them: {rcid: (session, date, unres)}."""
    import pandas as pd

    x = voeten_raw_frame
    calls = x.drop_duplicates("rcid")
    dates = pd.to_datetime(calls["date"], format="%m/%d/%Y", errors="coerce")
    return {int(r): (int(s), None if pd.isna(d) else d.date(), u)
            for r, s, d, u in zip(calls["rcid"], calls["session"], dates, calls["unres"])}, x


@pytest.fixture(scope="module")
def voeten_store(voeten_store_dir):
    """Voeten's data as `fetch --source voeten` stores it (conftest's cached store; read-only)."""
    return Store(voeten_store_dir)


# ---- --by session as Voeten assigns sessions -------------------------------------------------------------
def test_special_sessions_fold_into_voetens_session(voeten_store, voeten_raw):
    """The voeten store's regular session is Voeten's own session column on every roll call, and the
    rule for special sessions (year − 1945) gives his column on every one whose ``unres`` names the
    session; the rule departs from his column on exactly the three roll calls model.sessions names."""
    from unvote.model.sessions import regular_session
    from unvote.query.selection import Query, Selection

    raw, _ = voeten_raw
    calls = Query(Selection.of(source="voeten", kind="all"), store=voeten_store).rollcalls(
        ("rollcall_id", "date", "session", "regular_session")).to_pylist()
    assert len(calls) == len(raw)
    assert {c["rollcall_id"]: int(c["regular_session"]) for c in calls} == {r: s for r, (s, _, _) in raw.items()}
    special = [c for c in calls if not c["session"].isdigit()]
    assert len(special) == 55
    assert all(int(regular_session(c["session"], c["date"])) == raw[c["rollcall_id"]][0] for c in special)
    assert raw[9018][0] == 23 and raw[9018][2] == "SS/5"  # no session number in unres: kept as regular 23
    departs = {c["rollcall_id"] for c in calls if regular_session(c["session"], c["date"]) != c["regular_session"]}
    assert departs == {505, 804, 4592}  # 4592: un_roll_calls.rda supplies its unres R/60/260
    assert (raw[804][0], calls[[c["rollcall_id"] for c in calls].index(804)]["session"]) == (17, "16")


def test_cub_usa_per_session_as_in_voetens_sessions(voeten_store, voeten_raw):
    """CUB–USA agreement per session equals the same computation over Voeten's own session column,
    session by session (ES-1 and ES-2 of November 1956 in 11; rcid 505 in 11, rcid 804 in 17); and
    --session N selects what --by session puts in N."""
    _, x = voeten_raw
    a = x[x.ccode == 40][["rcid", "session", "vote"]].merge(x[x.ccode == 2][["rcid", "vote"]], on="rcid")
    a = a[a.vote_x.isin([1, 2, 3]) & a.vote_y.isin([1, 2, 3])]
    a = a.assign(agree=1 - (a.vote_x - a.vote_y).abs() / 2)
    his = a.groupby("session")["agree"].agg(["size", "mean"])
    ours = {r["period"]: r for r in unvote.align("CUB", "USA", by="session", source="voeten", kind="all",
                                                 store=voeten_store).to_pylist()}
    assert set(ours) == {str(s) for s in his.index}
    for s in his.index:
        r = ours[str(s)]
        assert (r["same"] + r["partial"] + r["opposite"], round(r["score"], 9)) == \
            (his.loc[s, "size"], round(his.loc[s, "mean"], 9)), s
    for s in ("11", "17", "60"):
        only = unvote.align("CUB", "USA", by="session", session=s, source="voeten", kind="all",
                            store=voeten_store).to_pylist()
        assert only == [ours[s]]


def test_usa_gbr_session_17_is_voetens_figure(voeten_store, voeten_raw):
    """The issue's check: identical votes of USA and GBR in session 17, unanimous roll calls out, as
    computed straight from Voeten's file (his session column, his unanimity: every Y/A/N vote alike)."""
    _, x = voeten_raw
    s17 = x[x.session == 17]
    cast = s17[s17.vote.isin([1, 2, 3])]
    unanimous = set(cast.groupby("rcid")["vote"].nunique().loc[lambda n: n == 1].index)
    pair = s17[s17.ccode == 2][["rcid", "vote"]].merge(s17[s17.ccode == 200][["rcid", "vote"]], on="rcid")
    pair = pair[~pair.rcid.isin(unanimous) & pair.vote_x.isin([1, 2, 3]) & pair.vote_y.isin([1, 2, 3])]
    expected = (pair.vote_x == pair.vote_y).mean()
    assert round(expected, 7) == 0.9318182
    rows = unvote.align("USA", "GBR", session="17", by="session", metric="identical", exclude_unanimous=True,
                        kind="all", source="voeten", store=voeten_store).to_pylist()
    assert [r["period"] for r in rows] == ["17"] and rows[0]["score"] == pytest.approx(expected)


def test_session_es11_still_selects_the_emergency_session(ga_store):
    rows = unvote.align("KHM", "RUS", session="ES-11", by="session", store=ga_store).to_pylist()
    assert [(r["period"], r["n"]) for r in rows] == [("77", 5), ("78", 1), ("80", 2)]  # 2022 → 77, 2023 → 78, 2025 → 80


# ---- Voeten's symbol-session typos -----------------------------------------------------------------------
def test_symbol_session_checked_against_the_date(voeten_store, voeten_raw):
    raw, _ = voeten_raw
    calls = {c["rollcall_id"]: c for c in voeten_store.rollcalls("voeten").to_pylist()}
    for rcid in (758, 594):
        session, date, unres = raw[rcid]
        assert calls[rcid]["session"] == str(session) and calls[rcid]["date"] == date
        assert calls[rcid]["resolution"] == unres  # R/2/1069A names no real resolution: kept as found
    assert (calls[758]["session"], calls[594]["session"]) == ("16", "14")
    assert calls[505]["session"] == "12"  # R/12/6, 1957-09-03: the date fits session 12 too, the symbol stays
    assert calls[505]["regular_session"] == "11"  # … while it counts in Voeten's session 11


def test_normalise_unres_with_dates():
    import datetime as dt

    from unvote.sources.voeten import normalise_unres

    assert normalise_unres("R/2/1069A", 16, dt.date(1961, 12, 4)) == ("R/2/1069A", "16")
    assert normalise_unres("R/26/2758A", 26, dt.date(1971, 10, 25)) == ("A/RES/2758(XXVI)[A]", "26")
    assert normalise_unres("R/2/1069A", 16) == ("A/RES/1069(II)[A]", "2")  # no date: as before


# ---- the China seat ------------------------------------------------------------------------------------------
def test_republic_of_china_is_twn_without_continuity(ga_store, raw_china):
    before, after = raw_china
    twn = unvote.align("TWN", "USA", by="all", continuity=False, store=ga_store).to_pylist()[0]
    chn = unvote.align("CHN", "USA", by="all", continuity=False, until="1980", store=ga_store).to_pylist()[0]
    seat = unvote.align("CHN", "USA", by="all", until="1980", store=ga_store).to_pylist()[0]
    assert twn["n"] == before and chn["n"] == after and seat["n"] == before + after
    with pytest.raises(NoData, match="--no-continuity"):
        unvote.align("TWN", "USA", store=ga_store)
    rows = unvote.neighbors("TWN", continuity=False, store=ga_store).to_pylist()
    assert max(r["n"] for r in rows) == before


@pytest.fixture(scope="module")
def raw_china(shared_data):
    """Roll calls until 1980 with both CHN and USA listed: (before 25 Oct 1971, from then)."""
    import duckdb

    return duckdb.sql(
        "SELECT count(DISTINCT undl_id) FILTER (WHERE CAST(date AS DATE) < DATE '1971-10-25'), "
        "count(DISTINCT undl_id) FILTER (WHERE CAST(date AS DATE) >= DATE '1971-10-25') "
        f"FROM read_csv('{shared_data / 'undl' / 'ga_voting.csv.gz'}', all_varchar = true) c "
        "WHERE ms_code = 'CHN' AND CAST(date AS DATE) <= DATE '1980-12-31' AND undl_id IN (SELECT undl_id FROM "
        f"read_csv('{shared_data / 'undl' / 'ga_voting.csv.gz'}', all_varchar = true) WHERE ms_code = 'USA')").fetchall()[0]


# ---- symbols ---------------------------------------------------------------------------------------------------
def cli(monkeypatch, capsys, *args):
    """The shared in-process harness: (exit code, stdout, stderr)."""
    import pandas  # noqa: F401

    done = invoke(*args, env={"COLUMNS": None})
    return done.returncode, done.stdout, done.stderr


def test_sc_symbol_selects_the_sc_data_and_a_bare_one_is_suggested(shared_data, tmp_path, monkeypatch, capsys):
    import duckdb

    from unvote.ingest.fetch import fetch

    store = Store(tmp_path / "store")
    fetch("sc", file=shared_data / "undl" / "sc_voting.csv.gz", store=store)
    fetch("ga", file=FIXTURES / "ga_quirks.csv", store=store)
    want = duckdb.sql(
        "SELECT count(*) FILTER (WHERE upper(ms_vote) = 'Y'), count(*) FILTER (WHERE upper(ms_vote) = 'N'), "
        f"count(*) FILTER (WHERE upper(ms_vote) = 'A') FROM read_csv('{shared_data / 'undl' / 'sc_voting.csv.gz'}', "
        "all_varchar = true) WHERE resolution = 'S/RES/2623(2022)'").fetchall()[0]
    row = unvote.tally("S/RES/2623(2022)", store=store).to_pylist()[0]
    assert (row["yes"], row["no"], row["abstain"]) == want == (11, 1, 3)
    with pytest.raises(UnknownResolution, match=r"S/RES/2623\(2022\) \(with --body sc\)"):
        unvote.tally("2623(2022)", store=store)
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(store.root))
    code, out, err = cli(monkeypatch, capsys, "tally", "S/RES/2623(2022)", "--format", "csv")
    assert code == 0 and "S/RES/2623(2022),2022-02-27,11,1,3,0" in out
    code, _, err = cli(monkeypatch, capsys, "tally", "2623(2022)")
    assert code == 3 and "--body sc" in err


def test_draft_symbol_finds_the_resolution(tmp_path):
    """ga_quirks.csv (hand-written) gives A/RES/ES-11/1 the draft A/ES-11/L.1, as the UN's bulk CSV does."""
    from unvote.ingest.fetch import fetch

    store = Store(tmp_path / "store")
    fetch("ga", file=FIXTURES / "ga_quirks.csv", store=store)
    assert unvote.find("A/ES-11/L.1", store=store).column_values("resolution") == ["A/RES/ES-11/1"]
    assert unvote.tally("A/ES-11/L.1", store=store).column_values("resolution") == ["A/RES/ES-11/1"]
    with pytest.raises(UnknownResolution, match="draft"):
        unvote.tally("A/ES-11/L.9", store=store)


def test_draft_symbol_without_drafts_in_the_data(ga_store):
    with pytest.raises(UnknownResolution, match="no draft symbols"):
        unvote.tally("A/ES-11/L.1", store=ga_store)


def test_an_ambiguous_symbol_lists_every_candidate(ga_store, shared_data):
    import duckdb

    want = [r for (r,) in duckdb.sql(
        f"SELECT DISTINCT resolution FROM read_csv('{shared_data / 'undl' / 'ga_voting.csv.gz'}', all_varchar = true) "
        "WHERE regexp_full_match(resolution, 'A/RES/35/206[A-Z]') ORDER BY resolution").fetchall()]
    assert len(want) > 12
    with pytest.raises(Ambiguous) as info:
        unvote.tally("35/206", store=ga_store)
    assert sorted(info.value.candidates) == want
    assert all(c in str(info.value) for c in want) and "…" not in str(info.value)
