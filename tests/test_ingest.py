"""The bulk-CSV reader on hand-written quirks, and on the real file."""

import gzip
import shutil

import pyarrow.compute as pc
import pytest

from unvote.core.errors import DataFormatError
from unvote.sources import undl_csv

FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def quirks():
    return undl_csv.read(FIXTURES / "ga_quirks.csv")


def votes_of(ingest, rid):
    t = ingest.votes.filter(pc.equal(ingest.votes["rollcall_id"], rid))
    return dict(zip(t["ms_code"].to_pylist(), t["vote"].to_pylist()))


def test_vote_codes_normalised(quirks):
    assert votes_of(quirks, 900001) == {"KHM": "Y", "RUS": "N", "NAM": "A", "USA": "Y", "BEN": "X", "ERI": "X"}


def test_unknown_code_kept_and_reported(quirks):
    assert votes_of(quirks, 900002)["PAK"] == "AN"
    assert quirks.unknown_codes == {"AN": 1}
    assert any("'AN' ×1" in w for w in quirks.warnings)


def test_na_is_a_code_not_missing(quirks):
    assert "NA" in votes_of(quirks, 900002)
    assert votes_of(quirks, 900002)["SUN"] == "X"  # NV → non-voting


def test_rollcalls_and_float_totals(quirks):
    rows = {r["rollcall_id"]: r for r in quirks.rollcalls.to_pylist()}
    es = rows[900001]
    assert (es["counted_yes"], es["counted_no"], es["counted_abstain"], es["counted_non_voting"]) == (2, 1, 1, 2)
    assert (es["total_yes"], es["total_ms"], es["members"]) == (2, 6, 6)
    assert es["resolution"] == "A/RES/ES-11/1" and str(es["date"]) == "2022-03-02"
    assert es["source"] == "undl-csv" and es["kind"] == "resolution"


def test_total_mismatch_reported(quirks):
    # record 900002 publishes no "no" votes, but its GER row says "n": counted 1 vs published 0
    bad = {m["resolution"]: m for m in quirks.total_mismatches}
    assert list(bad) == ["A/RES/620(VII)[A]"]
    assert bad["A/RES/620(VII)[A]"]["published_vs_counted"] == {"total_no": [0, 1]}


def test_gzipped_copy_reads_the_same(tmp_path, quirks):
    gz = tmp_path / "copy.csv.gz"
    with open(FIXTURES / "ga_quirks.csv", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert undl_csv.read(gz).votes.equals(quirks.votes)


def test_html_instead_of_csv(tmp_path):
    page = tmp_path / "download.csv"
    page.write_text("<!DOCTYPE html><html><body>Please verify you are human</body></html>")
    with pytest.raises(DataFormatError, match="HTML page"):
        undl_csv.read(page)


def test_wrong_columns(tmp_path):
    bad = tmp_path / "other.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DataFormatError, match="missing column"):
        undl_csv.read(bad)


def test_duplicate_member_in_record(tmp_path):
    lines = (FIXTURES / "ga_quirks.csv").read_text().splitlines()
    dup = tmp_path / "dup.csv"
    dup.write_text("\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(DataFormatError, match="listed twice"):
        undl_csv.read(dup)


def test_real_file(shared_data):
    ingest = undl_csv.read(shared_data / "undl" / "ga_voting.csv.gz")
    assert ingest.votes.num_rows == 917_187
    assert ingest.rollcalls.num_rows == 5_538
    counts = {c["values"]: c["counts"] for c in pc.value_counts(ingest.votes["vote"]).to_pylist()}
    # the README's raw counts, with the 47 lower-case letters folded in and AN kept
    assert counts == {"Y": 686_635 + 9, "N": 45_488 + 1, "A": 99_110 + 37, "X": 85_906, "AN": 1}
    assert ingest.unknown_codes == {"AN": 1}
    # the reconstructed totals were counted from the breakdown; only the AN record disagrees with itself
    assert [m["resolution"] for m in ingest.total_mismatches] == []
