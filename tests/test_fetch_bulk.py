"""`unvote fetch` of the bulk CSV from a loopback UNDL: discovery, download, faults.

Every fault must end in correct data or in a clear error with the previous store intact; the
checks compare the store's content (link target, manifest, tables), not just the exit code.
"""

import gzip
from pathlib import Path

import pyarrow.compute as pc
import pytest
from cli_runner import invoke
from fake_undl import Fault, bulk_csv, undl  # noqa: F401  (undl is a fixture)

from unvote.core.errors import DataFormatError, FetchError, Unreachable
from unvote.ingest import fetch as pipeline
from unvote.store import Store

QUIRKS = Path(__file__).parent / "fixtures" / "ga_quirks.csv"
NAME = "2025_9_19_ga_voting.csv"


@pytest.fixture(scope="module")
def ga_2022(ga_store_dir) -> bytes:
    """The real GA roll calls of 2022 as a bulk CSV (gzipped): 89 records."""
    store = Store(ga_store_dir)
    calls = store.rollcalls("ga")
    calls = calls.filter(pc.equal(pc.year(calls["date"]), 2022))
    votes = store.votes("ga", filters=[("rollcall_id", "in", calls["rollcall_id"].to_pylist())])
    return bulk_csv(calls, votes)


@pytest.fixture
def old_store(isolated_store) -> Store:
    """A store that already holds a version (the quirks fixture: 2 roll calls, 10 votes)."""
    store = Store(isolated_store)
    pipeline.fetch("ga", file=QUIRKS, store=store)
    return store


def snapshot(store: Store):
    store = Store(store.root)  # what is current now (a Store keeps the version it first read)
    return (store.version("ga").name, store.manifest("ga"), store.rollcalls("ga").to_pylist(),
            store.votes("ga").to_pylist())


def tally(store, symbol="ES-11/1"):
    from unvote import api

    row = api.tally(symbol, store=store).to_pylist()[0]
    return row["yes"], row["no"], row["abstain"], row["non_voting"], row["members"]


def test_fetch_discovers_the_newest_file_and_stores_it(undl, ga_2022, isolated_store):
    url = undl.add_bulk("ga", NAME, ga_2022, content_type="text/csv")
    undl.add_page("/api/v1/file?recid=4060887",  # two releases listed: the newest wins
                  f'[{{"name": "2024_9_12_ga_voting.csv"}}, {{"name": "{NAME}"}}]', "application/json")
    store = Store(isolated_store)
    result = pipeline.fetch("ga", store=store)
    assert result.changed and result.manifest["url"] == url and result.manifest["file"] == NAME
    assert result.manifest["records"] == 89
    assert result.manifest["http"]["etag"] == undl.files[f"/record/4060887/files/{NAME}"]["etag"]
    assert tally(store) == (141, 5, 35, 12, 193)
    assert not list((isolated_store / ".downloads").glob("*"))  # the download was cleaned up


def test_listing_missing_falls_back_to_the_record_page(undl, ga_2022, isolated_store):
    undl.add_bulk("ga", NAME, ga_2022, listing=False)
    result = pipeline.fetch("ga", store=Store(isolated_store))
    assert result.manifest["file"] == NAME and result.manifest["records"] == 89
    assert [h.path for h in undl.hits][:2] == ["/api/v1/file", "/record/4060887"]


def test_listing_failing_with_500_falls_back_to_the_record_page(undl, ga_2022, isolated_store):
    undl.add_bulk("ga", NAME, ga_2022)
    undl.fault("/api/v1/file", *[Fault("status", 500)] * 5)
    result = pipeline.fetch("ga", store=Store(isolated_store))
    assert result.manifest["records"] == 89
    assert len(undl.requests_to("/api/v1/file")) == 5  # 1 + 4 retries, then the record page


def test_no_file_named_anywhere_is_a_clear_error(undl, old_store):
    before = snapshot(old_store)
    undl.add_page("/record/4060887", "<html><body>no files today</body></html>")
    with pytest.raises(DataFormatError, match=r"found no \*_ga_voting.csv file.*unvote fetch --file PATH"):
        pipeline.fetch("ga", store=old_store)
    assert snapshot(old_store) == before


