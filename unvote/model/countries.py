"""Country identity: store codes, names, aliases, membership dates and the continuity policy.

The table is ``data/countries.csv`` (hand-written). This module is stdlib only and reads the
table on first use, so the CLI starts fast.

Codes follow the UN Digital Library data: ISO 3166-1 alpha-3 for every current member, and
ISO 3166-3-style codes for dissolved members (SUN, YUG, CSK, DDR, YMD, SCG), plus GER and ZAN.

Policy choices:

* Continuity (``continues_as``): a vote counts towards a successor only if the UN let
  that successor keep the seat. The Russian Federation took over the USSR's seat (SUN→RUS).
  Germany today is the Federal Republic, which absorbed the GDR (GER→DEU). Serbia kept the seat
  of Serbia and Montenegro (SCG→SRB). No successor continues the others: the UN did not let the
  Federal Republic of Yugoslavia carry on SFRY's membership and admitted it anew in 2000 (YUG).
  Czechoslovakia split into two new members (CSK). The GDR acceded to the FRG (DDR). Democratic
  Yemen merged, and YEM continues North Yemen (YMD). Zanzibar merged with Tanganyika, which
  continues as TZA (ZAN).
* GER vs DEU: the UNDL data spells the pre-unification FRG "GERMANY, FEDERAL REPUBLIC OF" and
  codes it GER. From 1990-10-03 it uses DEU. Keeping both lets "West Germany" stay distinct, and
  ``lineage("DEU")`` still joins them.
* CHN is one seat throughout: the Republic of China held it until 25 October 1971 (A/RES/2758), and
  the UN data codes both holders CHN. The table also lists TWN (Republic of China, until 1971-10-25)
  with no ccode and no successor: the store never holds it; only a query without continuity reads
  the China seat's votes before that day as TWN (``selection.Query.table``).
* YEM covers North Yemen before the 1990 merger and unified Yemen after, because the UN
  treats the merged state as continuing North Yemen's seat.
* Membership dates are for display and "both were members" logic only. They must never
  drop votes present in the data: UNDL, for example, still codes the FRY as YUG up to 2002.
* Correlates of War codes: 345 is shared by YUG, SCG and SRB, and 365 by SUN and RUS. COW
  also splits Germany (255 vs 260) and Yemen (678/679). ``by_ccode`` resolves these by date.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime
import difflib
import functools
import re
from dataclasses import dataclass
from importlib import resources

from unvote.core.errors import UnknownCountry, UsageError

from .text import name_key

# COW codes Yemen Arab Republic 678 and unified Yemen 679; the UN seat is one (YEM).
# COW 713 is Taiwan: Voeten codes the China seat's votes while the Republic of China held it
# (until A/RES/2758(XXVI), 1971) as 713; the UN data codes that one seat CHN (710) throughout.
_CCODE_SYNONYMS = {678: 679, 713: 710}


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    short: str  # the name newsrooms use (Russia, Iran, Türkiye): ``--names short``, charts and reports
    iso2: str
    ccode: int | None
    member_from: datetime.date
    member_to: datetime.date | None
    continues_as: str | None


@functools.cache
def _table() -> tuple[dict[str, Country], dict[str, str]]:
    """({code: Country}, {folded name or alias: code}), read once from the package data."""
    countries: dict[str, Country] = {}
    names: dict[str, str] = {}
    source = resources.files("unvote").joinpath("data/countries.csv")
    with source.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            country = Country(
                code=row["code"],
                name=row["name"],
                short=row["short"] or row["name"],
                iso2=row["iso2"],
                ccode=int(row["ccode"]) if row["ccode"] else None,
                member_from=datetime.date.fromisoformat(row["member_from"]),
                member_to=_date(row["member_to"]),
                continues_as=row["continues_as"] or None,
            )
            countries[country.code] = country
            for spelling in dict.fromkeys([country.name, country.short, *filter(None, row["aliases"].split("|"))]):
                other = names.setdefault(_fold(spelling), country.code)
                if other != country.code:
                    clash = f"{spelling!r} names {other} and {country.code}"
                    raise ValueError(f"countries.csv: {clash}")
    return countries, names


def _date(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name, for matching (``text.name_key``);
    apostrophes and full stops go without a space (``Cote d'Ivoire`` = ``cote divoire``), a leading
    "the" too."""
    return name_key(re.sub(r"['’ʼ.,]", "", text)).removeprefix("the ")


def all_countries() -> list[Country]:
    return list(_table()[0].values())


def get(code: str) -> Country | None:
    return _table()[0].get(code)


def code_for_name(name: str) -> str | None:
    """The code for a data source's spelling of a member state (UNDL pages, MARCXML), or None."""
    return _table()[1].get(_fold(name))


