"""Security Council: the SC bulk CSV (record 4055387), tallies marking the P5, align --body sc."""

import csv
import datetime as dt
import gzip
import io
from collections import defaultdict

import pyarrow.compute as pc
import pytest
from cli_runner import invoke
from fake_undl import records_from_store, undl  # noqa: F401  (undl is a fixture)

from unvote import api
from unvote.ingest import fetch as pipeline
from unvote.store import Store


@pytest.fixture(scope="module")
def sc_dir(sc_store_dir):
    """The cached real SC store (conftest; read-only). sc_store makes it the default store."""
    return sc_store_dir


def test_sc_file_is_read_whole(sc_store):
    m = sc_store.manifest("sc")
    assert (m["records"], m["votes"], m["date_min"], m["date_max"]) == (2_797, 41_079, "1946-01-25", "2025-10-31")
    calls = sc_store.rollcalls("sc")
    assert calls.schema.field("title").type == "string"  # from the SC file's "description"
    assert pc.all(pc.is_null(calls["session"])).as_py()  # the Council has no sessions
    votes = sc_store.votes("sc")
    assert votes.schema.field("permanent_member").type == "bool"
    p5 = votes.filter(votes["permanent_member"])
    assert sorted(set(p5["ms_code"].to_pylist())) == ["CHN", "FRA", "GBR", "RUS", "SUN", "USA"]


def test_tally_of_an_sc_symbol_needs_no_body_option(sc_store):
    out = invoke("tally", "S/RES/2623(2022)")
    assert out.returncode == 0, out.stderr
    row = next(csv.DictReader(io.StringIO(out.stdout)))
    assert [row[k] for k in ("yes", "no", "abstain", "non_voting", "members")] == ["11", "1", "3", "0", "15"]
    assert row["meeting"] == "S/PV.8980" and row["rollcall_id"] == "3958818"


def test_tally_table_marks_the_permanent_members(sc_store):
    out = invoke("tally", "S/RES/2623(2022)", "--format", "table")
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.replace("│", " ").split())
    assert "[on convening an emergency special session of the General Assembly on Ukraine]" in text
    assert ("Permanent members (P5): China A, France Y, Russian Federation N, United Kingdom Y, "
            "United States Y") in text
    assert "No (1): Russian Federation (P5)" in text
    assert "Abstained (3): China (P5), India, United Arab Emirates" in text


def test_countries_output_has_a_permanent_member_column(sc_store):
    rows = api.country_votes("S/RES/2623(2022)", body="sc").to_pylist()
    assert len(rows) == 15
    assert {r["country"]: r["vote"] for r in rows if r["permanent_member"]} == \
        {"CHN": "A", "FRA": "Y", "RUS": "N", "GBR": "Y", "USA": "Y"}
    out = invoke("tally", "S/RES/2623(2022)", "--countries")
    header = out.stdout.splitlines()[0]
    assert header == "resolution,date,country,name,vote,name_in_record,permanent_member"