def test_discovery_timing_out_is_unreachable(undl, old_store, monkeypatch):
    monkeypatch.setenv("UNVOTE_HTTP_RETRIES", "1")
    before = snapshot(old_store)
    undl.add_bulk("ga", NAME, b"unused")
    undl.fault("/api/v1/file", *[Fault("stall", seconds=1, after_bytes=0)] * 2)
    with pytest.raises(Unreachable, match=r"could not reach .*/api/v1/file \(timed out\)"):
        pipeline.fetch("ga", store=old_store)
    assert snapshot(old_store) == before


def test_unchanged_file_is_not_downloaded_again(undl, ga_2022, isolated_store):
    undl.add_bulk("ga", NAME, ga_2022)
    store = Store(isolated_store)
    pipeline.fetch("ga", store=store)
    before = snapshot(store)
    again = pipeline.fetch("ga", store=store, update=False)
    assert not again.changed and "unchanged (HTTP 304 Not Modified)" in again.notes[0]
    hits = undl.requests_to(f"/record/4060887/files/{NAME}")
    assert len(hits) == 2 and hits[1].headers["If-None-Match"] == undl.files[f"/record/4060887/files/{NAME}"]["etag"]
    assert snapshot(store) == before  # same version: nothing written


def test_without_validators_the_checksum_decides(undl, ga_2022, isolated_store):
    undl.add_bulk("ga", NAME, ga_2022, etag=False, last_modified=False)
    store = Store(isolated_store)
    pipeline.fetch("ga", store=store)
    before = snapshot(store)
    again = pipeline.fetch("ga", store=store, update=False)
    assert not again.changed and "unchanged (same sha256)" in again.notes[0]
    assert len(undl.requests_to(f"/record/4060887/files/{NAME}")) == 2  # downloaded, compared, dropped
    assert snapshot(store) == before


def test_cut_and_stalled_downloads_end_in_correct_data(undl, ga_2022, old_store):
    path = f"/record/4060887/files/{NAME}"
    undl.add_bulk("ga", NAME, ga_2022)
    undl.fault(path, Fault("cut", after_bytes=70_000), Fault("stall", seconds=2, after_bytes=1000))
    result = pipeline.fetch("ga", store=old_store, update=False, force=True)  # replaces the 2 quirks
    assert result.manifest["records"] == 89 and tally(old_store) == (141, 5, 35, 12, 193)
    assert [bool(h.headers.get("Range")) for h in undl.requests_to(path)] == [False, True, True]


@pytest.mark.parametrize("fault,what", [
    (Fault("html"), "an HTML page where a data file was expected"),
    (Fault("empty202"), "an empty 202"),
    (Fault("status", 403), "HTTP 403"),
])
def test_challenge_leaves_the_store_and_says_what_to_do(undl, ga_2022, old_store, fault, what):
    before = snapshot(old_store)
    url = undl.add_bulk("ga", NAME, ga_2022)
    undl.fault(f"/record/4060887/files/{NAME}", fault)
    out = invoke("fetch")
    assert out.returncode == 6 and out.stdout == ""
    assert out.stderr == (f"unvote: error: the UN site refused an automated download ({what}"
                          + (", a bot challenge" if "202" in what else "")
                          + f"); download {url} in a browser and run: unvote fetch --file PATH\n")
    assert snapshot(old_store) == before


