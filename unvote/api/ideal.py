"""Ideal points: one-dimensional positions per country and period (``analysis/ideal.py``)."""

from __future__ import annotations

from ..core.errors import NoData, UsageError
from ..model import countries
from ..query.reader import Reader
from ..query.selection import Query, Selection
from .selecting import selecting

# analysis/, model.symbols and model.reference are imported inside the functions that use them
# (lazy): api/__init__ loads every api module for every command, so a quick one (tally, align,
# search) would pay for all the others' (measured: 25-45 ms of start-up).


@selecting(own=("year", "session"))
def ideal(year=None, session=None, *, body: str = "ga", source: str = "undl", kind: str = "resolution",
          topic=None, about=None, continuity: bool = True, min_votes: int = 10, selection: Selection | None = None, store=None):
    """One-dimensional ideal points per country for a year or a session: country, name, period,
    ideal_point (mean 0, sd 1 across the period's countries, USA positive), std_error, n_votes.

    An ordered-logit IRT model (Yes > Abstain > No) fitted to each period on its own — see
    ``unvote.analysis.ideal``. ``year`` (2019) or ``session`` (74, "ES-11") may be a list: one fit
    per period; with neither, the latest complete year in the data (``latest_complete_year``). Unanimous roll calls and countries with fewer than ``min_votes`` votes are left
    out; ``analysis.ideal.facts(table)`` lists them. With ``continuity`` (default) a predecessor
    seat's votes are the successor's (USSR → Russia). ``selection``: a ``Selection`` for the other
    filters (its span is the periods': give its year or session here, not in it).
    """
    from ..analysis import ideal as irt
    from ..analysis.votematrix import vote_matrix

    if year is not None and session is not None:
        raise UsageError("give a year or a session, e.g. year=2019 or session=74, not both")
    if selection.since or selection.until or selection.session:
        raise UsageError("ideal fits one model per year or session: give them as year= or session=, "
                         "not in the selection")
    if min_votes < 1:
        raise UsageError(f"min_votes must be at least 1, not {min_votes}")
    reader = Reader(store)  # one store version for every period
    if year is None and session is None:
        year = latest_complete_year(selection=selection, reader=reader)
    by, wanted = ("year", year) if year is not None else ("session", session)
    periods = [str(p).strip().upper() for p in (wanted if isinstance(wanted, (list, tuple)) else [wanted])]
    merge = countries.continuity() if selection.continuity else None
    fits = []
    for period in periods:
        span = Selection.of(**({"year": period} if by == "year" else {"session": period}))
        query = Query(selection.replace(since=span.since, until=span.until, session=span.session), reader)
        calls = query.rollcalls()
        votes_now = vote_matrix(calls, query.votes(), merge=merge)
        try:
            fits.append((period, irt.fit(votes_now.votes, votes_now.countries, votes_now.rollcall_ids,
                                         min_votes=min_votes)))
        except NoData as err:
            raise NoData(f"{by} {period}: {err}") from None
    return irt.to_table(fits, by=by, min_votes=min_votes)


@selecting
def latest_complete_year(*, body: str = "ga", source: str = "undl", kind: str = "resolution", reader=None,
                         selection: Selection | None = None, store=None) -> int:
    """The last calendar year the data holds completely: the newest roll call's year if it is dated
    31 December, else the year before (``model.dates.latest_complete_year``, the rule ``votes`` uses too).
    Only the body, source and kind count: the data's own last year, never a narrower filter's."""
    return Query(selection, reader or Reader(store)).latest_complete_year()


@selecting
def newest_date(*, body: str = "ga", source: str = "undl", kind: str = "resolution", reader=None,
                selection: Selection | None = None, store=None):
    """The date of the data's newest roll call (body, source and kind only): where a chart's last
    year stops when that year is not complete (``latest_complete_year``)."""
    return Query(selection, reader or Reader(store)).newest()


@selecting
def ideal_dynamic(*, since=None, until=None, body: str = "ga", source: str = "undl", kind: str = "resolution",
                  topic=None, about=None, continuity: bool = True, min_votes: int = 10, tau: float | None = None,
                  selection: Selection | None = None, store=None):
    """Dynamic ideal points on one scale across years: country, name, year, ideal_point (mean 0,
    sd 1 over all country-years, USA positive), std_error, n_votes — one row per country-year.

    An ordered-logit IRT model in which a country's position follows a random walk from year to year
    and the roll calls of a recurring text (one normalised title, ``analysis.series`` rule 1, at most
    one roll call a year) share their parameters across the years: see ``unvote.analysis.dynamic``.
    ``since``/``until`` cut the span (default: everything in the data). Country-years with fewer than
    ``min_votes`` votes are left out (``analysis.ideal.facts(table)["left_out"]``); ``tau``: the sd
    of a yearly step (default ``analysis.dynamic.TAU``).
    """
    import numpy as np

    from ..analysis import dynamic
    from ..analysis.series import words_sql
    from ..analysis.votematrix import vote_matrix

    if min_votes < 1:
        raise UsageError(f"min_votes must be at least 1, not {min_votes}")
    if selection.session:
        raise UsageError("the dynamic model runs over years: give since= and until=, not a session")
    tau = dynamic.TAU if tau is None else float(tau)
    if not tau > 0:
        raise UsageError(f"tau must be positive, not {tau}")
    query = Query(selection, Reader(store))
    present = set(query.reader.columns(query.dataset, "rollcalls"))
    title = "coalesce(r.title, r.short)" if "short" in present else "r.title" if "title" in present else "NULL"
    calls_sql, params = query.rollcalls_sql(("rollcall_id", "date", "title", *(("short",) if "short" in present else ())))
    calls = query.reader.arrow(f"SELECT r.rollcall_id, year(r.date) AS year, "
                               f"array_to_string({words_sql(title)}, ' ') AS family FROM ({calls_sql}) r "
                               "ORDER BY r.date, r.rollcall_id", params)
    if calls.num_rows == 0:
        raise query.nothing()
    merge = countries.continuity() if selection.continuity else None
    matrix = vote_matrix(calls, query.votes(), merge=merge)
    families = [f or None for f in calls.column("family").to_pylist()]  # an empty title bridges nothing
    result = dynamic.fit(matrix.votes, matrix.countries, np.asarray(calls.column("year")), families,
                         min_votes=min_votes, tau=tau)
    return dynamic.to_table(result, min_votes=min_votes, tau=tau)
