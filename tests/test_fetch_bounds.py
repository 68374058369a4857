"""`fetch --update` against a hostile server, and settings checked before the first request.

A loopback UNDL (tests/fake_undl.py) that claims a billion records and keeps sending new ones,
or an HTML fallback with far too many hits: each update ends at its record cap, byte cap or
deadline (small values through the environment make each bound visible cheaply), as one line
with exit 6, the store unchanged and its lock released.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from cli_runner import invoke
from fake_undl import GA_HEADER, Fault, marc_record, undl  # noqa: F401  (undl is a fixture)

from unvote.core.errors import DataFormatError, FetchError
from unvote.ingest import fetch as pipeline
from unvote.sources import http, undl_records
from unvote.store import Store

CLAIMED = 1_000_000_000  # the total the hostile search claims
STATES = [("USA", "UNITED STATES", "Y"), ("FRA", "FRANCE", "N"), ("CHN", "CHINA", "A")]


def tiny_csv(tmp_path):
    path = tmp_path / "tiny.csv"
    rows = [f"{rid},{code},{name},{vote},2020-01-02,75,A/RES/75/{rid},,,,T,,,,1.0,1.0,1.0,0.0,3.0,x\n"
            for rid in (1, 2) for code, name, vote in STATES]
    path.write_text(GA_HEADER + "\n" + "".join(rows), "utf-8")
    return path


@pytest.fixture
def held(tmp_path, isolated_store):
    """A store holding two roll calls (so there is something to update)."""
    pipeline.fetch("ga", file=tiny_csv(tmp_path), store=Store(isolated_store))
    return Store(isolated_store)


def snapshot(root):
    s = Store(root)
    return s.version("ga").name, s.manifest("ga"), s.rollcalls("ga").num_rows


def endless_marcxml(states=lambda rid: STATES):
    """A search that claims a billion records and answers every page with ``rg`` new ones."""
    def hook(q):
        jrec, rg = int(q.get("jrec", 1)), int(q.get("rg", 10))
        records = "".join(marc_record(rid, f"A/RES/80/{rid}", "2025-01-02", states(rid))
                          for rid in range(1000 + jrec, 1000 + jrec + rg))
        return (f'<?xml version="1.0"?>\n<!-- Search-Engine-Total-Number-Of-Results: {CLAIMED} -->\n'
                f'<collection xmlns="http://www.loc.gov/MARC21/slim">{records}</collection>').encode(), \
            "application/xml"
    return hook


def endless_html(per_page):
    """An HTML search (the fallback) claiming two million hits, ``per_page`` new ones a page."""
    def hook(q):
        if q.get("of") == "xm":  # the MARCXML export: a challenge page
            return b"<!DOCTYPE html><html><body>Just a moment... captcha</body></html>", "text/html"
        jrec = int(q.get("jrec", 1))
        hits = "".join(f'<tr><td><abbr class="unapi-id" title="{rid}"></abbr></td><td>Yes: 1 | No: 0 '
                       f"<i class='fa fa-globe'></i>A/RES/80/{rid}<i class='fa fa-calendar'></i>2025-01-02</td></tr>"
                       for rid in range(1000 + jrec, 1000 + jrec + per_page))
        return (f"<html><body><strong>{2_000_000:,}</strong> records found <table>{hits}</table>"
                "</body></html>").encode(), "text/html; charset=utf-8"
    return hook


def assert_refused_and_unlocked(out, words, root, before):
    assert out.returncode == 6, out.stderr
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
    for word in words:
        assert word in out.stderr, out.stderr
    assert snapshot(root) == before
    with Store(root).lock(wait=0):  # released: a second fetch may take it at once
        pass


def test_marcxml_claiming_a_billion_records_stops_at_the_record_cap(undl, held):
    undl.search_hook = endless_marcxml()
    before = snapshot(held.root)
    out = invoke("fetch", "--update", env={"UNVOTE_UPDATE_MAX_RECORDS": "250"})
    assert_refused_and_unlocked(out, ["more than 250 voting records", "UNVOTE_UPDATE_MAX_RECORDS",
                                      "the store was not changed"], held.root, before)
    # pages of 100: the third takes the count past 250, and no fourth is asked for
    assert [h.query["jrec"] for h in undl.requests_to("/search")] == ["1", "101", "201"]


def test_records_within_the_caps_are_merged(undl, held):
    undl.search_hook = None
    undl.records = [undl_records_voting(rid) for rid in (7001, 7002)]
    result = pipeline.fetch("ga", store=held, update=True)
    assert result.changed and held.rollcalls("ga").num_rows == 4
    got = held.votes("ga", filters=[("rollcall_id", "=", 7002)])
    assert sorted(zip(got["ms_code"].to_pylist(), got["vote"].to_pylist())) == \
        sorted((c, v) for c, _, v in STATES)


def undl_records_voting(rid):
    from fake_undl import VotingRecord

    return VotingRecord(rid, "2025-01-02", "ga", f"A/RES/80/{rid}",
                        marc_record(rid, f"A/RES/80/{rid}", "2025-01-02", STATES))


def test_the_bytes_held_are_capped(undl, held):
    # every member state a new name: nothing to share between records
    undl.search_hook = endless_marcxml(lambda rid: [(f"X{rid}{i}", f"STATE {rid} {i}" + "x" * 200, "Y")
                                                    for i in range(150)])
    before = snapshot(held.root)
    out = invoke("fetch", "--update", env={"UNVOTE_UPDATE_MAX_BYTES": "2000000"})
    assert_refused_and_unlocked(out, ["more than 2,000,000 bytes", "UNVOTE_UPDATE_MAX_BYTES"], held.root, before)
    # 150 states × ~470 bytes each: ~28 records fit, so the first page is the last
    assert len(undl.requests_to("/search")) == 1


def test_the_update_deadline_counts_every_page(undl, held, monkeypatch):
    """A clock that advances 1 s per reading: the deadline (10 s) ends the paging, no sleeping."""
    undl.search_hook = endless_marcxml()
    monkeypatch.setenv("UNVOTE_UPDATE_DEADLINE", "10")
    ticks = iter(range(10**6))
    client = http.Client(http.Policy.from_env(), sleep=lambda s: None, clock=lambda: float(next(ticks)))
    since, until = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
    with pytest.raises(FetchError, match=r"^gave up the update .* longer than 10 s in all \(UNVOTE_UPDATE_DEADLINE"):
        undl_records.harvest(client, "ga", undl.url, since, until)
    pages = len(undl.requests_to("/search"))
    assert 1 <= pages < 10  # each page reads the clock more than once


def test_the_deadline_ends_a_real_update_through_the_cli(undl, held):
    undl.search_hook = endless_marcxml()
    before = snapshot(held.root)
    out = invoke("fetch", "--update", env={"UNVOTE_UPDATE_DEADLINE": "0.5",
                                          "UNVOTE_UPDATE_MAX_RECORDS": str(10**9)})
    assert_refused_and_unlocked(out, ["longer than 0.5 s in all", "UNVOTE_UPDATE_DEADLINE"], held.root, before)


def test_html_fallback_claiming_two_million_hits_queues_no_record_page_past_the_cap(undl, held):
    undl.search_hook = endless_html(100)
    before = snapshot(held.root)
    out = invoke("fetch", "--update", env={"UNVOTE_UPDATE_MAX_RECORDS": "250"})
    assert_refused_and_unlocked(out, ["more than 250 voting records"], held.root, before)
    assert [h.query["of"] for h in undl.requests_to("/search")] == ["xm", "hb", "hb", "hb"]
    assert not [h for h in undl.hits if h.path.startswith("/record/")]  # not one record page asked for


def test_an_html_page_with_2000_hits_is_refused_before_any_record_page(undl, held):
    undl.search_hook = endless_html(2000)
    before = snapshot(held.root)
    out = invoke("fetch", "--update")
    assert_refused_and_unlocked(out, ["2,000 hits on one page, which asked for 100"], held.root, before)
    assert not [h for h in undl.hits if h.path.startswith("/record/")]


def test_a_page_of_too_many_tags_is_refused_before_parsing():
    page = "<html><body>" + "<b>x</b>" * (undl_records.MAX_HTML_TAGS // 2 + 1) + "</body></html>"
    with pytest.raises(DataFormatError, match=r"a page of 200,\d{3} tags, far more .* \(limit 200,000\)"):
        undl_records.parse_search_html(page)
    with pytest.raises(DataFormatError, match="tags, far more"):
        undl_records.parse_record_html(page, 1, "ga")


def test_a_record_page_listing_500_states_is_left_out():
    lines = "<br>".join(f"Y STATE {i}" for i in range(500))
    page = ("<html><body><div class='metadata-row'><span class='title'>Resolution</span>"
            "<span class='value'>A/RES/80/1</span></div><div class='metadata-row'><span class='title'>"
            "Vote date</span><span class='value'>2025-01-02</span></div><div class='metadata-row'>"
            f"<span class='title'>Vote</span><span class='value'>{lines}</span></div></body></html>")
    rec = undl_records.parse_record_html(page, 1, "ga")
    assert rec.skipped == "500 member states listed, more than the UN has ever had" and rec.states == ()


def test_marcxml_pages_and_records_are_bounded_while_parsed():
    many = "".join(marc_record(rid, f"A/RES/80/{rid}", "2025-01-02", STATES[:1]) for rid in range(1001))
    with pytest.raises(DataFormatError, match="more than 1,000 records on one page, which asked for 100"):
        undl_records.parse_marcxml(f"<collection>{many}</collection>".encode(), "ga")
    huge = "<record>" + '<datafield tag="500"><subfield code="a">x</subfield></datafield>' * 10_001 + "</record>"
    with pytest.raises(DataFormatError, match="more than 20,000 XML elements"):
        undl_records.parse_marcxml(f"<collection>{huge}</collection>".encode(), "ga")
    # elements are counted per record: 1,000 records of 20 elements each pass
    ok = "".join(marc_record(rid, f"A/RES/80/{rid}", "2025-01-02", STATES) for rid in range(1000))
    assert len(undl_records.parse_marcxml(f"<collection>{ok}</collection>".encode(), "ga")) == 1000


# ---- settings checked before the first request ----------------------------------------------
@pytest.mark.parametrize("var,value", [("UNVOTE_MAX_CSV_BYTES", "abc"), ("UNVOTE_MAX_RATIO", "-1"),
                                       ("UNVOTE_UPDATE_MAX_RECORDS", "0"), ("UNVOTE_UPDATE_DEADLINE", "nan"),
                                       ("UNVOTE_MAX_PAGE_BYTES", "1e3"), ("UNVOTE_HTTP_RETRIES", "many")])
@pytest.mark.parametrize("args", [("fetch",), ("fetch", "--update")])
def test_a_bad_limit_is_refused_before_any_request(undl, held, var, value, args):
    before = snapshot(held.root)
    out = invoke(*args, env={var: value})
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert f"{var}={value!r} is not valid" in out.stderr
    assert undl.hits == []  # not one request
    assert snapshot(held.root) == before


def test_a_bad_limit_is_refused_before_a_local_file_is_read(tmp_path, isolated_store):
    out = invoke("fetch", "--file", str(tiny_csv(tmp_path)), env={"UNVOTE_MAX_FIELD_BYTES": "0"})
    assert out.returncode == 2 and "UNVOTE_MAX_FIELD_BYTES='0' is not valid" in out.stderr
    assert not isolated_store.exists() or not list(isolated_store.rglob("*.parquet"))


def test_retry_faults_still_name_the_http_deadline(undl, held):
    """A page that fails on its own (not the update's deadline) keeps its own message."""
    undl.fault("/search", *[Fault("status", 500)] * 5)
    out = invoke("fetch", "--update", env={"UNVOTE_HTTP_RETRIES": "1"})
    assert out.returncode == 6 and "answered HTTP 500 after 2 attempts" in out.stderr


# ---- a .gz served with Content-Encoding: gzip -------------------------------------------------
def small_ga_csv() -> bytes:
    rows = [f"{rid},{code},{name},{vote},2020-01-02,75,A/RES/75/{rid},,,,T,,,,1.0,1.0,1.0,0.0,3.0,x\n"
            for rid in (1, 2, 3) for code, name, vote in STATES]
    return (GA_HEADER + "\n" + "".join(rows)).encode()


@pytest.mark.parametrize("how", ["gzipped again for the transfer", "the .gz labelled as encoded"])
def test_a_gz_served_with_content_encoding_gzip_is_stored(undl, isolated_store, how):
    import gzip
    import hashlib

    meant = gzip.compress(small_ga_csv(), mtime=0)  # the file on the server
    body = gzip.compress(meant, mtime=0) if how.startswith("gzipped") else meant
    url = undl.add_bulk("ga", "2025_11_20_ga_voting.csv.gz", body, content_type="application/gzip",
                        encoding="gzip")
    out = invoke("fetch", "--url", url)
    assert out.returncode == 0, out.stderr
    store = Store(isolated_store)
    assert store.votes("ga").num_rows == 9 and store.rollcalls("ga").num_rows == 3
    assert store.manifest("ga")["sha256"] == hashlib.sha256(meant).hexdigest()  # the gzip the server meant
    assert not list((isolated_store / ".downloads").glob("*")) if (isolated_store / ".downloads").exists() else True


def test_a_damaged_transfer_encoding_is_one_line(undl, isolated_store):
    import gzip

    body = gzip.compress(gzip.compress(small_ga_csv(), mtime=0), mtime=0)
    url = undl.add_bulk("ga", "2025_11_20_ga_voting.csv.gz", body[:-30] + b"\0" * 30,
                        content_type="application/gzip", encoding="gzip")
    out = invoke("fetch", "--url", url)
    assert out.returncode == 6 and out.stderr.count("\n") == 1, out.stderr
    assert "damaged gzip transfer encoding" in out.stderr
    assert not list(isolated_store.rglob("*.parquet")) and not list(isolated_store.rglob("*.part*"))


# ---- exit 134 after a type-conversion error ------------------------------------------------------
def bad_id_csv(tmp_path) -> Path:
    """16 MB of rows with a non-numeric undl_id in the first block: with Arrow's streaming reader
    calling back into Python from its read-ahead thread, 22 of 39 runs aborted (exit 134)."""
    title = "T" * 80
    rows = [f"{rid},USA,UNITED STATES,Y,2020-01-02,75,A/RES/75/{rid},,,,{title},,,,1.0,0.0,0.0,0.0,1.0,x\n"
            for rid in range(1, 100_000)]
    rows.insert(100, "abc,USA,UNITED STATES,Y,2020-01-02,75,A/RES/75/9,,,,T,,,,1.0,0.0,0.0,0.0,1.0,x\n")
    path = tmp_path / "bad_id.csv"
    path.write_text(GA_HEADER + "\n" + "".join(rows), "utf-8")
    return path


def test_the_csv_is_only_ever_read_on_the_calling_thread(tmp_path, monkeypatch):
    """No thread of Arrow's calls Python code (the size and line guard): none can be left inside
    it when an error ends the process."""
    import threading

    from unvote.sources import undl_csv

    callers = set()
    read = undl_csv._Guarded.read

    def spy(self, n=-1):
        callers.add(threading.current_thread().name)
        return read(self, n)
    monkeypatch.setattr(undl_csv._Guarded, "read", spy)
    with pytest.raises(DataFormatError, match="CSV conversion error to int64: invalid value 'abc'"):
        undl_csv.read(bad_id_csv(tmp_path))
    assert callers == {threading.current_thread().name}
    callers.clear()
    good = tmp_path / "good.csv"
    good.write_bytes(bad_id_csv(tmp_path).read_bytes().replace(b"\nabc,", b"\n123456789,", 1))
    assert undl_csv.read(good).rollcalls.num_rows == 100_000 and callers == {threading.current_thread().name}


def test_a_bad_id_file_exits_6_not_134(tmp_path, isolated_store):
    import subprocess
    import sys

    path = bad_id_csv(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-m", "unvote", "fetch", "--file", str(path)], env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 6, proc.stderr
        assert proc.stderr == f"unvote: error: cannot read {path} as CSV: In CSV column #0: CSV conversion " \
                              "error to int64: invalid value 'abc'\n"


def test_planted_resume_notes_and_part_files_are_not_trusted(undl, isolated_store):
    """A FIFO as the .part file (a write would block), a deep, huge or mistyped resume note: ignored."""
    import gzip

    url = undl.add_bulk("ga", "2025_11_20_ga_voting.csv.gz", gzip.compress(small_ga_csv(), mtime=0),
                        content_type="application/gzip")
    first = invoke("fetch", "--url", url)
    assert first.returncode == 0, first.stderr
    downloads = isolated_store / ".downloads"
    import hashlib

    part = downloads / f"2025_11_20_ga_voting.csv.gz-{hashlib.sha256(url.encode()).hexdigest()[:10]}.part"
    for note in ("[" * 100_000, json_dumps({"url": url, "etag": ["x"]}), "x" * (1 << 20)):
        part.unlink(missing_ok=True)
        os.mkfifo(part)
        part.with_name(part.name + ".json").write_text(note, "utf-8")
        out = invoke("fetch", "--url", url, "--force")
        assert out.returncode == 0, out.stderr
        assert Store(isolated_store).votes("ga").num_rows == 9
        assert not part.exists()


def json_dumps(value) -> str:
    import json

    return json.dumps(value)


def test_a_page_that_trickles_is_cut_at_the_update_deadline_not_the_download_one(undl, held):
    """One byte every 50 ms: the page's own deadline (30 minutes) shrinks to the update's (1 s)."""
    undl.fault("/search", Fault("trickle", seconds=0.05))
    before = snapshot(held.root)
    out = invoke("fetch", "--update", env={"UNVOTE_UPDATE_DEADLINE": "1"})
    assert_refused_and_unlocked(out, ["longer than 1 s in all (UNVOTE_UPDATE_DEADLINE"], held.root, before)
    assert len(undl.requests_to("/search")) == 1
