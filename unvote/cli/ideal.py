"""The ideal-points command."""

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
    SourceOpt,
    output_options,
    source_note,
    without_pandas,
)


@app.command()
def ideal(
    year: Optional[list[int]] = typer.Option(None, "--year", help="A calendar year (repeat for several: --year 2018 --year 2019)."),
    session: Optional[list[str]] = typer.Option(None, "--session", help="A session (74, ES-11; repeatable)."),
    min_votes: int = typer.Option(10, "--min-votes", help="Leave out countries with fewer votes cast in the period's contested roll calls."),
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
):
    """One-dimensional ideal points per country (ordered-logit IRT on Yes > Abstain > No; mean 0, sd 1, USA positive), with n votes.

    Example: unvote ideal --year 2019   |   unvote ideal --session 74 --format csv
    """
    without_pandas()
    from .. import api
    from ..analysis.ideal import facts
    from ..output.render import emit, numeric_periods, resolve, stderr_console
    from ..output.views import ideal_note, ideal_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source,
                         definition="ordered-logit IRT (Yes > Abstain > No), mean 0, sd 1, USA positive")
    if bool(year) == bool(session):
        raise typer.BadParameter("give either --year or --session", param_hint="--year / --session")
    table = api.ideal(year=year or None, session=session or None, min_votes=min_votes, continuity=continuity,
                      source=source, kind=kind, body=body)
    if resolve(fmt, output=output) != "table":  # the terminal view shows these in its caption
        for line in ideal_note(facts(table)):
            stderr_console().print(f"note: {line}")
    emit(numeric_periods(table), fmt, **out, pretty=lambda console: (ideal_view(console, table),
                                                      source_note(console, source, kind)))


