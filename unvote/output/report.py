"""``unvote report``'s pages: one self-contained HTML file each, from the plain data of
``api.country_report`` / ``api.vote_report``.

A page is a Jinja2 template (``output/templates/*.html.j2``, autoescaped) with its CSS, its charts
(``output.charts`` drawn to SVG and put inline) and a few lines of optional JS (table sorting) inside
it: it asks for nothing over the network (no fonts, scripts or images by URL), reads with JS off and
prints on paper (a print stylesheet). Every section names the filters behind its figures
(``output.labels.label``); the page ends with the definitions and the data's provenance.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
import tempfile
from pathlib import Path

from ..core.results import Rows
from ..query.selection import Selection
from .labels import METRIC_DEFINITIONS, METRIC_WORDS, label

MAX_BYTES = 1_500_000  # a page stays small enough to mail (issue 16: ≤ 1.5 MB)
SWITCHES_SHOWN = 40
VOTE_WORDS = {"Y": "Yes", "N": "No", "A": "Abstain", "X": "Non-voting"}
CAST_LETTERS = ("Y", "N", "A")
RELATION_WORDS = {"partial": "one abstained", "opposite": "opposite votes"}
TERMS = {  # what the page's own columns mean (the metric's definition comes from output.labels)
    "cast": "votes cast: Yes, No or Abstain (a member present and not voting, or absent, is non-voting)",
    "with plurality": "the country's vote was the Assembly's most common vote cast on the roll call "
                      "(on a tie, each tied vote is)",
    "with outcome": "Yes on an adopted text, No on a rejected one",
    "margin": "|Yes − No| of the roll call: the smaller, the more contested",
    "switch": "a vote cast (Y/N/A) that differs from the country's last vote cast on an earlier roll call "
              "with the same normalised title (unvote series follows renamed texts too)",
    "names": "countries are named as newsrooms print them (Russia, Iran, Türkiye); the codes are the UN's",
    "topics": "Voeten's six issue areas (me, nu, di, hr, co, ec): his codes where he coded a roll call, "
              "unvote's rules elsewhere (docs/topics.md); none: a roll call on none of them",
}


@functools.cache
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("unvote", "output/templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=_num, pct=_pct, score=_score, day=_day, vote=lambda v: VOTE_WORDS.get(v, v or "—"),
                       subject=_subject, percent=_percent, plain=_plain)
    return env


# ---------------------------------------------------------------- pages

def country_page(data: dict, sel: Selection, provenance: dict, *, marks=()) -> str:
    """The country page: ``data`` from ``api.country_report`` for ``sel``; ``marks`` (date, label) pairs
    drawn on the agreement chart and listed under it; ``provenance`` from the CLI (``cli.options``)."""
    me = data["country"]
    metric = data["metric"]
    dates = data["dates"]
    span_label = label(sel, dates=dates)
    scored = label(sel, dates=dates, metric=metric)
    events = sorted([*marks, *_seat_events(data["seat"], dates)])
    partners = data["partner"]
    chart = _agreement_svg(data, sel, events) if partners and any(p["periods"] for p in partners) else None
    n = data["neighbours"]
    context = {
        "title": f"{me['short']} at the {_body(sel)}" + (f", compared with {_and([p['who']['short'] for p in partners])}"
                                                           if partners else ""),
        "subtitle": span_label.line(),
        "me": me, "data": data, "metric": metric, "metric_words": METRIC_WORDS.get(metric, metric),
        "span_line": span_label.line(), "scored_line": scored.line(),
        "neighbours_line": label(sel, dates=dates, metric=metric, min_votes=n["min_votes"]).line(),
        "chart": chart, "events": events, "switches_shown": SWITCHES_SHOWN,
        "relation_words": RELATION_WORDS, "partner_names": {p["code"]: p["who"]["short"] for p in partners},
        "definitions": _definitions(metric), "provenance": provenance, "source_line": span_label.source_line,
        "statedept_line": _statedept_line(data["statedept"], sel),
    }
    return _check_size(_environment().get_template("country.html.j2").render(**context))


def _statedept_line(years: list[dict] | None, sel: Selection) -> str | None:
    """The filters behind the country page's State Department section: its whole years, every resolution."""
    if not years:
        return None
    whole = Selection.of(since=str(years[0]["year"]), until=str(years[-1]["year"]), source=sel.source)
    return label(whole).line()


def vote_page(data: dict, sel: Selection, provenance: dict) -> str:
    """The vote page: ``data`` from ``api.vote_report``."""
    call = data["call"]
    sel = sel.replace(body="sc" if call["resolution"].startswith("S/") else sel.body)
    frame = label(sel, dates=[call["date"]])
    context = {
        "title": f"{_subject(call['title']) or call['resolution']} ({call['resolution']})",
        "subtitle": f"{_body(sel)} recorded vote of {_day(call['date'])}",
        "call": call, "data": data, "frame_line": frame.line(), "source_line": frame.source_line,
        "chart": _groups_svg(data, sel), "map": _map_svg(data, sel),
        "definitions": _definitions(None), "provenance": provenance, "vote_words": VOTE_WORDS,
    }
    return _check_size(_environment().get_template("vote.html.j2").render(**context))


