"""The merged history on real data: the UN's records (the real GA store) and Voeten's 2016-17
file with the R package's roll-call descriptions, both read in place."""

import csv
import io

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from cli_runner import invoke

from unvote.ingest import history
from unvote.store import Store

pytest.importorskip("pyreadr")


@pytest.fixture(scope="module")
def merged(ga_store_dir, voeten_ingest):
    ing = voeten_ingest
    ga = Store(ga_store_dir)
    return history.build(ga.rollcalls("ga"), ga.votes("ga"), ing.rollcalls, ing.votes)


@pytest.fixture(scope="module")
def both_store(merged_store_dir, merged_fetch_notes):
    """The cached store with the real GA data and Voeten's, fetched the way a user would (read-only),
    and what that fetch reported."""
    from unvote.ingest.fetch import FetchResult

    return merged_store_dir, FetchResult("voeten", None, None, notes=merged_fetch_notes)


def by_symbol(rollcalls, symbol):
    return rollcalls.filter(pc.equal(rollcalls["resolution"], symbol)).to_pylist()


def test_match_counts(merged):
    _, _, report = merged
    assert (report["undl_rollcalls"], report["voeten_rollcalls"]) == (5_538, 5_429)
    assert report["matched"] == 4_502
    assert report["matched_by"] == {"symbol": 3_946, "symbol base": 53, "votes": 503}
    assert (report["undl_only"], report["voeten_only"]) == (1_036, 927)
    assert report["voeten_only_by_kind"] == {"amendment": 233, "paragraph": 398, "resolution": 296}
    # Voeten's dates are approximate: most symbol matches are days apart, five over a month
    assert report["date_gap_days"] == {"0": 988, "1": 216, "2-31": 2_790, "over 31": 5}
    assert report["symbol_pairs_too_far_apart"] == []


def test_identical_votes_on_roll_calls_both_have(merged):
    ag = merged[2]["agreement"]
    assert ag["rollcalls"] == 3_999
    assert ag["identical_share"] >= 0.99 and ag["cast_identical_share"] >= 0.995
    assert ag["identical"] / ag["pairs"] == ag["identical_share"]
    assert ag["pairs"] > 600_000
    worst = ag["least_agreeing_rollcalls"][0]
    assert (worst["resolution"], worst["voeten_rcid"], worst["identical"], worst["pairs"]) == \
        ("A/RES/2671(XXV)[C]", 1133, 54, 127)


def test_merged_has_breakdowns_for_1946_1982(merged, ga_store_dir):
    rollcalls, votes, report = merged
    year = pc.year(rollcalls["date"])
    early = rollcalls.filter(pc.and_(pc.greater_equal(year, 1946), pc.less_equal(year, 1982)))
    sources = {r["values"]: r["counts"] for r in pc.value_counts(early["source"]).to_pylist()}
    ga = Store(ga_store_dir).rollcalls("ga")
    undl_early = ga.filter(pc.less_equal(pc.year(ga["date"]), 1982)).num_rows
    assert sources == {"undl-csv": undl_early, "voeten": 914} and undl_early == 1_728
    assert report["voeten_only_1946_1982"] == 914
    from_voeten = early.filter(pc.equal(early["source"], "voeten"))
    assert pc.min(from_voeten["members"]).as_py() > 0  # every one comes with its country votes
    kinds = {r["values"]: r["counts"] for r in pc.value_counts(from_voeten["kind"]).to_pylist()}
    assert kinds == {"amendment": 232, "paragraph": 398, "resolution": 284}
    ids = set(from_voeten["rollcall_id"].to_pylist())
    listed = votes.filter(pc.is_in(votes["rollcall_id"], pa.array(sorted(ids), pa.int64())))
    assert listed.num_rows == pc.sum(from_voeten["members"]).as_py()


