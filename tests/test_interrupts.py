"""Ctrl-C and SIGTERM end every command in exit 130 (143) with one line saying whether the store
changed: never 0, never 70, never a traceback — whenever the signal lands.

The outside test sends the signal at a spread of delays into a real fetch; whatever stage it meets,
the outcome is checked against the store itself (the pointer file), not against a guess of the
stage. The fetch is held at its last test point (``swapped``, after the new version is current) so
that it is still running whatever the delay, on a fast machine too; a signal that lands there must
say the data was stored. Driving a fetch to one named stage is the store tests' job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DELAYS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)  # a fetch takes ~2 s: past it, every delay meets the held process
STORED = "unvote: interrupted after the new data was stored"
UNCHANGED = "unvote: interrupted: the store is unchanged"


def env(store: Path, hold: Path | None = None) -> dict:
    """The child's environment; with ``hold``, the fetch waits at its last test point until ``hold``.go."""
    extra = {"UNVOTE_TEST_PAUSE": f"swapped:{hold}"} if hold is not None else {}
    return {**os.environ, "PYTHONPATH": str(ROOT), "UNVOTE_DATA_DIR": str(store), **extra}


def handling(pid: int, limit: float = 60.0) -> None:
    """Wait until process ``pid`` catches SIGTERM, which Python itself never does: unvote's handlers are
    installed (Linux's /proc; elsewhere the test goes on at once)."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            caught = next(int(line.split()[1], 16) for line in status.read_text().splitlines()
                          if line.startswith("SigCgt:"))
        except (OSError, StopIteration):
            return  # gone: the checks that follow say why
        if caught & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} never installed its signal handlers")


def signal_fetch(shared_data: Path, tmp_path: Path, delay: float, signum: int):
    """A real fetch, held alive at its end, signalled after ``delay``; then let go (a lost signal would
    end in exit 0, which the checks catch)."""
    store, hold = tmp_path / "store", tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-m", "unvote", "fetch", "--force", "--file",
                             str(shared_data / "undl" / "ga_voting.csv.gz")],
                            env=env(store, hold), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    handling(proc.pid)  # the promise starts once unvote's code runs: its handlers are in place
    time.sleep(delay)  # not a guess of a stage: any moment must end the same way (checked against the store)
    assert proc.poll() is None, "the fetch is held at its end, so it cannot have finished"
    proc.send_signal(signum)
    Path(f"{hold}.go").write_text("go")
    check_outcome(proc, store, None, signum)


def pointer(store: Path) -> str | None:
    try:
        return (store / "ga.current").read_text("utf-8")
    except FileNotFoundError:
        return None


def check_outcome(proc, store: Path, before: str | None, signum: int) -> None:
    out, err = proc.communicate(timeout=120)
    code = 130 if signum == signal.SIGINT else 143
    lines = err.strip().splitlines()
    assert proc.returncode == code, (proc.returncode, err[-2000:])
    assert len(lines) == 1, err[-2000:]
    assert "Traceback" not in err and "internal error" not in err
    line = lines[0].removesuffix(" (SIGTERM)")
    assert line in (STORED, UNCHANGED), line
    # the message tells the truth about the store
    assert (pointer(store) != before) == (line == STORED), (line, before, pointer(store))


@pytest.mark.parametrize("delay", DELAYS)
def test_sigint_at_any_moment_of_a_fetch_is_exit_130_and_truthful(shared_data, tmp_path, delay):
    signal_fetch(shared_data, tmp_path, delay, signal.SIGINT)


@pytest.mark.parametrize("delay", (0.5, 2.0, 4.0))
def test_sigterm_is_honoured_like_ctrl_c(shared_data, tmp_path, delay):
    signal_fetch(shared_data, tmp_path, delay, signal.SIGTERM)


def test_a_signal_during_start_up_imports_is_honoured_when_the_command_starts(tmp_path):
    # the signal lands after unvote's handler is installed but before its imports finish: no traceback
    code = ("import os, signal, sys\n"
            "sys.argv = ['unvote', 'info']\n"
            "from unvote.core import interrupts\n"
            "interrupts.install()\n"
            "os.kill(os.getpid(), signal.SIGINT)\n"
            "import unvote.cli\n"
            "unvote.cli.main()\n")
    proc = subprocess.run([sys.executable, "-c", code], env=env(tmp_path / "store"), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == UNCHANGED + "\n"
    assert proc.stdout == ""


def test_a_swallowed_interrupt_still_ends_interrupted(tmp_path, monkeypatch):
    """Whatever catches the KeyboardInterrupt on the way (a C library, a cleanup), the command ends 130."""
    from cli_runner import invoke

    from unvote.core import interrupts

    def swallowing_tally(*args, **kwargs):
        try:
            interrupts.handle(signal.SIGINT, None)  # as if Ctrl-C landed here
        except KeyboardInterrupt:
            pass  # swallowed
        raise ValueError("a library turned the interrupt into something else")

    monkeypatch.setattr("unvote.api.tally", swallowing_tally)
    result = invoke("tally", "ES-11/1")
    assert result.returncode == 130, result.stderr
    assert result.stderr == UNCHANGED + "\n"


def test_a_signal_inside_the_pointer_swap_waits_for_it(tmp_path):
    """The swap is a deferred section: the interrupt comes right after it, and the record says stored."""
    import pyarrow as pa

    from unvote.core import interrupts
    from unvote.store import Store, stored

    store = Store(tmp_path / "s")
    calls = pa.table({"rollcall_id": [1], "date": pa.array([None], pa.date32()), "session": ["1"],
                      "resolution": ["A/RES/1(I)"], "title": ["t"], "members": [1]})
    votes = pa.table({"rollcall_id": [1], "ms_code": ["USA"], "ms_name": ["UNITED STATES"], "vote": ["Y"]})
    real = os.replace
    fired = []

    def replace(src, dst):
        if str(dst).endswith("ga.current"):
            fired.append(True)
            interrupts.handle(signal.SIGINT, None)  # lands in the middle of the atomic step
        return real(src, dst)

    interrupts.install()
    try:
        interrupts.arm()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(os, "replace", replace)
            before = len(stored())
            with pytest.raises(KeyboardInterrupt):
                store.write("ga", calls, votes, {"source": "test"})
    finally:
        interrupts.uninstall()
    assert fired
    assert stored()[before:] == ["ga"]  # swapped and recorded, then interrupted
    assert (tmp_path / "s" / "ga.current").read_text("utf-8").strip().startswith(".versions/ga-")