STATEDEPT_TERMS = {  # the report's columns, in its words (analysis.statedept)
    "same": "the member voted as the US did: both Yes, both No or both Abstain",
    "opposite": "one voted Yes and the other No",
    "one abstained": "one of the two abstained while the other voted Yes or No (the report's abstentions)",
    "absent": "the member was listed but did not vote (the reports' absences)",
    "roll calls": "the year's recorded plenary votes on whole resolutions on which the member was listed",
    "coincidence": "the percentage under the rule the page names (rule 2021: an absence counts half; "
                   "rule 2017: absences left out; rule 1983: Y/N votes only)",
    "average": "a group's coincidence as the reports print it: the mean of its members' percentages",
    "pooled": "the rule applied to the group members' summed counts",
    "group": "the member's UN regional group on the year's last roll call (AFRICAN, ASIA-PACIFIC, EEG, GRULAC, "
             "WEOG: their names are in the group table)",
    "names": "members are named as --names chose (the UN's official names by default) and listed A–Z with "
             "accents folded, as the report lists them",
}


def statedept_page(data: dict, frame, provenance: dict) -> str:
    """The State Department's tables of a year as a page: ``data`` from ``api.statedept_page_data``;
    ``frame`` its label (``output.labels.Label``, with the rule among its facts); ``provenance`` from the CLI."""
    year = data["year"]
    rule = data["rule"]
    calls = data["us_votes"]
    context = {
        "title": f"Voting coincidence with the United States, {year}",
        "subtitle": f"UN General Assembly recorded votes of {year}: {data['rollcalls']:,} roll calls; "
                    f"State Department rule {rule['name']}",
        "year": year, "rule": rule, "found": data, "members": data["coincidence"], "groups": data["groups"],
        "everyone": next(g for g in data["groups"] if g["group"] == "ALL"),
        "us_counts": {letter: sum(1 for r in calls if r["us_vote"] == letter) for letter in CAST_LETTERS},
        "us_votes": calls, "last_day": max(r["date"] for r in calls),
        "important": [r["resolution"] for r in calls if r.get("important")],
        "found_important": data["important"] or [], "found_important_groups": data["important_groups"] or [],
        "notes": data["notes"], "names_shown": _names_shown(),
        "filters_line": frame.line(without=("source", "metric_definition", "definition", "rule", "roll_calls",
                                            "important")),
        "definitions": [("rule", f"rule {rule['name']}: {rule['words']}"), *STATEDEPT_TERMS.items()],
        "provenance": provenance, "source_line": frame.source_line,
    }
    return _check_size(_environment().get_template("statedept.html.j2").render(**context))


def _names_shown() -> str:
    """Which country names the page prints (``--names``; a page's default is the short ones)."""
    from ..model.countries import name_style

    return ("countries by the names newsrooms print (--names official: the UN's)" if name_style() == "short"
            else "countries by their UN names")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _check_size(html: str) -> str:
    size = len(html.encode("utf-8"))
    if size > MAX_BYTES:  # a guard, not a limit a user meets: the sections are capped well below it
        raise ValueError(f"the page is {size:,} bytes, over {MAX_BYTES:,}")
    return html


def _body(sel: Selection) -> str:
    return {"ga": "UN General Assembly", "sc": "UN Security Council"}.get(sel.body, sel.body)


def _definitions(metric: str | None) -> list[tuple[str, str]]:
    out = [(f"score ({metric})", METRIC_DEFINITIONS[metric])] if metric in METRIC_DEFINITIONS else []
    return out + list(TERMS.items())


def _seat_events(seat: list[dict], dates) -> list[tuple[dt.date, str]]:
    """A change of who held a seat that the page's span crosses is an event on the chart (USSR → Russian
    Federation, Democratic Kampuchea → the coalition government): ``model.seats``, as the notes say it."""
    from ..model import seats

    first, last = dates
    events = []
    for s in seat:
        for change in seats.changes(s["code"], first, last, continuity=s["continuity"]):
            events.append((change.date, f"{s['short']}'s seat: {change.before.holder} → {change.after.holder}"
                                        + (" (the year only is known)" if change.approximate else "")))
    return events


# ---------------------------------------------------------------- charts as inline SVG

