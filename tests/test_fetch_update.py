"""`unvote fetch --update`: UNDL voting records (MARCXML, else HTML) merged by record id.

The loopback UNDL serves records built at test time from the real bulk data (never committed),
the real HTML record pages from the shared research fixtures (read in place), and hand-written
MARCXML. Checks compare stored content, not just exit codes.
"""

import datetime as dt
import re
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pytest
from fake_undl import Fault, VotingRecord, marc_record, records_from_store, undl  # noqa: F401

from unvote import api
from unvote.core.errors import DataFormatError, FetchError, NoData
from unvote.ingest import fetch as pipeline
from unvote.sources import undl_records
from unvote.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
CUT = dt.date(2025, 6, 1)  # the "old" store holds the real GA votes before this date


@pytest.fixture(scope="module")
def real(ga_store_dir) -> Store:
    return Store(ga_store_dir)


@pytest.fixture(scope="module")
def recent(real) -> list[VotingRecord]:
    """MARCXML records of the real GA votes dated 2025-05-01 or later (23 records)."""
    calls = real.rollcalls("ga")
    calls = calls.filter(pc.greater_equal(calls["date"], dt.date(2025, 5, 1)))
    votes = real.votes("ga", filters=[("rollcall_id", "in", calls["rollcall_id"].to_pylist())])
    return records_from_store(calls, votes)


@pytest.fixture(scope="module")
def cut_template(real, tmp_path_factory) -> Path:
    """A store with the real GA data before 2025-06-01, written once; tests get copies."""
    root = tmp_path_factory.mktemp("cut")
    calls = real.rollcalls("ga")
    keep = calls.filter(pc.less(calls["date"], CUT))
    votes = real.votes("ga")
    votes = votes.filter(pc.is_in(votes["rollcall_id"], keep["rollcall_id"]))
    manifest = {k: v for k, v in real.manifest("ga").items() if k not in ("dataset", "written_at")}
    manifest.update(records=keep.num_rows, votes=votes.num_rows, date_max=str(pc.max(keep["date"]).as_py()))
    Store(root).write("ga", keep, votes, manifest)
    return root


@pytest.fixture
def old(cut_template, isolated_store) -> Store:
    shutil.copytree(cut_template, isolated_store, symlinks=True)
    return Store(isolated_store)


def snapshot(store: Store):
    store = Store(store.root)  # what is current now (a Store keeps the version it first read)
    return (store.version("ga").name, store.manifest("ga"), store.rollcalls("ga").to_pylist(),
            store.votes("ga").num_rows)


def votes_of(store: Store, rid: int) -> set:
    t = store.votes("ga", filters=[("rollcall_id", "=", rid)])
    return set(zip(t["ms_code"].to_pylist(), t["ms_name"].to_pylist(), t["vote"].to_pylist()))


