"""The topics command: Voeten's six issue areas and how many roll calls each has per decade."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from .app import app
from .options import BodyOpt, BomOpt, FormatOpt, GuardOpt, KindOpt, OutputOpt, SourceOpt, output_options, source_note


@app.command()
def topics(
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
):
    """The issue areas a roll call may have (Voeten's six), with roll calls per decade.

    Codes and names work wherever --topic is taken (search, votes, align, neighbors, matrix,
    cohesion, ideal): e.g. --topic hr or --topic 'human rights'. Voeten's own codes where he coded
    a roll call, a documented classifier elsewhere (docs/topics.md).

    Example:

    \b
      unvote topics
    """
    from .. import api
    from ..output.render import emit
    from ..output.views import plain_table as rich_table

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source,
                         definition="roll calls per issue area (Voeten's six) per decade; docs/topics.md")
    table = api.topics_by_decade(body=body, source=source, kind=kind)
    emit(table, fmt, **out,
         pretty=lambda console: (console.print(rich_table(table, title="Roll calls per issue area and decade")),
                                 source_note(console, source, kind)))
