"""The ideal-points command."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..output.charts import CHART_HELP, chart_file, ideal_chart
from .app import app
from .options import (
    BodyOpt,
    BomOpt,
    ContinuityOpt,
    FormatOpt,
    GuardOpt,
    KindOpt,
    OutputOpt,
    SourceOpt,
    TopicOpt,
    output_options,
    source_note,
    without_pandas,
)


@app.command()
def ideal(
    year: Optional[list[int]] = typer.Option(None, "--year", help="A calendar year (repeat for several: --year 2018 --year 2019)."),
    session: Optional[list[str]] = typer.Option(None, "--session", help="A session (74, ES-11; repeatable)."),
    min_votes: int = typer.Option(10, "--min-votes", help="Leave out countries with fewer votes cast in the period's contested roll calls."),
    topic: Optional[list[str]] = TopicOpt,
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
    chart: Optional[str] = typer.Option(None, "--chart", metavar="FILE", callback=chart_file, help=CHART_HELP),
    highlight: Optional[str] = typer.Option(None, "--highlight", help="With --chart: colour and label these countries (KHM,RUS)."),
):
    """One-dimensional ideal points per country (ordered-logit IRT on Yes > Abstain > No; mean 0, sd 1, USA positive), with n votes.

    Without --year or --session: the latest complete year in the data.

    Example:

    \b
      unvote ideal --year 2019
      unvote ideal --session 74 --format csv
    """
    without_pandas()
    from .. import api
    from ..analysis.ideal import facts
    from ..output.render import emit, numeric_periods, resolve, stderr_console
    from ..output.views import ideal_note, ideal_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source,
                         definition="ordered-logit IRT (Yes > Abstain > No), mean 0, sd 1, USA positive")
    if year and session:
        raise typer.BadParameter("give --year or --session, not both", param_hint="--year / --session")
    if not year and not session:  # the latest complete year in the data, said on stderr
        year = [api.latest_complete_year(body=body, source=source, kind=kind)]
        stderr_console().print(f"note: no --year or --session: {year[0]}, the latest complete year in the data")
    table = api.ideal(year=year or None, session=session or None, min_votes=min_votes, topic=topic, continuity=continuity,
                      source=source, kind=kind, body=body)
    if chart or highlight:
        ideal_chart(chart, table, highlight=(highlight or "").split(","), source=source)
    if resolve(fmt, output=output) != "table":  # the terminal view shows these in its caption
        for line in ideal_note(facts(table)):
            stderr_console().print(f"note: {line}")
    emit(numeric_periods(table), fmt, **out, pretty=lambda console: (ideal_view(console, table),
                                                      source_note(console, source, kind)))


