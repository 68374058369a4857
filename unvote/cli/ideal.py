"""The ideal-points command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from ..output.charts import ChartOptions, ideal_chart
from .app import app
from .options import Output, options

if TYPE_CHECKING:
    from ..query.selection import Selection  # the type only: the options build it

DYNAMIC_SINCE = typer.Option(None, "--since", help="With --dynamic: the first year (default: the data's first).")
DYNAMIC_UNTIL = typer.Option(None, "--until", help="With --dynamic: the last year (default: the data's last).")


@app.command()
@options("since", "until", "topic", "about", "continuity", "source", "kind", "body", names=True,
         since=DYNAMIC_SINCE, until=DYNAMIC_UNTIL)
def ideal(
    year: Optional[list[int]] = typer.Option(None, "--year", help="A calendar year (repeat for several: --year 2018 --year 2019)."),
    session: Optional[list[str]] = typer.Option(None, "--session", help="A session (74, with the special sessions held in 2019; ES-11 alone; repeatable)."),
    min_votes: int = typer.Option(10, "--min-votes", help="Leave out countries with fewer votes cast in the period's contested roll calls."),
    dynamic: bool = typer.Option(False, "--dynamic", help="One scale across years: a country's point follows a random walk, recurring resolutions bridge the years (one row per country-year; docs/ideal.md)."),
    sel: Selection = None,
    out: Output = None,
    chart: ChartOptions = None,
    highlight: Optional[str] = typer.Option(None, "--highlight", help="With --chart: colour and label these countries (KHM,RUS or KHM RUS)."),
):
    """One-dimensional ideal points per country (ordered-logit IRT on Yes > Abstain > No; mean 0, sd 1, USA positive), with n votes.

    Without --year or --session: the latest complete year in the data. With --dynamic: every year
    from --since to --until (default: all the data) on one scale, mean 0, sd 1 over all country-years.

    Example:

    \b
      unvote ideal --year 2019
      unvote ideal --session 74 --format csv
      unvote ideal --dynamic --since 2000 --until 2010
      unvote ideal --dynamic --highlight KHM RUS USA CHN --chart ideal.png
    """
    from .. import api
    from ..analysis.ideal import facts
    from ..core.errors import UsageError
    from ..output.labels import DEFINITIONS, label
    from ..output.render import stderr_console
    from ..output.views import ideal_note, ideal_view

    if year and session:
        raise typer.BadParameter("give --year or --session, not both", param_hint="--year / --session")
    if highlight and not chart:  # before the fit, which takes seconds
        raise UsageError("--highlight colours countries in a chart: add --chart FILE")
    if dynamic:
        if year or session:
            raise UsageError("--dynamic fits every year of a span: give --since/--until, not --year or --session")
        chart.over_time(True)
        return _dynamic(sel, out, min_votes=min_votes, chart=chart, highlight=highlight)
    if sel.since or sel.until:
        raise UsageError("--since/--until go with --dynamic; for one fit per period give --year (repeatable)")
    chart.over_time(False)
    if not year and not session:  # the latest complete year in the data, said on stderr
        year = [api.latest_complete_year(selection=sel)]
        stderr_console().print(f"note: no --year or --session: {year[0]}, the latest complete year in the data")
    table = api.ideal(year=year or None, session=session or None, min_votes=min_votes, selection=sel)
    if chart:
        ideal_chart(chart, table, highlight=(highlight or "").split(","), sel=sel)
    by = facts(table).get("by")
    periods = list(dict.fromkeys(str(p) for p in table.column("period").to_pylist()))
    tag = label(sel, periods=periods, by=by, min_votes=min_votes, definition=DEFINITIONS["ideal"])
    if out.format != "table":  # the terminal view shows these in its caption
        for line in ideal_note(facts(table)):
            stderr_console().print(f"note: {line}")
    out.emit(table, label=tag, pretty=lambda console: ideal_view(console, table))


def _dynamic(sel, out, *, min_votes: int, chart, highlight) -> None:
    from .. import api
    from ..analysis.ideal import facts
    from ..output.charts import ideal_dynamic_chart
    from ..output.labels import DEFINITIONS, label
    from ..output.render import stderr_console
    from ..output.views import ideal_dynamic_note

    table = api.ideal_dynamic(min_votes=min_votes, selection=sel)
    if chart:
        ideal_dynamic_chart(chart, table, highlight=(highlight or "").split(","), sel=sel,
                            newest=api.newest_date(selection=sel))
    found = facts(table)
    years = table.column("year").to_pylist()
    tag = label(sel, periods=[str(min(years)), str(max(years))], by="year", min_votes=min_votes,
                definition=DEFINITIONS["ideal_dynamic"])
    for line in ideal_dynamic_note(found):
        stderr_console().print(f"note: {line}")
    out.emit(table, label=tag)
