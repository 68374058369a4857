"""Tab-completion values for the shell (bash, zsh, fish): countries, groups, metrics, formats …

Each function takes what the user has typed so far (``incomplete``) and returns ``(value, help)``
pairs, which Typer hands to the shell; they are attached to the options and arguments with
``autocompletion=``. The registries load inside the functions, so importing this module costs
next to nothing at start-up. Matching ignores case and accents (``model.text.fold``), and a value
keeps what was typed (Typer drops values that do not start with it): ``kh`` → ``khm``, ``KH`` → ``KHM``, ``camb`` → ``cambodia``,
``cote`` → ``cote d'Ivoire`` (lookups ignore case and accents too).
"""

from __future__ import annotations

from ..model.text import fold as _fold


def _same_case(value: str, incomplete: str) -> str:
    """A code in the case typed: ``kh`` → ``khm``, ``KH`` → ``KHM``, ``Afr`` → ``AfrICAN`` (codes ignore case)."""
    if incomplete == incomplete.upper():
        return value
    if incomplete == incomplete.lower():
        return value.lower()
    return _typed(value, incomplete)


def _typed(value: str, incomplete: str) -> str:
    """``value`` spelt from what was typed on: Typer keeps only values that start with exactly the text
    typed, so ``camb`` completes to ``cambodia`` and ``cote`` to ``cote d'Ivoire`` (both look up fine)."""
    return incomplete + value[len(incomplete):]


def _for_shell(value: str) -> str:
    """A value as the shell must insert it. bash puts a completion in the line as it is, so a name with
    spaces or quotes (``Bosnia and Herzegovina``, ``cote d'Ivoire``) is backslash-escaped for it; zsh and
    fish quote what they insert themselves."""
    import os
    import re

    if not os.environ.get("_UNVOTE_COMPLETE", "").endswith("bash"):
        return value
    return re.sub(r"([\s'\"\\$`!&;|<>()*?\[\]{}#~])", r"\\\1", value)


def _choices(names, incomplete: str, helps: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """A fixed vocabulary (metrics, formats …): spelt exactly as the option wants it."""
    return [(name, (helps or {}).get(name, "")) for name in names if name.startswith(incomplete)]


def countries(incomplete: str) -> list[tuple[str, str]]:
    """Country codes starting with ``incomplete`` (current members first), else names that start with it."""
    from ..model import countries as registry

    wanted = _fold(incomplete)
    known = sorted(registry.all_countries(), key=lambda c: (c.member_to is not None, c.code))
    by_code = [(_same_case(c.code, incomplete), c.name) for c in known if _fold(c.code).startswith(wanted)]
    if by_code and len(wanted) <= 3:
        return by_code
    by_name = [(_for_shell(_typed(c.name, incomplete)), c.code) for c in sorted(known, key=lambda c: c.name)
               if _fold(c.name).startswith(wanted)]
    return by_code + by_name


def groups(incomplete: str) -> list[tuple[str, str]]:
    """Group codes (then names) starting with ``incomplete``: AFRICAN, ASEAN, EU …"""
    from ..model import groups as registry

    wanted = _fold(incomplete)
    found = [(_same_case(g.code, incomplete), g.name) for g in registry.all_groups() if _fold(g.code).startswith(wanted)]
    found += [(_for_shell(_typed(g.name, incomplete)), g.code) for g in registry.all_groups()
              if wanted and _fold(g.name).startswith(wanted) and not _fold(g.code).startswith(wanted)]
    return found


def places(incomplete: str) -> list[tuple[str, str]]:
    """Where a country or a group may stand (align, neighbors): both."""
    found = countries(incomplete)
    seen = {value.upper() for value, _ in found}
    return found + [(value, help) for value, help in groups(incomplete) if value.upper() not in seen]


def metrics(incomplete: str) -> list[tuple[str, str]]:
    from ..analysis.align import METRICS

    helps = {"agree": "(same + ½ partial) / voted, the default", "statedept": "absences count as half",
             "statedept2017": "the State Department's 2017 rule", "votes-only": "Yes/No votes only",
             "identical": "same vote / voted", "s": "(same − opposite) / voted, −1…1",
             "kappa": "Cohen's kappa", "kappa-linear": "kappa, linear weights",
             "kappa-quadratic": "kappa, quadratic weights", "pi": "Scott's pi"}
    return _choices(METRICS, incomplete, helps)


def formats(incomplete: str) -> list[tuple[str, str]]:
    from ..output.render import FORMATS

    return _choices(FORMATS, incomplete, {"auto": "table on a terminal, CSV when piped"})


def bodies(incomplete: str) -> list[tuple[str, str]]:
    return _choices(("ga", "sc"), incomplete, {"ga": "General Assembly", "sc": "Security Council"})


def sources(incomplete: str) -> list[tuple[str, str]]:
    from ..query.selection import SOURCE_LABELS

    return _choices(SOURCE_LABELS, incomplete, SOURCE_LABELS)


def kinds(incomplete: str) -> list[tuple[str, str]]:
    from ..query.selection import KINDS

    return _choices(KINDS, incomplete)


def periods(incomplete: str) -> list[tuple[str, str]]:
    return _choices(("year", "session", "all"), incomplete)


def align_periods(incomplete: str) -> list[tuple[str, str]]:
    return _choices(["year", "session", "all", "topic"], incomplete)


def topics(incomplete: str) -> list[tuple[str, str]]:
    from ..model.topics import NONE, NONE_NAME, all_topics

    return _choices([*(t.code for t in all_topics()), NONE], incomplete,
                    {**{t.code: t.name for t in all_topics()}, NONE: NONE_NAME})
