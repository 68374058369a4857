"""Who held a seat, and when: the one home of seat history (``data/seats.csv``, hand-written).

A seat's votes sit under one store code, whoever cast them: the China seat is ``CHN`` for the
Republic of China until A/RES/2758 (XXVI) and for the People's Republic after; ``KHM`` is every
government of Cambodia the Assembly seated. ``data/seats.csv`` lists, per code, each holder with
the day it took the seat (``from``) and its last day (``to``; empty: it holds it still):

* ``date_quality`` says how sure the ``from`` date is: ``recorded`` (a dated decision or event,
  named in ``source``) or ``approximate`` (only the year is known; the date is written as the year,
  and covers the whole of it).
* On the day of a decision both holders are named (the Republic of China sat until the vote of
  25 October 1971): the old holder's ``to`` is that day, and so is the new one's ``from``.
* ``succeeded_by``: the codes that took over when a holder without a successor of its own code
  ended (``CSK`` → ``CZE|SVK``, ``YMD`` → ``YEM``), so a seat's history names them.

A **change** is a new holder of the votes a code stands for: under continuity its lineage's
(``countries.lineage``: the USSR's votes are Russia's), else its own. An output whose span
crosses one says so (``changes``; ``output.labels`` carries them as ``Label.seat_changes``).

Stdlib only; read on first use.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass
from importlib import resources

from . import countries

QUALITIES = ("recorded", "approximate")
# Without continuity a seat's earlier holders may read as a code of their own: the China seat's votes
# before A/RES/2758 (XXVI) are the Republic of China's (TWN, ``query.selection.Query.table``).
SPLIT = {"CHN": "TWN"}


@dataclass(frozen=True)
class Holding:
    """One holder of a seat: ``first``/``last`` are days (``last`` None: still held); ``since``/``until``
    are the dates as written (a year alone where approximate)."""

    code: str
    holder: str
    since: str
    until: str
    quality: str
    succeeded_by: tuple[str, ...]
    source: str

    @property
    def first(self) -> dt.date:
        """The first day it may have held the seat (an approximate year: 1 January)."""
        return _day(self.since, end=False)

    @property
    def last(self) -> dt.date | None:
        """The last day it may have held the seat (an approximate year: 31 December); None: it still does."""
        return _day(self.until, end=True) if self.until else None

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """When it took the seat: that day, or the whole year where only the year is known."""
        return self.first, (_day(self.since, end=True) if len(self.since) == 4 else self.first)


    def words(self) -> str:
        """``the Khmer Republic (KHM), 1970-10-09 – 1975 (from: recorded): Proclaimed 9 October 1970; …``."""
        return (f"{named(self.holder)} ({self.code}), {self.since} – {self.until or 'today'} "
                f"(from: {self.quality}): {self.source}")


@dataclass(frozen=True)
class Change:
    """``before`` gave way to ``after`` in the seat a reader knows as ``seat`` (a code)."""

    seat: str
    before: Holding
    after: Holding

    @property
    def date(self) -> dt.date:
        """The day the new holder took the seat (an approximate year: 1 January)."""
        return self.after.first

    @property
    def approximate(self) -> bool:
        return self.after.quality == "approximate"

    def crosses(self, since: dt.date | None, until: dt.date | None) -> bool:
        """The span ``since``–``until`` (open ends: unbounded) holds days of both holders: it starts
        before the change and reaches it (for an approximate year: starts before its end, reaches its start)."""
        first, last = self.after.window
        return (since is None or since < last) and (until is None or until >= first)

    def words(self) -> str:
        """``the China seat was held by the Republic of China until 1971-10-25, then by the People's
        Republic of China``."""
        return sentences([self])[0]

    def until(self) -> str:
        """When the old holder's time ended, in words: ``1971-10-25``, ``about 1975``."""
        until = self.before.until or str(self.date)
        return f"about {until}" if self.approximate or len(until) == 4 else until


