"""``unvote report statedept --year Y``: the tables of the State Department's *Voting Practices in the
United Nations*, from the roll calls of calendar year Y (registers on ``report_app``)."""

from __future__ import annotations

from typing import Optional

import typer

from .options import Output, SourceOpt, options
from .report import _page_target, _write_page, report_app

TABLE_HELP = ("Which table CSV, JSON and the terminal show: coincidence (each member with the US, the default) | "
              "groups (regional and other groups) | us-votes (each roll call with the US vote) | important | "
              "important-groups (the same over the --important roll calls). An xlsx and an HTML page hold them all.")


@report_app.command("statedept")
@options(names=True, pages=True)
def statedept(
    year: int = typer.Option(..., "--year", help="The calendar year whose plenary recorded votes are counted."),
    rule: Optional[str] = typer.Option(None, "--rule", help="2021 (an absence counts half; the reports since 2021) | "
                                       "2017 (absences left out; 2017–2020) | 1983 (votes only; 1983–2016). "
                                       "Default: the rule of that year's report."),
    important: Optional[list[str]] = typer.Option(None, "--important", help="A roll call the report counts as an "
                                                  "important vote (A/RES/77/1, ES-11/4); repeat or separate with "
                                                  "commas. The report's list is not in the data."),
    table: str = typer.Option("coincidence", "--table", help=TABLE_HELP),
    source: str = SourceOpt,
    out: Output = None,
):
    """The State Department's Voting Practices in the United Nations tables for a year: each member's
    coincidence with the US (same, opposite, partial, absent, percentage), group averages,
    and the US votes.

    Example:

    \b
      unvote report statedept --year 2023
      unvote report statedept --year 2023 --table groups
      unvote report statedept --year 2022 --rule 2017 -o statedept-2022.xlsx
      unvote report statedept --year 2023 --important ES-11/7,78/7 -o statedept-2023.html
    """
    import dataclasses

    from .. import api
    from ..core.errors import UsageError
    from ..output.labels import label
    from ..output.render import stderr_console
    from ..output.views import plain_table
    from ..query.selection import Selection

    key = table.strip().lower()
    if key not in api.STATEDEPT_TABLES:
        raise UsageError(f"unknown table {table!r}; use {', '.join(api.STATEDEPT_TABLES)}")
    if key.startswith("important") and not important:
        raise UsageError(f"--table {key} needs the important roll calls: --important SYMBOL")
    page = out.format == "html"
    target = _page_target(out.path) if page else None  # checked before any work, as the other pages do
    found = api.statedept(year, rule=rule, important=important or (), source=source)
    rule_facts = found["rule"]
    tag = label(Selection.of(year=year, source=source), metric=rule_facts["metric"],
                dates=found["us_votes"].column("date").to_pylist())
    tag = dataclasses.replace(tag, facts=(
        *tag.facts, ("rule", f"State Department rule {rule_facts['name']} ({rule_facts['years']} reports"
                             f"{', chosen with --rule' if rule_facts['chosen'] == 'given' else ''}): "
                             f"{rule_facts['words']}"),
        ("roll_calls", f"{found['rollcalls']} roll calls"),
        *((("important", "important votes: " + ", ".join(_important(found))),) if found["important"] else ())))
    if page:  # every table on one page; the notes are on it too
        from ..output.report import statedept_page
        from .options import provenance

        _write_page(statedept_page(api.statedept_page_data(found, source=source), tag, provenance(tag)), target)
        return
    sheets = {name: found[name.replace("-", "_")] for name in api.STATEDEPT_TABLES
              if found[name.replace("-", "_")] is not None}
    shown = sheets[key]
    titles = {"coincidence": "coincidence with the United States", "groups": "group coincidence with the United States",
              "us-votes": "the United States' votes", "important": "coincidence on the important votes",
              "important-groups": "group coincidence on the important votes"}

    def view(console):  # a group's code says enough on a terminal; the name and kind stay in the files
        brief = shown.drop([c for c in ("name", "kind") if c in shown.column_names]) if "groups" in key else shown
        console.print(plain_table(brief, title=f"{year}: {titles[key]} · {found['rollcalls']} roll calls · "
                                                f"rule {rule_facts['name']}", console=console))
        for line in found["notes"]:
            console.print(f"[dim]note: {_escape(line)}[/]")

    if out.format not in ("table", "xlsx"):  # the terminal view shows them under the table
        for line in found["notes"]:
            stderr_console().print(f"note: {line}")
    out.emit(shown, label=tag, pretty=view, sheet=key, sheets={k: v for k, v in sheets.items() if k != key})


def _important(found) -> list[str]:
    votes = found["us_votes"]
    return [r for r, i in zip(votes.column("resolution").to_pylist(), votes.column("important").to_pylist()) if i]


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