def test_truncated_gzip_is_an_error_and_the_store_is_kept(undl, ga_2022, old_store):
    before = snapshot(old_store)
    undl.add_bulk("ga", NAME, ga_2022[: len(ga_2022) // 2], content_type="application/gzip")
    out = invoke("fetch")
    assert out.returncode == 6 and out.stderr.count("\n") == 1
    assert "Truncated compressed stream" in out.stderr and "the store was not changed" in out.stderr
    assert snapshot(old_store) == before
    assert not list((old_store.root / ".downloads").glob("*"))  # a complete-but-bad file is not kept


def test_server_error_on_the_file_is_an_error_and_the_store_is_kept(undl, ga_2022, old_store):
    before = snapshot(old_store)
    undl.add_bulk("ga", NAME, ga_2022)
    undl.fault(f"/record/4060887/files/{NAME}", *[Fault("status", 500)] * 5)
    with pytest.raises(FetchError, match="answered HTTP 500 after 5 attempts"):
        pipeline.fetch("ga", store=old_store)
    assert snapshot(old_store) == before


def test_html_file_given_by_hand_is_refused(tmp_path, old_store):
    page = tmp_path / "2025_9_19_ga_voting.csv"
    page.write_text("<!DOCTYPE html><html><body>Just a moment...</body></html>")
    before = snapshot(old_store)
    out = invoke("fetch", "--file", str(page))
    assert out.returncode == 6 and "is an HTML page, not the voting CSV" in out.stderr
    assert snapshot(old_store) == before


def test_cli_prints_unchanged_on_a_second_fetch(undl, ga_2022, isolated_store):
    undl.add_bulk("ga", NAME, ga_2022)
    assert invoke("fetch").returncode == 0
    out = invoke("fetch")
    assert out.returncode == 0, out.stderr
    assert f"{NAME} is unchanged (HTTP 304 Not Modified)" in out.stderr
    assert "up to date: UN Digital Library voting records dated " in out.stderr  # then it looked for newer ones
    assert ": 0 found (undl-marcxml, 1 page)" in out.stderr
    assert "unchanged: 89 roll calls" in out.stderr and out.stdout == ""


def test_unreachable_update_says_so_in_one_line(old_store, monkeypatch):
    monkeypatch.setenv("UNVOTE_UNDL_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("UNVOTE_HTTP_BACKOFF", "0.01")
    out = invoke("fetch", "--update")
    assert out.returncode == 6 and out.stderr.count("\n") == 1
    assert "could not reach http://127.0.0.1:9/search" in out.stderr
    assert "download http://127.0.0.1:9/record/4060887 in a browser and run: unvote fetch --file PATH" in out.stderr


def test_gzip_and_plain_downloads_read_the_same(undl, ga_2022, isolated_store, tmp_path):
    undl.add_bulk("ga", NAME, gzip.decompress(ga_2022))
    plain = pipeline.fetch("ga", store=Store(tmp_path / "a"))
    undl.add_bulk("ga", NAME, ga_2022)
    zipped = pipeline.fetch("ga", store=Store(tmp_path / "b"))
    assert Store(tmp_path / "a").votes("ga").equals(Store(tmp_path / "b").votes("ga"))
    assert plain.manifest["records"] == zipped.manifest["records"] == 89


def test_plain_fetch_merges_newer_records_and_keeps_them_across_bulk_files(undl, ga_2022, ga_store_dir,
                                                                           isolated_store):
    import datetime as dt

    from fake_undl import records_from_store

    real = Store(ga_store_dir)
    calls = real.rollcalls("ga")
    q1 = calls.filter(pc.and_(pc.greater_equal(calls["date"], dt.date(2023, 1, 1)),
                              pc.less(calls["date"], dt.date(2023, 4, 1))))
    newer = records_from_store(q1, real.votes("ga", filters=[("rollcall_id", "in", q1["rollcall_id"].to_pylist())]))
    store = Store(isolated_store)

    undl.add_bulk("ga", NAME, ga_2022)
    first = pipeline.fetch("ga", store=store)  # empty store: the bulk file only
    assert first.manifest["records"] == 89 and undl.requests_to("/search") == []

    undl.records = newer
    second = pipeline.fetch("ga", store=store)  # bulk unchanged (304), then the newer records
    assert second.changed and second.notes[0].startswith(f"{NAME} is unchanged (HTTP 304")
    assert second.notes[1].endswith(f"(undl-marcxml, 1 page): {len(newer)} new, 0 replaced, 0 unchanged")
    assert second.manifest["records"] == 89 + len(newer) and len(newer) == q1.num_rows > 0
    assert second.manifest["sources"] == {"undl-csv": 89, "undl-marcxml": len(newer)}

    # a new bulk release that lacks those records (and one 2022 record): they are carried over
    calls22 = Store(isolated_store).rollcalls("ga")
    calls22 = calls22.filter(pc.equal(calls22["source"], "undl-csv"))
    smaller = calls22.filter(pc.less(calls22["date"], dt.date(2022, 12, 1)))
    votes22 = store.votes("ga", filters=[("rollcall_id", "in", smaller["rollcall_id"].to_pylist())])
    undl.add_bulk("ga", "2025_12_1_ga_voting.csv", bulk_csv(smaller, votes22))
    dropped, held_now = calls22.num_rows - smaller.num_rows, 89 + len(newer)
    assert dropped / held_now > 0.05
    with pytest.raises(FetchError, match=rf"lacks {dropped} of the {held_now} roll calls the GA data holds"):
        pipeline.fetch("ga", store=store)  # most of December 2022 missing: refused without --force
    third = pipeline.fetch("ga", store=store, force=True)
    assert third.manifest["file"] == "2025_12_1_ga_voting.csv"
    assert f"kept {len(newer)} newer roll call(s) from earlier updates that the file lacks" in third.notes
    assert third.manifest["records"] == smaller.num_rows + len(newer)
    held = set(store.rollcalls("ga")["rollcall_id"].to_pylist())
    assert {r.rid for r in newer} <= held

    # the records search refused: the bulk result stands, with a warning
    undl.fault("/search", Fault("status", 403), Fault("status", 403))
    fourth = pipeline.fetch("ga", store=store)
    assert not fourth.changed
    assert fourth.warnings == ["could not look for voting records newer than the bulk file (the UN site refused "
                               f"an automated download (HTTP 403); download {undl.url}/record/4060887 in a "
                               "browser and run: unvote fetch --file PATH); run unvote fetch --update later"]


def test_progress_reports_bytes_and_records(undl, ga_2022, ga_store_dir, isolated_store):
    """The progress object (a real rich Progress, drawn nowhere) sees the bytes and the records."""
    import datetime as dt
    import io

    from fake_undl import records_from_store
    from rich.console import Console
    from rich.progress import Progress

    real = Store(ga_store_dir)
    calls = real.rollcalls("ga")
    jan = calls.filter(pc.and_(pc.greater_equal(calls["date"], dt.date(2023, 1, 1)),
                               pc.less(calls["date"], dt.date(2023, 4, 1))))
    undl.records = records_from_store(jan, real.votes("ga", filters=[("rollcall_id", "in", jan["rollcall_id"].to_pylist())]))
    undl.add_bulk("ga", NAME, ga_2022)
    store = Store(isolated_store)
    with Progress(console=Console(file=io.StringIO()), disable=True) as progress:
        pipeline.fetch("ga", store=store, progress=progress)
        pipeline.fetch("ga", store=store, progress=progress, update=True)
    download, records = progress.tasks
    assert download.fields["unit"] == "bytes" and download.total == download.completed == len(ga_2022)
    assert records.fields["unit"] == "records" and records.total == records.completed == jan.num_rows > 0


@pytest.mark.parametrize("how", ["truncated rollcalls", "deleted votes", "manifest bad JSON", "manifest a list",
                                 "manifest not UTF-8"])
def test_a_network_fetch_rebuilds_a_damaged_store(undl, ga_2022, isolated_store, how):
    """The same file again (304 / same sha256) must not keep a damaged store: it is downloaded and stored."""
    from test_store_trust import damage

    undl.add_bulk("ga", NAME, ga_2022)
    pipeline.fetch("ga", store=Store(isolated_store), update=False)
    damage(isolated_store, how)
    result = pipeline.fetch("ga", store=Store(isolated_store), update=False)
    assert result.changed and result.manifest["records"] == 89
    fresh = Store(isolated_store)
    assert fresh.check("ga", full=True) == [] and tally(fresh) == (141, 5, 35, 12, 193)
    hits = undl.requests_to(f"/record/4060887/files/{NAME}")
    assert len(hits) == 2 and "If-None-Match" not in hits[1].headers  # no conditional request on damage
    # the plain CLI fetch (bulk, then newer records) on a damaged store: exit 0, not 70
    damage(isolated_store, how)
    out = invoke("fetch")
    assert out.returncode == 0, out.stderr
    assert Store(isolated_store).check("ga", full=True) == []


def test_a_tiny_bulk_file_does_not_replace_a_dataset_without_force(undl, ga_2022, isolated_store):
    """A 3-record "bulk" file from the server would drop 86 of 89 roll calls: refused unless --force."""
    store = Store(isolated_store)
    undl.add_bulk("ga", NAME, ga_2022)
    pipeline.fetch("ga", store=store, update=False)
    calls = store.rollcalls("ga").slice(0, 3)
    three = bulk_csv(calls, store.votes("ga", filters=[("rollcall_id", "in", calls["rollcall_id"].to_pylist())]))
    url = undl.add_bulk("ga", "2025_12_1_ga_voting.csv", three)
    before = snapshot(store)
    out = invoke("fetch")
    assert out.returncode == 6 and out.stdout == "" and out.stderr.count("\n") == 1
    assert out.stderr == ("unvote: error: 2025_12_1_ga_voting.csv lacks 86 of the 89 roll calls the GA data "
                          f"holds (97%); the store was not changed. If that is what you want, run: unvote fetch "
                          f"--url {url} --force\n")
    assert snapshot(store) == before
    out = invoke("fetch", "--url", url, "--force")
    assert out.returncode == 0 and "stored 3 roll calls" in out.stderr
