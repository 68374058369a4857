"""The reference tables as data: countries (codes, names, continuity), group memberships and who held each seat.

One definition of their columns for everyone who serves them as tables: ``fetch`` writes them into
the store as Parquet (``ingest/reference.py``) and ``unvote sql`` offers them as the ``countries``,
``groups`` and ``seats`` views (``api/sql.py``). Built from ``countries.py``, ``groups.py`` and
``seats.py`` (stdlib only); Arrow is made only when asked (``Rows.to_arrow``).
"""

from __future__ import annotations

from ..core.results import Rows
from . import countries, groups, seats

COUNTRY_TYPES = {
    "code": "VARCHAR",  # the store's code (ms_code): ISO 3166-1 alpha-3, or a dissolved member's code
    "name": "VARCHAR",  # the UN's name (Russian Federation)
    "short": "VARCHAR",  # the name newsrooms print (Russia): --names short
    "iso2": "VARCHAR",
    "ccode": "INTEGER",  # Correlates of War code (Voeten's data uses it)
    "member_from": "DATE",
    "member_to": "DATE",  # NULL: still a member
    "continues_as": "VARCHAR",  # the successor that kept the seat (SUN → RUS), else NULL
    "counts_as": "VARCHAR",  # whose votes these are under continuity: the last successor, else the code itself
}
GROUP_TYPES = {
    "group": "VARCHAR",  # AFRICAN, EU, NATO … (quote it in SQL: "group")
    "kind": "VARCHAR",  # regional | bloc
    "group_name": "VARCHAR",
    "code": "VARCHAR",  # the member's store code
    "name": "VARCHAR",  # the member's name
    "valid_from": "DATE",  # first day of membership (a year or month alone in groups.csv: its first day)
    "valid_to": "DATE",  # last day (inclusive; a year or month alone: its last day); NULL: still a member
    "note": "VARCHAR",
}

SEAT_TYPES = {
    "code": "VARCHAR",  # the store code the holder's votes are under (ms_code)
    "holder": "VARCHAR",  # who held the seat: the Republic of China, Democratic Kampuchea …
    "valid_from": "DATE",  # the first day it held the seat (approximate: the first day of the year)
    "valid_to": "DATE",  # the last day (inclusive; approximate: the year's last day); NULL: it holds it still
    "date_quality": "VARCHAR",  # recorded | approximate (only the year of valid_from is known)
    "succeeded_by": "VARCHAR",  # the codes that took over from a code that ended (CZE|SVK), else NULL
    "source": "VARCHAR",  # the decision or event the dates come from
}


def countries_rows() -> Rows:
    """One row per code in ``data/countries.csv`` (``COUNTRY_TYPES`` gives the columns)."""
    return Rows.from_dicts([
        {"code": c.code, "name": c.name, "short": c.short, "iso2": c.iso2 or None, "ccode": c.ccode, "member_from": c.member_from,
         "member_to": c.member_to, "continues_as": c.continues_as, "counts_as": countries.successor(c.code)}
        for c in countries.all_countries()], COUNTRY_TYPES)


def groups_rows() -> Rows:
    """One row per (group, member, spell of membership) in ``data/groups.csv``."""
    return Rows.from_dicts([
        {"group": g.code, "kind": g.kind, "group_name": g.name, "code": m.code,
         "name": countries.display_name(m.code), "valid_from": m.valid_from, "valid_to": m.valid_to,
         "note": m.note or None}
        for g in groups.all_groups() for m in groups.memberships(g)], GROUP_TYPES)


def seats_rows() -> Rows:
    """One row per holder of a seat in ``data/seats.csv`` (``model.seats``)."""
    return Rows.from_dicts([
        {"code": h.code, "holder": h.holder, "valid_from": h.first, "valid_to": h.last, "date_quality": h.quality,
         "succeeded_by": "|".join(h.succeeded_by) or None, "source": h.source}
        for h in seats.holdings()], SEAT_TYPES)


TABLES = {"countries": countries_rows, "groups": groups_rows, "seats": seats_rows}
