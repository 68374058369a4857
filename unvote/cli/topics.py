"""The topics command: Voeten's six issue areas and how many roll calls each has per decade."""

from __future__ import annotations

from .app import app
from .options import BodyOpt, BomOpt, FormatOpt, KindOpt, SourceOpt, check_format, source_note


@app.command()
def topics(
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    bom: bool = BomOpt,
):
    """The issue areas a roll call may have (Voeten's six), with roll calls per decade.

    Codes and names work wherever --topic is taken (search, votes, align, neighbors, matrix,
    cohesion, ideal): e.g. --topic hr or --topic 'human rights'. Voeten's own codes where he coded
    a roll call, a documented classifier elsewhere (docs/topics.md).

    Example: unvote topics
    """
    from .. import api
    from ..output.render import emit, rich_table

    table = api.topics_by_decade(body=body, source=source, kind=kind)
    emit(table, check_format(fmt), bom=bom,
         pretty=lambda console: (console.print(rich_table(table, title="Roll calls per issue area and decade")),
                                 source_note(console, source, kind)))