def test_merged_tables(merged):
    rollcalls, votes, report = merged
    assert rollcalls.num_rows == 5_538 + 927 == report["rollcalls"]
    assert votes.num_rows == 917_187 + report["voeten_votes_added"] == 1_004_872
    ids = rollcalls["rollcall_id"]
    assert pc.count_distinct(ids).as_py() == rollcalls.num_rows  # ids kept, none collide
    # UNDL stays the authority: its record, its votes, with Voeten's flags added
    crimea = by_symbol(rollcalls, "A/RES/68/262")[0]
    assert (crimea["rollcall_id"], crimea["voeten_rcid"], crimea["match"], crimea["source"]) == \
        (767565, 5309, "symbol", "undl-csv")
    assert (crimea["counted_yes"], crimea["counted_no"], crimea["counted_abstain"]) == (100, 11, 58)
    china = by_symbol(rollcalls, "A/RES/2758(XXVI)")[0]
    assert (china["voeten_rcid"], china["match"]) == (1190, "votes")  # Voeten's R/26/2758G
    libya = by_symbol(rollcalls, "A/RES/289(IV)[A]")[0]
    assert (libya["voeten_rcid"], libya["match"], libya["co"]) == (197, "votes", 1)  # unres R/4/302B
    section = by_symbol(rollcalls, "A/RES/39/236[SectionII]")[0]
    assert (section["voeten_rcid"], section["match"]) == (2773, "symbol")  # Voeten: R/39/236/II
    assert by_symbol(rollcalls, "A/RES/57/228A")[0]["match"] == "symbol base"  # Voeten: R/57/228
    ukraine = by_symbol(rollcalls, "A/RES/ES-11/1")[0]
    assert (ukraine["voeten_rcid"], ukraine["me"]) == (None, None)
    rules = by_symbol(rollcalls, "A/RES/66(I)")  # Voeten's rcid 3: an amendment, not resolution 66(I)
    assert [(r["rollcall_id"], r["kind"], r["source"]) for r in rules] == [(3, "amendment", "voeten")]


def test_fetch_builds_merged_and_reports(both_store):
    root, result = both_store
    store = Store(root)
    assert store.has("merged") and store.merged_is_current()
    m = store.manifest("merged")
    assert (m["records"], m["votes"]) == (6_465, 1_004_872)
    assert m["match"]["matched"] == 4_502 and m["built_from"] == store.merged_sources()
    note = result.notes[0]
    assert note.startswith("merged history: 4,502 roll calls in both sources (3,946 by symbol, 53 by symbol "
                           "base, 503 by votes), UNDL only 1,036, Voeten only 927 (amendment 233, paragraph 398, "
                           "resolution 296); identical votes 99.")
    assert store.manifest("voeten")["read"]["kinds"] == {"amendment": 287, "paragraph": 470, "resolution": 4_672}


def test_merged_follows_its_sources_and_a_read_never_rebuilds(both_store, tmp_path):
    from unvote import api
    from unvote.core.errors import NoData, StoreError
    from unvote.ingest.fetch import rebuild_merged

    root, _ = both_store
    copy = Store(tmp_path / "copy")
    src = Store(root)
    for d in ("ga", "voeten"):
        copy.write(d, src.rollcalls(d), src.votes(d), src.manifest(d))
    with pytest.raises(NoData, match="unvote fetch --source voeten"):
        api.rollcalls(source="merged", store=copy)
    assert not copy.has("merged")  # the read wrote nothing
    rebuild_merged(store=copy)
    assert copy.merged_is_current()
    first = copy.version("merged").resolve()
    ga = copy.rollcalls("ga")
    keep = ga.filter(pc.not_equal(ga["resolution"], "A/RES/68/262"))
    votes = copy.votes("ga")
    copy.write("ga", keep, votes.filter(pc.is_in(votes["rollcall_id"], keep["rollcall_id"])), src.manifest("ga"))
    assert not copy.merged_is_current()
    with pytest.raises(StoreError, match="older than the UNDL or Voeten data; run: unvote fetch --source merged"):
        api.rollcalls(source="merged", store=copy)
    assert copy.version("merged").resolve() == first  # still not rebuilt by a read
    history.refresh(copy)  # what every fetch of ga or voeten does
    assert copy.version("merged").resolve() != first and copy.merged_is_current()
    rollcalls = api.rollcalls(source="merged", kind="all", store=copy)
    # without the UNDL record, Voeten's copy of the Crimea vote comes into the merged history
    crimea = by_symbol(rollcalls, "A/RES/68/262")
    assert [(r["rollcall_id"], r["kind"]) for r in crimea] == [(5309, "resolution")]


