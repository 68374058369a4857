"""Commands about single roll calls: tally."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from ..output.charts import ChartOptions, tally_chart
from ..output.maps import MAP_HELP, map_file
from .app import app
from .options import Output, options

if TYPE_CHECKING:
    from ..query.selection import Selection  # the type only: the options build it

TallyTopicOpt = typer.Option(None, "--topic", help="With --by-group: only roll calls on these issue areas (see unvote topics).")
TallyAboutOpt = typer.Option(None, "--about", metavar="WORDS", help="With --by-group: only roll calls whose text holds these words (as unvote search reads them).")
TallyKindOpt = typer.Option("resolution", "--kind", help="resolution | amendment | paragraph | all: which roll calls a symbol may name (Voeten's data has all four).")


@app.command()
@options("topic", "about", "source", "kind", "body", topic=TallyTopicOpt, about=TallyAboutOpt, kind=TallyKindOpt, names=True)
def tally(
    symbols: list[str] = typer.Argument(..., help="Resolution symbols or UNDL record ids."),
    countries: bool = typer.Option(False, "--countries", help="One row per country: resolution,country,name,vote."),
    by_group: Optional[str] = typer.Option(None, "--by-group", help="Break the vote down by group: regional (the five UN regional groups) or group names (EU or EU,NATO)."),
    sel: Selection = None,
    out: Output = None,
    chart: ChartOptions = None,
    world: Optional[str] = typer.Option(None, "--map", metavar="FILE", callback=map_file, help=MAP_HELP + " One roll call: how each member voted."),
):
    """How a resolution's recorded vote went, and who voted how.

    Example:

    \b
      unvote tally ES-11/1
      unvote tally '2758(XXVI)' 68/262 --format csv
      unvote tally ES-11/1 --by-group regional
      unvote tally ES-11/1 --map es-11-1.svg
    """
    from .. import api
    from ..api.records import body_for
    from ..core.errors import UsageError
    from ..output.labels import ALL_SEATS, label
    from ..output.views import tally_view

    chart.over_time(False)
    if (sel.topics or sel.about) and by_group is None:
        raise UsageError(f"{'--topic' if sel.topics else '--about'} goes with --by-group (a tally names its roll calls itself)")
    if countries and by_group is not None:  # checked first: one table is written, and --by-group's has no countries
        raise UsageError("--countries and --by-group are two different tables: give one (tally … --countries, "
                         "or tally … --by-group GROUP)")
    if world and len(symbols) != 1:
        raise UsageError(f"--map draws one roll call; give one symbol, not {len(symbols)}")

    def tag(rows, seats=None):  # the roll calls' own span (earliest first) and body (S/RES/… is the Security Council)
        return label(sel.replace(body=body_for(symbols, sel.body)), dates=rows.column_values("date"), seats=seats)

    if countries and not chart and not world and by_group is None:
        votes = api.country_votes(*symbols, selection=sel)
        out.emit(votes, label=tag(votes, ALL_SEATS))  # each country's votes over several dates: say who cast them
        return
    counts = api.tally(*symbols, selection=sel.replace(topics=(), about=()))
    if world:
        from ..output.maps import tally_map

        tally_map(world, counts, api.country_votes(*symbols, selection=sel.replace(topics=(), about=())), sel=sel)
    if by_group is not None:
        from ..output.views import group_tally_view

        rows = api.tally_by_group(*symbols, by=by_group, selection=sel)
        if chart:
            tally_chart(chart, counts, by_group=rows, sel=sel)
        out.emit(rows, label=tag(counts), pretty=lambda console: group_tally_view(console, rows))
        return
    if chart:
        tally_chart(chart, counts, sel=sel)
    if countries:
        out.emit(api.country_votes(*symbols, selection=sel), label=tag(counts, ALL_SEATS))
        return
    out.emit(counts, label=tag(counts),
             pretty=lambda console: tally_view(console, counts, api.country_votes(*symbols, selection=sel)))