def test_align_on_the_council_matches_a_count_from_the_raw_file(sc_store, shared_data):
    got = api.align("USA", "RUS", body="sc", since="2022", until="2022").to_pylist()[0]
    # the same count straight from the CSV, without unvote
    by = defaultdict(dict)
    with gzip.open(shared_data / "undl" / "sc_voting.csv.gz", "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["date"].startswith("2022"):
                by[r["undl_id"]][r["ms_code"]] = r["ms_vote"].upper()
    same = sum(v["USA"] == v["RUS"] for v in by.values())
    opposite = sum({v["USA"], v["RUS"]} == {"Y", "N"} for v in by.values())
    partial = len(by) - same - opposite
    assert (got["n"], got["same"], got["partial"], got["opposite"], got["absent"]) == \
        (len(by), same, partial, opposite, 0) == (54, 40, 13, 1, 0)
    assert got["score"] == pytest.approx((40 + 0.5 * 13) / 54)
    out = invoke("align", "USA", "RUS", "--body", "sc", "--since", "2022", "--until", "2022", "--format", "csv")
    assert out.stdout.splitlines()[1] == "2022,54,40,13,1,0,0.861111"


def test_ga_stays_the_default(sc_dir, ga_store_dir, tmp_path, monkeypatch):
    import shutil

    # both datasets in one store: unqualified commands mean the General Assembly
    root = tmp_path / "both"
    shutil.copytree(sc_dir, root, symlinks=True)
    shutil.copytree(ga_store_dir / ".versions", root / ".versions", dirs_exist_ok=True)
    shutil.copy(ga_store_dir / "ga.current", root / "ga.current")
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(root))
    row = api.tally("ES-11/1").to_pylist()[0]
    assert (row["yes"], row["members"]) == (141, 193)
    assert api.align("USA", "RUS", since="2022", until="2022").to_pylist()[0]["n"] == 89
    assert api.tally("S/RES/2623(2022)").to_pylist()[0]["members"] == 15
    info = invoke("info", "--format", "json").stdout
    assert '"dataset": "ga"' in info and '"dataset": "sc"' in info


def test_sc_fetch_over_http_and_update_from_records(undl, shared_data, sc_dir, isolated_store):
    real = Store(sc_dir)
    calls = real.rollcalls("sc")
    cut = dt.date(2025, 9, 1)
    older = calls.filter(pc.less(calls["date"], cut))
    newer = calls.filter(pc.greater_equal(calls["date"], cut))
    # publish an SC bulk file that stops before September 2025 …
    votes = real.votes("sc", filters=[("rollcall_id", "in", older["rollcall_id"].to_pylist())])
    url = undl.add_bulk("sc", "2025_8_31_sc_voting.csv", sc_csv(older, votes))
    store = Store(isolated_store)
    first = pipeline.fetch("sc", store=store)
    assert first.manifest["url"] == url and first.manifest["records"] == older.num_rows
    # … and the later records as MARCXML in the search
    undl.records = records_from_store(newer, real.votes("sc", filters=[
        ("rollcall_id", "in", newer["rollcall_id"].to_pylist())]), body="sc")
    result = pipeline.fetch("sc", store=store, update=True)
    assert f"{newer.num_rows} new" in result.notes[0] and newer.num_rows > 0
    assert undl.requests_to("/search")[0].query["fct__2"] == "Security Council"
    assert store.manifest("sc")["records"] == 2_797
    merged = store.votes("sc", filters=[("rollcall_id", "in", newer["rollcall_id"].to_pylist())])
    truth = real.votes("sc", filters=[("rollcall_id", "in", newer["rollcall_id"].to_pylist())])
    key = ("rollcall_id", "ms_code", "vote", "permanent_member")
    assert sorted(zip(*[merged[k].to_pylist() for k in key])) == sorted(zip(*[truth[k].to_pylist() for k in key]))


def sc_csv(rollcalls, votes) -> bytes:
    """An SC bulk CSV in the UNDL's layout (record 4055387) from store tables."""
    header = ("undl_id,ms_code,ms_name,permanent_member,ms_vote,date,resolution,draft,meeting,description,"
              "agenda,subjects,vote_note,total_yes,total_no,total_abstentions,total_non_voting,total_ms,"
              "modality,undl_link").split(",")
    calls = {r["rollcall_id"]: r for r in rollcalls.to_pylist()}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for v in votes.to_pylist():
        c = calls[v["rollcall_id"]]
        w.writerow([v["rollcall_id"], v["ms_code"], v["ms_name"], str(v["permanent_member"]), v["vote"],
                    c["date"].isoformat(), c["resolution"], c["draft"], c["meeting"], c["title"], c["agenda"],
                    c["subjects"], v["vote_note"], c["total_yes"], c["total_no"], c["total_abstentions"],
                    c["total_non_voting"], c["total_ms"], c["modality"],
                    f"https://digitallibrary.un.org/record/{v['rollcall_id']}"])
    return gzip.compress(buf.getvalue().encode(), mtime=0)
