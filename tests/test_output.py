"""Output files and formats: -o with the format from the extension, atomic writes, UTF-8 whatever
the locale, the CSV formula guard, xlsx (typed cells, provenance, the row limit), streaming NDJSON."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from cli_runner import invoke, run

HEADER = ("undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,title,"
          "agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,total_non_voting,total_ms,undl_link")
EVIL_TITLE = '=HYPERLINK("http://evil.example","click") [/bold] \x1b]0;pwned\x07'
DOC = (Path(__file__).resolve().parents[1] / "docs" / "output.md").read_text("utf-8")
VOTERS = [("KHM", "CAMBODIA", "Y"), ("CIV", "CÔTE D'IVOIRE", "Y"), ("TUR", "TÜRKİYE", "A"),
          ("NAM", "NAMIBIA", "N"), ("RUS", "RUSSIAN FEDERATION", "N")]


def write_hostile_csv(path: Path) -> Path:
    """A one-roll-call UNDL bulk file whose title starts with "=" and carries markup and an OSC
    sequence, and whose meeting carries markup; five voters including Côte d'Ivoire and Türkiye."""
    header = HEADER.split(",")
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for code, name, vote in VOTERS:
            row = dict(undl_id="900101", ms_code=code, ms_name=name, ms_vote=vote, date="2023-05-04", session="77",
                       resolution="A/RES/77/999", draft="", committee_report="", meeting="[/] A/77/PV.1",
                       title=EVIL_TITLE, agenda_title="", subjects="", vote_note="", total_yes="2.0",
                       total_no="2.0", total_abstentions="1.0", total_non_voting="0.0", total_ms="5.0",
                       undl_link="https://digitallibrary.un.org/record/900101")
            w.writerow([row[h] for h in header])
    return path


@pytest.fixture
def hostile_store(tmp_path, isolated_store):
    path = write_hostile_csv(tmp_path / "hostile.csv")
    out = invoke("fetch", "--file", str(path), binary=True)
    assert out.returncode == 0, out.stderr
    return isolated_store


# --- formats and files -------------------------------------------------------------------------

def test_output_file_format_from_extension(ga_store, tmp_path):
    import openpyxl
    import pyarrow.parquet as pq

    for ext in ("csv", "tsv", "json", "ndjson", "xlsx", "parquet"):
        out = invoke("tally", "ES-11/1", "-o", str(tmp_path / f"t.{ext}"), binary=True)
        assert out.returncode == 0 and out.stdout == b"", out.stderr
    rows = {
        "csv": list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text("utf-8")))),
        "tsv": list(csv.DictReader(io.StringIO((tmp_path / "t.tsv").read_text("utf-8")), delimiter="\t")),
        "json": json.loads((tmp_path / "t.json").read_text("utf-8")),
        "ndjson": [json.loads(line) for line in (tmp_path / "t.ndjson").read_text("utf-8").splitlines()],
        "parquet": pq.read_table(tmp_path / "t.parquet").to_pylist(),
    }
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["data"]
    head = [c.value for c in sheet[1]]
    rows["xlsx"] = [dict(zip(head, [c.value for c in r])) for r in sheet.iter_rows(min_row=2)]
    for name, got in rows.items():
        assert len(got) == 1, name
        r = got[0]
        assert [int(r[k]) for k in ("yes", "no", "abstain", "non_voting", "members")] == [141, 5, 35, 12, 193], name
    # numbers stay numbers in JSON, NDJSON, Parquet and xlsx; the date is a date in Parquet and xlsx
    for name in ("json", "ndjson", "parquet", "xlsx"):
        assert isinstance(rows[name][0]["yes"], int), name
    assert rows["parquet"][0]["date"] == dt.date(2022, 3, 2)
    assert rows["xlsx"][0]["date"] == dt.datetime(2022, 3, 2)
    assert rows["json"][0]["date"] == rows["csv"][0]["date"] == "2022-03-02"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"t.{e}" for e in sorted(
        ("csv", "tsv", "json", "ndjson", "xlsx", "parquet"))]  # no temporary files left behind


def test_format_flag_wins_over_extension(ga_store, tmp_path):
    out = invoke("tally", "ES-11/1", "-o", str(tmp_path / "t.txt"), "--format", "json", binary=True)
    assert out.returncode == 0
    assert json.loads((tmp_path / "t.txt").read_text("utf-8"))[0]["yes"] == 141
    out = invoke("tally", "ES-11/1", "-o", str(tmp_path / "t.csv"), "--format", "tsv", binary=True)
    assert (tmp_path / "t.csv").read_text("utf-8").startswith("resolution\tdate\t")


