"""Sessions: a roll call's session, and the regular session it counts in as Voeten's data folds it.

The one home of every sessions ↔ dates rule (``--session``, ``--by session``, tally's and votes'
``session`` column stay the resolution's own; ``regular_session`` is the fold):

- A regular session's roll call counts in its own session, including the parts that resume in the
  next calendar year (A/RES/78/… voted in June 2024 is session 78).
- A special or emergency special session's roll call (``S-k``, ``ES-k``) counts in the regular
  session numbered *its year − 1945*: the one that opens in September of that calendar year. This is
  what Voeten's ``session`` column does for all 55 special-session roll calls of his 2016-17 file
  whose ``unres`` names the session (SS/1 of May 1947 → 2, ESS/4 of September 1960 → 15, SS/3 of
  August 1961 → 16; rcid 9018, plain ``SS/5``, is his session 23) and for A/RES/ES-10/19 of
  December 2017 → 72 in the R package's table, even when the vote came before that session opened
  (so ES-11/6, February 2023, counts in 78).
- The ``voeten`` store keeps Voeten's own number in a ``regular_session`` column (and the ``merged``
  store on the roll calls it takes from Voeten), and there his number wins, so his data reproduces
  his groupings exactly. It departs from the two rules above on three roll calls: rcid 505 (R/12/6,
  1957-09-03 → 11), rcid 804 (R/16/1398, 1962-07-05 → 17) and rcid 4592 (A/RES/60/260, 2006-05-08 →
  59 in the 2016-17 file; the R package's table says 60). UN Digital Library records follow the rules.

``--session 78`` selects the roll calls whose regular session is 78 (as ``--by session`` groups
them); ``--session ES-11`` (any non-numeric session) selects that special session itself.
"""

from __future__ import annotations

import datetime as dt

# The first regular session opened in 1946; the Nth opens in September of 1945 + N.
FIRST_YEAR = 1945


def regular_session(session: str | None, date: dt.date | None, given: str | None = None) -> str | None:
    """The regular session a roll call counts in: ``given`` (Voeten's own number) if known, else its own
    session if regular, else the one opening in its calendar year:
    ``regular_session("ES-1", date(1956, 11, 4)) == "11"``."""
    if given is not None and str(given).strip():
        return str(given).strip()
    if session is None or date is None or is_regular(session):
        return session
    return str(date.year - FIRST_YEAR)


def is_regular(session: str | None) -> bool:
    """``"78"`` is a regular session; ``"ES-11"``, ``"S-29"`` are not."""
    return session is not None and str(session).strip().isdigit()


def regular_session_sql(alias: str = "r", stored: bool = True) -> str:
    """``regular_session`` in DuckDB SQL over a roll-call table (alias ``alias``); ``stored``: the table
    has a ``regular_session`` column (Voeten's number where he gives one)."""
    rule = (f"CASE WHEN regexp_full_match({alias}.session, '[0-9]+') OR {alias}.date IS NULL "
            f"THEN {alias}.session ELSE CAST(year({alias}.date) - {FIRST_YEAR} AS VARCHAR) END")
    return f"coalesce({alias}.regular_session, {rule})" if stored else rule



def session_holds(session: int, date: dt.date) -> bool:
    """Can a roll call of regular session ``session`` be dated ``date``? A session opens in September
    of 1945 + session and may resume until the next one opens (the early ones met in spring too)."""
    return FIRST_YEAR + session <= date.year <= FIRST_YEAR + 1 + session
