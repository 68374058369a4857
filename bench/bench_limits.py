"""The speed and memory limits the tests used to time (moved here from the test suite, so a busy
machine cannot make a test flaky): each figure beside its limit and, where there is one, a baseline.
A figure over its limit is reported and makes `make bench` exit 1.

- the text writers stream: emit's peak RSS growth on 2 million rows (was tests/test_output.py);
- writing the 1.9 M-row matrix by year as NDJSON adds little to the computation's peak (test_output.py);
- the real GA fetch, hostile CSV files and an endless search answer stay under 300 MB (test_hostile_sources.py);
- a crafted 560 KB record page parses in under a second (test_hostile_sources.py);
- the quickstart notebook runs in under a minute (test_notebooks.py).

Peak RSS is the child's own (VmHWM): ru_maxrss of a forked child would include its parent's size.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MAX_RSS_MB = 300  # docs/limits.md: a fetch, hostile or not, within 300 MB
STREAM_GROWTH_MB = 60  # emit may grow the peak by about a batch, not by the data
MiB = 1 << 20

PEAK = """
def peak_kb():
    try:
        with open("/proc/self/status") as fh:
            return int(next(ln for ln in fh if ln.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

# The CLI in a child that prints its own peak RSS (kB) on stderr at exit.
CLI_CHILD = PEAK + """
import atexit, sys
atexit.register(lambda: print("PEAK_RSS_KB", peak_kb(), file=sys.stderr))
from unvote.cli import main
sys.argv = ["unvote", *sys.argv[1:]]
main()
"""

# 2 million rows through emit, streamed (a generator of 100 tables) or, for the baseline, whole;
# the growth of the peak after a one-batch warm-up, i.e. what the data adds.
STREAM_CHILD = PEAK + """
import sys, pyarrow as pa
from unvote.output.render import emit
def batches(count=100):
    for i in range(count):
        n = 20_000
        yield pa.table({"period": pa.array([str(1946 + i)] * n), "a": pa.array(["KHM"] * n),
                        "n": pa.array(range(n), pa.int64()), "score": pa.array([0.5] * n)})
with open("/dev/null", "w") as sink:  # one batch first: the writer's imports and buffers are not data
    emit(batches(1), sys.argv[1], stream=sink)
before = peak_kb()
data = batches() if sys.argv[2] == "stream" else pa.concat_tables(list(batches()))
with open("/dev/null", "w") as sink:
    emit(data, sys.argv[1], stream=sink)
print(before, peak_kb())
"""

MATRIX_CHILD = PEAK + """
from unvote import api
from unvote.output.render import emit
table = api.matrix(by="year")
computed = peak_kb()
with open("/dev/null", "w") as sink:
    emit(table, "ndjson", stream=sink)
print(table.num_rows, computed, peak_kb())
"""

HARVEST_CHILD = PEAK + """
import datetime as dt, sys
from unvote.core.errors import UnvoteError
from unvote.sources import http, undl_records
try:
    with http.session() as client:
        undl_records.harvest(client, "ga", sys.argv[1], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    print("accepted")
except UnvoteError as exc:
    print(type(exc).__name__, exc.exit_code, exc)
print("PEAK_RSS_KB", peak_kb())
"""

GA_HEADER = ("undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,title,"
             "agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,total_non_voting,total_ms,undl_link")


def _env(**extra) -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **extra}


def _python(code: str, *args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env or _env(), timeout=timeout)


def _cli_peak(args, env: dict) -> tuple[int, str, float]:
    """(exit code, last stderr line that is not the RSS line, peak RSS in MB) of ``unvote ARGS``."""
    proc = _python(CLI_CHILD, *map(str, args), env=env)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    peak = [int(ln.split()[1]) for ln in lines if ln.startswith("PEAK_RSS_KB")]
    rest = [ln for ln in lines if not ln.startswith("PEAK_RSS_KB")]
    return proc.returncode, (rest[-1] if rest else ""), (peak[0] / 1024 if peak else float("nan"))


def _row(rid: int, code: str = "USA", title: str = "A title") -> str:
    return (f'{rid},{code},UNITED STATES,Y,2020-01-02,75,A/RES/75/{rid % 1000},A/75/L.1,,A/75/PV.1,'
            f'"{title}",Agenda,SUBJECT,,1.0,0.0,0.0,0.0,1.0,https://digitallibrary.un.org/record/{rid}\n')


def _gzip_repeated(path: Path, head: bytes, block: bytes, times: int) -> None:
    member = gzip.compress(block, mtime=0)
    with open(path, "wb") as out:
        out.write(gzip.compress(head, mtime=0))
        for _ in range(times):
            out.write(member)


def _hostile_files(work: Path) -> dict[str, tuple[Path, dict, int]]:
    """name -> (file, extra environment, the exit code the fetch must end with)."""
    work.mkdir(parents=True, exist_ok=True)
    header = work / "header.csv"
    header.write_bytes(b"undl_id," + b"x" * (10 * MiB) + b"\n1\n")
    field = work / "field.csv.gz"
    field.write_bytes(gzip.compress((GA_HEADER + "\n" + _row(1) + _row(2, title="t" * (10 * MiB))).encode()))
    zeros = work / "zeros.csv.gz"
    _gzip_repeated(zeros, b"", b"\0" * MiB, 4096)  # 4 GiB of zeros
    unit = "".join(_row(rid, code) for rid in (1, 2) for code in ("USA", "FRA", "CHN")).encode()
    block = unit * (MiB // len(unit))
    rows = work / "rows.csv.gz"
    _gzip_repeated(rows, (GA_HEADER + "\n").encode(), block, (2 << 30) // len(block))  # ~2 GiB of rows
    sparse = work / "sparse.csv"
    with open(sparse, "wb") as fh:
        fh.truncate(2 << 30)
    return {"10 MB header line": (header, {}, 6), "10 MB field": (field, {}, 6),
            "gzip of 4 GiB of zeros": (zeros, {}, 6), "gzip of 2 GiB of rows": (rows, {}, 6),
            "2 GiB sparse file": (sparse, {}, 6),
            "2 GiB sparse file, size cap lifted": (sparse, {"UNVOTE_MAX_CSV_BYTES": str(3 << 30)}, 6)}


def run(report, ctx) -> None:
    def limit(name, value, most, unit, baseline=None, note=""):
        ok = value <= most
        report(name, value, baseline, unit=unit, goal=f"≤ {most} {unit.strip()}", note=note if ok else f"OVER THE LIMIT {note}")
        if not ok:
            report.failures.append(f"{name}: {value:.3f}{unit} > {most}{unit}")

    # -- the text writers stream (tests/test_output.py checks the batch order without measuring)
    for fmt in ("ndjson", "json", "csv"):
        got = {}
        for how in ("stream", "whole"):
            out = _python(STREAM_CHILD, fmt, how)
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-500:])
            before, after = (int(v) for v in out.stdout.split())
            got[how] = (after - before) / 1024
        limit(f"emit {fmt}, 2 M rows: peak RSS growth", got["stream"], STREAM_GROWTH_MB, " MB", got["whole"],
              "baseline: the same rows as one table")

    # -- the matrix by year as NDJSON
    store = ctx.ga_store()
    out = _python(MATRIX_CHILD, env=_env(UNVOTE_DATA_DIR=str(store)))
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-500:])
    rows, computed, after = (int(v) for v in out.stdout.split())
    if rows <= 1_048_576:
        report.failures.append(f"matrix by year: {rows:,} rows, expected more than 1,048,576")
    limit(f"matrix by year ({rows:,} rows) → ndjson: added peak", (after - computed) / 1024, STREAM_GROWTH_MB,
          " MB", None, "pretty JSON of the whole list took 1,860 MB")

    # -- fetches within the memory bound: the real file, then hostile ones (each refused, exit 6)
    code, last, peak = _cli_peak(["fetch", "--file", ctx.data / "undl" / "ga_voting.csv.gz"],
                                 _env(UNVOTE_DATA_DIR=str(ctx.work / "limits-real")))
    if code != 0:
        report.failures.append(f"fetch of the real GA file: exit {code}: {last}")
    limit("fetch of the real GA file: peak RSS", peak, MAX_RSS_MB, " MB")
    for name, (path, extra, want) in _hostile_files(ctx.work / "hostile").items():
        code, last, peak = _cli_peak(["fetch", "--file", path],
                                     _env(UNVOTE_DATA_DIR=str(ctx.work / "limits-hostile"), **extra))
        if code != want:
            report.failures.append(f"fetch of a {name}: exit {code}, expected {want}: {last}")
        limit(f"fetch of a {name} (refused): peak RSS", peak, MAX_RSS_MB, " MB")

    sys.path.insert(0, str(ROOT / "tests"))
    from fake_undl import FakeUNDL, Fault

    server = FakeUNDL().start()
    try:
        server.fault("/search", Fault("endless"))
        out = _python(HARVEST_CHILD, server.url, env=_env(UNVOTE_HTTP_DELAY="0"))
    finally:
        server.stop()
    lines = out.stdout.splitlines()
    if not (lines and lines[0].startswith("FetchError 6 ")):
        report.failures.append(f"an endless search answer was not refused: {out.stdout[-300:]}{out.stderr[-300:]}")
    limit("an endless search answer (cut off): peak RSS", int(lines[-1].split()[1]) / 1024, MAX_RSS_MB, " MB")

    # -- a crafted record page parses in linear time
    from unvote.core.errors import DataFormatError
    from unvote.sources.undl_records import parse_record_html, parse_search_html

    crafted = "<html><body>" + "<div class='metadata-row'><span class='title x'>Vote" * 12_000
    t0 = time.perf_counter()
    try:
        parse_record_html(crafted, 1, "ga")
    except DataFormatError:
        pass
    limit("crafted 560 KB record page: parse", time.perf_counter() - t0, 1.0, " s", 22.0,
          "baseline: the old regex parser")
    crafted = "<html><body><abbr class='unapi-id' title='1'></abbr>" + "<i class='fa fa-globe'></i>" * 20_000
    t0 = time.perf_counter()
    parse_search_html(crafted)
    limit("crafted 560 KB search page: parse", time.perf_counter() - t0, 1.0, " s")

    # -- the quickstart notebook
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError:
        print("  (notebook timing skipped: pip install -e '.[notebooks]')", file=sys.stderr)
        return
    nb = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    saved = {k: os.environ.get(k) for k in ("UNVOTE_DATA_DIR", "PYTHONPATH", "MPLBACKEND")}
    os.environ.update(UNVOTE_DATA_DIR=str(store), PYTHONPATH=_env()["PYTHONPATH"], MPLBACKEND="module://matplotlib_inline.backend_inline")
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(ctx.work)}}).execute()
        limit("quickstart notebook: run", time.perf_counter() - t0, 60.0, " s", None, "about 20 s on a quiet machine")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