@pytest.mark.parametrize("args, message", [
    (["-o", "t.txt"], "cannot tell the format"),
    (["-o", "no/such/folder/t.csv"], "cannot write"),
    (["--format", "xml"], "--format"),
    (["-o", "t.csv", "--format", "table"], "terminal"),
])
def test_output_usage_errors_are_one_line(ga_store, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)  # -o paths are relative to where the command runs
    out = invoke("tally", "ES-11/1", *args, binary=True)
    err = out.stderr
    assert out.returncode == 2 and message in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_binary_to_a_terminal_is_refused():
    import pyarrow as pa

    from unvote.core.errors import UsageError
    from unvote.output.render import emit

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for fmt in ("xlsx", "parquet"):
        with pytest.raises(UsageError, match=f"-o results.{fmt}"):
            emit(pa.table({"x": [1]}), fmt, stream=Terminal())


def test_binary_to_a_pipe_is_written(ga_store):
    import openpyxl
    import pyarrow.parquet as pq

    out = invoke("tally", "ES-11/1", "--countries", "--format", "parquet", binary=True)
    assert out.returncode == 0 and pq.read_table(io.BytesIO(out.stdout)).num_rows == 193
    out = invoke("tally", "ES-11/1", "--format", "xlsx", binary=True)
    assert out.returncode == 0 and openpyxl.load_workbook(io.BytesIO(out.stdout))["data"]["C2"].value == 141


def test_a_failed_write_keeps_the_old_file(tmp_path):
    import pyarrow as pa

    from unvote.output.render import emit

    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def batches():
        yield pa.table({"x": [1, 2]})
        raise RuntimeError("the computation failed half-way")

    with pytest.raises(RuntimeError):
        emit(batches(), "auto", output=target)
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    emit(pa.table({"x": [1, 2]}), "auto", output=target)
    assert target.read_text() == "x\n1\n2\n"
    assert oct(target.stat().st_mode & 0o777) != "0o600"  # an ordinary file, not mkstemp's private mode


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.system  # a real process (tests/cli_runner.run)
@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "cp1252"},
                                 {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}])
def test_utf8_whatever_the_locale(ga_store, env):
    out = run("tally", "ES-11/1", "--countries", "--bom", env=env, binary=True)
    assert out.returncode == 0, out.stderr  # was 70 (UnicodeEncodeError)
    assert out.stdout.startswith(b"\xef\xbb\xbf")
    text = out.stdout.decode("utf-8")  # valid UTF-8
    assert "Côte d'Ivoire" in text and "Türkiye" in text
    for fmt in ("json", "ndjson", "tsv"):
        out = run("tally", "ES-11/1", "--countries", "--format", fmt, env=env, binary=True)
        assert out.returncode == 0 and "Côte d'Ivoire" in out.stdout.decode("utf-8")
    out = run("tally", "ES-11/1", "--format", "table", env=env, binary=True)  # a view on a cp1252 stdout: no crash
    assert out.returncode == 0 and b"141" in out.stdout


def test_bom_on_any_output(ga_store, tmp_path):
    invoke("tally", "ES-11/1", "--bom", "-o", str(tmp_path / "t.csv"), binary=True)
    invoke("tally", "ES-11/1", "--bom", "-o", str(tmp_path / "t.tsv"), binary=True)
    for name in ("t.csv", "t.tsv"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbfresolution") and data.count(b"\xef\xbb\xbf") == 1


# --- the formula guard -------------------------------------------------------------------------

def test_formula_guard_in_csv_only():
    import pyarrow as pa
    import pyarrow.parquet as pq

    from unvote.output.render import emit

    texts = ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "safe", "a=b", None, "-"]
    table = pa.table({"t": texts, "n": [-1, 2, -3, 4, 5, 6, 7, 8, None, 10], "f": [-0.5] * 10})

    def raw(fmt, **kw) -> bytes:
        out = io.BytesIO()
        stdout = io.TextIOWrapper(out, encoding="utf-8")  # like sys.stdout: text with a binary buffer
        emit(table, fmt, stream=stdout, **kw)
        stdout.detach()
        return out.getvalue()

    def text(fmt, **kw) -> str:
        return raw(fmt, **kw).decode("utf-8")

    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        got = list(csv.reader(io.StringIO(text(fmt)), delimiter=delimiter))[1:]
        assert [r[0] for r in got] == ["'" + t for t in texts[:6]] + ["safe", "a=b", "", "-"]  # a lone "-" is no formula
        assert [r[1] for r in got] == ["-1", "2", "-3", "4", "5", "6", "7", "8", "", "10"]  # numbers untouched
        assert {r[2] for r in got} == {"-0.5"}
        off = list(csv.reader(io.StringIO(text(fmt, formula_guard=False)), delimiter=delimiter))[1:]
        assert [r[0] for r in off] == [t or "" for t in texts]
    assert [r["t"] for r in json.loads(text("json"))] == texts
    assert [json.loads(line)["t"] for line in text("ndjson").splitlines()] == texts
    assert pq.read_table(io.BytesIO(raw("parquet"))).column("t").to_pylist() == texts


