"""Voeten's data: the real 2016-17 RData and the R package's roll-call table read in place, small
files written here (RData with pyreadr, CSV and tab by hand), and the Dataverse fetch against a
real loopback server. No mocks."""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from unvote.core.errors import DataFormatError, Refused
from unvote.sources import voeten

pyreadr = pytest.importorskip("pyreadr")


@pytest.fixture(scope="module")
def votes_2016(shared_data):
    return voeten.read([shared_data / "voeten-unvotespublished-2016" / "UNVotesPublished.RData"])


@pytest.fixture
def with_rollcalls(voeten_ingest):
    return voeten_ingest


def votes_of(ingest, rcid):
    t = ingest.votes.filter(pc.equal(ingest.votes["rollcall_id"], rcid))
    return dict(zip(t["ms_code"].to_pylist(), t["vote"].to_pylist()))


def rollcall(ingest, rcid):
    return ingest.rollcalls.filter(pc.equal(ingest.rollcalls["rollcall_id"], rcid)).to_pylist()[0]


# ---- the real file -------------------------------------------------------------------------

def test_real_file_rows_and_vote_codes(votes_2016):
    r = votes_2016.report
    assert r["vote_table"] == "UNVotesPublished.RData:x"
    assert r["rows"] == 1_066_613
    assert r["vote_codes"] == {"1": 588_800, "2": 95_099, "3": 54_865, "8": 73_328, "9": 254_521}
    assert r["rollcalls"] == 5_429 and votes_2016.rollcalls.num_rows == 5_429
    # 9 (not a member) has no row; 9 absent rows of the China seat collapse (710 and 713, Oct 1971)
    assert r["collapsed"]["rows"] == 9
    assert votes_2016.votes.num_rows == 1_066_613 - 254_521 - 9 == 812_083
    assert r["votes_by_letter"] == {"Y": 588_800, "A": 95_099, "N": 54_865, "X": 73_319}
    assert r["unknown_vote_codes"] == {}


def test_real_file_countries_by_ccode_and_date(votes_2016):
    codes = set(votes_2016.votes["ms_code"].cast(pa.string()).unique().to_pylist())
    assert len(codes) == 201
    assert {"SUN", "RUS", "GER", "DEU", "DDR", "YEM", "YMD", "CSK", "YUG", "SCG", "SRB", "ZAN", "CHN"} <= codes
    joined = votes_2016.votes.join(votes_2016.rollcalls.select(["rollcall_id", "date"]), "rollcall_id")

    def span(code):
        t = joined.filter(pc.equal(joined["ms_code"].cast(pa.string()), code))
        return t.num_rows, str(pc.min(t["date"])), str(pc.max(t["date"]))

    assert span("SUN") == (3712, "1946-01-01", "1991-12-06")  # ccode 365 before 1991-12-24
    assert span("RUS") == (1717, "1992-08-03", "2015-12-23")  # ... and after
    assert span("GER") == (2087, "1973-10-01", "1989-12-06")  # 260
    assert span("DEU") == (1877, "1990-11-03", "2015-12-23")  # 255
    assert span("YMD") == (2514, "1967-12-01", "1989-12-06")  # 680
    assert span("YEM")[0] == 5379  # 678 and 679 are one seat
    assert span("ZAN") == (17, "1963-12-02", "1963-12-06")  # 511
    assert span("CHN")[0] == 5429  # 713 (Republic of China) to Oct 1971, 710 after


def test_real_file_known_votes(votes_2016):
    crimea = votes_of(votes_2016, 5309)  # A/RES/68/262, 100-11-58 in the UN's record
    assert rollcall(votes_2016, 5309)["resolution"] == "A/RES/68/262"
    assert (crimea["RUS"], crimea["UKR"], crimea["USA"], crimea["KHM"]) == ("N", "Y", "Y", "A")
    counts = {k: list(crimea.values()).count(k) for k in "YNAX"}
    assert counts == {"Y": 100, "N": 11, "A": 58, "X": 24}
    # rcid 1184 (R/26/2758A, 7 Oct 1971): the Republic of China (713) voted Y in the China seat,
    # the People's Republic (710) is listed absent; one CHN row, the cast vote
    oct71 = votes_of(votes_2016, 1184)
    assert (oct71["CHN"], oct71["SUN"], oct71["USA"], oct71["GBR"]) == ("Y", "N", "Y", "N")
    assert votes_2016.report["collapsed"]["examples"][0] == {"rcid": 1182, "ms_code": "CHN", "kept_ccode": 713,
                                                             "dropped_ccodes": [710]}


def test_real_file_without_descriptions_warns(votes_2016):
    assert votes_2016.report["kinds"] == {"resolution": 5_429}
    assert any("no amend/para columns" in w for w in votes_2016.warnings)
    assert votes_2016.report["rollcalls_without_date"] == [4592]
    assert rollcall(votes_2016, 4592)["date"] is None