def test_update_pages_through_the_search_and_merges_new_records(undl, old, real, recent):
    undl.records = recent
    undl.page_cap = 10  # the server gives 10 per page whatever rg asks: three pages for 23 records
    newest_held = pc.max(old.rollcalls("ga")["date"]).as_py()
    result = pipeline.fetch("ga", store=old, update=True, delay=0.2)

    new_ids = sorted(r.rid for r in recent if dt.date.fromisoformat(r.date) >= CUT)
    assert len(new_ids) == 22 and newest_held == dt.date(2025, 5, 27)
    assert result.changed
    assert result.notes == [f"merged UN Digital Library voting records dated 2025-05-27 → {dt.date.today()}: "
                            "23 found (undl-marcxml, 3 pages): 22 new, 0 replaced, 1 unchanged"]
    searches = undl.requests_to("/search")
    assert [h.query["jrec"] for h in searches] == ["1", "11", "21"]
    q = searches[0].query
    assert q["of"] == "xm" and q["cc"] == "Voting Data" and q["fct__2"] == "General Assembly"
    assert q["p"] == f"269__a:2025-05-27->{dt.date.today() + dt.timedelta(days=1)}"
    assert all(b.at - a.at >= 0.19 for a, b in zip(searches, searches[1:]))  # the polite pause

    # the merged store now equals the real bulk data, record for record
    merged, full = old.rollcalls("ga"), real.rollcalls("ga")
    assert sorted(merged["rollcall_id"].to_pylist()) == sorted(full["rollcall_id"].to_pylist())
    assert old.votes("ga").num_rows == real.votes("ga").num_rows == 917_187
    for rid in new_ids:
        assert votes_of(old, rid) == votes_of(real, rid)
    fields = ("resolution", "date", "session", "title", "meeting", "draft", "committee_report",
              "agenda_title", "subjects", "total_yes", "total_no", "total_abstentions", "total_non_voting",
              "total_ms", "counted_yes", "counted_no", "counted_abstain", "counted_non_voting", "members")
    rows = {r["rollcall_id"]: r for r in merged.filter(pc.is_in(merged["rollcall_id"], pc.cast(new_ids, "int64"))).to_pylist()}
    truth = {r["rollcall_id"]: r for r in full.filter(pc.is_in(full["rollcall_id"], pc.cast(new_ids, "int64"))).to_pylist()}
    for rid in new_ids:
        assert {f: rows[rid][f] for f in fields} == {f: truth[rid][f] for f in fields}
        assert rows[rid]["source"] == "undl-marcxml"
    assert api.tally("A/RES/79/326", store=old).to_pylist()[0]["yes"] == \
        api.tally("A/RES/79/326", store=real).to_pylist()[0]["yes"]

    m = old.manifest("ga")
    assert m["records"] == 5_538 and m["votes"] == 917_187 and m["date_max"] == "2025-10-29"
    assert m["sources"] == {"undl-csv": 5_516, "undl-marcxml": 22}
    assert m["updates"][-1]["added"] == [r.rid for r in sorted(recent, key=lambda r: (r.date, r.rid), reverse=True)
                                         if r.rid in new_ids]
    assert m["updates"][-1]["pages"] == 3 and m["updates"][-1]["source"] == "undl-marcxml"
    assert m["file"] == "ga_voting.csv.gz"  # the bulk file the data rests on is still named


def test_second_update_changes_nothing(undl, old, recent):
    undl.records = recent
    pipeline.fetch("ga", store=old, update=True)
    before = snapshot(old)
    again = pipeline.fetch("ga", store=old, update=True)
    assert not again.changed
    assert again.notes[0].endswith("(undl-marcxml, 1 page): 0 new, 0 replaced, 1 unchanged")
    assert snapshot(old) == before  # same version folder, same manifest, same rows


def test_a_changed_record_replaces_the_held_copy_and_an_older_one_does_not(undl, old, real):
    calls = real.rollcalls("ga")
    es = calls.filter(pc.equal(calls["resolution"], "A/RES/ES-11/7")).to_pylist()[0]
    votes = [(c, n, v) for c, n, v in sorted(votes_of(real, es["rollcall_id"]))]
    corrected = [(c, n, "A" if c == "KHM" else v) for c, n, v in votes]  # Cambodia: Y → A
    before = old.votes("ga").num_rows
    undl.records = [VotingRecord(es["rollcall_id"], "2025-02-24", "ga", es["resolution"], marc_record(
        es["rollcall_id"], es["resolution"], "2025-02-24", corrected, title=es["title"], meeting=es["meeting"],
        modified="20250301120000.0"))]
    result = pipeline.fetch("ga", store=old, update=True, since="2025-02-01")
    assert "0 new, 1 replaced, 0 unchanged" in result.notes[0]
    row = api.tally("ES-11/7", store=old).to_pylist()[0]
    assert (row["yes"], row["abstain"]) == (93 - 1, 65 + 1)
    assert dict((c, v) for c, _, v in votes_of(old, es["rollcall_id"]))["KHM"] == "A"
    assert old.votes("ga").num_rows == before  # one record swapped, none added

    # an older copy (earlier 005 stamp) of the record does not undo the correction
    undl.records = [VotingRecord(es["rollcall_id"], "2025-02-24", "ga", es["resolution"], marc_record(
        es["rollcall_id"], es["resolution"], "2025-02-24", votes, title=es["title"], meeting=es["meeting"],
        modified="20250225000000.0"))]
    again = pipeline.fetch("ga", store=old, update=True, since="2025-02-01")
    assert not again.changed and "1 held copies newer" in again.notes[0]
    assert api.tally("ES-11/7", store=old).to_pylist()[0]["abstain"] == 66


