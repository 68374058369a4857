"""One command reads one store version: tallies keep being right while fetches swap versions.

Issue 8 item 1: ``Store`` resolved the dataset link once per table, so a tally could take its roll
calls from one version and its votes from the next and print ``0,0,0,0`` with exit 0.
"""

import csv
import gzip
import io
import os
import subprocess
import sys
import textwrap
import time

import pyarrow.compute as pc
import pytest
from fake_undl import bulk_csv

from unvote.store import Store

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("store-processes")]  # many processes at once: run these one after another

NEW_ID = 990_000_001  # B's id for the ES-11/1 roll call (no real record has it)


def write_pair(ga_store_dir, folder):
    """A.csv: the real GA roll calls of 2022 (89); B.csv: the same rows, ES-11/1 under another record id."""
    real = Store(ga_store_dir)
    calls = real.rollcalls("ga")
    calls = calls.filter(pc.equal(pc.year(calls["date"]), 2022))
    votes = real.votes("ga", filters=[("rollcall_id", "in", calls["rollcall_id"].to_pylist())])
    text = gzip.decompress(bulk_csv(calls, votes)).decode()
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    es11 = {r[col["undl_id"]] for r in body if r[col["resolution"]] == "A/RES/ES-11/1"}
    assert len(es11) == 1
    (old_id,) = es11
    changed = [[str(NEW_ID) if v == old_id and i == col["undl_id"] else
                v.replace(f"/record/{old_id}", f"/record/{NEW_ID}") if i == col["undl_link"] else v
                for i, v in enumerate(r)] for r in body]
    paths = []
    for name, data in (("A.csv", body), ("B.csv", changed)):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header, *data])
        (folder / name).write_text(buf.getvalue(), "utf-8")
        paths.append(folder / name)
    # the expected tally, counted from the file itself
    letters = [r[col["ms_vote"]] for r in body if r[col["undl_id"]] == old_id]
    expected = tuple(letters.count(v) for v in "YNAX")
    return paths, expected


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from unvote.cli import main

    a, b, stop, count = sys.argv[1:5]
    n = 0
    while not Path(stop).exists():
        for f in (a, b):
            sys.argv = ["unvote", "fetch", "--file", f]
            try:
                main()
            except SystemExit as exc:
                if exc.code:
                    sys.exit(f"fetch {f} exited {exc.code}")
            n += 1
            Path(count).write_text(str(n))
""")


def test_tallies_during_alternating_fetches_are_all_right(ga_store_dir, isolated_store, tmp_path, monkeypatch):
    pytest.importorskip("pandas")  # tally refuses pandas for speed; load it first so later tests keep it
    import typer
    from typer.testing import CliRunner

    from unvote.cli import app

    (a, b), expected = write_pair(ga_store_dir, tmp_path)
    assert expected == (141, 5, 35, 12)  # the published result of ES-11/1
    runner = CliRunner()
    assert runner.invoke(app, ["fetch", "--file", str(a)]).exit_code == 0
    command = typer.main.get_command(app)  # built once: Typer would rebuild it per invoke (≈60 ms)
    monkeypatch.setattr(typer.testing, "_get_command", lambda _app: command)
    stop, count = tmp_path / "stop", tmp_path / "count"
    env = {**os.environ, "UNVOTE_DATA_DIR": str(isolated_store)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(a), str(b), str(stop), str(count)], env=env,
                              stderr=subprocess.PIPE, text=True)
    answers, start = [], time.monotonic()
    try:
        while not count.exists() and writer.poll() is None and time.monotonic() - start < 60:
            time.sleep(0.01)  # the writer is running
        while (len(answers) < 500 or _swaps(count) < 20) and time.monotonic() - start < 300:
            out = runner.invoke(app, ["tally", "ES-11/1", "--format", "csv"])
            row = next(csv.DictReader(io.StringIO(out.stdout))) if out.exit_code == 0 else {}
            answers.append((out.exit_code, tuple(int(row[k]) for k in ("yes", "no", "abstain", "non_voting"))
                            if row else out.stdout + str(out.exception)))
            assert writer.poll() is None, writer.stderr.read()
    finally:
        stop.touch()
        _, err = writer.communicate(timeout=120)
    swaps = _swaps(count)
    wrong = [a for a in answers if a != (0, expected)]
    print(f"{len(answers)} tallies, {swaps} fetches, {time.monotonic() - start:.1f} s")
    assert writer.returncode == 0, err
    assert len(answers) >= 500 and swaps >= 20  # the versions really did change under the tallies
    assert wrong == [], f"{len(wrong)} of {len(answers)} tallies wrong: {wrong[:5]}"


def _swaps(count) -> int:
    try:
        return int(count.read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0
