"""Resolution symbols: parse, normalise and match what users type against the store.

The UN writes one resolution many ways: ``A/RES/ES-11/1``, ``2758 (XXVI)``, ``A/RES/181(II)[A]``,
``A/RES/35/206Q``. We reduce each symbol to a *base* (``ES-11/1``, ``2758(XXVI)``, ``35/206``) and a
*part* suffix (``A``, ``Q``, ``RULE-73``), so ``77/7`` matches exactly 77/7 and never 77/73.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..core.errors import Ambiguous, UnknownResolution

# base: "78/165", "ES-11/1", "S-14/1", "2758(XXVI)", "1001(ES-I)", "107(S-1)", SC "2623(2022)"
_BASE = re.compile(
    r"""^(?P<base>
        (?:(?:ES|S)-\d+|\d+)/\d+        # modern: session/number
      | \d+\((?:ES-|S-)?[IVXLC\d]+\)    # old GA: number(roman session); SC: number(year)
    )(?P<part>.*)$""",
    re.X | re.A,  # ASCII digits only: "²" or "٧" are not part of any UN symbol
)
MAX_RECORD_ID_DIGITS = 18  # UNDL record ids have 7; more cannot be one (and int() of 4,301 digits fails)
_PREFIX = re.compile(r"^(?:A|S)/RES/")


@dataclass(frozen=True)
class Symbol:
    body: str  # "ga" or "sc"; "" when the user did not say
    base: str
    part: str  # "" when no part suffix

    @property
    def key(self) -> str:
        return f"{self.base}[{self.part}]" if self.part else self.base


def parse(text: str) -> Symbol | None:
    """Parse a symbol as the data or a user writes it; None if it is not shaped like one."""
    s = re.sub(r"\s+", "", text.strip().upper())
    body = "sc" if s.startswith("S/RES/") else "ga" if s.startswith("A/RES/") else ""
    s = _PREFIX.sub("", s)
    if body == "sc" and s.isascii() and s.isdigit() and len(s) <= 6:
        return Symbol(body, s, "")  # S/RES/2623: the year left out (``find`` matches 2623(2022))
    m = _BASE.match(s)
    if not m:
        return None
    part = m.group("part").strip("[]()/-. ")
    return Symbol(body, m.group("base"), part)


def canonical(symbol: str) -> str:
    """The key under which a stored symbol is indexed (``A/RES/181(II)[A]`` → ``181(II)[A]``)."""
    parsed = parse(symbol)
    return parsed.key if parsed else re.sub(r"\s+", "", symbol.upper())


def record_id(text: str) -> int | None:
    """``text`` as a UNDL record id (ASCII digits, at most 18 of them), else None."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_RECORD_ID_DIGITS:
        return int(text)
    return None