def test_paging_that_ignores_jrec_is_an_error_and_the_store_is_kept(undl, old, recent):
    undl.records, undl.page_cap, undl.ignore_jrec = recent, 10, True
    before = snapshot(old)
    with pytest.raises(DataFormatError, match="returned the same records again at jrec=11"):
        pipeline.fetch("ga", store=old, update=True)
    assert snapshot(old) == before


def test_a_fault_mid_paging_keeps_the_store(undl, old, recent):
    undl.records, undl.page_cap = recent, 10
    undl.fault("/search", Fault("ok"), *[Fault("status", 500)] * 10)  # page 1 fine, then 500s
    before = snapshot(old)
    with pytest.raises(FetchError, match="answered HTTP 500 after 5 attempts"):
        pipeline.fetch("ga", store=old, update=True)
    assert [h.query["jrec"] for h in undl.requests_to("/search")] == ["1"] + ["11"] * 5
    assert snapshot(old) == before  # nothing half-merged


def test_update_with_nothing_stored_says_fetch_first(undl):
    with pytest.raises(NoData, match="no GA data to update yet; run: unvote fetch"):
        pipeline.fetch("ga", update=True)


# ---- the HTML fallback -----------------------------------------------------------------------
def real_pages(shared_data) -> list[VotingRecord]:
    research = shared_data.parent / "fixtures-research"
    return [VotingRecord(4031242, "2023-12-19", "ga", "A/RES/78/165", "",
                         (research / "undl_html_record_4031242_A-RES-78-165.html").read_text("utf-8")),
            VotingRecord(4029442, "2023-12-07", "ga", "A/RES/78/76", "",
                         (research / "undl_html_record_4029442_A-RES-78-76.html").read_text("utf-8"))]


def test_refused_xml_falls_back_to_the_html_record_pages(undl, old, real, shared_data):
    undl.records = real_pages(shared_data)
    undl.fault("/search", Fault("html"))  # the MARCXML search answers with a challenge page
    result = pipeline.fetch("ga", store=old, update=True, since="2023-12-01")
    assert result.changed
    assert result.warnings[0].startswith("the MARCXML export was refused (the UN site refused an automated "
                                         "download (an HTML page where XML was expected)")
    assert "(undl-html, 1 page): 0 new, 2 replaced, 0 unchanged" in result.notes[0]
    assert [h.query.get("of") for h in undl.requests_to("/search")] == ["xm", "hb"]
    assert [h.path for h in undl.hits[-2:]] == ["/record/4031242", "/record/4029442"]
    for rid, counts in ((4031242, (125, 50, 1, 17, 193)), (4029442, (86, 12, 75, 20, 193))):
        assert votes_of(old, rid) == votes_of(real, rid)  # names mapped to the same codes, all 193
        row = api.tally(str(rid), store=old).to_pylist()[0]
        assert (row["yes"], row["no"], row["abstain"], row["non_voting"], row["members"]) == counts
    rc = old.rollcalls("ga").filter(pc.equal(old.rollcalls("ga")["rollcall_id"], 4031242)).to_pylist()[0]
    # the page adds the draft symbol the bulk copy lacked; that is why the record was replaced
    assert rc["source"] == "undl-html" and rc["draft"] == "A/C.2/78/L.30/Rev.1"
    assert rc["committee_report"] == "A/78/464/Add.2" and rc["subjects"] == "RURAL POVERTY"


def test_refused_everywhere_is_one_clear_error(undl, old, shared_data):
    undl.records = real_pages(shared_data)
    undl.fault("/search", Fault("status", 403), Fault("status", 403))
    before = snapshot(old)
    with pytest.raises(Exception, match=r"^the UN site refused an automated download \(HTTP 403\); download "
                                        r".*/record/4060887 in a browser and run: unvote fetch --file PATH$"):
        pipeline.fetch("ga", store=old, update=True)
    assert snapshot(old) == before


def test_html_record_page_matches_the_bulk_csv(real, shared_data):
    research = shared_data.parent / "fixtures-research"
    text = (research / "undl_html_record_4031242_A-RES-78-165.html").read_text("utf-8")
    rec = undl_records.parse_record_html(text, 4031242, "ga")
    assert len(rec.rows) == 193 and rec.date == "2023-12-19" and rec.symbol == "A/RES/78/165"
    got = {(r["ms_code"], r["ms_vote"] or "X") for r in rec.rows}
    assert got == {(c, v) for c, _, v in votes_of(real, 4031242)}
    tur = [r for r in rec.rows if r["ms_code"] == "TUR"][0]
    assert tur["ms_name"] == "TÜRKİYE" and tur["ms_vote"] == "A"
    assert rec.rows[0]["total_yes"] == "125" and rec.rows[0]["total_non_voting"] == "17"


