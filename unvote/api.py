"""The library's front door: questions answered from the store, as pyarrow tables.

    >>> import unvote
    >>> unvote.tally("ES-11/1").to_pylist()[0]["yes"]
    141

Each CLI command is a thin adapter over one function here.
"""

from __future__ import annotations

import datetime as dt

from . import countries
from .errors import NoData, UsageError
from .store import Store

ROLLCALL_VIEW = ("rollcall_id", "resolution", "date", "session", "meeting", "title")
SOURCES = ("undl", "voeten", "merged")
KINDS = ("resolution", "amendment", "paragraph", "all")
SOURCE_LABELS = {
    "undl": "UN Digital Library voting records",
    "voeten": "Voeten's UNGA roll-call data (Harvard Dataverse)",
    "merged": "UN Digital Library records, with Voeten's roll calls where UNDL has none",
}


def dataset(body: str = "ga", source: str = "undl", *, store: Store | None = None) -> str:
    """The store dataset holding ``body``'s votes from ``source``: ``ga``/``sc`` (undl, the UN's
    own records), ``voeten`` or ``merged`` (General Assembly only). Every analysis function takes
    ``body=`` and reads that dataset, so ``neighbors(..., body=dataset("ga", "voeten"))`` works too.
    Asking for ``merged`` rebuilds it first if the UNDL or Voeten data changed since it was built.
    """
    if source not in SOURCES:
        raise UsageError(f"unknown source {source!r}; use {', '.join(SOURCES)}")
    if source == "undl":
        return body
    if body != "ga":
        raise UsageError(f"--source {source} covers the General Assembly only; use --source undl with --body {body}")
    if source == "merged":
        from .ingest import history

        history.ensure_current(store or Store())
    return source


def source_tables(body: str = "ga", *, source: str = "undl", kind: str = "resolution", since=None,
                  until=None, session=None, rollcall_columns=None, vote_columns=None, vote_filters=None,
                  store: Store | None = None):
    """(roll calls, votes) of ``body`` from ``source`` ("undl", "voeten", "merged"), restricted to
    ``kind`` ("resolution": votes on whole texts; "amendment", "paragraph", or "all") and to a
    date span or session. Roll calls are sorted by date; votes belong to those roll calls only."""
    import pyarrow.compute as pc

    store = store or Store()
    name = dataset(body, source, store=store)
    calls = select_rollcalls(store, name, since=since, until=until, session=session, kind=kind,
                             columns=rollcall_columns)
    found = store.votes(name, columns=vote_columns, filters=vote_filters)
    return calls, found.filter(pc.is_in(found["rollcall_id"], calls["rollcall_id"]))


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; use {', '.join(KINDS)}")
    return kind


def _of_kind(calls, kind: str):
    """The roll calls of ``kind`` (UNDL records are all whole resolutions)."""
    import pyarrow.compute as pc

    if _check_kind(kind) == "all" or "kind" not in calls.column_names:
        return calls
    return calls.filter(pc.equal(calls["kind"], kind))


def rollcalls(body: str = "ga", *, store: Store | None = None, columns=None):
    """Every roll call of ``body`` ("ga" or "sc"), sorted by date."""
    return (store or Store()).rollcalls(body, columns=columns)


def votes(body: str = "ga", *, store: Store | None = None, columns=None, filters=None):
    """Every country vote of ``body``: rollcall_id, ms_code, ms_name, vote (Y/N/A/X)."""
    return (store or Store()).votes(body, columns=columns, filters=filters)


def find(*symbols: str, body: str = "ga", source: str = "undl", kind: str = "resolution",
         store: Store | None = None):
    """The roll calls that ``symbols`` name (``ES-11/1``, ``A/RES/68/262``, ``2758(XXVI)``, a record id
    — with ``source="voeten"`` a bare number is Voeten's rcid)."""
    from .symbols import SymbolIndex

    if not symbols:
        raise UsageError("name at least one resolution, e.g. ES-11/1")
    store = store or Store()
    body = dataset(body_for(symbols, body), source, store=store)
    calls = _of_kind(store.rollcalls(body, columns=[*ROLLCALL_VIEW, "kind", "source"]), kind)
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


def tally(*symbols: str, body: str = "ga", source: str = "undl", kind: str = "resolution",
          store: Store | None = None):
    """Counts per roll call: resolution, date, yes, no, abstain, non_voting, voting, members, title …
    (and ``source``, where each roll call's votes come from, unless ``source`` is "undl")."""
    from .analysis.tally import tally as count

    store = store or Store()
    body = dataset(body_for(symbols, body), source, store=store)
    calls = find(*symbols, body=body, kind=kind, store=store)
    counts = count(calls, _votes_of(calls, body, store))
    return counts if source == "undl" else counts.append_column("source", calls["source"])


def country_votes(*symbols: str, body: str = "ga", source: str = "undl", kind: str = "resolution",
                  store: Store | None = None):
    """Who voted how: one row per (roll call, member state) with vote in Y, N, A, X."""
    from .analysis.tally import country_votes as by_country

    store = store or Store()
    body = dataset(body_for(symbols, body), source, store=store)
    calls = find(*symbols, body=body, kind=kind, store=store)
    return by_country(calls, _votes_of(calls, body, store))


