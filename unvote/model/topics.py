"""The six issue areas of General Assembly roll calls, as Erik Voeten's data codes them.

``me`` Palestinian conflict, ``nu`` nuclear weapons and nuclear material, ``di`` arms control
and disarmament, ``hr`` human rights, ``co`` colonialism, ``ec`` economic development. A roll
call may have several or none. The store's roll-call tables carry them as one string column
``topics`` (``"me;hr"``; empty for none): Voeten's own codes where he coded the roll call (his
newest release first; ``topics_from`` names the release), else the rule classifier of
``unvote.analysis.topics`` (docs/topics.md).

This module is stdlib only (the CLI imports it to parse ``--topic``).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from ..core.errors import UnknownTopic
from .text import name_key


@dataclass(frozen=True)
class Topic:
    code: str
    name: str
    aliases: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic("me", "Palestinian conflict",
          ("palestine", "palestinian", "palestinians", "israel", "israeli palestinian conflict",
           "arab israeli conflict", "middle east", "question of palestine")),
    Topic("nu", "Nuclear weapons and nuclear material",
          ("nuclear", "nuclear weapons", "nuclear material", "nukes", "nuclear arms", "non proliferation",
           "nonproliferation")),
    Topic("di", "Arms control and disarmament",
          ("arms control", "disarmament", "arms", "weapons", "arms control and disarmament")),
    Topic("hr", "Human rights", ("human rights", "rights", "human right")),
    Topic("co", "Colonialism", ("colonialism", "colonial", "decolonization", "decolonisation",
                                "self determination")),
    Topic("ec", "Economic development", ("economic development", "economy", "economic", "development",
                                         "economics")),
)
CODES: tuple[str, ...] = tuple(t.code for t in TOPICS)

# Roll calls with no topic (Voeten's coding gives none, or the rules found none): ``--topic none`` selects them
# and ``align --by topic`` gives them a row, after the six.
NONE = "none"
NONE_NAME = "No topic"
NONE_ALIASES = ("none", "no topic", "unclassified", "no topics")


def all_topics() -> list[Topic]:
    return list(TOPICS)


def get(code: str) -> Topic | None:
    return next((t for t in TOPICS if t.code == code), None)


def name(code: str) -> str:
    if code == NONE:
        return NONE_NAME
    topic = get(code)
    return topic.name if topic else code


@functools.cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {name_key(alias): NONE for alias in NONE_ALIASES}
    for t in TOPICS:
        for spelling in (t.code, t.name, *t.aliases):
            key = name_key(spelling)
            if names.setdefault(key, t.code) != t.code:
                raise ValueError(f"topic name {spelling!r} names {names[key]} and {t.code}")
    return names


def lookup(text: str) -> str:
    """The code of the topic ``text`` names: a code (``hr``), a name or an alias, in any case or accent;
    ``none`` for roll calls with no topic."""
    code = _names().get(name_key(text or ""))
    if code is None:
        raise UnknownTopic(f"unknown topic {text!r} (topics: {', '.join(CODES)}, or {NONE})",
                           suggestions=_suggestions(text))
    return code


def lookup_all(values) -> tuple[str, ...]:
    """Several topics: each value a topic, or several separated by ``,`` or ``;``. Codes in ``CODES``
    order, ``none`` last."""
    if isinstance(values, str):
        values = [values]
    wanted = {lookup(part) for value in values for part in re.split(r"[,;]", value) if part.strip()}
    if not wanted:
        raise UnknownTopic(f"no topic given (topics: {', '.join(CODES)}, or {NONE})")
    return tuple(c for c in (*CODES, NONE) if c in wanted)


def _suggestions(text: str) -> list[str]:
    """Up to 3 "code (Name)" near misses."""
    folded = name_key(text or "")
    if not folded:
        return []
    scored = sorted(((difflib.SequenceMatcher(None, folded, key).ratio(), code) for key, code in _names().items()),
                    reverse=True)
    cutoff = max(0.6, scored[0][0] - 0.15)
    close = dict.fromkeys(code for score, code in scored if score >= cutoff)
    return [f"{code} ({name(code)})" for code in list(close)[:3]]