def lookup(text: str) -> Country:
    """The country a user means: an ISO3 code, then a name or alias, then an ISO2 code."""
    countries, names = _table()
    wanted = text.strip()
    code = wanted.upper() if wanted.upper() in countries else names.get(_fold(wanted))
    if code is None:
        iso2 = {c.iso2: c.code for c in countries.values() if c.iso2}
        code = iso2.get(wanted.upper())
    if code is None:
        raise UnknownCountry(f"unknown country {text!r}", suggestions=_suggestions(wanted))
    return countries[code]


def _suggestions(text: str) -> list[str]:
    """Up to 3 "CODE (Name)" near misses, for the error message."""
    countries, names = _table()
    folded = _fold(text)
    keys = dict(names)
    if len(folded) <= 3:  # a typed code; comparing names with codes would only add noise
        keys |= {code.casefold(): code for code in countries}
    scored = sorted(
        ((difflib.SequenceMatcher(None, folded, key).ratio(), code) for key, code in keys.items()),
        reverse=True,
    )
    # Keep only the near-best: "Cambodja" should suggest Cambodia, not Samoa as well.
    cutoff = max(0.6, scored[0][0] - 0.15)
    close = dict.fromkeys(code for score, code in scored if score >= cutoff)
    return [f"{code} ({countries[code].name})" for code in list(close)[:3]]


# Which name ``display_name`` gives: the official one (Russian Federation, Iran (Islamic Republic of)), or
# the short one newsrooms print (Russia, Iran). One setting for every name a result or a view holds: the
# CLI's --names sets it for one command (``naming``), so no command maps its own name columns.
NAME_STYLES = ("official", "short")
_STYLE: contextvars.ContextVar[str] = contextvars.ContextVar("unvote_names", default="official")


@contextlib.contextmanager
def naming(style: str = "official"):
    """Within the block every ``display_name`` (the ``name`` columns of results, the names in views and
    labels) is ``style``'s: ``official`` or ``short``."""
    if style not in NAME_STYLES:
        raise UsageError(f"--names takes {' or '.join(NAME_STYLES)}, not {style!r}")
    token = _STYLE.set(style)
    try:
        yield
    finally:
        _STYLE.reset(token)


def name_style() -> str:
    """The name style in force (``naming``): official or short."""
    return _STYLE.get()


def display_name(code: str) -> str:
    """A code's name in the style in force (``naming``; official by default); the code when unknown."""
    country = get(code)
    if country is None:
        return code
    return country.short if _STYLE.get() == "short" else country.name


def short_name(code: str) -> str:
    """The name a newsroom prints (Russia, Iran, Türkiye); the code itself when unknown."""
    country = get(code)
    return country.short if country else code


def continuity() -> dict[str, str]:
    """{old code: successor code} for the seats a successor continues."""
    return {c.code: c.continues_as for c in all_countries() if c.continues_as}


def successor(code: str) -> str:
    """Whose votes ``code``'s are under continuity: its last successor (SUN → RUS), else itself."""
    seen = {code}
    nxt = get(code).continues_as if get(code) else None
    while nxt and nxt not in seen:  # a cycle would be a table error; stop rather than loop
        seen.add(nxt)
        code, nxt = nxt, get(nxt).continues_as if get(nxt) else None
    return code


def lineage(code: str) -> list[str]:
    """The code and, transitively, every code it continues: whose votes count as this country's."""
    predecessors = [old for old, new in continuity().items() if new == code]
    return [code, *(c for old in predecessors for c in lineage(old))]


def by_ccode(ccode: int, date: datetime.date | None = None) -> str | None:
    """The store code for a Correlates of War code, as of ``date`` where the code is shared.

    Candidates are the countries with that ccode and their predecessors. On a date, the candidate
    whose membership is nearest (containing) wins, and ties go to the predecessor. So 365 is SUN
    through 1991-12-24 and RUS after, and 255 is GER before 1990-10-03. Without a date, the
    current member wins.
    """
    ccode = _CCODE_SYNONYMS.get(ccode, ccode)
    codes = {old for c in all_countries() if c.ccode == ccode for old in lineage(c.code)}
    candidates = [get(code) for code in sorted(codes)]
    if not candidates:
        return None
    if date is None:
        return max(candidates, key=lambda c: c.member_to or datetime.date.max).code

    def distance(c: Country) -> int:
        if date < c.member_from:
            return (c.member_from - date).days
        if c.member_to and date > c.member_to:
            return (date - c.member_to).days
        return 0

    return min(candidates, key=lambda c: (distance(c), c.member_to or datetime.date.max)).code
