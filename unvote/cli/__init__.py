"""The ``unvote`` command: thin adapters over the library, and the one error handler.

Each module holds a few commands; importing them registers the commands on ``app``.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path

from ..core import interrupts

# Run as the ``unvote`` command: take Ctrl-C and SIGTERM before the heavy imports below, so a signal
# that lands while they run is honoured when ``main`` starts instead of as a traceback from an import.
_COMMAND = Path(sys.argv[0]).name == "unvote" or Path(sys.argv[0]).parent.name == "unvote"
if _COMMAND:
    interrupts.install()

import typer  # noqa: E402

from ..core import config  # noqa: E402
from ..core.errors import ExitStatus, UnvoteError  # noqa: E402
from ..output.render import PipeClosed  # noqa: E402
from . import options as _options  # noqa: E402
from .app import app  # noqa: E402
from .options import with_pandas  # noqa: E402

_options.REFUSE_PANDAS = _COMMAND  # pyarrow keeps its first answer: refuse pandas in unvote's own process only

# Importing a module registers its commands on ``app``; this order is --help's order. Every command module
# loads at start-up, so each command imports what it runs inside its body (lazy: start-up).
for _module in ("fetch", "votes", "explore", "agreement", "topics", "ideal", "report", "statedept", "sql"):
    __import__(f"{__name__}.{_module}")

__all__ = ["app", "main"]

_stored_before = 0  # how many store writes had happened when this command began (for Ctrl-C)


class _ClosedStdout:
    """Stands in for a stdout the shell closed (``>&-``): writing to it is a clear error."""

    encoding = "utf-8"

    def write(self, _text):
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        raise OSError(errno.EBADF, "standard output is closed")


def main() -> None:
    """Entry point: run the app; map every error to one line on stderr and an exit code."""

    from ..store import stored

    global _stored_before
    _stored_before = len(stored())
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    sys.argv = [sys.argv[0], *_several_values(_optional_values(_global_flags_first(sys.argv[1:])))]
    interrupts.install()
    try:
        _run()
    finally:
        if not _COMMAND:  # an in-process caller (a test, a notebook) gets its handlers and imports back
            interrupts.uninstall()
            with_pandas()


def _run() -> None:
    try:
        interrupts.arm()
        code = _app_for(sys.argv[1:])(standalone_mode=False, prog_name="unvote")
        if code == ExitStatus.INTERRUPTED or interrupts.received():  # Typer's Exit(130), or a swallowed signal
            _interrupted()
        sys.stdout.flush()  # a full disk shows here, not as noise at exit
        sys.exit(code or ExitStatus.SUCCESS)
    except SystemExit:
        raise
    except BaseException as err:
        if interrupts.received() or isinstance(err, KeyboardInterrupt):  # whatever it became on the way up
            _interrupted()
        _handle(err)


def _handle(err: BaseException) -> None:
    """One line and an exit code for each kind of error."""
    try:
        raise err
    except UnvoteError as err:
        _fail(err, str(err), err.exit_code)
    except typer.Abort:
        _interrupted()
    except typer.TyperException as err:  # bad arguments (Typer's own Click): one line, like every error
        if type(err).__name__ == "NoArgsIsHelpError" and getattr(err, "ctx", None) is not None:
            _write_out(err.ctx.get_help() + "\n")  # `unvote` alone: the help, as --help shows it
            _exit(ExitStatus.SUCCESS)
        _fail(err, _usage_message(err), ExitStatus.USAGE)
    except (PipeClosed, BrokenPipeError):
        _quiet_pipe()
    except KeyboardInterrupt:
        _interrupted()
    except OSError as err:
        if _is_output_error(err):
            _fail(err, f"cannot write the output: {err.strerror or err}", ExitStatus.OUTPUT)
        _fail(err, f"{err.strerror or err}" + (f": {err.filename}" if err.filename else ""), ExitStatus.STORE)
    except Exception as err:  # a bug: still one line, the trace with --debug
        _fail(err, f"internal error: {type(err).__name__}: {err} (rerun with --debug for the "
                   "traceback, and please report it)", ExitStatus.INTERNAL)


def _global_flags_first(args: list[str]) -> list[str]:
    """``--debug`` belongs to ``unvote`` itself, but people type it anywhere (``unvote sql … --debug``): move
    it before the command (never past a ``--``, after which everything is an argument)."""
    head = args[: args.index("--")] if "--" in args else args
    if "--debug" not in head[1:]:
        return args
    rest = list(args)
    rest.remove("--debug")
    return ["--debug", *rest]


# Options whose value may be left out, per command, and the value they then take (``votes --alone`` is
# ``--alone 1``): Typer's options cannot leave a value out, so the words typed are completed before it
# parses them.
OPTIONAL_VALUES = {"votes": {"--alone": "1"}}


def _optional_values(args: list[str]) -> list[str]:
    """``args`` with the value of each of its command's ``OPTIONAL_VALUES`` options given where it was
    left out (the option last, or followed by anything but a whole number); never past a ``--``."""
    words = [a for a in args if a != "--debug"]
    optional = OPTIONAL_VALUES.get(words[0], {}) if words else {}
    if not optional:
        return args
    out = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        out.append(arg)
        if arg in optional and not (i + 1 < len(args) and args[i + 1].lstrip("-").isdigit()):
            out.append(optional[arg])
    return out


# Options that take a list as the words after them, per command (``ideal --highlight KHM RUS USA`` is
# ``--highlight KHM,RUS,USA``): only where the command has no argument of its own those words could be.
SEVERAL_VALUES = {"ideal": "--highlight"}


def _several_values(args: list[str]) -> list[str]:
    """``args`` with the words after its command's ``SEVERAL_VALUES`` option (up to the next option or
    ``--``) joined into the option's one comma-separated value."""
    words = [a for a in args if a != "--debug"]
    option = SEVERAL_VALUES.get(words[0]) if words else None
    if option is None or option not in args:
        return args
    at = args.index(option)
    end = at + 1
    while end < len(args) and not args[end].startswith("-"):
        end += 1
    if end - at <= 2:
        return args
    return [*args[:at + 1], ",".join(args[at + 1:end]), *args[end:]]