def test_search_results_page_is_parsed(shared_data):
    text = (shared_data.parent / "fixtures-research" / "undl_html_search_voting_data_rg50_page1.html").read_text("utf-8")
    hits, total = undl_records.parse_search_html(text)
    assert total == 22_819 and len(hits) == 50
    assert (hits[0].rid, hits[0].symbol, hits[0].date, hits[0].skipped) == (4036145, "S/RES/2723(2024)", "2024-01-30", None)
    assert (hits[1].rid, hits[1].symbol, hits[1].skipped) == (4035019, "A/RES/78/104", "adopted without a vote")
    assert sum(h.skipped is None for h in hits) == 19


# ---- MARCXML parsing --------------------------------------------------------------------------
def test_marcxml_fields_overflow_and_missing_vote():
    records = undl_records.parse_marcxml((FIXTURES / "marcxml_voting_page.xml").read_bytes(), "ga")
    by = {r.rid: r for r in records}
    assert len(records) == 5
    r = by[9100001]
    assert r.skipped is None and r.modified == "20251211093000.0"
    row = r.rows[0]
    assert row["title"] == "Test of the overflow fields : resolution / adopted by the General Assembly"
    assert (row["date"], row["session"], row["meeting"]) == ("2025-12-10", "80", "A/80/PV.70")
    assert (row["draft"], row["committee_report"]) == ("A/80/L.99", "A/80/600/Add.1")
    assert (row["agenda_title"], row["subjects"]) == ("Testing of recorded votes", "VOTING|GENERAL ASSEMBLY")
    assert [row[k] for k in ("total_yes", "total_no", "total_abstentions", "total_non_voting", "total_ms")] == \
        ["2", "1", "1", "1", "5"]
    # 967 + 968 + 969; a missing $d is "did not vote"; a 969 with a name only maps by name
    assert [(x["ms_code"], x["ms_vote"]) for x in r.rows] == [("USA", "Y"), ("GBR", "a"), ("RUS", ""),
                                                              ("FRA", "N"), ("TUR", "Y")]
    assert by[9100002].skipped == "no country-by-country breakdown"
    assert by[9100003].skipped == "not a GA resolution"
    assert by[9100004].skipped == "member-state name not in the country table: 'NARNIA'"
    assert by[9100005].rows[0]["session"] == "ES-11" and by[9100005].date == "2025-12-12"

    harvest = undl_records.Harvest("ga", "undl-marcxml", "2025-12-01", "2025-12-31", records)
    ingest = harvest.ingest()
    t = ingest.rollcalls.to_pylist()
    assert [(x["rollcall_id"], x["counted_yes"], x["counted_no"], x["counted_abstain"], x["counted_non_voting"])
            for x in t] == [(9100001, 2, 1, 1, 1), (9100005, 1, 0, 1, 0)]
    assert ingest.total_mismatches == []  # counted = published for 9100001
    assert any("left out 1 record(s) (member-state name not in the country table: 'NARNIA')" in w
               for w in harvest.warnings)


def test_sc_records_are_marked_permanent():
    records = undl_records.parse_marcxml((FIXTURES / "marcxml_voting_page.xml").read_bytes(), "sc")
    sc = [r for r in records if r.skipped is None]
    assert [r.rid for r in sc] == [9100003]
    assert sc[0].rows[0]["permanent_member"] == "True"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record><controlfield tag="001">1</controlfield>
<datafield tag="245" ind1=" " ind2=" "><subfield code="a">&lol9;</subfield></datafield></record></collection>"""


def xxe(secret: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE collection [<!ENTITY xxe SYSTEM "file://{secret}">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record><controlfield tag="001">1</controlfield>
<datafield tag="245" ind1=" " ind2=" "><subfield code="a">&xxe;</subfield></datafield>
<datafield tag="791" ind1=" " ind2=" "><subfield code="a">A/RES/80/1</subfield></datafield>
</record></collection>""".encode()