def test_descriptions_fill_kind_dates_and_text(with_rollcalls):
    r = with_rollcalls.report
    assert r["kinds"] == {"amendment": 287, "paragraph": 470, "resolution": 4_672}
    assert r["rollcall_table"]["filled"]["amend"] == 2_844 and r["rollcall_table"]["rcids_without_votes"] == 774
    assert r["kind_flags_missing"] == 2_585  # 1985 on: counted as whole-resolution votes
    assert r["rollcalls_without_date"] == []
    fixed = rollcall(with_rollcalls, 4592)
    assert (str(fixed["date"]), fixed["resolution"], fixed["session"]) == ("2006-05-08", "A/RES/60/260", "60")
    first = rollcall(with_rollcalls, 3)
    assert (first["kind"], first["unres"], first["short"]) == ("amendment", "R/1/66", "AMENDMENTS, RULES OF PROCEDURE")
    assert not any("amend/para" in w for w in with_rollcalls.warnings)


def test_issue_flags_and_special_sessions(with_rollcalls):
    suez = rollcall(with_rollcalls, 9019)  # rcid > 9000 in the early data: special sessions
    assert (suez["resolution"], suez["session"], str(suez["date"])) == ("ESS/1/34", "ES-1", "1956-11-02")
    crimea = rollcall(with_rollcalls, 5309)
    assert [crimea[f] for f in ("me", "nu", "di", "hr", "co", "ec", "importantvote")] == [0, 0, 0, 0, 0, 0, 0]
    assert with_rollcalls.rollcalls.schema.field("me").type == pa.int8()
    me = with_rollcalls.rollcalls["me"]
    assert (pc.sum(me).as_py(), pc.count(me).as_py()) == (1_104, 5_398)  # Palestinian conflict; 31 unflagged
    assert pc.sum(with_rollcalls.rollcalls["importantvote"]).as_py() == 381


@pytest.mark.parametrize("unres, session, expected", [
    ("R/26/2758A", 26, ("A/RES/2758(XXVI)[A]", "26")),
    ("R/1/66", 1, ("A/RES/66(I)", "1")),
    ("R/35/206Q", 35, ("A/RES/35/206Q", "35")),
    ("R/33/116C/X", 33, ("A/RES/33/116[C-X]", "33")),
    ("R/31/208/I", 31, ("A/RES/31/208[I]", "31")),
    ("R/42/70/A", 42, ("A/RES/42/70[A]", "42")),
    ("R/1/1287/A", 1, ("A/RES/1287(I)[A]", "1")),
    ("R/10 65", 10, ("A/RES/65(X)", "10")),
    ("A/RES/74/77", 74, ("A/RES/74/77", "74")),
    ("A/RES/ES-10/19", 72, ("A/RES/ES-10/19", "ES-10")),
    ("ESS/1/34", 11, ("ESS/1/34", "ES-1")),
    ("SS/2/34A", 3, ("SS/2/34A", "S-2")),
    ("GOAR/1/1288B", 1, ("GOAR/1/1288B", "1")),
    ("R/6444A", 6, ("R/6444A", "6")),
    (None, 59, ("", "59")),
])
def test_normalise_unres(unres, session, expected):
    assert voeten.normalise_unres(unres, session) == expected


# ---- small files written here ---------------------------------------------------------------

def small_frame(ccodes=(2, 365, 713, 2, 365, 710)):
    import pandas as pd

    return pd.DataFrame({
        "rcid": [1, 1, 1, 2, 2, 2], "ccode": list(ccodes), "vote": [1, 3, 8, 1, 2, 9],
        "session": [1, 1, 1, 26, 26, 26], "date": ["1946-01-10"] * 3 + ["1971-10-25"] * 3,
        "unres": ["R/1/1"] * 3 + ["R/26/2758"] * 3, "amend": [0] * 3 + [1] * 3, "para": [0] * 6,
        "importantvote": [0, 0, 0, 1, 1, 1], "me": [0] * 6, "nu": [0] * 6, "di": [0] * 6, "hr": [0] * 6,
        "co": [1] * 6, "ec": [0] * 6, "descr": ["first"] * 3 + ["second"] * 3,
    })