def test_selections_by_source_and_kind(both_store):
    from unvote import api
    from unvote.query.selection import Query, Selection

    store = Store(both_store[0])
    query = Query(Selection.of(source="voeten", kind="amendment"), store=store)
    calls, votes = query.rollcalls(("rollcall_id", "kind")), query.votes()
    assert calls.num_rows == 287 and set(calls["kind"].to_pylist()) == {"amendment"}
    assert set(votes["rollcall_id"].to_pylist()) == set(calls["rollcall_id"].to_pylist())
    assert api.rollcalls(source="voeten", kind="all", store=store).num_rows == 5_429
    assert api.rollcalls(source="merged", kind="resolution", store=store).num_rows == 5_538 + 296
    assert api.rollcalls(source="merged", kind="all", store=store).num_rows == 6_465
    from unvote.core.errors import UsageError

    with pytest.raises(UsageError, match="covers the General Assembly only"):
        Selection.of(body="sc", source="voeten")
    with pytest.raises(UsageError, match="unknown kind 'amendments'"):
        Selection.of(source="voeten", kind="amendments")


def test_cli_sources(both_store, monkeypatch):
    root, _ = both_store
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(root))
    out = invoke("align", "USA", "RUS", "--by", "all", "--source", "merged")
    assert out.returncode == 0, out.stderr
    row = next(csv.DictReader(io.StringIO(out.stdout)))
    assert (row["n"], row["same"], row["partial"], row["opposite"], row["absent"]) == ("5834", "1166", "1715", "2886", "67")
    undl = next(csv.DictReader(io.StringIO(invoke("align", "USA", "RUS", "--by", "all").stdout)))
    assert undl["n"] == "5538"
    every = next(csv.DictReader(io.StringIO(invoke("align", "USA", "RUS", "--by", "all", "--source", "voeten",
                                                "--kind", "all").stdout)))
    assert every["n"] == "5429"

    table = invoke("align", "USA", "RUS", "--by", "all", "--source", "voeten", "--format", "table")
    note = " ".join(table.stdout.split())
    assert "votes on whole resolutions" in note and "source: voeten — Voeten's UNGA roll-call data (Harvard Dataverse)" in note

    tally = list(csv.DictReader(io.StringIO(invoke("tally", "68/262", "--source", "merged").stdout)))
    assert [(r["yes"], r["no"], r["abstain"], r["source"]) for r in tally] == [("100", "11", "58", "undl-csv")]
    rcid = list(csv.DictReader(io.StringIO(invoke("tally", "3", "--source", "voeten", "--kind", "all").stdout)))
    assert [(r["resolution"], r["date"], r["yes"], r["no"], r["source"]) for r in rcid] == \
        [("A/RES/66(I)", "1946-01-01", "29", "18", "voeten")]
    view = invoke("tally", "3", "--source", "voeten", "--kind", "all", "--format", "table").stdout
    assert "Voeten rcid 3" in view and "source: voeten" in view
    refused = invoke("tally", "3", "--source", "voeten")  # an amendment: not a resolution vote
    assert refused.returncode == 3 and "no roll call with record id 3" in refused.stderr


def test_cli_info_and_rebuild(store_copy, monkeypatch):
    root = store_copy("merged").root  # the rebuild writes
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(root))
    info = " ".join(invoke("info", "--format", "table").stdout.split())
    assert "merged: 6,465 roll calls, 1,004,872 votes, 1946-01-01 → 2025-10-29" in info
    assert "4,502 roll calls in both sources" in info and "current" in info
    rebuilt = invoke("fetch", "--source", "merged")
    assert rebuilt.returncode == 0 and "merged history: 4,502 roll calls in both sources" in rebuilt.stderr
    assert invoke("fetch", "--source", "merged", "--file", "x").returncode == 2
