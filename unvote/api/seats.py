"""Countries and who held their seats: the reference tables as answers (``model.countries``, ``model.seats``)."""

from __future__ import annotations

from ..core.results import Rows
from ..model import countries
from ..model import seats as history

SEAT_TYPES = {"code": "VARCHAR", "holder": "VARCHAR", "valid_from": "VARCHAR", "valid_to": "VARCHAR",
              "date_quality": "VARCHAR", "source": "VARCHAR"}
COUNTRY_TYPES = {"code": "VARCHAR", "name": "VARCHAR", "short": "VARCHAR", "member_from": "DATE", "member_to": "DATE",
                 "continues_as": "VARCHAR", "holders": "BIGINT"}


def seats(country: str) -> Rows:
    """Who held ``country``'s seat (a code or a name), oldest first, with the seats it took over
    (the USSR's for Russia, Czechoslovakia's for Czechia): code (whose votes in the store), holder,
    valid_from, valid_to (as ``data/seats.csv`` writes them: a year alone where only the year is known;
    empty: holds it still), date_quality (recorded | approximate), source (the decision or event)."""
    code = countries.lookup(country).code
    return Rows.from_dicts(
        [{"code": h.code, "holder": h.holder, "valid_from": h.since, "valid_to": h.until or None,
          "date_quality": h.quality, "source": h.source} for h in history.history(code)], SEAT_TYPES)


def countries_table() -> Rows:
    """Every code unvote knows, members and dissolved seats: code, name, short (the name newsrooms
    print), member_from, member_to (empty: a member today), continues_as (the successor that kept the
    seat under continuity), holders (how many holders ``seats`` lists for it)."""
    return Rows.from_dicts(
        [{"code": c.code, "name": c.name, "short": c.short, "member_from": c.member_from, "member_to": c.member_to,
          "continues_as": c.continues_as, "holders": len(history.history(c.code))}
         for c in sorted(countries.all_countries(), key=lambda c: c.code)], COUNTRY_TYPES)