def _votes_of(calls, body: str, store: Store):
    import pyarrow.compute as pc

    ids = calls["rollcall_id"].to_pylist()
    found = store.votes(body, filters=[("rollcall_id", "in", ids)])
    # keep the order of the record within each roll call, roll calls in the order asked
    return found.take(pc.sort_indices(pc.index_in(found["rollcall_id"], calls["rollcall_id"]))) \
        if len(ids) > 1 else found


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
          exclude_unanimous: bool = False, body: str = "ga", source: str = "undl", kind: str = "resolution",
          store: Store | None = None):
    """Agreement between two countries per period (year, session or "all"), with the counts.

    Countries may be named any reasonable way (``KHM``, ``Cambodia``, ``Russia``), and a group may
    stand for either (``ASEAN``, ``EU``: its members' plurality position, see ``unvote.groups``).
    With ``continuity`` (default) a country's predecessor seat counts as its own (USSR → Russia).
    ``exclude_unanimous`` drops roll calls where every member that voted Y/A/N voted alike (Voeten).
    ``source``/``kind``: which data and which roll calls (see ``source_tables``).
    """
    from .agreement import side_vectors, unanimous_mask
    from .analysis import align as alignment

    if metric not in alignment.METRICS:
        raise UsageError(f"unknown metric {metric!r}; choose from {', '.join(alignment.METRICS)}")
    if by not in ("year", "session", "all"):
        raise UsageError(f"unknown period {by!r}; use year, session or all")
    store = store or Store()
    first, second = side(a), side(b)
    if first.code == second.code:
        raise UsageError(f"both sides are {first.code}; name two different countries or groups")
    body = dataset(body, source, store=store)
    calls = select_rollcalls(store, body, since=since, until=until, session=session, kind=kind)
    if exclude_unanimous:
        calls = calls.filter(~unanimous_mask(calls, body=body, store=store))
        if calls.num_rows == 0:
            raise NoData(f"every {body.upper()} roll call{_span_text(since, until, session)} was unanimous")
    vectors = side_vectors([first, second], calls, body=body, store=store, continuity=continuity)
    for who, vec in zip((first, second), vectors):
        if (vec != 9).sum() == 0:
            raise NoData(f"{who.label} has no recorded {body.upper()} votes"
                         f"{_span_text(since, until, session)}")
    return alignment.align(calls, vectors[0], vectors[1], by=by, metric=metric)


def select_rollcalls(store: Store, body: str, *, since=None, until=None, session=None,
                     kind: str = "resolution", columns=None):
    """Roll calls sorted by date, restricted to a date span and/or a session, and to ``kind``
    (``body`` is a store dataset: "ga", "sc", "voeten", "merged"; see ``dataset``)."""
    import pyarrow.compute as pc

    wanted = ["rollcall_id", "date", "session", "resolution", "kind"]
    calls = store.rollcalls(body, columns=list(dict.fromkeys(wanted + list(columns or []))))
    calls = _of_kind(calls, kind)
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


def ideal(year=None, session=None, *, body: str = "ga", source: str = "undl", kind: str = "resolution",
          continuity: bool = True, min_votes: int = 10, store: Store | None = None):
    """One-dimensional ideal points per country for a year or a session: country, name, period,
    ideal_point (mean 0, sd 1 across the period's countries, USA positive), std_error, n_votes.

    An ordered-logit IRT model (Yes > Abstain > No) fitted to each period on its own — see
    ``unvote.analysis.ideal``. ``year`` (2019) or ``session`` (74, "ES-11") may be a list: one fit
    per period. Unanimous roll calls and countries with fewer than ``min_votes`` votes are left
    out; ``analysis.ideal.facts(table)`` lists them. With ``continuity`` (default) a predecessor
    seat's votes are the successor's (USSR → Russia).
    """
    from .analysis import ideal as irt
    from .analysis.votematrix import vote_matrix

    if (year is None) == (session is None):
        raise UsageError("give a year or a session, e.g. year=2019 or session=74")
    if min_votes < 1:
        raise UsageError(f"min_votes must be at least 1, not {min_votes}")
    by, wanted = ("year", year) if year is not None else ("session", session)
    periods = [str(p).strip().upper() for p in (wanted if isinstance(wanted, (list, tuple)) else [wanted])]
    merge = countries.continuity() if continuity else None
    fits = []
    for period in periods:
        if by == "year" and not (period.isdigit() and len(period) == 4):
            raise UsageError(f"not a year: {period!r} (use e.g. 2019)")
        span = {"since": period, "until": period} if by == "year" else {"session": period}
        calls, found = source_tables(body, source=source, kind=kind, store=store,
                                     vote_columns=["rollcall_id", "ms_code", "vote"], **span)
        votes_now = vote_matrix(calls, found, merge=merge)
        try:
            fits.append((period, irt.fit(votes_now.votes, votes_now.countries, votes_now.rollcall_ids,
                                         min_votes=min_votes)))
        except NoData as err:
            raise NoData(f"{by} {period}: {err}") from None
    return irt.to_table(fits, by=by, min_votes=min_votes)


# Neighbours, all-pairs matrices and groups live in their own module; the library's front door is here.
from .agreement import cohesion, group_members, groups_table, matrix, neighbors, side, tally_by_group  # noqa: E402, F401  (re-exported)
