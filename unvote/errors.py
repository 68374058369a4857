"""Domain errors. Each carries its exit code; ``cli.py`` maps them to one line on stderr."""

from __future__ import annotations


class UnvoteError(Exception):
    """Base class: a problem the user can act on. ``str(err)`` is the one-line message."""

    exit_code = 1


class UsageError(UnvoteError):
    """Bad arguments that the parser could not catch (bad date, bad combination)."""

    exit_code = 2


class NotFound(UnvoteError):
    """A country, resolution or group the user named does not exist."""

    exit_code = 3

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


class Ambiguous(UnvoteError):
    """The user's words match several things; the message lists them."""

    exit_code = 3

    def __init__(self, message: str, candidates: list[str]):
        self.candidates = candidates
        shown = ", ".join(candidates[:12]) + (" …" if len(candidates) > 12 else "")
        super().__init__(f"{message}: {shown}")


class NoData(UnvoteError):
    """The store has nothing for the request (usually: nothing fetched yet)."""

    exit_code = 4


class StoreError(UnvoteError):
    """The store is locked, unreadable or inconsistent."""

    exit_code = 5


class FetchError(UnvoteError):
    """A download or ingest failed; the previous store is untouched."""

    exit_code = 6


class Unreachable(FetchError):
    """No connection (no network, DNS failure, timeout): trying other URLs of the host is pointless."""


class Refused(FetchError):
    """The site refused an automated download (bot challenge, 403): never try to get around it."""


class DataFormatError(FetchError):
    """A file does not have the layout we expect (wrong columns, HTML instead of CSV, …)."""


def _or_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]
