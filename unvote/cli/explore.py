"""Commands from the number to the story: search, votes (a country's record), series."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from ..output.charts import ChartOptions
from . import complete
from .app import app
from .options import Output, options

if TYPE_CHECKING:
    from ..query.selection import Selection  # the type only: the options build it

SHOWN = 50  # rows a terminal shows before saying how to get the rest


def _words(text: str | None) -> list[str] | None:
    """``--search`` text as words (a quoted phrase inside it stays a phrase)."""
    if text is None:
        return None
    return [text] if '"' in text else text.split()


@app.command()
@options("year", "since", "until", "session", "topic", "source", "kind", "body")
def search(
    words: list[str] = typer.Argument(..., help='Words that must all appear (quote a phrase: "territorial integrity").'),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many roll calls (default: all; a terminal shows 50)."),
    sel: Selection = None,
    out: Output = None,
):
    """Roll calls whose symbol, title, agenda title or subjects contain all the words, newest first.

    Example:

    \b
      unvote search Ukraine
      unvote search nuclear "test ban" --since 2000 --format csv
    """
    from .. import api
    from ..model.text import terms
    from ..output.labels import label
    from ..output.views import rows_view

    terms(words)  # the words checked before the store is opened (as --about's are, by the Selection)
    found = api.search(*words, limit=limit, selection=sel)
    tag = label(sel, dates=found.column_values("date"))
    if out.format != "table":
        out.emit(found, label=tag)
        return

    def pretty(console):
        shown = limit or SHOWN
        more = found.num_rows - shown if limit is None else 0
        rows_view(console, found, title=f"{found.num_rows} roll calls mention {' + '.join(words)}", shown=shown)
        if more > 0:
            console.print(f"{more} more ({found.num_rows} in all): add --limit {found.num_rows}, or --format csv, "
                          "to list them all")

    out.emit(found, label=tag, pretty=pretty)


@app.command()
@options("year", "since", "until", "session", "topic", "about", "continuity", "source", "kind", "body", names=True)
def votes(
    places: list[str] = typer.Argument(..., metavar="COUNTRY...",
                                       help="A country (KHM, Cambodia) or a group (ASEAN: its plurality position); "
                                            "several with --wide or --summary."),
    search: Optional[str] = typer.Option(None, "--search", help="Only roll calls whose text has these words."),
    vote: Optional[str] = typer.Option(None, "--vote", help="Only these votes: Y,N,A,X (X: did not vote)."),
    alone: Optional[int] = typer.Option(None, "--alone", metavar="[K]",  # bare --alone: 1 (cli.OPTIONAL_VALUES)
                                        help="Only roll calls where the country was one of at most K members "
                                             "(default 1: alone) on its side (Y, N or A); column on_its_side."),
    wide: bool = typer.Option(False, "--wide", help="Several countries side by side: one row per roll call, one "
                                                    "column per country (Y, N, A, X: did not vote; empty: not a member)."),
    summary: bool = typer.Option(False, "--summary", help="One row per country and period (--by): counts of Y/N/A/"
                                 "non-voting, the with_plurality and with_outcome shares, and rank_with_outcome "
                                 "(its rank among the members by with_outcome share)."),
    by: str = typer.Option("year", "--by", help="With --summary: year | session | all", autocompletion=complete.periods),
    sel: Selection = None,
    out: Output = None,
    chart: ChartOptions = None,
):
    """A country's vote on every roll call of the span (default: the latest complete year), with the tally.

    Example:

    \b
      unvote votes KHM
      unvote votes Cambodia --year 2022 --search Ukraine
      unvote votes ASEAN --vote N,A
      unvote votes RUS --since 1980 --chart rus.png
      unvote votes USA --year 2025 --alone --vote N
      unvote votes USA RUS CHN --year 2024 --wide
      unvote votes USA CHN --since 2020 --summary
    """
    from .. import api
    from ..core.errors import UsageError
    from ..output.labels import country_seats, label
    from ..output.views import rows_view

    chosen = [flag for flag, on in (("--alone", alone is not None), ("--wide", wide), ("--summary", summary)) if on]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} are different tables: give one")
    if by != "year" and not summary:
        raise UsageError("--by goes with --summary (a country's record lists each roll call)")
    if len(places) > 1 and not (wide or summary):
        raise UsageError("several countries go with --wide (side by side) or --summary; name one otherwise")
    if chart and (wide or summary):
        raise UsageError("--chart draws one country's votes per year; it does not go with --wide or --summary")
    if summary:
        if search or vote:
            raise UsageError("--summary counts every vote of the span: --search and --vote do not apply")
        table = api.vote_summary(places, by=by, selection=sel)
        out.emit(table, label=label(sel, periods=list(dict.fromkeys(table.column_values("period"))), by=by,
                                    seats=country_seats(*places)),
                 pretty=lambda console: rows_view(console, table, title=f"{', '.join(places)} · votes per {by}"))
        return
    if wide:
        if vote:
            raise UsageError("--vote filters one country's votes; with --wide every listed vote is shown")
        table = api.votes_wide(places, search=_words(search), selection=sel)
        out.emit(table, label=label(sel, dates=table.column_values("date"), seats=country_seats(*places)),
                 pretty=lambda console: rows_view(console, table, hide=("rollcall_id", "session"),
                                                  title=f"{' · '.join(places)} · {table.num_rows} roll calls"))
        return
    country = places[0]
    if alone is not None:
        record = api.alone(country, most=alone, search=_words(search), vote=vote, selection=sel)
    else:
        record = api.voting_record(country, search=_words(search), vote=vote, selection=sel)
    if chart:
        from ..output.charts import votes_chart

        also = "; ".join(w for w in ((f"roll calls with the words {search}" if search else ""),
                                     (f"only votes {vote}" if vote else ""),
                                     (f"alone on its side (at most {alone})" if alone is not None else "")) if w)
        votes_chart(chart, record, country=country, sel=sel, newest=api.newest_date(selection=sel), also=also)

    def pretty(console):
        dates = record.column_values("date")
        what = "" if alone is None else " where it was alone on its side" if alone == 1 else \
            f" with at most {alone} members on its side"
        rows_view(console, record, hide=("rollcall_id", "country", "session"),
                  title=f"{record.column_values('country')[0]} · {record.num_rows} roll calls{what} "
                        f"· {dates[0]} → {dates[-1]}")

    out.emit(record, label=label(sel, dates=record.column_values("date"), seats=country_seats(country)), pretty=pretty)


@app.command()
@options("since", "until", "continuity", "source", "kind", "body", names=True)
def series(
    what: list[str] = typer.Argument(..., help="A resolution of the series (80/4) or words of its title (embargo Cuba)."),
    changes: bool = typer.Option(False, "--changes", help="Who voted differently from their previous vote in the series."),
    countries: bool = typer.Option(False, "--countries", help="Every country's vote on each roll call (long form)."),
    sel: Selection = None,
    out: Output = None,
    chart: ChartOptions = None,
):
    """A resolution that comes back every session: one row per roll call with its tally.

    Example:

    \b
      unvote series 80/4
      unvote series 80/4 --changes --since 2024
      unvote series embargo Cuba --countries --format csv
      unvote series 80/4 --chart cuba.png
    """
    from .. import api
    from ..core.errors import UsageError
    from ..output.labels import ALL_SEATS, label
    from ..output.views import rows_view

    if changes and countries:
        raise UsageError("choose --changes or --countries, not both")
    text = what[0] if len(what) == 1 else what
    if changes or countries:
        table = (api.series_changes if changes else api.series_votes)(text, selection=sel)
    else:
        table = api.series(text, selection=sel)
    if chart:
        from ..output.charts import series_chart

        calls = table if not (changes or countries) else api.series(text, selection=sel)
        series_chart(chart, calls, changes=table if changes else api.series_changes(text, selection=sel), sel=sel,
                     newest=api.newest_date(selection=sel))
    for line in table.notes:  # the series' gaps and doubles, said before the data (stdout stays data)
        typer.echo(f"note: {line}", err=True)  # plain: a console would load rich for CSV output too
    if changes or countries:
        out.emit(table, label=label(sel, dates=table.column_values("date"), seats=ALL_SEATS))
        return

    def pretty(console):
        # the series' own title (the query's), not a renamed one chained in
        own = [r["subject"] for r in table.to_pylist() if r["linked_by"] != "agenda+title"] or table.column_values("subject")
        rows_view(console, table, title=f"{table.num_rows} roll calls · {own[-1]}", hide=("rollcall_id", "title", "subject"))

    out.emit(table, label=label(sel, dates=table.column_values("date")), pretty=pretty)