def sentences(found) -> list[str]:
    """One sentence per seat for its changes (in order): ``the Cambodia seat was held by the Khmer
    Republic until about 1975, then by Democratic Kampuchea until about 1982, then by …``."""
    by_seat: dict[str, list[Change]] = {}
    for change in found:
        by_seat.setdefault(change.seat, []).append(change)
    out = []
    for seat, chain in by_seat.items():
        text = f"the {countries.short_name(seat)} seat was held by {named(chain[0].before.holder)}"
        for i, change in enumerate(chain):
            text += f" until {change.until()}, then by {named(change.after.holder)}"
            if i + 1 < len(chain) and chain[i + 1].before != change.after:  # not one run: a new clause
                text += f"; by {named(chain[i + 1].before.holder)}"
        out.append(text)
    return out


# Holders whose name reads with "the" in a sentence (the Republic of China, but Democratic Kampuchea)
_THE = ("Republic", "People's", "Khmer", "Coalition", "Supreme", "Kingdom", "USSR", "Russian", "Federal", "German",
        "Socialist", "United", "Czech")


def named(holder: str) -> str:
    """A holder as a sentence names it: ``the Republic of China``, ``Democratic Kampuchea``."""
    return f"the {holder}" if holder.split(" ", 1)[0] in _THE else holder


@functools.cache
def holdings() -> tuple[Holding, ...]:
    """Every row of ``data/seats.csv``, as written (checked: known codes and qualities, dates in order)."""
    rows = []
    with resources.files("unvote").joinpath("data/seats.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            held = Holding(row["code"], row["holder"], row["from"], row["to"], row["date_quality"],
                           tuple(filter(None, row["succeeded_by"].split("|"))), row["source"])
            if countries.get(held.code) is None or any(countries.get(c) is None for c in held.succeeded_by):
                raise ValueError(f"seats.csv: unknown code in {row}")
            if held.quality not in QUALITIES or (held.last is not None and held.last < held.first):
                raise ValueError(f"seats.csv: bad dates or date_quality in {row}")
            rows.append(held)
    return tuple(rows)


def _day(text: str, *, end: bool) -> dt.date:
    if len(text) == 4:  # a year alone: approximate
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    return dt.date.fromisoformat(text)


def of(code: str) -> list[Holding]:
    """The holders of one code's votes, oldest first; a member with none listed: itself, from its admission."""
    own = [h for h in holdings() if h.code == code]
    if own:
        return sorted(own, key=lambda h: h.first)
    country = countries.get(code)
    if country is None:
        return []
    return [Holding(code, country.name, str(country.member_from), str(country.member_to or ""), "recorded", (),
                    "membership dates (unvote/data/countries.csv)")]


def history(code: str) -> list[Holding]:
    """Everyone who held ``code``'s seat or one it took over (a continued seat, or one that merged or
    split into it: ``succeeded_by``), oldest first."""
    codes = _before(code)
    return sorted((h for c in codes for h in of(c)), key=lambda h: (h.first, h.code != code))


def _before(code: str) -> list[str]:
    """``code`` and, transitively, the codes it continues or that passed to it."""
    found = [code]
    for c in found:
        for old in {*(h.code for h in holdings() if c in h.succeeded_by),
                    *(x for x in countries.lineage(c) if x != c)}:
            if old not in found:
                found.append(old)
    return found


def changes(code: str, since: dt.date | None = None, until: dt.date | None = None, *,
            continuity: bool = True) -> list[Change]:
    """The changes of holder of the votes ``code`` stands for (its lineage under ``continuity``)
    that the span ``since``–``until`` crosses, oldest first."""
    codes = countries.lineage(code) if continuity else [code]
    held = sorted((h for c in codes for h in of(c)), key=lambda h: h.first)
    if not continuity and code in SPLIT:  # the earlier holders' votes are read as SPLIT[code]'s
        held = held[-1:]
    found = [Change(code, a, b) for a, b in zip(held, held[1:])]
    return [c for c in found if c.crosses(since, until)]


def all_changes(since: dt.date | None = None, until: dt.date | None = None, *,
                continuity: bool = True) -> list[Change]:
    """Every seat's changes that the span crosses (for a result over every member), by date."""
    heads = dict.fromkeys(countries.successor(h.code) if continuity else h.code for h in holdings())
    return sorted((c for code in heads for c in changes(code, since, until, continuity=continuity)),
                  key=lambda c: (c.date, c.seat))


def handover(code: str, holder: str) -> dt.date:
    """The day ``holder`` took ``code``'s seat (``handover("CHN", "People's Republic of China")``)."""
    return next(h.first for h in of(code) if h.holder == holder)
