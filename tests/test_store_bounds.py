"""Store metadata is read within bounds: a pointer or manifest that is a FIFO, a device, huge,
nested 200,000 deep or of the wrong types is damage (one line, exit 5, naming the repair), never
a hang, an exhausted memory or exit 70."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from cli_runner import invoke

from unvote.ingest import fetch as pipeline
from unvote.store import MANIFEST_MAX_BYTES, POINTER_MAX_BYTES, Store, read_small

QUIRKS = Path(__file__).parent / "fixtures" / "ga_quirks.csv"


@pytest.fixture
def root(isolated_store) -> Path:
    pipeline.fetch("ga", file=QUIRKS, store=Store(isolated_store))
    return isolated_store


def replace(path: Path, make) -> None:
    path.unlink()
    make(path)


def assert_damaged(root: Path, *words, pointer=False):
    out = invoke("info")
    assert out.returncode == 5 and out.stdout == "", out.stderr
    assert out.stderr.count("\n") == 1 and "internal error" not in out.stderr, out.stderr
    assert out.stderr.endswith("(repair: unvote fetch)\n"), out.stderr
    for word in words:
        assert word in out.stderr, out.stderr
    if not pointer:  # a tally reads no manifest: it may still answer from the tables
        return out
    tally = invoke("tally", "ES-11/1", "--format", "csv")  # a reading command says the same
    assert tally.returncode == 5 and tally.stderr.count("\n") == 1 and "unvote fetch" in tally.stderr
    return out


def test_a_pointer_to_dev_zero_is_refused_without_reading_it(root):
    replace(root / "ga.current", lambda p: p.symlink_to("/dev/zero"))
    assert_damaged(root, "ga.current is a device, not a regular file", pointer=True)


def test_a_pointer_that_is_a_fifo_never_blocks(root):
    """No writer ever opens the FIFO: a blocking open would hang the command (a watchdog thread
    opens its write end after 20 s so that a regression fails instead of hanging the suite)."""
    pointer = root / "ga.current"
    replace(pointer, lambda p: os.mkfifo(p))
    done = threading.Event()

    def unblock():
        if not done.wait(20):
            fd = os.open(pointer, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
    threading.Thread(target=unblock, daemon=True).start()
    try:
        assert_damaged(root, "ga.current is a FIFO, not a regular file", pointer=True)
    finally:
        done.set()


def test_a_huge_pointer_is_refused_from_its_size(root):
    with open(root / "ga.current", "ab") as fh:
        fh.truncate(2 << 30)  # a 2 GiB sparse file: its size alone refuses it
    assert_damaged(root, f"ga.current is 2,147,483,648 bytes, more than such a file ever holds ({POINTER_MAX_BYTES})", pointer=True)


def manifest_path(root: Path) -> Path:
    return Store(root).version("ga") / "manifest.json"


def test_a_manifest_nested_200000_deep_is_damage_not_exit_70(root):
    manifest_path(root).write_text("[" * 200_000 + "]" * 200_000, "utf-8")
    assert_damaged(root, "manifest.json is nested too deeply")


def test_a_manifest_larger_than_its_cap_is_refused(root):
    path = manifest_path(root)
    path.write_text(json.dumps({"pad": "x" * (MANIFEST_MAX_BYTES + 1)}), "utf-8")
    assert_damaged(root, "manifest.json is 4,194,", "more than such a file ever holds")


def test_a_manifest_that_is_a_fifo_never_blocks(root):
    replace(manifest_path(root), lambda p: os.mkfifo(p))
    out = invoke("info")
    assert out.returncode == 5 and ("manifest.json is missing" in out.stderr or "FIFO" in out.stderr), out.stderr


@pytest.mark.parametrize("field,value,said", [
    ("records", "abc", 'gives records as text ("abc")'),
    ("votes", -3, "gives votes as a number (-3)"),
    ("records", True, "gives records as true/false"),
    ("files", [1], "gives files as a list"),
    ("updates", {"a": 1}, "gives updates as an object"),
    ("date_max", 20250101, "gives date_max as a number (20250101)"),
])
def test_manifest_fields_of_the_wrong_type_are_damage(root, field, value, said):
    path = manifest_path(root)
    data = json.loads(path.read_text("utf-8"))
    data[field] = value
    path.write_text(json.dumps(data), "utf-8")
    assert_damaged(root, said)


def test_a_files_entry_of_the_wrong_shape_is_damage(root):
    path = manifest_path(root)
    data = json.loads(path.read_text("utf-8"))
    data["files"]["votes.parquet"]["rows"] = "many"
    path.write_text(json.dumps(data), "utf-8")
    assert_damaged(root, "manifest.json's entry for votes.parquet is not rows, bytes and sha256")


def test_a_repair_fetch_replaces_bad_metadata(root):
    replace(root / "ga.current", lambda p: os.mkfifo(p))
    fetched = invoke("fetch", "--file", str(QUIRKS))
    assert fetched.returncode == 0, fetched.stderr
    assert invoke("info").returncode == 0
    assert (root / "ga.current").is_file()


def test_read_small_reads_a_regular_file_whole(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_small(path, 100) == b"x" * 100
    with pytest.raises(OSError, match="101 bytes, more than"):
        path.write_bytes(b"x" * 101)
        read_small(path, 100)
