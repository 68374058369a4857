"""The ``unvote`` command: thin adapters over the library, and the one error handler.

Each module holds a few commands; importing them registers the commands on ``app``.
"""

from __future__ import annotations

import sys

import typer

from .. import config
from ..errors import ExitStatus, UnvoteError
from ..output.render import PipeClosed
from .app import app

# Importing a module registers its commands on ``app``; this order is --help's order.
for _module in ("fetch", "votes", "explore", "agreement", "ideal"):
    __import__(f"{__name__}.{_module}")

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app; map every error to one line on stderr and an exit code."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code or ExitStatus.SUCCESS)
    except UnvoteError as err:
        _fail(err, str(err), err.exit_code)
    except typer.Abort:
        sys.exit(ExitStatus.INTERRUPTED)
    except typer.TyperException as err:  # usage errors from the argument parser
        err.show()
        sys.exit(err.exit_code)
    except (PipeClosed, BrokenPipeError):
        _quiet_pipe()
    except KeyboardInterrupt:
        sys.exit(ExitStatus.INTERRUPTED)
    except Exception as err:  # a bug: still one line, the trace with --debug
        _fail(err, f"internal error: {type(err).__name__}: {err} (rerun with --debug for the "
                   "traceback, and please report it)", ExitStatus.INTERNAL)


def _fail(err: BaseException, message: str, code: int) -> None:
    if config.debug():
        import traceback

        traceback.print_exception(err)
    sys.stderr.write(f"unvote: error: {message}\n")
    sys.exit(code)


def _quiet_pipe() -> None:
    """The reader went away (``| head``): stop quietly, as csvkit does."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(ExitStatus.SUCCESS)