def test_formula_guard_from_the_command_line(hostile_store):
    title = next(csv.DictReader(io.StringIO(invoke("tally", "77/999", binary=True).stdout.decode())))["title"]
    assert title == "'" + EVIL_TITLE  # the data is otherwise exact (even the OSC sequence)
    title = next(csv.DictReader(io.StringIO(invoke("tally", "77/999", "--no-formula-guard", binary=True).stdout.decode())))["title"]
    assert title == EVIL_TITLE
    assert json.loads(invoke("tally", "77/999", "--format", "json", binary=True).stdout)[0]["title"] == EVIL_TITLE


def test_hostile_title_in_the_terminal_view(hostile_store):
    out = invoke("tally", "77/999", "--format", "table", binary=True)
    assert out.returncode == 0, out.stderr  # was 70 (MarkupError)
    assert b"\x1b]0;" not in out.stdout and b"\x07" not in out.stdout
    assert b"[/bold]" in out.stdout and b"[/] A/77/PV.1" in out.stdout


# --- xlsx --------------------------------------------------------------------------------------

def test_xlsx_layout_and_provenance(ga_store, shared_data, tmp_path):
    import openpyxl

    path = tmp_path / "kr.xlsx"
    out = invoke("align", "KHM", "RUS", "--since", "2022", "--metric", "kappa", "-o", str(path), binary=True)
    assert out.returncode == 0, out.stderr
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["data", "provenance"]
    sheet = book["data"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert all(c.font.bold for c in sheet[1])
    head = [c.value for c in sheet[1]]
    first = dict(zip(head, [c.value for c in sheet[2]]))
    assert first["period"] == 2022 and first["n"] == 89 and isinstance(first["score"], float)
    # scores show three decimals (the cell keeps the exact value); counts and years stay General
    assert sheet.cell(row=2, column=head.index("score") + 1).number_format == "0.000"
    assert sheet.cell(row=2, column=head.index("period") + 1).number_format == "General"
    assert sheet.column_dimensions["A"].width >= len("period")
    facts = {r[0].value: r[1].value for r in book["provenance"].iter_rows(min_row=2)}
    # the sha256 of the file the store was built from, computed here independently
    digest = hashlib.sha256((shared_data / "undl" / "ga_voting.csv.gz").read_bytes()).hexdigest()
    assert facts["ga sha256"] == digest and facts["ga file"] == "ga_voting.csv.gz"
    assert facts["ga fetched_at"] and facts["ga source"].startswith("UN Digital Library")
    assert facts["metric"] == "kappa" and "p_e" in facts["metric definition"]
    assert facts["command"].startswith("unvote align KHM RUS") and facts["unvote version"]


def test_xlsx_text_is_never_a_formula(hostile_store, tmp_path):
    import openpyxl

    path = tmp_path / "h.xlsx"
    assert invoke("tally", "77/999", "-o", str(path), binary=True).returncode == 0
    sheet = openpyxl.load_workbook(path)["data"]
    head = [c.value for c in sheet[1]]
    title = sheet.cell(row=2, column=head.index("title") + 1)
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK")  # text, exactly, no guard needed


def test_xlsx_row_limit():
    import pyarrow as pa

    from unvote.core.errors import UsageError
    from unvote.output.xlsx import check_fits

    check_fits(pa.table({"x": pa.nulls(1_048_575)}))  # a full sheet under its header
    with pytest.raises(UsageError, match="csv or parquet"):
        check_fits(pa.table({"x": pa.nulls(1_048_576)}))


def test_xlsx_of_too_many_rows_is_a_clear_error(ga_store, tmp_path):
    out = invoke("matrix", "--by", "year", "--since", "1990", "-o", str(tmp_path / "m.xlsx"), binary=True)
    err = out.stderr
    assert out.returncode == 2 and "do not fit in a spreadsheet" in err and "csv" in err
    assert list(tmp_path.iterdir()) == []
    # docs/output.md shows the same message (for the whole span)
    documented = re.search(r"unvote: error: [\d,]+ rows do not fit.*", DOC).group(0)
    assert re.sub(r"^unvote: error: [\d,]+", "", err.strip()) == re.sub(r"^unvote: error: [\d,]+", "", documented)


# --- JSON details and streaming ----------------------------------------------------------------

def test_json_numbers_and_missing_scores(ga_store):
    rows = json.loads(invoke("align", "KHM", "RUS", "--until", "1960", "--format", "json", binary=True).stdout)
    by_period = {r["period"]: r for r in rows}
    assert by_period[1955]["score"] is None  # no shared vote: null, not NaN
    assert by_period[1956]["score"] == 0.625 and by_period[1956]["n"] == 24


def test_ideal_json_period_is_a_number(ga_store):
    rows = json.loads(invoke("ideal", "--year", "2019", "--format", "json", binary=True).stdout)
    assert {r["period"] for r in rows} == {2019}
    first = next(csv.DictReader(io.StringIO(invoke("ideal", "--year", "2019", binary=True).stdout.decode())))
    assert first["period"] == "2019"


class _RowCounter(io.RawIOBase):
    """A binary sink that counts the rows written so far: each row holds the marker once."""

    MARKER = b"KHM"

    def __init__(self):
        self.rows, self._tail = 0, b""

    def writable(self):
        return True

    def write(self, data):
        chunk = self._tail + bytes(data)
        self.rows += chunk.count(self.MARKER)
        self._tail = chunk[-(len(self.MARKER) - 1):] if not chunk.endswith(self.MARKER) else b""
        return len(data)


@pytest.mark.parametrize("fmt", ["ndjson", "json", "csv"])
def test_text_formats_stream(fmt):
    """emit writes each batch out before it pulls the next from a generator, so it holds a batch,
    never the data: at most one batch is pulled and unwritten at any time.
    (Its peak RSS on 2 million rows is measured by `make bench`: bench/bench_limits.py.)"""
    import pyarrow as pa

    from unvote.output.render import BATCH_ROWS, emit

    sink = _RowCounter()
    pulled, most_unwritten, n, batches_of = 0, 0, 5_000, 6
    assert n <= BATCH_ROWS

    def batches():
        nonlocal pulled, most_unwritten
        for i in range(batches_of):
            most_unwritten = max(most_unwritten, pulled - sink.rows)
            pulled += n
            yield pa.table({"period": pa.array([str(1946 + i)] * n), "a": pa.array(["KHM"] * n),
                            "n": pa.array(range(n), pa.int64()), "score": pa.array([0.5] * n)})

    stream = io.TextIOWrapper(sink, encoding="utf-8", write_through=True)
    emit(batches(), fmt, stream=stream)
    stream.flush()
    assert sink.rows == pulled == n * batches_of  # every row written exactly once
    assert most_unwritten <= n, f"{fmt}: {most_unwritten:,} rows pulled but not yet written"


# --- docs/output.md ----------------------------------------------------------------------------


def test_docs_list_every_format_and_extension():
    from unvote.output.render import EXTENSIONS, FORMATS

    for fmt in FORMATS:
        assert f"| `{fmt}`" in DOC, fmt
    for ext in EXTENSIONS:
        assert f"`{ext}`" in DOC, ext


def test_docs_pandas_snippet_runs(ga_store, tmp_path):
    """The docs' pandas snippet, run verbatim on a CSV unvote writes (Namibia's "NA" survives)."""
    import re

    path = tmp_path / "votes.csv"
    assert invoke("tally", "ES-11/1", "--countries", "-o", str(path), binary=True).returncode == 0
    code = re.search(r"```python\n(.*?)```", DOC, re.S).group(1)
    scope = {"path": str(path)}
    exec(compile(code, "docs/output.md", "exec"), scope)
    votes = scope["votes"]
    assert len(votes) == 193 and votes.loc[votes["country"] == "NAM", "name"].item() == "Namibia"
    # the reason for keep_default_na=False: a text "NA" (Namibia's ISO2 code) written by unvote
    import pandas as pd
    import pyarrow as pa

    from unvote.output.render import emit

    emit(pa.table({"iso2": ["NA", "KH"], "score": [0.5, None]}), "csv", output=tmp_path / "iso2.csv")
    back = pd.read_csv(tmp_path / "iso2.csv", keep_default_na=False, na_values=[""])
    assert list(back["iso2"]) == ["NA", "KH"] and back["score"].isna().tolist() == [False, True]
    assert pd.read_csv(tmp_path / "iso2.csv")["iso2"].isna().tolist() == [True, False]  # the trap
