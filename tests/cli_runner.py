"""Run the ``unvote`` command in-process, as a user meets it (the real ``main``: one error handler,
exit codes, stdout and stderr apart) — ~100× cheaper than a subprocess. Keep real subprocesses for
what needs one: pipes, signals, start-up time."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner


def invoke(*args: str, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """``unvote ARGS…`` in this process: a CompletedProcess with returncode, stdout and stderr (text)."""
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
        stdout, stderr = out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")
    return subprocess.CompletedProcess(["unvote", *args], code, stdout, stderr)
