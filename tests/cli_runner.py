"""The one way tests run the ``unvote`` command.

``invoke``: in-process, as a user meets it (the real ``main``: one error handler, exit codes,
stdout and stderr apart) — ~100× cheaper than a subprocess. Every command test uses it.

``run`` / ``start``: a real subprocess, only for what needs one — pipes (a reader that goes away),
signals, start-up cost, a closed or full stdout, the installed console script. ``start`` can stop
the child at a named test point (``UNVOTE_TEST_PAUSE``, unvote/core/testpoint.py) so a signal or a
rival lands at a known moment, never after a guessed delay.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner


def invoke(*args: str, env: dict | None = None, input: str | None = None,
           binary: bool = False) -> subprocess.CompletedProcess:
    """``unvote ARGS…`` in this process: a CompletedProcess with returncode, stdout and stderr (text;
    ``binary``: stdout as bytes, for xlsx or Parquet on a pipe). ``env`` is set for the call only
    (a value of None unsets the variable)."""
    from unvote.cli import main

    runner = CliRunner()
    code = 0
    argv = sys.argv
    with runner.isolation(input=input, env={"COLUMNS": "100", **(env or {})}) as (out, err, _):
        sys.argv = ["unvote", *args]
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = argv
            sys.stdout.flush()
            sys.stderr.flush()
        raw = out.getvalue()
        stdout = raw if binary else raw.decode("utf-8", "replace")
        stderr = err.getvalue().decode("utf-8", "replace")
    return subprocess.CompletedProcess(["unvote", *args], code, stdout, stderr)


def child_env(env: dict | None = None) -> dict:
    """This process's environment (UNVOTE_DATA_DIR included) with ``env`` over it; None unsets."""
    full = {**os.environ, "COLUMNS": "200"}
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    return full


def run(*args: str, env: dict | None = None, shell: str | None = None, input: str | None = None,
        timeout: float = 120, binary: bool = False) -> subprocess.CompletedProcess:
    """``python -m unvote ARGS…`` (or a ``bash -o pipefail -c`` line) in a real process, output
    captured as text (``binary``: as bytes)."""
    cmd = ["bash", "-o", "pipefail", "-c", shell] if shell is not None else [sys.executable, "-m", "unvote", *args]
    return subprocess.run(cmd, capture_output=True, text=not binary, env=child_env(env), input=input,
                          timeout=timeout)


class Paused:
    """A child ``unvote`` started with a test point: ``wait()`` until it stands there, then act."""

    def __init__(self, proc: subprocess.Popen, ready: Path):
        self.proc, self.ready = proc, ready

    def wait(self, timeout: float = 120) -> None:
        """Block until the child has reached its test point (bounded; fails if it exits first)."""
        deadline = time.monotonic() + timeout
        while not self.ready.exists():
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise AssertionError(f"exited {self.proc.returncode} before its test point: {err}")
            if time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError(f"did not reach its test point within {timeout} s")
            time.sleep(0.01)

    def go(self) -> None:
        """Let the child go on from its test point."""
        Path(f"{self.ready}.go").touch()

    def finish(self, timeout: float = 120) -> subprocess.CompletedProcess:
        out, err = self.proc.communicate(timeout=timeout)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)


def start(*args: str, stage: str, ready: Path, env: dict | None = None) -> Paused:
    """``python -m unvote ARGS…`` in a child that stops at test point ``stage`` (``ready``: its ready file)."""
    env = child_env({**(env or {}), "UNVOTE_TEST_PAUSE": f"{stage}:{ready}"})
    proc = subprocess.Popen([sys.executable, "-m", "unvote", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return Paused(proc, Path(ready))