def _agreement_svg(data: dict, sel: Selection, events) -> str:
    """``charts.align_chart`` for every partner, by year, with the events as marks where the charts take
    them (``charts.ChartOptions``, issue 16 §3) and the data's newest roll call (a partial last year)."""
    from . import charts

    partners = data["partner"]
    types = {"partner": "VARCHAR", "period": "VARCHAR", "n": "BIGINT", "same": "BIGINT", "partial": "BIGINT",
             "opposite": "BIGINT", "absent": "BIGINT", "score": "DOUBLE"}
    if len(partners) == 1:
        types.pop("partner")
    periods = Rows.from_dicts([{"partner": p["code"], **r} for p in partners for r in p["periods"]], types)
    pooled = Rows.from_dicts([{"partner": p["code"], **p["pooled"]} for p in partners if p["pooled"]], types)
    accepted = inspect.signature(charts.align_chart).parameters
    extra = {"newest": data["newest"]} if "newest" in accepted and data.get("newest") else {}
    options = getattr(charts, "ChartOptions", None)

    def draw(path):
        # until the charts take marks, the events are only listed under the chart
        target = options(path=path, marks=tuple(events)) if options is not None else path
        charts.align_chart(target, periods, pooled, a=data["country"]["code"], b=partners[0]["code"], sel=sel,
                           metric=data["metric"], by="year", **extra)

    names = ", ".join(p["who"]["short"] for p in partners)
    desc = "; ".join(
        f"{p['who']['short']}: " + ", ".join(f"{r['period']} {_score(r['score'])}" for r in p["periods"])
        for p in partners)
    return _inline(_drawn(draw), f"How often {data['country']['short']} votes with {names}, per year",
                   f"Score ({data['metric']}) per year — {desc}", "agreement")


def _groups_svg(data: dict, sel: Selection) -> str:
    from . import charts

    call = data["call"]
    counts = Rows.from_dicts([call], _types(call))
    groups = Rows.from_dicts(data["groups"], _types(data["groups"][0])) if data["groups"] else None
    desc = "; ".join(f"{g['name']}: {g['yes']} yes, {g['no']} no, {g['abstain']} abstaining, "
                     f"{g['non_voting']} non-voting" for g in data["groups"])
    return _inline(_drawn(lambda path: charts.tally_chart(path, counts, by_group=groups, sel=sel)),
                   f"How each regional group voted on {call['resolution']}", desc, "groups")


def _map_svg(data: dict, sel: Selection) -> str | None:
    """The world map of the vote (issue 16 §2): ``output.maps`` (branch h16-map) draws it; before that
    module is part of unvote the page has no map section."""
    try:
        from . import maps
    except ImportError:
        return None
    call = data["call"]
    counts = Rows.from_dicts([call], _types(call))
    votes = Rows.from_dicts(data["votes"], _types(data["votes"][0])) if data["votes"] else Rows([], [], [])
    text = maps.svg_text(maps.tally_figure(counts, votes, sel=sel))
    counted = "; ".join(f"{VOTE_WORDS[letter]}: " + ", ".join(v["short"] for v in members)
                        for letter, members in data["by_vote"].items() if members)
    return _inline(text, f"How each member voted on {call['resolution']}, on a world map", counted, "map")


def _types(row: dict) -> dict[str, str]:
    """DuckDB type names for a row's values (Rows' columns), as the chart functions read them."""
    return {k: "BOOLEAN" if isinstance(v, bool) else "BIGINT" if isinstance(v, int) else "DOUBLE"
            if isinstance(v, float) else "DATE" if isinstance(v, dt.date) else "VARCHAR" for k, v in row.items()}


def _drawn(draw) -> str:
    """The SVG text a chart function writes when ``draw(path)`` gives it a temporary .svg file."""
    with tempfile.TemporaryDirectory(prefix="unvote-report-") as folder:
        path = Path(folder) / "chart.svg"
        draw(path)
        return path.read_text("utf-8")


def _inline(text: str, title: str, desc: str, prefix: str) -> str:
    """An SVG made fit to sit inline: no XML prolog or metadata, ids prefixed (two charts on one page
    must not share a clip path), a ``<title>`` and a ``<desc>`` for screen readers, and a width that
    follows the page."""
    from markupsafe import Markup, escape

    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r'(url\(#|href="#)([^)"]+)', lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    head = re.match(r"<svg\b[^>]*>", text).group(0)
    opened = re.sub(r'\s(width|height)="[^"]*"', "", head)
    opened = opened[:-1] + f' role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="chart">'
    return Markup(opened + f'<title id="{prefix}-title">{escape(title)}</title>'
                  f'<desc id="{prefix}-desc">{escape(desc)}</desc>' + text[len(head):])


# ---------------------------------------------------------------- filters

def _num(value) -> str:
    return "—" if value is None else f"{value:,}"


def _pct(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _percent(value) -> str:
    """A percentage already on 0–100 (the State Department tables), one decimal as the reports print it."""
    return "—" if value is None or value != value else f"{value:.1f}%"


def _plain(value) -> str:
    """A number for ``data-value`` (sorting, tests): repr-exact, empty when there is none."""
    return "" if value is None or value != value else repr(float(value))


def _score(value) -> str:
    return "—" if value is None or value != value else f"{value:.2f}"


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}" if isinstance(value, dt.date) else str(value)


def _subject(title: str | None) -> str:
    """A title's subject (``model.text.subject``: the catalogue's tail removed), capitalised."""
    from ..model.text import subject

    text = (subject(title) or "").strip()
    return text[:1].upper() + text[1:]
