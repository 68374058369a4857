"""Hostile files and servers against the sources layer: every one refused early, as one line with
exit 6 (a bad setting: exit 2), leaving nothing behind.

Bombs are generated in tmp_path (multi-member gzip: one compressed block written many times, so a
4 GiB bomb takes milliseconds to make); the CLI runs in-process. That each stays within bounded
memory is measured, not assumed, by `make bench` (bench/bench_limits.py: each input's peak RSS in a
child of its own, against the 300 MB bound), not timed here.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from cli_runner import invoke
from fake_undl import GA_HEADER, undl  # noqa: F401  (undl is a fixture)

from unvote.core.errors import DataFormatError, UsageError
from unvote.sources import limits, undl_csv

ROOT = Path(__file__).resolve().parents[1]
MiB = 1 << 20


def run_cli(*args, env=None):
    """(exit code, stderr lines) of ``unvote *args``, run in-process."""
    out = invoke(*args, env=env)
    return out.returncode, [ln for ln in out.stderr.splitlines() if ln.strip()]


def row(rid: int, code: str = "USA", title: str = "A title") -> str:
    return (f'{rid},{code},UNITED STATES,Y,2020-01-02,75,A/RES/75/{rid % 1000},A/75/L.1,,A/75/PV.1,'
            f'"{title}",Agenda,SUBJECT,,1.0,0.0,0.0,0.0,1.0,https://digitallibrary.un.org/record/{rid}\n')


def gzip_repeated(path: Path, head: bytes, block: bytes, times: int) -> int:
    """Write a multi-member gzip: ``head`` then ``block`` ``times`` times; returns its size."""
    member = gzip.compress(block, mtime=0)
    with open(path, "wb") as out:
        out.write(gzip.compress(head, mtime=0))
        for _ in range(times):
            out.write(member)
    return path.stat().st_size


def assert_refused(code, lines, *words):
    assert code == 6, lines
    assert len(lines) == 1, lines  # one line, no traceback
    for word in words:
        assert word in lines[0], lines
    assert "internal error" not in lines[0]


def assert_nothing_stored(store: Path):
    assert not list(store.rglob("*.parquet")), "a refused file must not change the store"
    assert not list(store.rglob("*.part"))


# ---- CSV: line / field length -----------------------------------------------------------------
def test_a_10_mb_header_line_is_refused_in_one_line(tmp_path, isolated_store):
    bad = tmp_path / "header.csv"
    bad.write_bytes(b"undl_id," + b"x" * (10 * MiB) + b"\n1\n")
    code, lines = run_cli("fetch", "--file", str(bad))
    assert_refused(code, lines, "header line is longer than 1,048,576 bytes", "UNVOTE_MAX_FIELD_BYTES")
    assert "field larger than field limit" not in lines[0]
    assert_nothing_stored(isolated_store)


def test_a_10_mb_field_is_refused(tmp_path, isolated_store):
    bad = tmp_path / "field.csv.gz"
    bad.write_bytes(gzip.compress((GA_HEADER + "\n" + row(1) + row(2, title="t" * (10 * MiB))).encode()))
    code, lines = run_cli("fetch", "--file", str(bad))
    assert_refused(code, lines, "a line longer than 1,048,576 bytes", "UNVOTE_MAX_FIELD_BYTES")
    assert_nothing_stored(isolated_store)


def test_the_field_limit_follows_its_environment_override(tmp_path, monkeypatch):
    ok = tmp_path / "ok.csv"
    ok.write_text(GA_HEADER + "\n" + row(1) + row(2, title="t" * 500))
    assert undl_csv.read(ok).votes.num_rows == 2  # under the default
    monkeypatch.setenv("UNVOTE_MAX_FIELD_BYTES", "400")
    with pytest.raises(DataFormatError, match="a line longer than 400 bytes"):
        undl_csv.read(ok)


# ---- CSV: decompressed size and compression ratio ----------------------------------------------
def test_a_gzip_of_4_gb_of_zeros_is_refused_early(tmp_path, isolated_store):
    bomb = tmp_path / "zeros.csv.gz"
    size = gzip_repeated(bomb, b"", b"\0" * MiB, 4096)  # 4 GiB of zeros
    assert size < 5 * MiB
    code, lines = run_cli("fetch", "--file", str(bomb))
    assert_refused(code, lines, "refused", str(bomb))
    assert_nothing_stored(isolated_store)


def test_a_gzip_expanding_to_2_gb_of_valid_rows_is_refused_early(tmp_path, isolated_store):
    unit = "".join(row(rid, code) for rid in (1, 2) for code in ("USA", "FRA", "CHN")).encode()
    block = unit * (MiB // len(unit))  # ~1 MB of valid-looking rows
    times = (2 << 30) // len(block)
    bomb = tmp_path / "rows.csv.gz"
    size = gzip_repeated(bomb, (GA_HEADER + "\n").encode(), block, times)
    assert size < 12 * MiB and len(block) * times >= 1.9 * (1 << 30)
    code, lines = run_cli("fetch", "--file", str(bomb))
    assert_refused(code, lines, "is a gzip that expands more than 100:1", "UNVOTE_MAX_RATIO")
    assert_nothing_stored(isolated_store)


def test_decompressed_size_cap_and_its_override(tmp_path, monkeypatch):
    data = (GA_HEADER + "\n" + "".join(row(rid) for rid in range(1, 200))).encode()
    (tmp_path / "f.csv.gz").write_bytes(gzip.compress(data))
    (tmp_path / "f.csv").write_bytes(data)
    assert undl_csv.read(tmp_path / "f.csv.gz").rollcalls.num_rows == 199
    monkeypatch.setenv("UNVOTE_MAX_CSV_BYTES", str(len(data) - 1))
    with pytest.raises(DataFormatError, match=f"expands to more than {len(data) - 1:,} bytes"):
        undl_csv.read(tmp_path / "f.csv.gz")
    with pytest.raises(DataFormatError, match=f"is {len(data):,} bytes, more than any voting CSV"):
        undl_csv.read(tmp_path / "f.csv")


def test_a_small_gzip_may_expand_a_lot_below_the_ratio_floor(tmp_path):
    """A few identical-looking rows compress far beyond 100:1; below 16 MiB that is not judged."""
    data = (GA_HEADER + "\n" + "".join(row(rid, title="same " * 100) for rid in range(1, 3000))).encode()
    (tmp_path / "f.csv.gz").write_bytes(gzip.compress(data, 9))
    assert len(data) / (tmp_path / "f.csv.gz").stat().st_size > 50
    assert undl_csv.read(tmp_path / "f.csv.gz").rollcalls.num_rows == 2999


def test_a_2_gb_sparse_file_is_refused_without_reading_it(tmp_path, isolated_store):
    sparse = tmp_path / "sparse.csv"
    with open(sparse, "wb") as fh:
        fh.truncate(2 << 30)
    code, lines = run_cli("fetch", "--file", str(sparse))
    assert_refused(code, lines, "is 2,147,483,648 bytes, more than any voting CSV", "UNVOTE_MAX_CSV_BYTES")
    # and with the size cap lifted, the line cap still stops it after the first MiB
    code, lines = run_cli("fetch", "--file", str(sparse), env={"UNVOTE_MAX_CSV_BYTES": str(3 << 30)})
    assert code == 6 and len(lines) == 1 and "longer than 1,048,576 bytes" in lines[0], lines
    assert_nothing_stored(isolated_store)


@pytest.mark.parametrize("var,value", [
    ("UNVOTE_MAX_CSV_BYTES", "abc"), ("UNVOTE_MAX_CSV_BYTES", "-1"), ("UNVOTE_MAX_RATIO", "nan"),
    ("UNVOTE_MAX_RATIO", "inf"), ("UNVOTE_MAX_FIELD_BYTES", "0"), ("UNVOTE_MAX_FIELD_BYTES", "1.5"),
    ("UNVOTE_MAX_DOWNLOAD_BYTES", "lots"), ("UNVOTE_HTTP_DEADLINE", "-5"), ("UNVOTE_MAX_PAGE_BYTES", "1e99"),
])
def test_bad_limit_settings_are_usage_errors_naming_the_variable(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(UsageError) as err:
        limits.check_env()
    message = str(err.value)
    assert message.startswith(f"{var}={value!r} is not valid: it takes") and "\n" not in message


def test_bad_limit_setting_from_the_cli_is_exit_2(tmp_path):
    ok = tmp_path / "ok.csv"
    ok.write_text(GA_HEADER + "\n" + row(1))
    code, lines = run_cli("fetch", "--file", str(ok), env={"UNVOTE_MAX_RATIO": "lots"})
    assert code == 2 and len(lines) == 1, lines
    assert "UNVOTE_MAX_RATIO='lots' is not valid: it takes a number greater than 0" in lines[0]


# ---- Voeten votes file with the wrong schema ---------------------------------------------------
@pytest.mark.parametrize("text,words", [
    ("rcid,ccode,session\n1,2,3\n", "no Voeten vote table (columns rcid, ccode, vote)"),  # no vote
    ("rcid,vote,date\n1,1,2000-01-01\n", "no Voeten vote table (columns rcid, ccode, vote)"),  # no ccode
    ("rcid,ccode,vote\n", "has the vote table's columns but no votes"),
    ("rcid,ccode,vote\n1,abc,1\n", "column ccode has a missing or non-numeric value ('abc')"),
    ("", "cannot read"),
])
def test_a_votes_file_with_the_wrong_schema_is_exit_6(tmp_path, isolated_store, text, words):
    bad = tmp_path / "votes.csv"
    bad.write_text(text)
    code, lines = run_cli("fetch", "--source", "voeten", "--file", str(bad))
    assert code == 6 and len(lines) == 1, lines
    assert words in lines[0] and "internal error" not in lines[0]
    assert_nothing_stored(isolated_store)


def test_a_minimal_votes_file_reads_with_missing_or_odd_sessions(tmp_path):
    """Only rcid, ccode and vote (no session, no date), or a session that is not a number: these
    used to raise TypeError / ValueError (exit 70); the votes are read as written."""
    from unvote.sources import voeten

    (tmp_path / "a.csv").write_text("rcid,ccode,vote\n1,2,1\n1,200,3\n2,2,2\n")
    got = voeten.read([tmp_path / "a.csv"])
    votes = sorted(zip(got.votes["rollcall_id"].to_pylist(), got.votes["ms_code"].to_pylist(),
                       got.votes["vote"].to_pylist()))
    assert votes == [(1, "GBR", "N"), (1, "USA", "Y"), (2, "USA", "A")]  # COW 2 = USA, 200 = UK
    (tmp_path / "b.csv").write_text("rcid,ccode,vote,session,unres\n1,2,1,x,R/1/1\n")
    got = voeten.read([tmp_path / "b.csv"])
    assert got.rollcalls["session"].to_pylist() == ["1"]  # from the symbol R/1/1
    assert got.rollcalls["resolution"].to_pylist() == ["A/RES/1(I)"]


# ---- UNDL pages: a real HTML parser, the same values as on the page -----------------------------
FIXTURES = Path(os.environ.get("UNVOTE_FIXTURES_RESEARCH", "/work/shared/fixtures-research"))


def research(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"research sample {name} not found at {FIXTURES}")
    return path


def votes_on_page(text: str) -> dict[str, str]:
    """The Vote list read straight off the page source: the one line that holds ``<br/> Y ALGERIA``,
    split at ``<br/>`` (the letter, or none for a state that did not vote)."""
    line = next(ln for ln in text.splitlines() if "<br/> Y ALGERIA" in ln)
    body = line.split("col-md-10'>", 1)[1].rsplit("</span>", 1)[0]
    out = {}
    for entry in body.split("<br/>"):
        entry = entry.strip()
        if entry:
            letter, _, name = entry.partition(" ")
            out[name if letter in ("Y", "N", "A") else entry] = letter if letter in ("Y", "N", "A") else ""
    return out


@pytest.mark.parametrize("name,rid,symbol,date,totals,meeting,draft,report,agenda,turkiye", [
    ("undl_html_record_4031242_A-RES-78-165.html", 4031242, "A/RES/78/165", "2023-12-19", (125, 50, 1, 17, 193),
     "A/78/PV.49", "A/C.2/78/L.30/Rev.1", "A/78/464/Add.2",
     ("Eradicating rural poverty to implement the 2030 Agenda for Sustainable Development", "RURAL POVERTY"), "A"),
    ("undl_html_record_4029442_A-RES-78-76.html", 4029442, "A/RES/78/76", "2023-12-07", (86, 12, 75, 20, 193),
     None, None, None, None, "Y"),
])
def test_record_pages_give_the_values_printed_on_them(name, rid, symbol, date, totals, meeting, draft, report,
                                                      agenda, turkiye):
    from unvote.sources.undl_records import parse_record_html

    text = research(name).read_text("utf-8")
    rec = parse_record_html(text, rid, "ga", name)
    assert rec.skipped is None and (rec.rid, rec.symbol, rec.date) == (rid, symbol, date)
    first = rec.rows[0]
    assert tuple(int(first[k]) for k in ("total_yes", "total_no", "total_abstentions", "total_non_voting",
                                        "total_ms")) == totals
    assert first["session"] == "78" and first["undl_link"].endswith(str(rid))
    if meeting:
        assert (first["meeting"], first["draft"], first["committee_report"]) == (meeting, draft, report)
        assert (first["agenda_title"], first["subjects"]) == agenda
        assert first["title"] == ("Eradicating rural poverty to implement the 2030 Agenda for Sustainable "
                                  "Development : resolution / adopted by the General Assembly")
    page = votes_on_page(text)
    got = {r["ms_name"]: r["ms_vote"] for r in rec.rows}
    assert got == page and len(got) == 193
    counted = [sum(v == letter for v in got.values()) for letter in ("Y", "N", "A", "")]
    assert tuple(counted) == totals[:4]  # the list agrees with the page's own summary
    assert got["TÜRKİYE"] == turkiye and got["UNITED STATES"] == "N" and got["ZIMBABWE"] == "Y"
    assert {r["ms_name"]: r["ms_code"] for r in rec.rows}["TÜRKİYE"] == "TUR"


def test_the_search_page_gives_every_hit_with_its_symbol_and_date():
    import re

    from unvote.sources.undl_records import parse_search_html

    text = research("undl_html_search_voting_data_rg50_page1.html").read_text("utf-8")
    hits, total = parse_search_html(text)
    assert total == 22819  # "<strong>22,819</strong> records found"
    ids = [int(x) for x in re.findall(r'unapi-id" title="(\d+)"', text)]
    assert [h.rid for h in hits] == ids and len(ids) == 50
    chunks = text.split('unapi-id" title="')[1:]
    for hit, chunk in zip(hits, chunks):
        voted = "Yes:" in chunk or "Total voting membership" in chunk
        assert (hit.skipped is None) == voted
        assert hit.symbol and hit.symbol in chunk and re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit.date)
        assert hit.date.replace("-", "") in chunk.replace("-", "") or hit.date in chunk
    assert sum(h.skipped is None for h in hits) == sum(("Yes:" in c or "Total voting membership" in c)
                                                       for c in chunks)


@pytest.mark.parametrize("name,rid,symbol,date,session,states,totals", [
    ("marcxml_third_party_trimmed_record_4025240_A-RES-ES-10-21.xml", 4025240, "A/RES/ES-10/21", "2023-10-27",
     "ES-10", [("ALB", "ALBANIA", "A"), ("BEN", "BENIN", "")], None),
    ("marcxml_third_party_trimmed_record_4096564_A-RES-80-214.xml", 4096564, "A/RES/80/214", "2025-12-18",
     "80", None, ("167", "2", "11", "13", "193")),
])
def test_marcxml_samples_stream_to_the_values_in_them(name, rid, symbol, date, session, states, totals):
    from unvote.sources.undl_records import parse_marcxml

    data = research(name).read_bytes()
    (rec,) = parse_marcxml(data, "ga", name)
    assert (rec.rid, rec.symbol, rec.date, rec.skipped) == (rid, symbol, date, None)
    assert {r["session"] for r in rec.rows} == {session}
    if states:
        assert [(r["ms_code"], r["ms_name"], r["ms_vote"]) for r in rec.rows] == states
    if totals:
        assert tuple(rec.rows[0][k] for k in ("total_yes", "total_no", "total_abstentions", "total_non_voting",
                                              "total_ms")) == totals
        assert len(rec.rows) == data.count(b'tag="967"')


def test_a_crafted_560_kb_record_page_is_parsed():
    """Unclosed metadata rows made the old regex quadratic (22 s); an HTML parser is linear (its
    time on these pages, under a second, is measured by `make bench`: bench/bench_limits.py)."""
    from unvote.sources.undl_records import parse_record_html, parse_search_html

    crafted = "<html><body>" + "<div class='metadata-row'><span class='title x'>Vote" * 12_000
    assert 500_000 < len(crafted) < 700_000
    with pytest.raises(DataFormatError, match="no voting-record fields"):
        parse_record_html(crafted, 1, "ga")
    crafted = "<html><body><abbr class='unapi-id' title='1'></abbr>" + "<i class='fa fa-globe'></i>" * 20_000
    hits, _ = parse_search_html(crafted)
    assert [h.rid for h in hits] == [1] and hits[0].skipped


@pytest.mark.parametrize("xml,words", [
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
     b"<collection>&lol2;</collection>", "refused unsafe XML"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><collection>&xxe;</collection>',
     "refused unsafe XML"),
    (b"<collection><record>", "not well-formed XML"),
    (b"<html><body>hi</body></html>", "expected a MARCXML <collection>, got <html>"),
])
def test_billion_laughs_xxe_and_broken_xml_stay_refused(xml, words):
    from unvote.sources.undl_records import parse_marcxml

    with pytest.raises(DataFormatError, match=words):
        parse_marcxml(xml, "ga")


def test_an_endless_search_answer_is_cut_off(undl):
    """Refused once the page passes its byte limit (that memory stays bounded meanwhile is measured
    by `make bench`: bench/bench_limits.py)."""
    import datetime as dt

    from fake_undl import Fault

    from unvote.core.errors import FetchError
    from unvote.sources import http, undl_records

    undl.fault("/search", Fault("endless"))
    with http.session() as client, pytest.raises(FetchError) as err:
        undl_records.harvest(client, "ga", undl.url, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert type(err.value) is FetchError and err.value.exit_code == 6
    assert "sent more than 33,554,432 bytes" in str(err.value) and "UNVOTE_MAX_PAGE_BYTES" in str(err.value)


# ---- docs/limits.md lists every limit and HTTP setting with its real default --------------------
def test_docs_limits_lists_every_limit_and_setting_with_its_default():
    from unvote.sources import http

    doc = (ROOT / "docs" / "limits.md").read_text("utf-8")
    rows = {line.split("|")[3].strip(" `"): line for line in doc.splitlines() if line.startswith("| ") and
            line.count("|") >= 5}
    for var, default in limits.DEFAULTS.values():
        assert var in rows, f"docs/limits.md has no row for {var}"
        shown = f"{default:,}" if isinstance(default, int) else f"{default:g}"
        assert shown in rows[var], f"{var}: default {shown} not in its row"
    policy = http.Policy()
    for name, (var, _, takes, _, _) in http.SETTINGS.items():
        assert var in rows and takes in rows[var], var
        assert f"{getattr(policy, name):g}" in rows[var], var
    assert "UNVOTE_HTTP_TIMEOUT" in rows and http.TIMEOUT_TAKES.split(":")[0] in rows["UNVOTE_HTTP_TIMEOUT"]