def test_billion_laughs_is_refused():
    with pytest.raises(DataFormatError, match="refused unsafe XML"):
        undl_records.parse_marcxml(BILLION_LAUGHS, "ga")


def test_xxe_is_refused_and_reads_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    with pytest.raises(DataFormatError, match="refused unsafe XML") as err:
        undl_records.parse_marcxml(xxe(secret), "ga")
    assert "TOP-SECRET-MARKER" not in str(err.value)


@pytest.mark.parametrize("payload", ["bomb", "xxe"])
def test_hostile_xml_from_the_server_keeps_the_store(undl, old, tmp_path, payload):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    body = BILLION_LAUGHS if payload == "bomb" else xxe(secret)
    undl.fault("/search", Fault("status", 200, body=body))
    before = snapshot(old)
    with pytest.raises(DataFormatError, match="refused unsafe XML") as err:
        pipeline.fetch("ga", store=old, update=True)
    assert "TOP-SECRET-MARKER" not in str(err.value)
    assert snapshot(old) == before


# ---- ES-11/1: the MARCXML record and the bulk CSV agree -----------------------------------------
def test_es_11_1_from_marcxml_equals_the_bulk_csv(real, tmp_path):
    calls = real.rollcalls("ga")
    es = calls.filter(pc.equal(calls["resolution"], "A/RES/ES-11/1"))
    votes = real.votes("ga", filters=[("rollcall_id", "=", 3959039)])
    (record,) = records_from_store(es, votes)  # 193 member states: 967 ×100, then 968 ×93
    assert record.xml.count('tag="967"') == 100 and record.xml.count('tag="968"') == 93
    assert len(re.findall(r'tag="96[789]".*code="d"', record.xml)) == 181  # the 12 non-voting have no $d
    xml = f'<collection xmlns="http://www.loc.gov/MARC21/slim">{record.xml}</collection>'.encode()
    harvest = undl_records.Harvest("ga", "undl-marcxml", "2022-03-02", "2022-03-02",
                                   undl_records.parse_marcxml(xml, "ga"))
    ingest = harvest.ingest()
    harvested = Store(tmp_path / "harvested")
    harvested.write("ga", ingest.rollcalls, ingest.votes, {})
    ours = api.tally("ES-11/1", store=harvested).to_pylist()[0]
    bulk = api.tally("ES-11/1", store=real).to_pylist()[0]
    keys = ("resolution", "date", "yes", "no", "abstain", "non_voting", "voting", "members", "title",
            "meeting", "session", "rollcall_id")
    assert {k: ours[k] for k in keys} == {k: bulk[k] for k in keys}
    assert (ours["yes"], ours["no"], ours["abstain"], ours["non_voting"]) == (141, 5, 35, 12)
    got = set(zip(ingest.votes["ms_code"].to_pylist(), ingest.votes["vote"].to_pylist()))
    assert got == {(c, v) for c, _, v in votes_of(real, 3959039)}
    assert ("KHM", "Y") in got and ("RUS", "N") in got


def test_session_of_symbols():
    cases = {"A/RES/78/165": "78", "A/RES/ES-11/1": "ES-11", "A/RES/S-14/1": "S-14", "A/RES/2758(XXVI)": "26",
             "A/RES/1001(ES-I)": "ES-1", "A/RES/107(S-1)": "S-1", "A/RES/35/206Q": "35",
             "A/RES/181(II)[A]": "2", "A/RES/3379(XXX)": "30", "S/RES/2623(2022)": ""}
    assert {s: undl_records.session_of(s) for s in cases} == cases


def test_session_of_agrees_with_the_bulk_file(real):
    calls = real.rollcalls("ga", columns=["resolution", "session"]).to_pylist()
    wrong = [(c["resolution"], c["session"]) for c in calls if undl_records.session_of(c["resolution"]) != c["session"]]
    assert wrong == []


def test_every_undl_spelling_maps_to_its_code(shared_data):
    """The HTML fallback has names only: each of the 244 spellings in the UN data must map."""
    import csv

    from unvote.model import countries

    with open(shared_data / "undl" / "ms_names.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 244
    assert [(r["ms_name"], countries.code_for_name(r["ms_name"])) for r in rows
            if countries.code_for_name(r["ms_name"]) != r["ms_code"]] == []
