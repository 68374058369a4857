"""The tables of the US State Department's *Voting Practices in the United Nations*, from vote codes.

Every member is compared with the United States roll call by roll call, in the report's four
categories, which are ``analysis.align``'s relations under the same names: ``same`` (both voted alike),
``opposite`` (Y against N), ``partial`` (one of the two abstained, the other voted Y or N) and ``absent``
(listed but not voting); ``votes`` is the roll calls counted. The percentage is one of
``align.METRICS`` on those counts, by the rule of the year's report:

* ``2021`` (reports for 2021 on): an absence counts half like a partial, over every roll call (``statedept``);
* ``2017`` (reports for 2017–2020): absences left out, a partial half (``statedept2017``);
* ``1983`` (reports for 1983–2016): identical Y/N votes over Y/N pairs, abstentions and absences left
  out, the reports' "votes only" coincidence (``votes-only``).

A group's average is the mean of its members' percentages, as the reports average them (their 2023
Global figure on important votes, 39 %, is the mean of the printed member percentages); the rule
applied to the group's summed counts is given beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import align

US = "USA"


@dataclass(frozen=True)
class Rule:
    name: str  # 2021 | 2017 | 1983: the year its first report covers
    metric: str  # its align.METRICS name
    years: str  # the reports that used it
    words: str  # how the percentage is made


RULES = {
    "2021": Rule("2021", "statedept", "2021–",
                 "(same + ½·(partial + absent)) / all roll calls: an absence counts half"),
    "2017": Rule("2017", "statedept2017", "2017–2020",
                 "(same + ½·partial) / (same + partial + opposite): absences left out"),
    "1983": Rule("1983", "votes-only", "1983–2016",
                 "identical Y/N votes / (identical + opposite) Y/N votes: abstentions and absences left out "
                 "(the reports' 'votes only' coincidence)"),
}
# other names a rule answers to: its metric's name
ALIASES = {"statedept": "2021", "statedept2017": "2017", "votes-only": "1983", "1984": "1983"}
# The first report covers 1983 (published 1984), says the 2023 report's introduction; the 2015 report's
# said 1984 (published 1985). The newer is followed, and 1984 names the same rule.
FIRST_REPORT = 1983


def rule_for(year: int) -> Rule | None:
    """The rule of the report for ``year``; None before the first report."""
    if year >= 2021:
        return RULES["2021"]
    if year >= 2017:
        return RULES["2017"]
    return RULES["1983"] if year >= FIRST_REPORT else None


def find_rule(text: str) -> Rule | None:
    """A rule by its year (2021, 2017, 1983) or its metric's name (statedept …); None if unknown."""
    key = str(text).strip().lower()
    return RULES.get(ALIASES.get(key, key))


COUNTS = ("same", "opposite", "partial", "absent", "votes")
_FROM = {"votes": "n"}  # the report's words that are not align's


def percent(counts: dict, rule: Rule):
    """The rule's percentage (0–100) of align-style counts (scalars or numpy arrays); NaN where undefined."""
    return 100.0 * align.METRICS[rule.metric](counts)


def report_counts(counts: dict) -> dict:
    """The report's columns of align's counts: same, opposite, partial, absent, votes (align's ``n``)."""
    return {k: counts[_FROM.get(k, k)] for k in COUNTS}


def pooled(counts: dict, keep) -> dict:
    """The counts (align's names, the nine cells too) summed over the countries ``keep`` (a bool mask)."""
    return {k: int(v[keep].sum()) for k, v in counts.items()}