def _write_out(text: str) -> None:
    try:
        sys.stdout.write(text)
    except (OSError, ValueError, AttributeError):
        pass


def _app_for(args: list[str]) -> typer.Typer:
    """The app to run ``args`` with. Typer builds a Click command for every registered command on each
    run (a third of the start-up that is unvote's own); a run of one command needs only that one, so
    it gets the app with just that command and the global options. Anything else (--help before the
    command, a misspelt command, shell completion) gets the whole app."""
    import copy
    import os

    from typer.main import get_command_name

    if os.environ.get("_UNVOTE_COMPLETE"):
        return app
    words = [a for a in args if a != "--debug"]  # the one global option that lets a command follow
    if not words or words[0].startswith("-"):
        return app
    wanted = [c for c in app.registered_commands
              if (c.name or get_command_name(c.callback.__name__)) == words[0]]
    if len(wanted) != 1:
        return app
    one = copy.copy(app)
    one.registered_commands = wanted
    return one


def _usage_message(err) -> str:
    """Click's message on one line, with where to find the usage (instead of the usage block)."""
    ctx = getattr(err, "ctx", None)
    hint = f" (see: {ctx.command_path} --help)" if ctx is not None and ctx.command_path else ""
    return " ".join(err.format_message().split("\n")).strip() + hint


def _is_output_error(err: OSError) -> bool:
    """stdout failed: the medium (as for -o files), or a stdout the shell closed."""
    from ..output.files import MEDIUM_ERRORS

    return err.errno in (*MEDIUM_ERRORS, errno.EBADF) and err.filename is None


def _interrupted() -> None:
    """Ctrl-C or SIGTERM: say whether the store changed (a fetch may be stopped after its new data was
    stored; the pointer swap itself is never cut in half: ``interrupts.deferred``)."""
    import signal

    from ..store import stored

    done = len(stored()) > _stored_before
    message = "interrupted after the new data was stored" if done else "interrupted: the store is unchanged"
    terminated = interrupts.received() == getattr(signal, "SIGTERM", None)
    _write_err(f"unvote: {message}{' (SIGTERM)' if terminated else ''}\n")
    code = ExitStatus.TERMINATED if terminated else ExitStatus.INTERRUPTED
    if _COMMAND:
        # The store is settled and every cleanup ran on the way here. Leave now: interpreter shutdown
        # (C++ thread pools, a signal handler restored by a library) could still end the process by the
        # signal itself (exit -2, seen once in 450 interrupts), after this line said otherwise.
        import os

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        os._exit(code)
    _exit(code)


def _fail(err: BaseException, message: str, code: int) -> None:
    if config.debug():
        import traceback

        traceback.print_exception(err)
    _write_err(f"unvote: error: {_shown(message)}\n")
    _exit(code)


def _shown(message: str) -> str:
    """An error line safe to print: no terminal control sequences (a file name, a title from the data) and
    no password of a ``user:password@`` address."""
    import re

    from ..output.views import clean

    return re.sub(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@", r"\1***@", clean(message))


def _write_err(text: str) -> None:
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _exit(code: int) -> None:
    """Exit without Python's final flush of a stdout that cannot take it (a second error)."""
    import os

    try:
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            sys.stdout = None
    sys.exit(code)


def _quiet_pipe() -> None:
    """The reader went away (``| head``): stop quietly, as csvkit does."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(ExitStatus.SUCCESS)
