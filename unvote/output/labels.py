"""Every label a reader sees, drawn from one ``Selection`` and the command's own parameters.

``label(sel, ...)`` is the one function: chart subtitles and source lines, the xlsx provenance
sheet, Parquet's key-value metadata and the note under a terminal table all read its ``Label``, so
a filter that changed the figures is never missing from their caption.

The label names every active filter: the span (always earliest → latest), session, topic(s) by
name, the words it is about, kind, source, body, unanimous roll calls excluded, continuity off, metric, min-votes, group,
and the period (``by``). stdlib only, like ``query.selection``'s value: the quick commands call it.

Given the seats a result is about (``seats=``: codes, or ``ALL_SEATS``), the label also holds the
changes of who held them that its span crosses (``Label.seat_changes``, ``model.seats``): the
terminal, CSV and JSON say them in ``note:`` lines on stderr, a spreadsheet and Parquet in their
provenance, and a chart or a page may mark them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..query.selection import SOURCE_LABELS, Selection, about_text

BODIES = {"ga": "UN General Assembly", "sc": "UN Security Council"}
KIND_WORDS = {"resolution": "votes on whole resolutions", "amendment": "votes on amendments",
              "paragraph": "votes on separate paragraphs",
              "all": "all roll calls (resolutions, amendments, paragraphs)"}
SOURCE_LINES = {
    "undl": "Source: UN Digital Library voting data, via unvote",
    "voeten": "Source: Erik Voeten's UNGA roll-call data (Harvard Dataverse), via unvote",
    "merged": "Source: UN Digital Library voting data, with Voeten's roll calls where it has none, via unvote",
}
METRIC_WORDS = {
    "agree": "agreement (abstention = half)",
    "statedept": "State Department coincidence (absence = half)",
    "statedept2017": "State Department coincidence, 2017–2020 rule",
    "votes-only": "State Department votes-only coincidence",
    "identical": "identical votes",
    "s": "Signorino–Ritter S",
    "kappa": "Cohen's kappa",
    "kappa-linear": "kappa, linear weights",
    "kappa-quadratic": "kappa, quadratic weights",
    "pi": "Scott's pi",
}
# one line per metric for the provenance (the README has the sources)
METRIC_DEFINITIONS = {
    "agree": "(same + ½·partial) / (same + partial + opposite): abstention half agreement, absences left out "
             "(Lijphart; Voeten's agreement index)",
    "statedept": "(same + ½·(partial + absent)) / n: US State Department coincidence, absences count half",
    "statedept2017": "(same + ½·partial) / (same + partial + opposite): the State Department's 2017 rule",
    "votes-only": "(yy + nn) / (yy + nn + yn + ny): only roll calls where both voted Yes or No",
    "identical": "same / (same + partial + opposite): share of identical votes",
    "s": "(same − opposite) / (same + partial + opposite): Signorino & Ritter's S, −1 … 1",
    "kappa": "(p_o − p_e) / (1 − p_e), p_e = Σ r_k·c_k: Cohen's kappa on the 3×3 Y/A/N table (Häge 2011)",
    "kappa-linear": "1 − Σ w·p / Σ w·r·c with w = |i−j|/2: linear-weighted kappa (Häge 2011)",
    "kappa-quadratic": "1 − Σ w·p / Σ w·r·c with w = (|i−j|/2)²: quadratic-weighted kappa (Häge 2011)",
    "pi": "(p_o − p_e) / (1 − p_e), p_e = Σ m_k²: Scott's pi on the 3×3 Y/A/N table (Häge 2011)",
}
# what a command's score means, where it has no metric (caption, provenance)
DEFINITIONS = {
    "cohesion": "score: share of members' votes with the group's plurality position; "
                "with_outcome: Yes on adopted texts, No on rejected ones; ai: Hix–Noury–Roland Agreement Index",
    "ideal": "ordered-logit IRT (Yes > Abstain > No), mean 0, sd 1, USA positive",
    "ideal_dynamic": "dynamic ordered-logit IRT (Yes > Abstain > No): random walk across years, recurring "
                     "resolutions bridge the years; mean 0, sd 1 over all country-years, USA positive",
    "topics": "roll calls per issue area (Voeten's six) per decade; docs/topics.md",
}
PERIOD_WORDS = {"year": "per year", "session": "per session", "all": "whole span pooled", "topic": "per issue area"}


@dataclass(frozen=True)
class Label:
    """What a result is, in words: ``facts`` in reading order, as (name, words) pairs."""

    facts: tuple[tuple[str, str], ...]
    source: str = "undl"
    body: str = "ga"
    values: tuple[tuple[str, str], ...] = ()  # a fact's plain value where it has one (metric: kappa)
    seat_changes: tuple = ()  # model.seats.Change: who held a seat the result is about changed within its span

    def __getitem__(self, name: str) -> str:
        return dict(self.facts)[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return dict(self.facts).get(name, default)

    def line(self, *, without: tuple[str, ...] = ("source", "metric_definition", "definition")) -> str:
        """The facts on one line (a chart's subtitle), ``without`` those shown elsewhere."""
        return "; ".join(words for name, words in self.facts if name not in without)

    @property
    def source_line(self) -> str:
        """A chart's bottom line: where the data came from."""
        return SOURCE_LINES.get(self.source, SOURCE_LINES["undl"])

    def note(self) -> str:
        """The line under a terminal table."""
        return self.line(without=("metric_definition", "definition"))

    def seat_notes(self) -> list[str]:
        """One line per seat whose holder changed within the span (``the China seat was held by …``)."""
        if not self.seat_changes:
            return []
        from ..model.seats import sentences

        return sentences(self.seat_changes)

    def provenance(self) -> dict:
        """The facts as fields, for the xlsx provenance sheet and Parquet metadata (and the seat changes)."""
        plain = dict(self.values)
        facts = {name.replace("_", " "): plain.get(name, words) for name, words in self.facts}
        if self.seat_changes:
            facts["seat changes"] = "; ".join(self.seat_notes())
        return facts


def span_words(since: dt.date | None, until: dt.date | None) -> str:
    """A span earliest first: ``2022``, ``2015–2024``, ``2022-03-02 → 2023-10-31``, ``since 2010``."""
    if since and until and since > until:
        since, until = until, since
    whole_start = since is not None and (since.month, since.day) == (1, 1)
    whole_end = until is not None and (until.month, until.day) == (12, 31)
    if since and until:
        if whole_start and whole_end:
            return str(since.year) if since.year == until.year else f"{since.year}–{until.year}"
        return str(since) if since == until else f"{since} → {until}"
    if since:
        return f"since {since.year if whole_start else since}"
    if until:
        return f"until {until.year if whole_end else until}"
    return "all recorded votes"


ALL_SEATS = "all"  # ``label(seats=ALL_SEATS)``: a result over every member (a tally, a series)


def label(sel: Selection, *, dates=None, periods=None, metric: str | None = None, min_votes: int | None = None,
          group: str | list[str] | None = None, by: str | None = None, definition: str | None = None,
          dataset_only: bool = False, seats=None) -> Label:
    """The one label of a result: ``sel`` (which roll calls), ``dates`` (the result's own dates, any
    order: they fill an open end of the span), ``periods`` (its period labels in order: years fill
    the span too, sessions are named with ``by``), and the command's own parameters. ``dataset_only``:
    the result is not filtered (``sql``), so only the body, the definition and the source are named.
    ``seats``: the country codes the result is about (or ``ALL_SEATS``), whose changes of holder
    within the span become ``seat_changes``."""
    from ..model import topics

    facts: list[tuple[str, str]] = [("body", f"{BODIES.get(sel.body, sel.body)} recorded votes")]
    if group is not None:
        facts.append(("group", _group_words(group)))
    periods = [str(p) for p in periods or ()]
    years = [p for p in periods if p.isdigit() and len(p) == 4] if by == "year" else []
    since, until = _span(sel, [*(dates or ()), *years])
    if since or until or not (sel.session or (by == "session" and periods)):  # sessions are their own span
        facts.append(("span", span_words(since, until)))
    if by is not None:
        words = PERIOD_WORDS.get(by, f"per {by}")
        if by == "session" and periods:
            words += f" ({periods[0]}–{periods[-1]})" if len(periods) > 1 else f" ({periods[0]})"
        facts.append(("by", words))
    if sel.session:
        facts.append(("session", f"session {sel.session}"))
    if sel.topics:
        names = " or ".join(f"{topics.name(code)} ({code})" for code in sel.topics)
        facts.append(("topic", f"topic{'s' if len(sel.topics) > 1 else ''}: {names}"))
    if sel.about:
        facts.append(("about", f"about: {about_text(sel.about)}"))
    facts.append(("kind", KIND_WORDS.get(sel.kind, sel.kind)))
    if sel.exclude_unanimous:
        facts.append(("unanimous", "unanimous roll calls excluded"))
    if not sel.continuity:
        facts.append(("continuity", "continuity off"))
    if metric is not None:
        facts.append(("metric", f"metric: {METRIC_WORDS.get(metric, metric)} [{metric}]"))
        if metric in METRIC_DEFINITIONS:
            facts.append(("metric_definition", METRIC_DEFINITIONS[metric]))
    if min_votes is not None:
        facts.append(("min_votes", f"min-votes {min_votes}"))
    if definition is not None:
        facts.append(("definition", definition))
    if dataset_only:
        facts = [f for f in facts if f[0] in ("body", "definition")]
    facts.append(("source", f"source: {sel.source} — {SOURCE_LABELS.get(sel.source, sel.source)}"))
    values = (("metric", metric),) if metric is not None else ()
    known = since or until or not sel.session  # a session without the result's dates: its span is not known here
    return Label(tuple(facts), sel.source, sel.body, values,
                 _seat_changes(seats, since, until, sel.continuity) if known else ())


def country_seats(*names: str) -> list[str]:
    """The codes of the countries among ``names`` (a group has no seat of its own), for ``label(seats=...)``."""
    from ..model.sides import side

    return [s.code for s in map(side, names) if s.kind == "country"]


def _seat_changes(seats, since, until, continuity: bool) -> tuple:
    """The changes of who held ``seats`` (codes, or ``ALL_SEATS``) that the span crosses (``model.seats``;
    an open end runs to the first or last recorded vote)."""
    if not seats:
        return ()
    from ..model import seats as history

    if seats == ALL_SEATS:
        return tuple(history.all_changes(since, until, continuity=continuity))
    return tuple(c for code in dict.fromkeys(seats) for c in history.changes(code, since, until, continuity=continuity))


def _span(sel: Selection, dates) -> tuple[dt.date | None, dt.date | None]:
    """The selection's span, its open ends filled from the result's own dates (earliest, latest)."""
    known = sorted(_as_date(d, end) for d in (dates or ()) if d is not None for end in (False, True))
    first, last = (known[0], known[-1]) if known else (None, None)
    return sel.since or first, sel.until or last


def _as_date(value, end: bool) -> dt.date:
    """A date, or a period label (a year) as its first or last day."""
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if text.isdigit() and len(text) == 4:
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    raise ValueError(f"not a date or year: {value!r}")


def _group_words(text) -> str:
    """A group named as a group: ``NAM`` → ``Non-Aligned Movement (NAM)``; several: ``groups: …, …``."""
    from ..model import groups

    found = [groups.lookup(t) for t in ([text] if isinstance(text, str) else text)]
    return f"group{'s' if len(found) > 1 else ''}: " + ", ".join(f"{g.name} ({g.code})" for g in found)