def test_small_rdata(tmp_path):
    path = tmp_path / "UNVotes.RData"
    pyreadr.write_rdata(str(path), small_frame(), df_name="completeVotes")
    ing = voeten.read([path])
    assert ing.report["vote_table"] == "UNVotes.RData:completeVotes"
    assert votes_of(ing, 1) == {"USA": "Y", "SUN": "N", "CHN": "X"}
    assert votes_of(ing, 2) == {"USA": "Y", "SUN": "A"}  # 710 voted 9: no row
    first, second = ing.rollcalls.to_pylist()
    assert (first["resolution"], first["kind"], first["members"], first["title"]) == ("A/RES/1(I)", "resolution", 3, "first")
    assert (second["resolution"], second["kind"], second["importantvote"], str(second["date"])) == \
        ("A/RES/2758(XXVI)", "amendment", 1, "1971-10-25")
    assert (first["counted_yes"], first["counted_no"], first["counted_non_voting"]) == (1, 1, 1)
    assert ing.warnings == []


def test_unmapped_ccode_fails_naming_it(tmp_path):
    path = tmp_path / "UNVotes.RData"
    pyreadr.write_rdata(str(path), small_frame(ccodes=(2, 999, 713, 2, 998, 710)), df_name="x")
    with pytest.raises(DataFormatError, match=r"no store country: 998 \(1 votes, 1971-10-25 → 1971-10-25\); "
                                              r"999 \(1 votes, 1946-01-10 → 1946-01-10\)"):
        voeten.read([path])


