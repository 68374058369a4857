"""Sessions: a roll call's session, and the regular session it counts in as Voeten's data folds it."""

from __future__ import annotations

import datetime as dt

# A roll call's regular session, as Voeten's data assigns it: a regular session's own number; a special
# or emergency special session (S-k, ES-k) goes to the regular session that opens in September of its
# calendar year (ES-1, November 1956 → 11; S-1, May 1947 → 2; ES-11/1, March 2022 → 77).
# ``rollcalls_sql`` gives it for the column name ``regular_session`` (named ``session`` in the result).
REGULAR_SESSION = ("CASE WHEN regexp_full_match(r.session, '[0-9]+') OR r.date IS NULL THEN r.session "
                   "ELSE CAST(year(r.date) - 1945 AS VARCHAR) END")



def regular_session(session: str | None, date: dt.date | None) -> str | None:
    """``REGULAR_SESSION`` in Python: ``regular_session("ES-1", date(1956, 11, 4)) == "11"``."""
    if session is None or date is None or session.isdigit():
        return session
    return str(date.year - 1945)
