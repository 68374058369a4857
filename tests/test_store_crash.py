"""The store under abuse: SIGKILL in the middle of a write, and two fetches at once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unvote.ingest import fetch as pipeline
from unvote.store import Store

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("store-processes")]  # many processes at once: run these one after another

QUIRKS = Path(__file__).parent / "fixtures" / "ga_quirks.csv"
OLD = ("ga_quirks.csv", 2, 10)
NEW = ("ga_voting.csv.gz", 5_538, 917_187)


def fetch_cmd(path):
    # --force: the two files share no roll call, so each would otherwise be refused for dropping the other's
    return [sys.executable, "-m", "unvote", "fetch", "--force", "--file", str(path)]


def state(root: Path):
    """What the store holds, read the way every command reads it; "mixed" would be corruption."""
    store = Store(root)  # a fresh Store: it resolves what is current now
    m = store.manifest("ga")
    seen = (m["file"], store.rollcalls("ga").num_rows, store.votes("ga").num_rows)
    # the manifest's own counts must describe the tables beside it
    assert (m["records"], m["votes"]) == seen[1:]
    return "old" if seen == OLD else "new" if seen == NEW else f"mixed {seen}"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_while_writing_leaves_the_old_or_the_new_version(isolated_store, shared_data, monkeypatch):
    big = shared_data / "undl" / "ga_voting.csv.gz"
    env = {**os.environ, "UNVOTE_DATA_DIR": str(isolated_store)}
    outcomes = []
    for delay in (0.0, 0.05, 0.12):
        pipeline.fetch("ga", file=QUIRKS, store=Store(isolated_store), force=True)  # a kill may land after the swap
        assert state(isolated_store) == "old"
        versions = isolated_store / ".versions"
        before = entries(versions)
        proc = subprocess.Popen(fetch_cmd(big), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while entries(versions) == before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)  # wait for the write to begin (whatever the writer names its folder)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        current = Store(isolated_store).version("ga").name
        leftovers = entries(versions) - before - {current}  # what the killed write left half-done
        outcomes.append((state(isolated_store), bool(leftovers)))
    assert all(s in ("old", "new") for s, _ in outcomes), outcomes
    assert ("old", True) in outcomes  # at least one kill landed mid-write, and the old version held
    # the next write cleans up what the killed ones left behind (replaced versions go after a grace period)
    monkeypatch.setattr("unvote.store.KEEP_SUPERSEDED", 0)
    pipeline.fetch("ga", file=QUIRKS, store=Store(isolated_store), force=True)
    assert state(isolated_store) == "old"
    assert entries(isolated_store / ".versions") == {Store(isolated_store).version("ga").name}


def entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_second_fetch_refuses_clearly_while_the_first_holds_the_lock(isolated_store):
    store = Store(isolated_store)
    pipeline.fetch("ga", file=QUIRKS, store=store)
    before = (Store(isolated_store).version("ga"), store.manifest("ga"))
    env = {**os.environ, "UNVOTE_LOCK_WAIT": "0.5"}
    with store.lock():
        t0 = time.monotonic()
        out = subprocess.run(fetch_cmd(QUIRKS), env=env, capture_output=True, text=True, timeout=60)
        waited = time.monotonic() - t0
    assert out.returncode == 5 and out.stdout == ""
    assert out.stderr == (f"unvote: error: another unvote fetch is writing {isolated_store}; "
                          "wait for it to finish and try again\n")
    assert waited >= 0.5  # it waited before giving up
    assert (Store(isolated_store).version("ga"), Store(isolated_store).manifest("ga")) == before


def test_two_fetches_at_once_run_one_after_the_other(isolated_store, shared_data):
    env = {**os.environ, "UNVOTE_DATA_DIR": str(isolated_store)}
    first = subprocess.Popen(fetch_cmd(shared_data / "undl" / "ga_voting.csv.gz"), env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (isolated_store / ".lock").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # the first one holds the lock and is reading
    second = subprocess.Popen(fetch_cmd(QUIRKS), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    _, err2 = second.communicate(timeout=120)
    first_done = first.poll() is not None
    _, err1 = first.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)
    assert first_done  # the second finished only after the first: it waited for the lock
    assert "stored 2 roll calls, 10 votes" in err2
    assert state(isolated_store) == "old"  # the later writer's version, whole
