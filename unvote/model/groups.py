"""UN regional groups and the blocs people ask about, with dated membership.

The table is ``data/groups.csv`` (hand-written): one row per (group, member code, spell of
membership) with ``valid_from``/``valid_to`` (inclusive; empty ``valid_to`` = still a member) and a
note on anything uncertain or special. A date may be a year (``1974``) or a month (``1974-06``)
where the day is not known: it then means the first day of that span in ``valid_from`` and the last
in ``valid_to``, and the note says so. Codes are those of the UN data (``countries.py``): historic
seats appear under their own codes (SUN, GER, YUG, SCG, CSK, DDR, YMD, ZAN) for the dates the
data uses them, so a membership never depends on the continuity policy.

Policy choices (also in the README):

* Regional groups list today's composition, each member from its UN admission. The five-group
  pattern dates from A/RES/1991 A (XVIII) (1963), applied from 1966, so earlier rows project it back.
* The United States belongs to no regional group (it attends WEOG as an observer and is counted
  with WEOG for elections only); it is left out of every regional group here.
* Israel: WEOG (New York only, temporary and renewed) from 30 May 2000; no group before.
  Türkiye: WEOG (it also attends Asia-Pacific meetings). Kiribati: Asia-Pacific, dated from
  admission although when it joined is not verified. South Africa: African Group from 1994.
* G77, NAM and OIC rows marked "approx." are dated from the later of the group's founding and the
  member's UN admission: the author could not verify their join dates.

This module is stdlib only and reads the table on first use.
"""

from __future__ import annotations

import csv
import datetime
import functools
from dataclasses import dataclass
from importlib import resources

from unvote.core.errors import UnknownGroup

from .dates import parse_when
from .text import name_key

KINDS = ("regional", "bloc")


@dataclass(frozen=True)
class Group:
    code: str
    kind: str  # "regional" | "bloc"
    name: str
    aliases: tuple[str, ...]
    source: str  # where to check the membership


