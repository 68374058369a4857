"""Commands about single roll calls: tally."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..output.charts import CHART_HELP, chart_file, tally_chart
from .app import app
from .options import (
    BodyOpt,
    BomOpt,
    FormatOpt,
    GuardOpt,
    OutputOpt,
    SourceOpt,
    output_options,
    source_note,
    without_pandas,
)


@app.command()
def tally(
    symbols: list[str] = typer.Argument(..., help="Resolution symbols or UNDL record ids."),
    countries: bool = typer.Option(False, "--countries", help="One row per country: resolution,country,name,vote."),
    by_group: Optional[str] = typer.Option(None, "--by-group", help="Break the vote down by group: regional (the five UN regional groups) or group names (EU or EU,NATO)."),
    topic: Optional[list[str]] = typer.Option(None, "--topic", help="With --by-group: only roll calls on these issue areas (see unvote topics)."),
    source: str = SourceOpt,
    kind: str = typer.Option("resolution", "--kind", help="resolution | amendment | paragraph | all: which roll calls a symbol may name (Voeten's data has all four)."),
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
    chart: Optional[str] = typer.Option(None, "--chart", metavar="FILE", callback=chart_file, help=CHART_HELP),
):
    """How a resolution's recorded vote went, and who voted how.

    Example:

    \b
      unvote tally ES-11/1
      unvote tally '2758(XXVI)' 68/262 --format csv
      unvote tally ES-11/1 --by-group regional
    """
    without_pandas()
    from .. import api
    from ..output.render import emit
    from ..output.views import tally_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source)
    if topic and by_group is None:
        from ..core.errors import UsageError

        raise UsageError("--topic goes with --by-group (a tally names its roll calls itself)")
    if by_group is not None:
        from ..output.views import group_tally_view

        rows = api.tally_by_group(*symbols, by=by_group, body=body, source=source, kind=kind, topic=topic)
        if chart:
            tally_chart(chart, api.tally(*symbols, body=body, source=source, kind=kind), by_group=rows, source=source)
        emit(rows, fmt, **out, pretty=lambda console: (group_tally_view(console, rows),
                                                        source_note(console, source, kind)))
        return
    kw = dict(body=body, source=source, kind=kind)
    if chart:
        tally_chart(chart, api.tally(*symbols, **kw), source=source)
    if countries:
        emit(api.country_votes(*symbols, **kw), fmt, **out)
        return
    counts = api.tally(*symbols, **kw)
    emit(counts, fmt, **out,
         pretty=lambda console: (tally_view(console, counts, api.country_votes(*symbols, **kw)),
                                 source_note(console, source, kind)))


