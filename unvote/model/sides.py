"""What may stand where a country stands: a country, or a group whose vote is its members' plurality.

``side("KHM")`` is Cambodia; ``side("ASEAN")`` the group (see ``analysis/blocs.py`` for its position).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import countries, groups


@dataclass(frozen=True)
class Side:
    kind: str  # "country" | "group"
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.code} ({self.name})"

    def codes(self, continuity: bool = True) -> list[str]:
        """The store codes whose votes this side needs: a country's lineage, or every member's."""
        spelled = [self.code] if self.kind == "country" else sorted({m.code for m in groups.memberships(self.code)})
        if not continuity:
            return spelled
        return sorted({c for code in spelled for c in countries.lineage(code)})

    def spells(self) -> list[tuple]:
        """A group's dated membership: (code, valid_from, valid_to or None)."""
        return [(m.code, m.valid_from, m.valid_to) for m in groups.memberships(self.code)]


def side(text: str) -> Side:
    """A country or a group, from what a user typed.

    An exact ISO3 code is a country (so ``NAM`` is Namibia; the movement is ``Non-Aligned``), then
    a group name or alias (``asean``, ``EU``, ``Asia-Pacific``), then any country name or alias.
    """
    wanted = text.strip()
    exact = countries.get(wanted.upper())
    if exact:
        return Side("country", exact.code, countries.display_name(exact.code))
    group = groups.find(wanted)
    if group is not None:
        return Side("group", group.code, group.name)
    c = countries.lookup(wanted)  # raises UnknownCountry with suggestions (groups: unvote groups)
    return Side("country", c.code, countries.display_name(c.code))