@dataclass(frozen=True)
class Membership:
    group: str
    code: str
    valid_from: datetime.date
    valid_to: datetime.date | None  # inclusive; None = still a member
    note: str
    as_written: tuple[str, str]  # the table's own text for the two dates (may be a year)

    def covers(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


_REGIONAL_SOURCE = ("UN DGACM, Regional groups of Member States (un.org/dgacm/en/content/regional-groups); "
                    "A/RES/1991 A (XVIII)")
_GROUPS = (
    Group("AFRICAN", "regional", "African Group", ("African Group", "Africa", "African States"),
          _REGIONAL_SOURCE),
    Group("ASIA-PACIFIC", "regional", "Asia-Pacific Group",
          ("Asia-Pacific Group", "Asia and the Pacific", "Asia-Pacific States", "APG", "Asian Group", "Asia"),
          _REGIONAL_SOURCE),
    Group("EEG", "regional", "Eastern European Group",
          ("Eastern European Group", "Eastern European States", "Eastern Europe"), _REGIONAL_SOURCE),
    Group("GRULAC", "regional", "Latin American and Caribbean Group",
          ("Latin American and Caribbean Group", "Latin American and Caribbean States", "Latin America"),
          _REGIONAL_SOURCE),
    Group("WEOG", "regional", "Western European and Others Group",
          ("Western European and Others Group", "Western European and other States"), _REGIONAL_SOURCE),
    Group("P5", "bloc", "Permanent members of the Security Council",
          ("Permanent Five", "Permanent members", "P-5"), "UN Charter art. 23; A/RES/2758 (XXVI)"),
    Group("EU", "bloc", "European Union (EEC/EC before 1 Nov 1993)",
          ("European Union", "EEC", "European Communities"), "EU accession treaties; europa.eu"),
    Group("ASEAN", "bloc", "Association of Southeast Asian Nations",
          ("Association of Southeast Asian Nations",), "asean.org, member states"),
    Group("BRICS", "bloc", "BRICS (BRIC before South Africa joined)", ("BRIC",),
          "summit declarations (Johannesburg 2023 invitations; Brazil's 2025 announcement for Indonesia). "
          "Saudi Arabia, invited in 2023, has not confirmed membership and is left out"),
    Group("G77", "bloc", "Group of 77", ("Group of 77", "G-77", "Group of Seventy-Seven", "G77 and China"),
          "g77.org, member states. China is associated (\"G77 and China\") but not a member and is left out; "
          "membership of Azerbaijan, Palau and Tuvalu could not be verified and is left out"),
    Group("NAM", "bloc", "Non-Aligned Movement", ("Non-Aligned Movement", "Non-Aligned", "NAM movement"),
          "NAM summit documents (120 members). NAM is also Namibia's ISO3 code: where a country may "
          "stand (align, neighbors) NAM means Namibia, so write Non-Aligned there"),
    Group("OIC", "bloc", "Organisation of Islamic Cooperation",
          ("Organisation of Islamic Cooperation", "Organization of Islamic Cooperation",
           "Organisation of the Islamic Conference", "Organization of the Islamic Conference"),
          "oic-oci.org, member states (Palestine, a member, is not a UN member state)"),
    Group("NATO", "bloc", "North Atlantic Treaty Organization", ("North Atlantic Treaty Organization",),
          "nato.int, member countries (dates of accession)"),
    Group("ARAB", "bloc", "Arab Group (members of the League of Arab States)",
          ("Arab Group", "Arab League", "League of Arab States", "Arab States"),
          "League of Arab States membership (Palestine, a member, is not a UN member state)"),
)


def all_groups() -> list[Group]:
    return list(_GROUPS)


def regional() -> list[Group]:
    return [g for g in _GROUPS if g.kind == "regional"]


@functools.cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for g in _GROUPS:
        for spelling in (g.code, g.name, *g.aliases):
            other = names.setdefault(_fold(spelling), g.code)
            if other != g.code:
                raise ValueError(f"group name {spelling!r} names {other} and {g.code}")
    return names


def find(text: str) -> Group | None:
    """The group ``text`` names (code, name or alias, in any case), or None."""
    code = _names().get(_fold(text))
    return next(g for g in _GROUPS if g.code == code) if code else None


def lookup(text: str) -> Group:
    group = find(text)
    if group is None:
        raise UnknownGroup(f"unknown group {text!r}; known groups: {', '.join(g.code for g in _GROUPS)}")
    return group


@functools.cache
def _table() -> dict[str, tuple[Membership, ...]]:
    rows: dict[str, list[Membership]] = {g.code: [] for g in _GROUPS}
    source = resources.files("unvote").joinpath("data/groups.csv")
    with source.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["group"] not in rows:
                raise ValueError(f"groups.csv: unknown group {row['group']!r}")
            rows[row["group"]].append(Membership(
                group=row["group"], code=row["code"],
                valid_from=_date(row["valid_from"], end=False),
                valid_to=_date(row["valid_to"], end=True) if row["valid_to"] else None,
                note=row["note"], as_written=(row["valid_from"], row["valid_to"])))
    return {k: tuple(v) for k, v in rows.items()}


def memberships(group: str | Group) -> list[Membership]:
    """Every dated membership row of ``group`` (a Group or anything ``lookup`` accepts)."""
    code = group.code if isinstance(group, Group) else lookup(group).code
    return list(_table()[code])


def members(group: str | Group, date: datetime.date | str | None = None) -> list[str]:
    """Codes of the members of ``group`` on ``date`` (default: today), sorted."""
    day = _day(date)
    return sorted({m.code for m in memberships(group) if m.covers(day)})


def group_of(code: str, date: datetime.date | str | None = None, *, kind: str = "regional") -> list[str]:
    """The groups of ``kind`` that ``code`` belonged to on ``date`` (a regional group: at most one)."""
    day = _day(date)
    return [g.code for g in _GROUPS if g.kind == kind
            and any(m.code == code and m.covers(day) for m in _table()[g.code])]


def _day(date) -> datetime.date:
    if date is None:
        return datetime.date.today()
    if isinstance(date, str):
        return _date(date, end=False)
    return date


def _date(text: str, *, end: bool) -> datetime.date:
    """``1994`` / ``1994-06`` / ``1994-06-23`` → a date; a partial date means its first (or last) day."""
    return parse_when(text, end=end)


def _fold(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive: ``Asia-Pacific`` = ``asia pacific``."""
    return name_key(text).replace(" ", "")