def _shown(text: str, limit: int = 60) -> str:
    """A user's input as quoted in a one-line message: long input is cut, not echoed whole."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


@dataclass
class SymbolIndex:
    """Match user input to roll calls. Built from parallel lists of stored symbols and record ids.

    Parsing every stored symbol costs more than a whole query, so a query first narrows the
    candidates by plain substring search and parses only those.
    """

    symbols: list[str]
    record_ids: list[int]
    drafts: list[str | None] | None = None  # the draft symbol(s) each roll call voted on (A/ES-11/L.1), if known
    describe: Callable[[int], str] | None = None  # row → what tells two roll calls with one symbol apart

    def __post_init__(self) -> None:
        self._compact = [s.upper().replace(" ", "") for s in self.symbols]
        self._ids = {rid: i for i, rid in enumerate(self.record_ids)}

    def _by_draft(self, query: str) -> list[int]:
        """Rows whose draft symbol is ``query`` (a draft column may list several: ``A/77/L.5|A/77/L.5/Add.1``)."""
        if not self.drafts or "/L." not in query.upper().replace(" ", ""):
            return []
        wanted = query.upper().replace(" ", "")
        return [i for i, d in enumerate(self.drafts)
                if d and wanted in (x.strip().upper().replace(" ", "") for x in re.split(r"[|;,]", d))]

    def find(self, text: str) -> list[int]:
        """Row positions for one user query; raises UnknownResolution / Ambiguous."""
        query = text.strip()
        rid = record_id(query)
        if rid is not None and rid in self._ids:  # a UNDL record id
            return [self._ids[rid]]
        drafted = self._by_draft(query)
        if drafted:
            if len(drafted) > 1:
                raise Ambiguous(f"draft {query!r} was voted on in {len(drafted)} roll calls; name one",
                                [self.symbols[i] for i in drafted])
            return drafted
        parsed = parse(query)
        several = [part for part in re.split(r"[;,]", query) if part.strip()]
        if len(several) > 1 and all(parse(part) or record_id(part) for part in several):
            raise UnknownResolution(f"{_shown(query)!r} names {len(several)} symbols; give each as its own "
                                    f"argument: {' '.join(part.strip() for part in several)}", [])
        if parsed is None and "/L." in query.upper().replace(" ", ""):
            raise UnknownResolution(f"no roll call in the data names the draft {query!r}"
                                    + ("" if self.drafts and any(self.drafts) else
                                       " (these data have no draft symbols; name the resolution)"),
                                    self._suggest(query))
        if parsed is None:
            # a malformed stored symbol (A/RES/79/XX), typed as stored or shortened as people shorten symbols
            literal = [i for i, c in enumerate(self._compact)
                       if _PREFIX.sub("", canonical(c)) == _PREFIX.sub("", canonical(query))]
            if literal:  # a malformed stored symbol, typed as stored
                return literal[:1]
            if query.isascii() and query.isdigit():  # "2758": an old resolution without its session, or an id
                old_style = [self.symbols[i] for i, c in enumerate(self._compact)
                             if c.startswith((f"{query}(", f"A/RES/{query}("))]
                raise UnknownResolution(f"no roll call with record id {_shown(query)}, and old resolutions "
                                        "need their session", old_style[:3])
            raise UnknownResolution(
                f"{_shown(query)!r} does not look like a resolution symbol (e.g. ES-11/1, 77/7, 2758(XXVI))",
                self._suggest(query[:200]),
            )
        body_prefix = {"ga": "A/RES/", "sc": "S/RES/"}.get(parsed.body, "")
        yearless = parsed.body == "sc" and parsed.base.isdigit()  # S/RES/2623 → 2623(2022)
        same_base = [i for i, c in enumerate(self._compact)
                     if parsed.base in c and c.startswith(body_prefix) and (p := parse(c)) is not None
                     and (p.base.startswith(f"{parsed.base}(") if yearless else p.base == parsed.base)]
        exact = [i for i in same_base if parse(self._compact[i]).part == parsed.part]
        if exact:
            hits = exact
        elif not parsed.part and same_base:
            hits = same_base  # e.g. 181(II) → its only voted part 181(II)[A]
        elif not parsed.body and re.fullmatch(r"\d+\((?:19|20)\d\d\)", parsed.base) and not any(
                c.startswith("S/RES/") for c in self._compact[:1]):
            raise UnknownResolution(f"no recorded vote on {query!r} in the General Assembly data; "
                                    f"{parsed.base} is shaped like a Security Council symbol",
                                    [f"S/RES/{parsed.key} (with --body sc)"])
        else:
            # not "no vote": a text adopted without a vote, or recorded with totals only, has no roll call here
            raise UnknownResolution(f"no roll call in the data for {_shown(query)!r} (none is kept for a text "
                                    "adopted without a vote, or recorded without a country breakdown)",
                                    self._suggest(parsed.key[:200]))
        if len(hits) > 1:
            raise Ambiguous(f"{_shown(query)!r} matches {len(hits)} roll calls; name one", self._tell_apart(hits))
        return hits

    def _tell_apart(self, hits: list[int]) -> list[str]:
        """The candidates as the user can name them: a symbol alone where it is unique, else its record
        id (which ``find`` takes) with the date and title that tell the roll calls apart."""
        shown = [self.symbols[i] for i in hits]
        if len(set(shown)) == len(shown):
            return shown
        return [f"{self.record_ids[i]} ({self.symbols[i]}" + (f", {self.describe(i)}" if self.describe else "") + ")"
                for i in hits]

    def _suggest(self, key: str) -> list[str]:
        by_key: dict[str, int] = {}
        for i, c in enumerate(self._compact):
            by_key.setdefault(canonical(c), i)
        near = difflib.get_close_matches(canonical(key), list(by_key), n=3, cutoff=0.75)
        return [self.symbols[by_key[k]] for k in near]


def matching_key(symbol: str | None) -> str | None:
    """The key under which two sources' copies of a GA resolution symbol match: its canonical
    base[part], ``SECTION`` dropped (``[SectionII]`` and ``[II]`` are one); None if not A/RES/."""
    if not symbol or not symbol.upper().startswith("A/RES/") or parse(symbol) is None:
        return None
    return re.sub(r"\[SECTION", "[", canonical(symbol))


# Roman numerals: the sessions of old resolution symbols (``2758(XXVI)`` is session 26).
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ROMAN_LETTERS = ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def from_roman(text: str) -> int:
    """``XXVI`` → 26 (subtractive notation; raises KeyError on a letter that is no numeral)."""
    total = 0
    for ch, nxt in zip(text, text[1:] + " "):
        value = _ROMAN_VALUES[ch]
        total += -value if _ROMAN_VALUES.get(nxt, 0) > value else value
    return total


def to_roman(n: int) -> str:
    """26 → ``XXVI``."""
    out = ""
    for value, letters in _ROMAN_LETTERS:
        while n >= value:
            out, n = out + letters, n - value
    return out


# ---- citations ----------------------------------------------------------------------------------
UNDL_RECORD = "https://digitallibrary.un.org/record/"


def record_url(rollcall_id: int | None, source: str | None) -> str | None:
    """The UN Digital Library record of a roll call: ``UNDL_RECORD`` + its id when the roll call comes
    from the UN's records (source ``undl-csv``, ``undl-marcxml``, ``undl-html``, whose ids are record
    ids); ``None`` for one that has none (Voeten's own roll calls, whose id is his ``rcid``)."""
    if rollcall_id is None or not (source or "").startswith("undl"):
        return None
    return f"{UNDL_RECORD}{int(rollcall_id)}"
