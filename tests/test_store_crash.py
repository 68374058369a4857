"""The store under abuse: SIGINT, SIGTERM and SIGKILL at each stage of a fetch, and two fetches at once.

Each child fetch is stopped at a named test point (``UNVOTE_TEST_PAUSE``, unvote/core/testpoint.py)
and signalled there: the outcome is the one that point implies, every run, with no delay guessed.
"""

import csv
import signal
import sys
import time
from pathlib import Path

import pytest
from cli_runner import invoke, start

from unvote.ingest import fetch as pipeline
from unvote.store import Store

QUIRKS = Path(__file__).parent / "fixtures" / "ga_quirks.csv"

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("store-processes"),  # processes: one after another
              pytest.mark.skipif(sys.platform == "win32", reason="signals to a child are POSIX")]


def counts(path: Path) -> tuple[str, int, int]:
    """(file name, roll calls, votes) of a GA CSV, counted from the file itself."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return path.name, len({r["undl_id"] for r in rows}), len(rows)


def one_record(folder: Path) -> Path:
    """The quirks file cut to its first roll call: a second, different small GA file."""
    lines = QUIRKS.read_text("utf-8").splitlines()
    first = lines[1].split(",")[0]
    path = folder / "one.csv"
    path.write_text("\n".join([lines[0], *[ln for ln in lines[1:] if ln.startswith(first + ",")]]) + "\n", "utf-8")
    return path


def state(root: Path, old, new) -> str:
    """What the store holds, read the way every command reads it; "mixed" would be corruption."""
    store = Store(root)  # a fresh Store: it resolves what is current now
    m = store.manifest("ga")
    seen = (m["file"], store.rollcalls("ga").num_rows, store.votes("ga").num_rows)
    assert (m["records"], m["votes"]) == seen[1:]  # the manifest describes the tables beside it
    assert store.check("ga", full=True) == []  # every file whole, as its checksum says
    return "old" if seen == old else "new" if seen == new else f"mixed {seen}"


def entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def fetch_args(path: Path) -> tuple[str, ...]:
    # --force: the files differ in roll calls, and a replacement that drops one needs it
    return ("fetch", "--force", "--file", str(path))


# stage → (what is current after a kill there, what the killed write leaves in .versions)
KILLED = {
    "read": ("old", set()),
    "written": ("old", {"tmp"}),  # a half-written .ga-<stamp>.tmp folder
    "before-swap": ("old", {"version"}),  # a complete ga-<stamp> folder that never became current
    "swapped": ("new", set()),
}


@pytest.mark.parametrize("stage", list(KILLED))
def test_a_fetch_killed_at_any_stage_leaves_the_old_or_the_new_version(isolated_store, tmp_path, monkeypatch,
                                                                       stage):
    sig = signal.SIGKILL
    new_file = one_record(tmp_path)
    old, new = counts(QUIRKS), counts(new_file)
    pipeline.fetch("ga", file=QUIRKS, store=Store(isolated_store))
    before_version = Store(isolated_store).version("ga").name
    child = start(*fetch_args(new_file), stage=stage, ready=tmp_path / "ready",
                  env={"UNVOTE_DATA_DIR": str(isolated_store)})
    child.wait()
    child.proc.send_signal(sig)
    done = child.finish()
    assert done.returncode == -sig and done.stdout == ""
    expected, left = KILLED[stage]
    assert state(isolated_store, old, new) == expected
    current = Store(isolated_store).version("ga").name
    others = entries(isolated_store / ".versions") - {current}
    if expected == "old":
        assert current == before_version
    else:  # the replaced version is still there: the kill came before the prune (and it has a grace period)
        assert current != before_version and before_version in others
        others -= {before_version}
    kinds = {"tmp" if name.endswith(".tmp") else "version" for name in others}
    assert kinds == left, others
    assert not list(isolated_store.glob(".ga.current.*.tmp"))  # the pointer is whole, no stray temp
    # the next write cleans up what the killed one left (replaced versions go after the grace period)
    monkeypatch.setattr("unvote.store.KEEP_SUPERSEDED", 0)
    pipeline.fetch("ga", file=QUIRKS, store=Store(isolated_store), force=True)
    assert state(isolated_store, old, new) == "old"
    assert entries(isolated_store / ".versions") == {Store(isolated_store).version("ga").name}


# stage → (the message, whether the new version is current)
INTERRUPTED = {
    "read": ("unvote: interrupted: the store is unchanged\n", False),
    "written": ("unvote: interrupted: the store is unchanged\n", False),
    "before-swap": ("unvote: interrupted: the store is unchanged\n", False),
    "swapped": ("unvote: interrupted after the new data was stored\n", True),
}


@pytest.mark.parametrize("stage,sig", [(stage, signal.SIGINT) for stage in INTERRUPTED]
                         + [("before-swap", signal.SIGTERM), ("swapped", signal.SIGTERM)],
                         ids=lambda v: getattr(v, "name", v))
def test_a_real_sigint_during_a_fetch(isolated_store, tmp_path, shared_data, stage, sig):
    """Ctrl-C at each stage: exit 130, one line saying whether the data changed, nothing half-written.
    SIGTERM is handled the same way, with exit 143 and the signal named."""
    # mid-read on the real 343 MB file (stopped after its first block, so it costs nothing more)
    new_file = shared_data / "undl" / "ga_voting.csv.gz" if stage == "read" else one_record(tmp_path)
    pipeline.fetch("ga", file=QUIRKS, store=Store(isolated_store))
    before = Store(isolated_store)
    before_version, before_files = before.version("ga").name, entries(isolated_store / ".versions")
    child = start(*fetch_args(new_file), stage=stage, ready=tmp_path / "ready",
                  env={"UNVOTE_DATA_DIR": str(isolated_store)})
    child.wait()
    child.proc.send_signal(sig)
    done = child.finish()
    message, stored = INTERRUPTED[stage]
    if sig == signal.SIGTERM:
        message = message.replace("\n", " (SIGTERM)\n")
    assert (done.returncode, done.stdout, done.stderr) == (130 if sig == signal.SIGINT else 143, "", message)
    now = Store(isolated_store)
    old = counts(QUIRKS)
    if stored:
        assert state(isolated_store, old, counts(new_file)) == "new"
        # the old version is kept (the prune did not run), nothing else is left
        assert entries(isolated_store / ".versions") == {before_version, now.version("ga").name}
    else:
        assert state(isolated_store, old, None) == "old"
        assert now.version("ga").name == before_version
        assert now.manifest("ga") == before.manifest("ga")
        assert entries(isolated_store / ".versions") == before_files  # the half-written folder removed at once
    assert not list(isolated_store.glob(".ga.current.*.tmp"))


def test_second_fetch_refuses_clearly_while_the_first_holds_the_lock(isolated_store):
    store = Store(isolated_store)
    pipeline.fetch("ga", file=QUIRKS, store=store)
    before = (Store(isolated_store).version("ga"), store.manifest("ga"))
    with store.lock():  # flock: another open file, even in this process, cannot take it
        t0 = time.monotonic()
        out = invoke("fetch", "--force", "--file", str(QUIRKS), env={"UNVOTE_LOCK_WAIT": "0.5"})
        waited = time.monotonic() - t0
    assert out.returncode == 5 and out.stdout == ""
    assert out.stderr == (f"unvote: error: another unvote fetch is writing {isolated_store}; "
                          "wait for it to finish and try again\n")
    assert waited >= 0.5  # it waited the time it was given before giving up (a lower bound: not timing luck)
    assert (Store(isolated_store).version("ga"), Store(isolated_store).manifest("ga")) == before


def test_two_fetches_at_once_run_one_after_the_other(isolated_store, tmp_path):
    env = {"UNVOTE_DATA_DIR": str(isolated_store)}
    first_file = one_record(tmp_path)
    first = start(*fetch_args(first_file), stage="locked", ready=tmp_path / "first", env=env)
    first.wait()  # the first holds the lock
    second = start(*fetch_args(QUIRKS), stage="lock-busy", ready=tmp_path / "second", env=env)
    second.wait()  # the second found the lock taken and is waiting for it
    assert first.proc.poll() is None and not Store(isolated_store).has("ga")  # nothing written yet
    second.go()
    first.go()
    one, two = first.finish(), second.finish()
    assert one.returncode == 0 and two.returncode == 0, (one.stderr, two.stderr)
    assert "stored 1 roll calls" in one.stderr and "stored 2 roll calls, 10 votes" in two.stderr
    # the second wrote after the first: its version is current, the first's is the one it replaced
    versions = sorted(entries(isolated_store / ".versions"))
    assert len(versions) == 2 and Store(isolated_store).version("ga").name == versions[1]
    assert state(isolated_store, counts(QUIRKS), counts(first_file)) == "old"
    first_manifest = (isolated_store / ".versions" / versions[0] / "manifest.json").read_text("utf-8")
    assert '"file": "one.csv"' in first_manifest


def test_a_sigint_while_pandas_is_imported_is_not_lost(isolated_store, tmp_path):
    """pyarrow imports pandas lazily inside ``to_numpy``, in code that drops exceptions: a Ctrl-C
    during that import (early in every fetch) was lost — the fetch stored the file and exited 0 (the
    flaky run of issue 14) — or left pandas half-imported (exit 70). A stand-in pandas stops at a test
    point in the middle of its import; the signal lands there."""
    fake = tmp_path / "fake"
    (fake / "pandas").mkdir(parents=True)
    (fake / "pandas" / "__init__.py").write_text(
        "from unvote.core import testpoint\n"
        "testpoint.pause('import-pandas')\n"
        "raise ImportError('a stand-in for pandas')\n", "utf-8")
    import os

    pythonpath = os.pathsep.join(filter(None, [str(fake), os.environ.get("PYTHONPATH")]))
    pipeline.fetch("ga", file=QUIRKS, store=Store(isolated_store))
    before = Store(isolated_store).manifest("ga")
    child = start(*fetch_args(one_record(tmp_path)), stage="import-pandas", ready=tmp_path / "ready",
                  env={"UNVOTE_DATA_DIR": str(isolated_store), "PYTHONPATH": pythonpath})
    child.wait()
    child.proc.send_signal(signal.SIGINT)
    done = child.finish(timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "unvote: interrupted: the store is unchanged\n")
    assert Store(isolated_store).manifest("ga") == before
