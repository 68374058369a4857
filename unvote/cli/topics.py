"""The topics command: Voeten's six issue areas and how many roll calls each has per decade."""

from __future__ import annotations

from ..query.selection import Selection
from .app import app
from .options import Output, options


@app.command()
@options("source", "kind", "body", quick=False)
def topics(
    sel: Selection = None,
    out: Output = None,
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
    from ..output.labels import label
    from ..output.views import plain_table as rich_table

    table = api.topics_by_decade(selection=sel)
    out.emit(table, label=label(sel, definition="roll calls per issue area (Voeten's six) per decade; docs/topics.md"),
             pretty=lambda console: console.print(rich_table(table, title="Roll calls per issue area and decade")))
