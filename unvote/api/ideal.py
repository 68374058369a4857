"""Ideal points: one-dimensional positions per country and period (``analysis/ideal.py``)."""

from __future__ import annotations

from .. import countries
from ..errors import NoData, UsageError
from ..selection import Query, Selection


def ideal(year=None, session=None, *, body: str = "ga", source: str = "undl", kind: str = "resolution",
          topic=None, continuity: bool = True, min_votes: int = 10, store=None):
    """One-dimensional ideal points per country for a year or a session: country, name, period,
    ideal_point (mean 0, sd 1 across the period's countries, USA positive), std_error, n_votes.

    An ordered-logit IRT model (Yes > Abstain > No) fitted to each period on its own — see
    ``unvote.analysis.ideal``. ``year`` (2019) or ``session`` (74, "ES-11") may be a list: one fit
    per period. Unanimous roll calls and countries with fewer than ``min_votes`` votes are left
    out; ``analysis.ideal.facts(table)`` lists them. With ``continuity`` (default) a predecessor
    seat's votes are the successor's (USSR → Russia).
    """
    from ..analysis import ideal as irt
    from ..analysis.votematrix import vote_matrix
    from ..selection import Reader

    if (year is None) == (session is None):
        raise UsageError("give a year or a session, e.g. year=2019 or session=74")
    if min_votes < 1:
        raise UsageError(f"min_votes must be at least 1, not {min_votes}")
    by, wanted = ("year", year) if year is not None else ("session", session)
    periods = [str(p).strip().upper() for p in (wanted if isinstance(wanted, (list, tuple)) else [wanted])]
    merge = countries.continuity() if continuity else None
    reader = Reader(store)  # one store version for every period
    fits = []
    for period in periods:
        span = {"year": period} if by == "year" else {"session": period}
        query = Query(Selection.of(body=body, source=source, kind=kind, topic=topic, continuity=continuity,
                                   **span), reader)
        calls = query.rollcalls()
        votes_now = vote_matrix(calls, query.votes(), merge=merge)
        try:
            fits.append((period, irt.fit(votes_now.votes, votes_now.countries, votes_now.rollcall_ids,
                                         min_votes=min_votes)))
        except NoData as err:
            raise NoData(f"{by} {period}: {err}") from None
    return irt.to_table(fits, by=by, min_votes=min_votes)
