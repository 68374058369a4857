"""Commands from the number to the story: search, votes (a country's record), series."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .app import app
from .options import (
    BodyOpt,
    BomOpt,
    ContinuityOpt,
    FormatOpt,
    GuardOpt,
    KindOpt,
    OutputOpt,
    SessionOpt,
    SinceOpt,
    SourceOpt,
    TopicOpt,
    UntilOpt,
    output_options,
    source_note,
    without_pandas,
)

YearOpt = typer.Option(None, "--year", help="Only this calendar year (same as --since Y --until Y).")
SHOWN = 50  # rows a terminal shows before saying how to get the rest


def _words(text: str | None) -> list[str] | None:
    """``--search`` text as words (a quoted phrase inside it stays a phrase)."""
    if text is None:
        return None
    return [text] if '"' in text else text.split()


@app.command()
def search(
    words: list[str] = typer.Argument(..., help='Words that must all appear (quote a phrase: "territorial integrity").'),
    year: Optional[int] = YearOpt,
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
    topic: Optional[list[str]] = TopicOpt,
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many roll calls (default: all; a terminal shows 50)."),
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
):
    """Roll calls whose symbol, title, agenda title or subjects contain all the words, newest first.

    Example:

    \b
      unvote search Ukraine
      unvote search nuclear "test ban" --since 2000 --format csv
    """
    without_pandas()
    from .. import api
    from ..output.render import emit, resolve
    from ..output.views import rows_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source)
    kw = dict(year=year, since=since, until=until, session=session, topic=topic, body=body, source=source, kind=kind)
    found = api.search(*words, limit=limit, **kw)
    if resolve(fmt, output=output) != "table":
        emit(found, fmt, **out)
        return

    def pretty(console):
        shown = limit or SHOWN
        more = found.num_rows - shown if limit is None else 0
        rows_view(console, found, title=f"{found.num_rows} roll calls mention {' + '.join(words)}", shown=shown)
        if more > 0:
            console.print(f"{more} more ({found.num_rows} in all): add --limit {found.num_rows}, or --format csv, "
                          "to list them all")
        source_note(console, source, kind)

    emit(found, fmt, **out, pretty=pretty)


@app.command()
def votes(
    country: str = typer.Argument(..., help="A country (KHM, Cambodia) or a group (ASEAN: its plurality position)."),
    year: Optional[int] = YearOpt,
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
    topic: Optional[list[str]] = TopicOpt,
    search: Optional[str] = typer.Option(None, "--search", help="Only roll calls whose text has these words."),
    vote: Optional[str] = typer.Option(None, "--vote", help="Only these votes: Y,N,A,X (X: did not vote)."),
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
):
    """A country's vote on every roll call of the span (default: the latest complete year), with the tally.

    Example:

    \b
      unvote votes KHM
      unvote votes Cambodia --year 2022 --search Ukraine
      unvote votes ASEAN --vote N,A
    """
    without_pandas()
    from .. import api
    from ..output.render import emit
    from ..output.views import rows_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source)
    record = api.voting_record(country, year=year, since=since, until=until, session=session, topic=topic,
                               search=_words(search),
                               vote=vote, continuity=continuity, body=body, source=source, kind=kind)

    def pretty(console):
        dates = record.column_values("date")
        rows_view(console, record, hide=("rollcall_id", "country", "session"),
                  title=f"{record.column_values('country')[0]} · {record.num_rows} roll calls "
                                         f"· {dates[0]} → {dates[-1]}")
        source_note(console, source, kind)

    emit(record, fmt, **out, pretty=pretty)


@app.command()
def series(
    what: list[str] = typer.Argument(..., help="A resolution of the series (80/4) or words of its title (embargo Cuba)."),
    changes: bool = typer.Option(False, "--changes", help="Who voted differently from their previous vote in the series."),
    countries: bool = typer.Option(False, "--countries", help="Every country's vote on each roll call (long form)."),
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
):
    """A resolution that comes back every session: one row per roll call with its tally.

    Example:

    \b
      unvote series 80/4
      unvote series 80/4 --changes --since 2024
      unvote series embargo Cuba --countries --format csv
    """
    without_pandas()
    from .. import api
    from ..core.errors import UsageError
    from ..output.render import emit
    from ..output.views import rows_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source)
    if changes and countries:
        raise UsageError("choose --changes or --countries, not both")
    text = what[0] if len(what) == 1 else what
    kw = dict(since=since, until=until, body=body, source=source, kind=kind)
    if changes or countries:
        table = (api.series_changes if changes else api.series_votes)(text, continuity=continuity, **kw)
        emit(table, fmt, **out)
        return
    table = api.series(text, **kw)

    def pretty(console):
        first = table.rows[0]
        rows_view(console, table, title=f"{table.num_rows} roll calls · {first[-2].split(' : resolution /')[0]}",
                  hide=("rollcall_id", "title"))
        source_note(console, source, kind)

    emit(table, fmt, **out, pretty=pretty)
