"""The topics command: Voeten's six issue areas and how many roll calls each has per decade."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .app import app
from .options import Output, options

if TYPE_CHECKING:
    from ..query.selection import Selection  # the type only: the options build it


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
    from ..output.labels import DEFINITIONS, label
    from ..output.views import plain_table as rich_table

    table = api.topics_by_decade(selection=sel)
    out.emit(table, label=label(sel, definition=DEFINITIONS["topics"]),
             pretty=lambda console: console.print(rich_table(table, title="Roll calls per issue area and decade")))
