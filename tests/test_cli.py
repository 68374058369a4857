"""The command line as a user meets it: exit codes, stdout (data) and stderr (talk) apart."""

import csv
import io
import json
import os
import sys

import pytest
from cli_runner import invoke, run


def test_tally_piped_is_csv(ga_store):
    out = invoke("tally", "ES-11/1")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0])[:9] == ["resolution", "date", "yes", "no", "abstain", "non_voting", "voting",
                                 "members", "title"]
    assert [rows[0][k] for k in ("yes", "no", "abstain", "non_voting", "voting", "members")] == \
        ["141", "5", "35", "12", "181", "193"]
    assert out.stderr == ""


def test_tally_table(ga_store):
    out = invoke("tally", "A/RES/ES-11/1", "--format", "table")
    assert out.returncode == 0
    assert "Yes 141" in out.stdout and "181 voted of 193 members" in out.stdout
    assert "No (5):" in out.stdout and "Russian Federation" in out.stdout
    assert "Did not vote (12):" in out.stdout


def test_tally_json(ga_store):
    data = json.loads(invoke("tally", "es-11/1", "-f", "json").stdout)
    assert data[0]["yes"] == 141 and data[0]["date"] == "2022-03-02"


def test_tally_countries_csv(ga_store):
    out = invoke("tally", "ES-11/1", "--countries")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 193
    by = {r["country"]: r for r in rows}
    assert by["KHM"]["vote"] == "Y" and by["KHM"]["name"] == "Cambodia"
    assert by["RUS"]["vote"] == "N" and by["NAM"]["vote"] == "A"
    assert set(r["vote"] for r in rows) == {"Y", "N", "A", "X"}


def test_csv_bom_and_pandas_roundtrip(ga_store):
    import pandas as pd

    out = invoke("tally", "ES-11/1", "--countries", "--bom")
    assert out.stdout.startswith("\ufeff")
    frame = pd.read_csv(io.StringIO(out.stdout.lstrip("\ufeff")), keep_default_na=False)
    assert (frame["vote"] == "A").sum() == 35


def test_align_csv(ga_store):
    out = invoke("align", "KHM", "RUS", "--format", "csv", "--since", "2022", "--until", "2022")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["period", "n", "same", "partial", "opposite", "absent", "score"]
    assert rows[0]["period"] == "2022" and rows[0]["n"] == "89"


def test_align_table_has_pooled_row_and_sparkline(ga_store):
    out = invoke("align", "Cambodia", "Russia", "--format", "table", "--since", "2019")
    assert out.returncode == 0
    assert "KHM (Cambodia) vs RUS (Russian Federation)" in out.stdout
    assert "│ all" in out.stdout and "score " in out.stdout


@pytest.mark.system  # a real process (tests/cli_runner.run)
def test_pipe_to_head_is_quiet(ga_store):
    """A reader that goes away (``| head -1``) after ~1 MB: exit 0, nothing on stderr. The output must
    overflow the pipe's buffer (64 KB) for the write to fail at all, and the child must buffer as
    usual (PYTHONUNBUFFERED unset), so the failure also comes at exit's final flush."""
    # France: a seat with one holder throughout, so no note: on stderr either
    full = run("votes", "FRA", "--since", "1946", "--format", "csv", env={"PYTHONUNBUFFERED": None})
    assert full.returncode == 0 and len(full.stdout.encode()) > 1_000_000  # ≈ 1 MB offered to the pipe
    out = run(shell=f"{sys.executable} -m unvote votes FRA --since 1946 --format csv | head -1",
              env={"PYTHONUNBUFFERED": None})
    assert out.stdout == full.stdout.splitlines(keepends=True)[0]
    assert out.stderr == "" and out.returncode == 0  # pipefail: unvote's own exit code


@pytest.mark.parametrize("args,code,message", [
    (("align", "Cambodja", "RUS"), 3, "unknown country 'Cambodja' — did you mean KHM (Cambodia)?"),
    (("tally", "35/206"), 3, "matches 15 roll calls"),
    (("tally", "68/26"), 3, "did you mean A/RES/68/262"),
    (("align", "KHM", "RUS", "--since", "yesterday"), 2, "not a year or date"),
    (("align", "KHM", "RUS", "--metric", "cosine"), 2, "unknown metric"),
])
def test_errors_are_one_line(ga_store, args, code, message):
    out = invoke(*args)
    assert out.returncode == code
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1 and message in out.stderr
    assert "Traceback" not in out.stderr


def test_no_data_yet_says_fetch():
    out = invoke("tally", "ES-11/1")
    assert out.returncode == 4 and "run: unvote fetch" in out.stderr and out.stdout == ""


def test_debug_shows_traceback():
    out = invoke("--debug", "tally", "ES-11/1")
    assert out.returncode == 4 and "Traceback" in out.stderr


def test_bad_format_is_a_usage_error(ga_store):
    out = invoke("tally", "ES-11/1", "--format", "xml")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1  # one line, not Click's usage block
    assert out.stderr.startswith("unvote: error: --format 'xml' is not one of auto, table, csv, tsv, json")


def test_fetch_file_then_info(tmp_path):
    fixture = os.path.join(os.path.dirname(__file__), "fixtures", "ga_quirks.csv")
    out = invoke("fetch", "--file", fixture)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    assert "stored 2 roll calls, 10 votes" in out.stderr and "'AN' ×1" in out.stderr
    info = json.loads(invoke("info", "--format", "json").stdout)
    assert info[0]["dataset"] == "ga" and info[0]["records"] == 2 and info[0]["file"] == "ga_quirks.csv"
    assert len(info[0]["sha256"]) == 64


def test_fetch_missing_file():
    out = invoke("fetch", "--file", "/nonexistent/ga.csv")
    assert out.returncode == 2 and "no such file" in out.stderr


def test_fetch_offline_tells_how_to_download_by_hand():
    out = invoke("fetch", env={"UNVOTE_UNDL_URL": "http://127.0.0.1:9",  # nothing listens on port 9
                            "UNVOTE_HTTP_BACKOFF": "0", "UNVOTE_HTTP_DELAY": "0"})  # no real backoff
    assert out.returncode == 6
    assert "could not reach" in out.stderr and "unvote fetch --file PATH" in out.stderr
    assert "/record/4060887" in out.stderr and out.stderr.count("\n") == 1


def test_help_lists_commands():
    out = invoke("--help")
    for command in ("fetch", "info", "tally", "align"):
        assert command in out.stdout
