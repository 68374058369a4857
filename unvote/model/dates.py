"""Dates as people type them: ``2019``, ``2019-03`` or ``2019-03-02`` (one parser for every command)."""

from __future__ import annotations

import datetime as dt
import re

from ..core.errors import UsageError

_WHEN = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", re.ASCII)


def parse_when(text: str | int | None, *, end: bool = False) -> dt.date | None:
    """A year, year-month or date → a date; a partial date means its first day (or, with ``end``, its last)."""
    if text is None:
        return None
    if isinstance(text, dt.date):
        return text
    m = _WHEN.fullmatch(str(text).strip())
    try:
        if m is None:
            raise ValueError
        year, month, day = (int(g) if g else None for g in m.groups())
        if day is not None:
            return dt.date(year, month, day)
        if month is not None:
            if not end:
                return dt.date(year, month, 1)
            return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    except ValueError:
        raise UsageError(f"not a year or date: {str(text)[:40]!r} (use 2019, 2019-03 or 2019-03-02)") from None


def parse_year(text: str | int) -> int:
    """A four-digit year (``--year 2022``)."""
    m = re.fullmatch(r"\d{4}", str(text).strip(), re.ASCII)
    if m is None:
        raise UsageError(f"not a year: {str(text)[:40]!r} (use e.g. 2022)")
    return int(m.group())


def span(*, year=None, since=None, until=None) -> tuple[dt.date | None, dt.date | None]:
    """(first day, last day) of ``--year`` or ``--since/--until``; an empty or reversed span is a usage error."""
    if year is not None:
        if since is not None or until is not None:
            raise UsageError("give --year, or --since/--until, not both")
        y = parse_year(year)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    start, stop = parse_when(since, end=False), parse_when(until, end=True)
    if start and stop and start > stop:
        raise UsageError(f"--since {since} is after --until {until}")
    return start, stop


def latest_complete_year(newest: dt.date) -> int:
    """The last calendar year that data whose newest roll call is dated ``newest`` holds completely:
    ``newest``'s year if that is 31 December, else the year before. The one rule for every default
    span (``ideal``, ``votes``): the Assembly votes until late December (2017-12-24) and resumed parts of a
    session vote in any month, so a year is complete only once the data has run to its last day."""
    return newest.year if (newest.month, newest.day) == (12, 31) else newest.year - 1
