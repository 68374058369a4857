"""Commands about agreement: align, neighbors, matrix, cohesion, groups."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..output.charts import CHART_HELP, align_chart, chart_file, cohesion_chart, matrix_chart, neighbors_chart
from . import complete
from .app import app
from .options import (
    BodyOpt,
    BomOpt,
    ContinuityOpt,
    FormatOpt,
    GuardOpt,
    KindOpt,
    MetricOpt,
    OutputOpt,
    PeriodOpt,
    SessionOpt,
    SinceOpt,
    SourceOpt,
    TopicOpt,
    UnanimousOpt,
    UntilOpt,
    output_options,
    source_note,
    without_pandas,
)


@app.command()
def align(
    a: str = typer.Argument(..., help="A country (ISO3 code or name: KHM, Cambodia) or a group (ASEAN, EU; see unvote groups).",
                           autocompletion=complete.places),
    others: list[str] = typer.Argument(..., help="Another country or group, or several (each against the first).",
                                       autocompletion=complete.places),
    by: str = typer.Option("year", "--by", help="year | session | all | topic (one row per issue area).",
                           autocompletion=complete.align_periods),
    metric: str = MetricOpt,
    year: Optional[int] = typer.Option(None, "--year", help="Only this calendar year (same as --since Y --until Y)."),
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
    topic: Optional[list[str]] = TopicOpt,
    votes: bool = typer.Option(False, "--votes", help="The votes behind the score: one row per roll call counted, with both votes and their relation."),
    differ: bool = typer.Option(False, "--differ", help="With --votes: only the roll calls where they differed (partial, opposite), most contested first."),
    exclude_unanimous: bool = UnanimousOpt,
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
    chart: Optional[str] = typer.Option(None, "--chart", metavar="FILE", callback=chart_file, help=CHART_HELP),
):
    """How often two countries (or a country and a group) vote alike, per year or session, with the counts.

    Example:

    \b
      unvote align KHM RUS
      unvote align KHM RUS USA CHN --by all
      unvote align KHM RUS --year 2022 --votes --differ
    """
    without_pandas()
    from .. import api
    from ..core.errors import UsageError
    from ..output.render import emit
    from ..output.views import align_view, position_matrix_view, rows_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source, metric=metric)
    kw = dict(year=year, since=since, until=until, session=session, topic=topic, continuity=continuity,
              exclude_unanimous=exclude_unanimous, body=body, source=source, kind=kind)
    if differ and not votes:
        votes = True
    if votes:
        if len(others) > 1:
            raise UsageError("--votes lists one pair's votes; name one partner")
        rows = api.align_votes(a, others[0], differ=differ, **kw)
        emit(rows, fmt, **out, pretty=lambda console: (
            rows_view(console, rows, title=f"{a} vs {others[0]}: {rows.num_rows} roll calls"
                                           + (" where they differed, most contested first" if differ else "")),
            source_note(console, source, kind)))
        return
    partners = others if len(others) > 1 else others[0]
    periods = api.align(a, partners, by=by, metric=metric, **kw)
    if chart:
        align_chart(chart, periods, api.align(a, partners, by="all", metric=metric, **kw), a=a, b=others[0],
                    metric=metric, by=by, source=source, body=body)
    if len(others) > 1:
        emit(periods, fmt, **out, pretty=lambda console: (
            rows_view(console, api.align(a, others, by="all", metric=metric, **kw),
                      title=f"{a} against each · metric {metric} · whole span"),
            source_note(console, source, kind)))
        return
    b = others[0]
    emit(periods, fmt, **out,
         pretty=lambda console: (align_view(console, periods, api.align(a, b, by="all", metric=metric, **kw), a, b,
                                            metric, by),
                                 position_matrix_view(console, api.align_votes(a, b, **kw), a, b),
                                 source_note(console, source, kind)))


@app.command()
def neighbors(
    country: str = typer.Argument(..., help="A country (KHM, Cambodia) or a group (ASEAN).",
                                 autocompletion=complete.places),
    year: Optional[int] = typer.Option(None, "--year", help="Only this calendar year (same as --since Y --until Y)."),
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
    topic: Optional[list[str]] = TopicOpt,
    metric: str = MetricOpt,
    min_votes: int = typer.Option(10, "--min-votes", help="Rank only countries that cast Y/A/N on at least this many of the same roll calls; the others follow, unranked."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N rows."),
    exclude_unanimous: bool = UnanimousOpt,
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
    chart: Optional[str] = typer.Option(None, "--chart", metavar="FILE", callback=chart_file, help=CHART_HELP),
):
    """Every other country ranked by how often it voted with COUNTRY, with the counts.

    Example:

    \b
      unvote neighbors KHM --year 2022
      unvote neighbors ASEAN --since 2020 --metric kappa
    """
    without_pandas()
    from .. import api
    from ..output.render import emit
    from ..output.views import neighbors_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source, metric=metric)
    table = api.neighbors(country, year=year, since=since, until=until, session=session, topic=topic, metric=metric,
                          exclude_unanimous=exclude_unanimous, continuity=continuity, body=body,
                          source=source, kind=kind, min_votes=min_votes, limit=limit)
    if chart:
        neighbors_chart(chart, table, country=country, metric=metric, year=year, since=since, until=until,
                        session=session, source=source, body=body)
    emit(table, fmt, **out, pretty=lambda console: (neighbors_view(console, table, country, metric),
                                                   console.print(f"[dim]unranked: fewer than {min_votes} roll calls "
                                                                 "both voted Y/A/N on (--min-votes)[/]"),
                                                     source_note(console, source, kind)))


@app.command()
def matrix(
    year: Optional[int] = typer.Option(None, "--year", help="Only this calendar year."),
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
    topic: Optional[list[str]] = TopicOpt,
    by: str = typer.Option("all", "--by", help="all (one matrix for the span) | year | session"),
    metric: str = MetricOpt,
    wide: bool = typer.Option(False, "--wide", help="One row per country and one score column per country, instead of one row per pair."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the N best-scoring pairs, each once (a < b)."),
    exclude_unanimous: bool = UnanimousOpt,
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
    chart: Optional[str] = typer.Option(None, "--chart", metavar="FILE", callback=chart_file, help=CHART_HELP),
):
    """Agreement of every pair of countries: a,b,n,same,partial,opposite,absent,score (each pair both ways).

    Example:

    \b
      unvote matrix --year 2022 --format csv
      unvote matrix --since 2000 --by year --metric kappa > dyads.csv
    """
    without_pandas()
    from .. import api
    from ..output.render import emit
    from ..output.views import matrix_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source, metric=metric)
    table = api.matrix(year=year, since=since, until=until, session=session, topic=topic, by=by, metric=metric,
                       wide=wide, exclude_unanimous=exclude_unanimous, continuity=continuity, body=body,
                       source=source, kind=kind, limit=limit)
    if chart:
        matrix_chart(chart, table, metric=metric, year=year, since=since, until=until, session=session,
                     source=source, body=body)
    emit(table, fmt, **out, pretty=lambda console: (matrix_view(console, table),
                                                     source_note(console, source, kind)))


@app.command()
def cohesion(
    group: str = typer.Argument(..., help="A group: ASEAN, EU, African Group, … (see unvote groups).",
                               autocompletion=complete.groups),
    by: str = PeriodOpt,
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
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
):
    """How united a group voted: the share of its members voting with the group majority, per period.

    Example:

    \b
      unvote cohesion ASEAN --by year
      unvote cohesion EU --since 2004 --format csv
    """
    without_pandas()
    from .. import api
    from ..output.render import emit
    from ..output.views import cohesion_view

    out = output_options(fmt, output, bom, formula_guard, body=body, source=source,
                         definition="score: share of members' votes with the group's plurality position; "
                                    "ai: Hix–Noury–Roland Agreement Index")
    table = api.cohesion(group, by=by, since=since, until=until, session=session, topic=topic,
                         continuity=continuity, body=body, source=source, kind=kind)
    if chart:
        cohesion_chart(chart, table, group=group, by=by, source=source, body=body)
    emit(table, fmt, **out, pretty=lambda console: (cohesion_view(console, table, group, by),
                                                     source_note(console, source, kind)))


@app.command()
def groups(
    group: Optional[str] = typer.Argument(None, help="Show this group's dated membership (ASEAN, EU, WEOG, …).",
                                           autocompletion=complete.groups),
    date: Optional[str] = typer.Option(None, "--date", help="With a group: only its members on this date (2022-03-02, or a year)."),
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    bom: bool = BomOpt,
    formula_guard: bool = GuardOpt,
):
    """The UN regional groups and blocs unvote knows, or one group's dated membership.

    Example:

    \b
      unvote groups
      unvote groups ASEAN
      unvote groups EU --date 2019-06-01
    """
    without_pandas()
    from .. import api
    from ..output.render import emit

    out = output_options(fmt, output, bom, formula_guard)
    if group is None:
        if date is not None:
            from ..core.errors import UsageError

            raise UsageError("--date needs a group, e.g. unvote groups EU --date 2019")
        from ..output.views import groups_view

        table = api.groups_table()
        emit(table, fmt, **out, pretty=lambda console: groups_view(console, table))
        return
    emit(api.group_members(group, date=date), fmt, **out)