def test_csv_export_with_us_dates_and_na(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text(
        "rcid,ccode,member,vote,Country,Countryname,year,session,importantvote,date,unres,amend,para,"
        "short,descr,me,nu,di,hr,co,ec\n"
        "7,2,1,1,USA,United States,1946,1,0,1/2/1946,R/1/295,1,0,ELECTIONS,\"TO ADOPT, AS AMENDED\",0,0,0,0,0,0\n"
        "7,565,NA,9,NAM,Namibia,1946,1,0,1/2/1946,R/1/295,1,0,ELECTIONS,\"TO ADOPT, AS AMENDED\",0,0,0,0,0,0\n"
        "7,200,1,7,UKG,United Kingdom,1946,1,0,1/2/1946,R/1/295,1,0,ELECTIONS,\"TO ADOPT, AS AMENDED\",0,0,0,0,0,0\n"
        "8,2,1,3,USA,United States,2019,74,NA,12/12/2019,A/RES/74/77,NA,NA,NA,Mediterranean,0,1,1,0,0,NA\n")
    ing = voeten.read([path])
    assert votes_of(ing, 7) == {"USA": "Y", "GBR": "7"}  # an unknown code is kept as found, and reported
    assert ing.report["unknown_vote_codes"] == {"7": 1}
    assert any("'7' ×1" in w for w in ing.warnings)
    a, b = ing.rollcalls.to_pylist()
    assert (str(a["date"]), a["kind"], a["title"], a["resolution"]) == ("1946-01-02", "amendment", "TO ADOPT, AS AMENDED",
                                                                       "A/RES/295(I)")
    assert (str(b["date"]), b["kind"], b["importantvote"], b["ec"], b["nu"]) == ("2019-12-12", "resolution", None, None, 1)
    assert ing.report["kind_flags_missing"] == 1


def test_dataverse_tab_export(tmp_path):
    path = tmp_path / "UNVotes.tab"
    path.write_text('rcid\tccode\tvote\tsession\tdate\tunres\tamend\tpara\tyes\tno\tabstain\tresid\n'
                    '5309\t365\t3\t68\t"2014-03-27"\t"R/68/262"\t0\t0\t100\t11\t58\t68262\n'
                    '5309\t369\t1\t68\t"2014-03-27"\t"R/68/262"\t0\t0\t100\t11\t58\t68262\n')
    ing = voeten.read([path])
    assert votes_of(ing, 5309) == {"RUS": "N", "UKR": "Y"}
    row = ing.rollcalls.to_pylist()[0]
    assert (row["resolution"], row["total_yes"], row["total_no"], row["total_abstentions"], row["resid"]) == \
        ("A/RES/68/262", 100, 11, 58, 68262)  # Voeten's published totals, beside the counted ones
    assert (row["counted_yes"], row["counted_no"]) == (1, 1)


def test_the_r_package_vote_table_is_refused(shared_data):
    with pytest.raises(DataFormatError, match="un_votes table has country names, not Voeten's ccode"):
        voeten.read([shared_data / "dgrtwo-unvotes" / "un_votes.rda"])


def test_html_instead_of_data(tmp_path):
    page = tmp_path / "UNVotes.RData"
    page.write_text("<!DOCTYPE html><html><body>Guestbook</body></html>")
    with pytest.raises(DataFormatError, match="HTML page"):
        voeten.read([page])


# ---- Dataverse over HTTP ---------------------------------------------------------------------

class Dataverse:
    """A loopback Dataverse: the file listing, and files by id (``?format=original`` required
    for tabular files, as the real one serves its own .tab without it)."""

    def __init__(self):
        self.files, self.listing, self.hits, self.refuse = {}, [], [], None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.hits.append(self.path)
                path, _, query = self.path.partition("?")
                if fake.refuse:
                    return self.reply(fake.refuse, b"<html><body>Forbidden</body></html>", "text/html")
                if path == "/api/datasets/:persistentId/versions/:latest-published/files":
                    if query != f"persistentId={voeten.PERSISTENT_ID}":
                        return self.reply(404, b"{}", "application/json")
                    body = json.dumps({"status": "OK", "data": fake.listing}).encode()
                    return self.reply(200, body, "application/json")
                if path.startswith("/api/access/datafile/"):
                    fid = int(path.rsplit("/", 1)[1])
                    data, tabular = fake.files.get(fid, (None, False))
                    if data is None:
                        return self.reply(404, b"not found", "text/plain")
                    if tabular and query != "format=original":
                        return self.reply(200, b"rcid\tccode\tvote\n", "text/tab-separated-values")
                    return self.reply(200, data, "application/octet-stream")
                self.reply(404, b"", "text/plain")

            def reply(self, status, body, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def dataverse(tmp_path, monkeypatch):
    fake = Dataverse()
    monkeypatch.setenv("UNVOTE_DATAVERSE_URL", fake.url)
    monkeypatch.setenv("UNVOTE_HTTP_DELAY", "0")
    monkeypatch.setenv("UNVOTE_HTTP_RETRIES", "0")
    rdata = tmp_path / "served.RData"
    pyreadr.write_rdata(str(rdata), small_frame(), df_name="completeVotes")
    data = rdata.read_bytes()
    fake.files = {101: (b"%PDF-1.4 codebook", False), 102: (b"ideal\tpoints\n", True), 4624867: (data, True)}
    fake.listing = [
        {"label": "Codebook.pdf", "restricted": False,
         "dataFile": {"id": 101, "filename": "Codebook.pdf", "contentType": "application/pdf", "filesize": 17}},
        {"label": "IdealPointsJuly2025.tab", "restricted": False,
         "dataFile": {"id": 102, "filename": "IdealPointsJuly2025.tab", "tabularData": True,
                      "originalFileName": "IdealPointsJuly2025.csv", "originalFileFormat": "text/csv"}},
        {"label": "UNVotes.tab", "restricted": False,
         "dataFile": {"id": 4624867, "filename": "UNVotes.tab", "contentType": "text/tab-separated-values",
                      "tabularData": True, "originalFileName": "UNVotes.RData",
                      "originalFileFormat": "application/x-rlang-transport", "originalFileSize": len(data),
                      "md5": hashlib.md5(data).hexdigest(),
                      "checksum": {"type": "MD5", "value": hashlib.md5(data).hexdigest()}}},
    ]
    yield fake
    fake.close()


def test_pick_the_votes_file(dataverse):
    from unvote.sources import http

    entry = voeten.pick(voeten.list_files(http.session(), dataverse.url))
    assert (entry["id"], entry["name"], entry["tabular"]) == (4624867, "UNVotes.RData", True)
    assert voeten.download_url("https://x", entry) == "https://x/api/access/datafile/4624867?format=original"


def test_fetch_from_dataverse(dataverse, isolated_store):
    from unvote.ingest.fetch import fetch_voeten
    from unvote.store import Store

    result = fetch_voeten()
    store = Store(isolated_store)
    m = store.manifest("voeten")
    assert (m["records"], m["votes"], m["file"]) == (2, 5, "UNVotes.RData")
    assert m["url"] == f"{dataverse.url}/api/access/datafile/4624867?format=original"
    assert m["dataverse"] == {"persistent_id": "doi:10.7910/DVN/LEJUQZ", "file_id": 4624867, "label": "UNVotes.tab",
                              "md5": dataverse.listing[2]["dataFile"]["md5"], "md5_ok": True}
    assert dataverse.hits == [f"/api/datasets/:persistentId/versions/:latest-published/files"
                              f"?persistentId={voeten.PERSISTENT_ID}", "/api/access/datafile/4624867?format=original"]
    assert store.votes("voeten").num_rows == 5
    assert "no UNDL data yet" in result.notes[-1]
    assert not (isolated_store / ".downloads" / "voeten").exists()


def test_dataverse_refusal_says_what_to_do(dataverse):
    from unvote.ingest.fetch import fetch_voeten

    dataverse.refuse = 403
    with pytest.raises(Refused, match=r"Harvard Dataverse refused an automated download \(HTTP 403\); .*"
                                      r"unvote fetch --source voeten --file PATH"):
        fetch_voeten()


def test_no_votes_file_listed(dataverse):
    from unvote.ingest.fetch import fetch_voeten

    dataverse.listing = dataverse.listing[:2]
    with pytest.raises(DataFormatError, match=r"no roll-call votes file .*Codebook.pdf, IdealPointsJuly2025.csv"):
        fetch_voeten()
