"""The library's front door: questions answered from the store, as pyarrow tables.

    >>> import unvote
    >>> unvote.tally("ES-11/1").to_pylist()[0]["yes"]
    141

Each CLI command is a thin adapter over one function here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import countries
from .errors import NoData, UsageError
from .store import Store

ROLLCALL_VIEW = ("rollcall_id", "resolution", "date", "session", "meeting", "title")


def rollcalls(body: str = "ga", *, store: Store | None = None, columns=None):
    """Every roll call of ``body`` ("ga" or "sc"), sorted by date."""
    return (store or Store()).rollcalls(body, columns=columns)


def votes(body: str = "ga", *, store: Store | None = None, columns=None, filters=None):
    """Every country vote of ``body``: rollcall_id, ms_code, ms_name, vote (Y/N/A/X)."""
    return (store or Store()).votes(body, columns=columns, filters=filters)


def find(*symbols: str, body: str = "ga", store: Store | None = None):
    """The roll calls that ``symbols`` name (``ES-11/1``, ``A/RES/68/262``, ``2758(XXVI)``, a record id)."""
    from .symbols import SymbolIndex

    if not symbols:
        raise UsageError("name at least one resolution, e.g. ES-11/1")
    store = store or Store()
    body = body_for(symbols, body)
    calls = store.rollcalls(body, columns=[c for c in ROLLCALL_VIEW])
    index = SymbolIndex(calls["resolution"].to_pylist(), calls["rollcall_id"].to_pylist())
    rows: list[int] = []
    for sym in symbols:
        rows.extend(i for i in index.find(sym) if i not in rows)
    return calls.take(rows)


def body_for(symbols, body: str = "ga") -> str:
    """``sc`` when every symbol is a Security Council one (``S/RES/2623(2022)``), else ``body``:
    an S/RES symbol can only be found in the SC data, so ``--body sc`` is implied."""
    from .symbols import parse

    parsed = [parse(s) for s in symbols]
    if body == "ga" and parsed and all(p is not None and p.body == "sc" for p in parsed):
        return "sc"
    return body


def tally(*symbols: str, body: str = "ga", store: Store | None = None):
    """Counts per roll call: resolution, date, yes, no, abstain, non_voting, voting, members, title …"""
    from .analysis.tally import tally as count

    store = store or Store()
    body = body_for(symbols, body)
    calls = find(*symbols, body=body, store=store)
    return count(calls, _votes_of(calls, body, store))


def country_votes(*symbols: str, body: str = "ga", store: Store | None = None):
    """Who voted how: one row per (roll call, member state) with vote in Y, N, A, X."""
    from .analysis.tally import country_votes as by_country

    store = store or Store()
    body = body_for(symbols, body)
    calls = find(*symbols, body=body, store=store)
    return by_country(calls, _votes_of(calls, body, store))


def _votes_of(calls, body: str, store: Store):
    import pyarrow.compute as pc

    ids = calls["rollcall_id"].to_pylist()
    found = store.votes(body, filters=[("rollcall_id", "in", ids)])
    # keep the order of the record within each roll call, roll calls in the order asked
    return found.take(pc.sort_indices(pc.index_in(found["rollcall_id"], calls["rollcall_id"]))) \
        if len(ids) > 1 else found


@dataclass(frozen=True)
class Period:
    since: dt.date | None = None
    until: dt.date | None = None
    session: str | None = None


def parse_when(text: str | None, *, end: bool) -> dt.date | None:
    """``2019`` or ``2019-03-02`` → a date (a bare year means its first or, with ``end``, last day)."""
    if text is None:
        return None
    text = text.strip()
    try:
        if text.isdigit() and len(text) == 4:
            return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not a year or date: {text!r} (use 2019 or 2019-03-02)") from None


def align(a: str, b: str, *, by: str = "year", metric: str = "agree", since: str | None = None,
          until: str | None = None, session: str | None = None, continuity: bool = True,
          body: str = "ga", store: Store | None = None):
    """Agreement between two countries per period (year, session or "all"), with the counts.

    Countries may be named any reasonable way (``KHM``, ``Cambodia``, ``Russia``). With
    ``continuity`` (default) a country's predecessor seat counts as its own (USSR → Russia).
    """
    from .analysis import align as alignment

    if metric not in alignment.METRICS:
        raise UsageError(f"unknown metric {metric!r}; choose from {', '.join(alignment.METRICS)}")
    if by not in ("year", "session", "all"):
        raise UsageError(f"unknown period {by!r}; use year, session or all")
    store = store or Store()
    first, second = countries.lookup(a), countries.lookup(b)
    if first.code == second.code:
        raise UsageError(f"both sides are {first.code}; name two different countries")
    calls = select_rollcalls(store, body, since=since, until=until, session=session)
    lineages = [countries.lineage(c.code) if continuity else [c.code] for c in (first, second)]
    both_codes = lineages[0] + lineages[1]
    found = store.votes(body, columns=["rollcall_id", "ms_code", "vote"],
                        filters=[("ms_code", "in", both_codes)])
    ids = calls["rollcall_id"].to_numpy()
    vectors = [alignment.vote_vector(ids, found, codes) for codes in lineages]
    for country, vec in zip((first, second), vectors):
        if (vec != 9).sum() == 0:
            raise NoData(f"{country.code} ({country.name}) has no recorded {body.upper()} votes"
                         f"{_span_text(since, until, session)}")
    return alignment.align(calls, vectors[0], vectors[1], by=by, metric=metric)


def select_rollcalls(store: Store, body: str, *, since=None, until=None, session=None):
    """Roll calls sorted by date, restricted to a date span and/or a session."""
    import pyarrow.compute as pc

    calls = store.rollcalls(body, columns=["rollcall_id", "date", "session", "resolution"])
    start, end = parse_when(since, end=False), parse_when(until, end=True)
    mask = None
    if start:
        mask = pc.greater_equal(calls["date"], start)
    if end:
        m = pc.less_equal(calls["date"], end)
        mask = m if mask is None else pc.and_(mask, m)
    if session:
        m = pc.equal(calls["session"], session.strip().upper())
        mask = m if mask is None else pc.and_(mask, m)
    if mask is not None:
        calls = calls.filter(mask)
    if calls.num_rows == 0:
        raise NoData(f"no {body.upper()} roll calls{_span_text(since, until, session)}")
    return calls.take(pc.sort_indices(calls, [("date", "ascending"), ("rollcall_id", "ascending")]))


def _span_text(since, until, session) -> str:
    parts = [f"since {since}" if since else "", f"until {until}" if until else "",
             f"in session {session}" if session else ""]
    return (" " + " ".join(p for p in parts if p)) if any(parts) else ""


def info(store: Store | None = None) -> dict:
    """Where the store is and what each dataset holds (from its manifest)."""
    store = store or Store()
    from .store import DATASETS

    return {"data_dir": str(store.root),
            "datasets": {d: store.manifest(d) for d in DATASETS if store.has(d)}}
