"""Commands about agreement: align, neighbors, matrix, cohesion, groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from ..output.charts import ChartOptions, align_chart, cohesion_chart, matrix_chart, neighbors_chart
from ..output.maps import MAP_HELP, map_file
from . import complete
from .app import app
from .options import MetricOpt, Output, PeriodOpt, options

if TYPE_CHECKING:
    from ..query.selection import Selection  # the type only: the options build it

MIN_VOTES = 10  # the grey of align --map (neighbors ranks by its own default: half the roll calls COUNTRY voted on)


@app.command()
@options("year", "since", "until", "session", "topic", "about", "exclude_unanimous", "continuity", "source", "kind", "body", names=True)
def align(
    a: str = typer.Argument(..., help="A country (ISO3 code or name: KHM, Cambodia) or a group (ASEAN, EU; see unvote groups).",
                           autocompletion=complete.places),
    others: list[str] = typer.Argument(..., help="Another country or group, or several (each against the first).",
                                       autocompletion=complete.places),
    by: str = typer.Option("year", "--by", help="year | session | all | topic (one row per issue area, and none for roll calls with no topic).",
                           autocompletion=complete.align_periods),
    metric: str = MetricOpt,
    votes: bool = typer.Option(False, "--votes", help="The votes behind the score: one row per roll call counted, with both votes and their relation."),
    differ: bool = typer.Option(False, "--differ", help="With --votes: only the roll calls where they differed (partial, opposite), most contested first."),
    sel: Selection = None,
    out: Output = None,
    chart: ChartOptions = None,
    world: Optional[str] = typer.Option(None, "--map", metavar="FILE", callback=map_file, help=MAP_HELP + f" Every country by its score with the first over the whole span (grey: fewer than {MIN_VOTES} shared votes); the others outlined."),
):
    """How often two countries (or a country and a group) vote alike, per year or session, with the counts.

    Example:

    \b
      unvote align KHM RUS
      unvote align KHM RUS USA CHN --by all
      unvote align KHM RUS --year 2022 --votes --differ
      unvote align KHM RUS --year 2022 --map khm.svg
    """
    from .. import api
    from ..core.errors import UsageError
    from ..output.labels import country_seats, label
    from ..output.views import align_view, position_matrix_view, rows_view

    if differ and not votes:
        votes = True
    if world and votes:
        raise UsageError("--map colours every country by its score; it does not go with --votes or --differ")
    if votes and chart:
        raise UsageError("--chart draws the score per period; --votes lists roll calls: give one")
    chart.over_time(by in ("year", "session"))
    if votes:
        if len(others) > 1:
            raise UsageError("--votes lists one pair's votes; name one partner")
        rows = api.align_votes(a, others[0], differ=differ, selection=sel)
        out.emit(rows, label=label(sel, dates=rows.column_values("date"), seats=country_seats(a, others[0])),
                 pretty=lambda console: rows_view(console, rows, title=f"{a} vs {others[0]}: {rows.num_rows} roll calls"
                                                  + (" where they differed, most contested first" if differ else "")))
        return
    partners = others if len(others) > 1 else others[0]
    periods = api.align(a, partners, by=by, metric=metric, selection=sel)

    def pooled():  # the whole span, for a chart or a terminal view only (CSV needs none)
        return periods if by == "all" else api.align(a, partners, by="all", metric=metric, selection=sel)

    if chart:
        align_chart(chart, periods, pooled(), a=a, b=others[0], sel=sel, metric=metric, by=by,
                    newest=api.newest_date(selection=sel) if by == "year" else None)
    if world:
        from ..output.maps import neighbors_map

        scores = api.neighbors(a, metric=metric, min_votes=MIN_VOTES, selection=sel)
        neighbors_map(world, scores, country=a, sel=sel, metric=metric, min_votes=MIN_VOTES, partners=others,
                      dates=_periods(periods) if by == "year" else None)
    tag = label(sel, periods=_periods(periods), by=by, metric=metric, seats=country_seats(a, *others))
    if len(others) > 1:
        out.emit(periods, label=tag, pretty=lambda console: rows_view(
            console, pooled(), title=f"{a} against each · metric {metric} · whole span"))
        return
    b = others[0]
    out.emit(periods, label=tag,
             pretty=lambda console: (align_view(console, periods, pooled(), a, b, metric, by),
                                     position_matrix_view(console, api.align_votes(a, b, selection=sel), a, b)))


def _periods(table) -> list[str]:
    """A result's period labels in order (each once), for its label's span."""
    if "period" not in table.column_names:
        return []
    values = table.column_values("period") if hasattr(table, "column_values") else table.column("period").to_pylist()
    periods = list(dict.fromkeys(str(p) for p in values))
    return sorted(periods, key=int) if all(p.isdigit() for p in periods) else periods  # several groups' blocks


@app.command()
@options("year", "since", "until", "session", "topic", "about", "exclude_unanimous", "continuity", "source", "kind", "body", names=True)
def neighbors(
    country: str = typer.Argument(..., help="A country (KHM, Cambodia) or a group (ASEAN).",
                                 autocompletion=complete.places),
    metric: str = MetricOpt,
    min_votes: Optional[int] = typer.Option(None, "--min-votes", help="Rank only countries that cast Y/A/N on at least this many of the roll calls COUNTRY voted on (default: half of them); the others follow, unranked, counted in a note."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N rows."),
    sel: Selection = None,
    out: Output = None,
    chart: ChartOptions = None,
    world: Optional[str] = typer.Option(None, "--map", metavar="FILE", callback=map_file, help=MAP_HELP + " Every country by its score (grey: under --min-votes)."),
):
    """Every other country ranked by how often it voted with COUNTRY, with the counts.

    Example:

    \b
      unvote neighbors KHM --year 2022
      unvote neighbors ASEAN --since 2020 --metric kappa
      unvote neighbors KHM --year 2022 --map khm.png
    """
    from .. import api
    from ..api.agreement import neighbors_facts, neighbors_note
    from ..model.sides import side
    from ..output.labels import country_seats, label
    from ..output.views import neighbors_view

    chart.over_time(False)
    table = api.neighbors(country, metric=metric, min_votes=min_votes, limit=limit, selection=sel)
    least = neighbors_facts(table)["min_votes"]
    if chart:
        neighbors_chart(chart, table, country=country, sel=sel, metric=metric, min_votes=least)
    if world:
        from ..output.maps import neighbors_map

        whole = table if limit is None else api.neighbors(country, metric=metric, min_votes=min_votes, selection=sel)
        neighbors_map(world, whole, country=country, sel=sel, metric=metric, min_votes=least)
    note = neighbors_note(table, side(country).code)
    if out.format != "table":  # the data stays data: who is not ranked and why goes to stderr
        typer.echo(f"note: {note}", err=True)
    out.emit(table, label=label(sel, metric=metric, min_votes=least, seats=country_seats(country)),
             pretty=lambda console: (neighbors_view(console, table, country, metric),
                                     console.print(f"[dim]{note}[/]")))


@app.command()
@options("year", "since", "until", "session", "topic", "about", "exclude_unanimous", "continuity", "source", "kind", "body")
def matrix(
    by: str = typer.Option("all", "--by", help="all (one matrix for the span) | year | session"),
    metric: str = MetricOpt,
    wide: bool = typer.Option(False, "--wide", help="One row per country and one score column per country, instead of one row per pair."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the N best-scoring pairs, each once (a < b)."),
    sel: Selection = None,
    out: Output = None,
    chart: ChartOptions = None,
):
    """Agreement of every pair of countries: a,b,n,same,partial,opposite,absent,score (each pair both ways).

    Example:

    \b
      unvote matrix --year 2022 --format csv
      unvote matrix --since 2000 --by year --metric kappa > dyads.csv
    """
    from .. import api
    from ..output.labels import label
    from ..output.views import matrix_view

    chart.over_time(False)
    table = api.matrix(by=by, metric=metric, wide=wide, limit=limit, selection=sel)
    if chart:
        matrix_chart(chart, table, sel=sel, metric=metric)
    out.emit(table, label=label(sel, by=by, metric=metric), pretty=lambda console: matrix_view(console, table))


@app.command()
@options("year", "since", "until", "session", "topic", "about", "continuity", "source", "kind", "body")
def cohesion(
    group: list[str] = typer.Argument(..., help="A group: ASEAN, EU, African Group, … (see unvote groups); several "
                                     "(G77 EU) give one block of rows each, with a group column, and one line each on a chart.",
                                     autocompletion=complete.groups),
    by: str = PeriodOpt,
    sel: Selection = None,
    out: Output = None,
    chart: ChartOptions = None,
):
    """How united a group voted: the share of its members voting with the group's plurality, per period.

    Example:

    \b
      unvote cohesion ASEAN --by year
      unvote cohesion EU --since 2004 --format csv
      unvote cohesion ASEAN --year 2022
      unvote cohesion G77 EU --since 2000 --chart g77-eu.png
    """
    from .. import api
    from ..output.labels import DEFINITIONS, label
    from ..output.views import cohesion_view

    chart.over_time(by in ("year", "session"))
    groups = list(dict.fromkeys(group))
    table = api.cohesion(groups if len(groups) > 1 else groups[0], by=by, selection=sel)
    if chart:
        cohesion_chart(chart, table, group=groups, sel=sel, by=by,
                       newest=api.newest_date(selection=sel) if by == "year" else None)
    tag = label(sel, periods=_periods(table), by=by, group=groups if len(groups) > 1 else groups[0],
                definition=DEFINITIONS["cohesion"])
    if "group" in table.column_names:  # several groups: the plain table, one block of rows each
        out.emit(table, label=tag)
        return
    out.emit(table, label=tag, pretty=lambda console: cohesion_view(console, table, groups[0], by))


@app.command()
@options(names=True)
def groups(
    group: Optional[str] = typer.Argument(None, help="Show this group's dated membership (ASEAN, EU, WEOG, …).",
                                           autocompletion=complete.groups),
    date: Optional[str] = typer.Option(None, "--date", help="With a group: only its members on this date (2022-03-02, or a year)."),
    out: Output = None,
):
    """The UN regional groups and blocs unvote knows, or one group's dated membership.

    Example:

    \b
      unvote groups
      unvote groups ASEAN
      unvote groups EU --date 2019-06-01
    """
    from .. import api

    if group is None:
        if date is not None:
            from ..core.errors import UsageError

            raise UsageError("--date needs a group, e.g. unvote groups EU --date 2019")
        from ..output.views import groups_view

        table = api.groups_table()
        out.emit(table, pretty=lambda console: groups_view(console, table))
        return
    out.emit(api.group_members(group, date=date))


@app.command()
@options()
def countries(
    country: Optional[str] = typer.Argument(None, help="Show who held this country's seat, and when (KHM, China, Russia).",
                                            autocompletion=complete.countries),
    out: Output = None,
):
    """The countries unvote knows (members and dissolved seats), or who held one country's seat and when.

    Example:

    \b
      unvote countries
      unvote countries KHM
      unvote countries China
    """
    from .. import api
    from ..output.views import seats_view

    if country is None:
        out.emit(api.countries_table())
        return
    held = api.seats(country)
    out.emit(held, pretty=lambda console: seats_view(console, held))


