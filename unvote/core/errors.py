"""Domain errors and the one table of exit codes.

Each error carries its ``ExitStatus``; the CLI's one handler (``cli/__init__.py``) prints it as
one line on stderr and exits with that code. docs/exit-codes.md is checked against ``ExitStatus``.
"""

from __future__ import annotations

from enum import IntEnum, unique


@unique
class ExitStatus(IntEnum):
    """Every exit code unvote uses (a test checks the docs' table against this)."""

    SUCCESS = 0
    USAGE = 2  # bad arguments, options or settings
    NOT_FOUND = 3  # a country, group, resolution or topic that does not exist (or is ambiguous)
    NO_DATA = 4  # nothing stored for the request, or nothing matched
    STORE = 5  # the store is locked, damaged or cannot be written
    FETCH = 6  # a download or ingest failed or was refused; the store is unchanged
    MISSING_DEPENDENCY = 7  # an optional package the command needs is not installed
    INTERNAL = 70  # a bug in unvote (EX_SOFTWARE)
    OUTPUT = 74  # the output could not be written (disk full, stdout closed; EX_IOERR)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + SIGTERM): the same stop as Ctrl-C, asked by another program


class UnvoteError(Exception):
    """Base class: a problem the user can act on. ``str(err)`` is the one-line message."""

    exit_code = ExitStatus.USAGE


class UsageError(UnvoteError):
    """Bad arguments that the parser could not catch (bad date, bad combination)."""

    exit_code = ExitStatus.USAGE


class NotFound(UnvoteError):
    """A country, resolution or group the user named does not exist."""

    exit_code = ExitStatus.NOT_FOUND

    def __init__(self, message: str, suggestions: list[str] | None = None):
        self.suggestions = suggestions or []
        if self.suggestions:
            message = f"{message} — did you mean {_or_list(self.suggestions)}?"
        super().__init__(message)


class UnknownCountry(NotFound):
    pass


class UnknownResolution(NotFound):
    pass


class UnknownGroup(NotFound):
    pass


class UnknownTopic(NotFound):
    pass


class Ambiguous(UnvoteError):
    """The user's words match several things; the message lists them."""

    exit_code = ExitStatus.NOT_FOUND

    def __init__(self, message: str, candidates: list[str]):
        self.candidates = candidates
        super().__init__(f"{message}: {', '.join(candidates)}")  # every candidate: the user picks one


class NoData(UnvoteError):
    """The store has nothing for the request (usually: nothing fetched yet)."""

    exit_code = ExitStatus.NO_DATA


class StoreError(UnvoteError):
    """The store is locked, unreadable or inconsistent."""

    exit_code = ExitStatus.STORE


class FetchError(UnvoteError):
    """A download or ingest failed; the previous store is untouched."""

    exit_code = ExitStatus.FETCH


class Unreachable(FetchError):
    """No connection (no network, DNS failure, timeout): trying other URLs of the host is pointless."""


class Refused(FetchError):
    """The site refused an automated download (bot challenge, 403): never try to get around it."""


class DataFormatError(FetchError):
    """A file does not have the layout we expect (wrong columns, HTML instead of CSV, …)."""


class MissingDependency(UnvoteError):
    """An optional package is needed for this command; the message names the install command."""

    exit_code = ExitStatus.MISSING_DEPENDENCY


def _or_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


class OutputError(UnvoteError):
    """The output could not be written: the disk is full, the medium failed (``-o``, ``--chart``)."""

    exit_code = ExitStatus.OUTPUT
