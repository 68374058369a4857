"""The ``unvote`` command: thin adapters over the library, and the one error handler."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from . import __version__, config
from .errors import UnvoteError
from .output import PipeClosed

app = typer.Typer(
    help="Recorded votes of the UN General Assembly: fetch, tally, align.\n\n"
         "Output is a table on a terminal and CSV when piped; --format chooses.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

FormatOpt = typer.Option("auto", "--format", "-f", help="auto | table | csv | json (auto: table on a terminal, CSV when piped).")
BomOpt = typer.Option(False, "--bom", help="Start CSV with a byte-order mark (for Excel).")
BodyOpt = typer.Option("ga", "--body", help="ga (General Assembly) or sc (Security Council).")
PeriodOpt = typer.Option("year", "--by", help="year | session | all")
SinceOpt = typer.Option(None, "--since", help="First year or date (2010, 2010-06-01).")
UntilOpt = typer.Option(None, "--until", help="Last year or date.")
SessionOpt = typer.Option(None, "--session", help="Only this session (78, ES-11).")
ContinuityOpt = typer.Option(True, "--continuity/--no-continuity",
                             help="Count a predecessor seat as the successor's (USSR → Russia).")
METRIC_HELP = ("agree | statedept | statedept2017 | votes-only | identical | s | kappa | kappa-linear | "
               "kappa-quadratic | pi (formulas in the README).")
MetricOpt = typer.Option("agree", "--metric", help=METRIC_HELP)
SourceOpt = typer.Option("undl", "--source", help="undl (the UN Digital Library's records) | voeten (Voeten's Dataverse data) | merged (UNDL first, Voeten where UNDL has none).")
KindOpt = typer.Option("resolution", "--kind", help="resolution (votes on whole texts) | amendment | paragraph | all; only Voeten's data has the others.")
UnanimousOpt = typer.Option(False, "--exclude-unanimous", help="Leave out roll calls where every member that voted Y/A/N voted alike (as Voeten does).")


class _NoPandas:
    """A meta-path finder that refuses pandas (see ``_without_pandas``)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas is not used by this command")
        return None


def _without_pandas() -> None:
    """pyarrow imports pandas (≈0.3 s, a third of a quick command's time) only to ask whether its
    inputs are pandas objects. Commands that never use pandas refuse it, so that check fails fast."""
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())


def _source_note(console, source: str, kind: str = "resolution") -> None:
    """Under a terminal view, name the data it came from (CSV and JSON stay plain data)."""
    from .api import SOURCE_LABELS

    kinds = "all roll calls" if kind == "all" else f"{kind} votes"
    console.print(f"[dim]source: {source} — {SOURCE_LABELS.get(source, source)}; {kinds}[/]")


def _check_format(fmt: str) -> str:
    from .output import FORMATS

    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


@app.callback()
def main_options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks (or set UNVOTE_DEBUG=1)."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
):
    if debug:
        import os

        os.environ["UNVOTE_DEBUG"] = "1"
    if version:
        typer.echo(f"unvote {__version__}")
        raise typer.Exit()


@app.command()
def fetch(
    file: Optional[list[Path]] = typer.Option(None, "--file", help="Ingest a local copy (.csv or .csv.gz; with --source voeten an .RData/.rda or CSV/tab file, repeatable) instead of downloading."),
    url: Optional[str] = typer.Option(None, "--url", help="Download this address instead of discovering the current file."),
    source: str = typer.Option("undl", "--source", help="undl (UN Digital Library) | voeten (Voeten's roll calls from Harvard Dataverse) | merged (rebuild the merged history)."),
    update: bool = typer.Option(False, "--update", help="Only merge the UN Digital Library voting records newer than the newest vote held."),
    since: Optional[str] = typer.Option(None, "--since", help="With updates: look at records from this date (YYYY-MM-DD) instead of the newest vote held."),
    delay: Optional[float] = typer.Option(None, "--delay", help="Seconds between requests (default 1, or UNVOTE_HTTP_DELAY)."),
    body: str = BodyOpt,
):
    """Download the UN Digital Library's voting data into the local store.

    With data already stored, the bulk file is downloaded only if it changed, then the voting
    records newer than it are merged in.

    Example: unvote fetch   |   unvote fetch --update   |   unvote fetch --file ~/Downloads/2025_9_19_ga_voting.csv
    """
    from . import pipeline
    from .output import stderr_console

    console = stderr_console()
    if source != "undl":
        if update or since or body != "ga":
            from .errors import UsageError

            raise UsageError(f"--source {source} is General Assembly data fetched whole; "
                             "it takes no --update, --since or --body")
        _fetch_other(console, source, file, url)
        return
    if file and len(file) > 1:
        from .errors import UsageError

        raise UsageError("the UN Digital Library data is one file; pass --file once")
    file = file[0] if file else None
    if file is not None and (update or since):
        from .errors import UsageError

        raise UsageError("--file reads a local copy; it cannot be combined with --update or --since")
    if file is None:
        # retries are news for someone watching; a log gets the outcome only, in one line
        notify = (lambda message: console.print(f"[yellow]retry:[/] {message}")) if console.is_terminal else None
        with _fetch_progress(console) as progress:
            result = pipeline.fetch(body, url=url, progress=progress, update=True if update else None,
                                    since=since, delay=delay, notify=notify)
    else:
        with console.status(f"reading {file}"):
            result = pipeline.fetch(body, file=file)
    m = result.manifest
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    for note in result.notes:
        console.print(note)
    verb = "stored" if result.changed else "unchanged:"
    console.print(f"{verb} {m['records']:,} roll calls, {m['votes']:,} votes "
                  f"({m['date_min']} → {m['date_max']}) from {m['file']} in {result.path.parent.parent}")


def _fetch_other(console, source: str, files, url) -> None:
    """``fetch --source voeten`` (download or read Voeten's data) and ``--source merged`` (rebuild)."""
    from . import pipeline
    from .errors import UsageError

    if source == "voeten":
        if files:
            with console.status(f"reading {', '.join(str(f) for f in files)}"):
                result = pipeline.fetch_voeten(files=files)
        else:
            with _fetch_progress(console) as progress:
                result = pipeline.fetch_voeten(url=url, progress=progress)
    elif source == "merged":
        if files or url:
            raise UsageError("--source merged rebuilds the merged history from the store; it takes no --file or --url")
        with console.status("merging the UNDL and Voeten data"):
            result = pipeline.rebuild_merged()
    else:
        raise UsageError(f"unknown source {source!r}; use undl, voeten or merged")
    m = result.manifest
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    if source == "voeten":
        console.print(f"stored {m['records']:,} roll calls, {m['votes']:,} votes "
                      f"({m['date_min']} → {m['date_max']}) from {m['file']} in {result.path.parent.parent}")
    for note in result.notes:
        console.print(note)


def _fetch_progress(console):
    """Progress bars on stderr (terminal only): bytes for downloads, a count for record pages."""
    from rich.progress import DownloadColumn, MofNCompleteColumn, Progress, ProgressColumn, TransferSpeedColumn

    class Amount(ProgressColumn):
        def render(self, task):
            if task.fields.get("unit") == "records":
                return MofNCompleteColumn().render(task)
            return DownloadColumn().render(task) + " " + TransferSpeedColumn().render(task)

    return Progress(*Progress.get_default_columns(), Amount(), console=console, transient=True,
                    disable=not console.is_terminal)


@app.command()
def info(fmt: str = FormatOpt):
    """Where the store is and what it holds.

    Example: unvote info
    """
    import pyarrow as pa

    from . import api
    from .output import emit

    facts = api.info()
    rows = [{"dataset": name, "source": m.get("source"), "file": m.get("file"), "sha256": m.get("sha256"),
             "fetched_at": m.get("fetched_at"), "records": m.get("records"), "votes": m.get("votes"),
             "date_min": m.get("date_min"), "date_max": m.get("date_max")}
            for name, m in facts["datasets"].items()]
    table = pa.Table.from_pylist(rows) if rows else pa.table({"dataset": pa.array([], pa.string())})

    def pretty(console):
        console.print(f"store: {facts['data_dir']}")
        if not rows:
            console.print("empty — run: unvote fetch")
        for r in rows:
            sha = f"sha256 {r['sha256'][:12]}…, " if r["sha256"] else ""
            console.print(f"[bold]{r['dataset']}[/]: {r['records']:,} roll calls, {r['votes']:,} votes, "
                          f"{r['date_min']} → {r['date_max']}\n  {r['source']}\n  file {r['file']} "
                          f"({sha}fetched {r['fetched_at']})")
            if r["dataset"] == "merged":
                from .history import status

                console.print(f"  {status(facts['datasets'][r['dataset']], api.Store())}")

    emit(table, _check_format(fmt), pretty=pretty)


@app.command()
def tally(
    symbols: list[str] = typer.Argument(..., help="Resolution symbols or UNDL record ids."),
    countries: bool = typer.Option(False, "--countries", help="One row per country: resolution,country,name,vote."),
    by_group: Optional[str] = typer.Option(None, "--by-group", help="Break the vote down by group: regional (the five UN regional groups) or group names (EU or EU,NATO)."),
    source: str = SourceOpt,
    kind: str = typer.Option("resolution", "--kind", help="resolution | amendment | paragraph | all: which roll calls a symbol may name (Voeten's data has all four)."),
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    bom: bool = BomOpt,
):
    """How a resolution's recorded vote went, and who voted how.

    Example: unvote tally ES-11/1   |   unvote tally 2758(XXVI) 68/262 --format csv   |   unvote tally ES-11/1 --by-group regional
    """
    _without_pandas()
    from . import api
    from .output import emit
    from .views import tally_view

    fmt = _check_format(fmt)
    if by_group is not None:
        from .views import group_tally_view

        rows = api.tally_by_group(*symbols, by=by_group, body=body, source=source, kind=kind)
        emit(rows, fmt, bom=bom, pretty=lambda console: (group_tally_view(console, rows),
                                                        _source_note(console, source, kind)))
        return
    kw = dict(body=body, source=source, kind=kind)
    if countries:
        emit(api.country_votes(*symbols, **kw), fmt, bom=bom)
        return
    counts = api.tally(*symbols, **kw)
    emit(counts, fmt, bom=bom,
         pretty=lambda console: (tally_view(console, counts, api.country_votes(*symbols, **kw)),
                                 _source_note(console, source, kind)))


@app.command()
def align(
    a: str = typer.Argument(..., help="A country (ISO3 code or name: KHM, Cambodia) or a group (ASEAN, EU; see unvote groups)."),
    b: str = typer.Argument(..., help="Another country or group."),
    by: str = PeriodOpt,
    metric: str = MetricOpt,
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
    exclude_unanimous: bool = UnanimousOpt,
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    bom: bool = BomOpt,
):
    """How often two countries (or a country and a group) vote alike, per year or session, with the counts.

    Example: unvote align KHM RUS   |   unvote align Cambodia Russia --by session --format csv   |   unvote align KHM ASEAN --metric kappa
    """
    _without_pandas()
    from . import api
    from .output import emit
    from .views import align_view

    fmt = _check_format(fmt)
    kw = dict(metric=metric, since=since, until=until, session=session, continuity=continuity,
              exclude_unanimous=exclude_unanimous, body=body, source=source, kind=kind)
    periods = api.align(a, b, by=by, **kw)
    emit(periods, fmt, bom=bom,
         pretty=lambda console: (align_view(console, periods, api.align(a, b, by="all", **kw), a, b, metric, by),
                                 _source_note(console, source, kind)))


@app.command()
def neighbors(
    country: str = typer.Argument(..., help="A country (KHM, Cambodia) or a group (ASEAN)."),
    year: Optional[int] = typer.Option(None, "--year", help="Only this calendar year (same as --since Y --until Y)."),
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
    metric: str = MetricOpt,
    exclude_unanimous: bool = UnanimousOpt,
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    bom: bool = BomOpt,
):
    """Every other country ranked by how often it voted with COUNTRY, with the counts.

    Example: unvote neighbors KHM --year 2022   |   unvote neighbors ASEAN --since 2020 --metric kappa
    """
    _without_pandas()
    from . import api
    from .output import emit
    from .views import neighbors_view

    fmt = _check_format(fmt)
    table = api.neighbors(country, year=year, since=since, until=until, session=session, metric=metric,
                          exclude_unanimous=exclude_unanimous, continuity=continuity, body=body,
                          source=source, kind=kind)
    emit(table, fmt, bom=bom, pretty=lambda console: (neighbors_view(console, table, country, metric),
                                                     _source_note(console, source, kind)))


@app.command()
def matrix(
    year: Optional[int] = typer.Option(None, "--year", help="Only this calendar year."),
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
    by: str = typer.Option("all", "--by", help="all (one matrix for the span) | year | session"),
    metric: str = MetricOpt,
    wide: bool = typer.Option(False, "--wide", help="One row per country and one score column per country, instead of one row per pair."),
    exclude_unanimous: bool = UnanimousOpt,
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    bom: bool = BomOpt,
):
    """Agreement of every pair of countries: a,b,n,same,partial,opposite,absent,score (each pair both ways).

    Example: unvote matrix --year 2022 --format csv   |   unvote matrix --since 2000 --by year --metric kappa > dyads.csv
    """
    _without_pandas()
    from . import api
    from .output import emit

    from .output import rich_table

    fmt = _check_format(fmt)
    table = api.matrix(year=year, since=since, until=until, session=session, by=by, metric=metric, wide=wide,
                       exclude_unanimous=exclude_unanimous, continuity=continuity, body=body, source=source,
                       kind=kind)
    emit(table, fmt, bom=bom, pretty=lambda console: (console.print(rich_table(table)),
                                                     _source_note(console, source, kind)))


@app.command()
def cohesion(
    group: str = typer.Argument(..., help="A group: ASEAN, EU, African Group, … (see unvote groups)."),
    by: str = PeriodOpt,
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    session: Optional[str] = SessionOpt,
    continuity: bool = ContinuityOpt,
    source: str = SourceOpt,
    kind: str = KindOpt,
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    bom: bool = BomOpt,
):
    """How united a group voted: the share of its members voting with the group majority, per period.

    Example: unvote cohesion ASEAN --by year   |   unvote cohesion EU --since 2004 --format csv
    """
    _without_pandas()
    from . import api
    from .output import emit
    from .views import cohesion_view

    fmt = _check_format(fmt)
    table = api.cohesion(group, by=by, since=since, until=until, session=session, continuity=continuity, body=body,
                         source=source, kind=kind)
    emit(table, fmt, bom=bom, pretty=lambda console: (cohesion_view(console, table, group, by),
                                                     _source_note(console, source, kind)))


@app.command()
def groups(
    group: Optional[str] = typer.Argument(None, help="Show this group's dated membership (ASEAN, EU, WEOG, …)."),
    date: Optional[str] = typer.Option(None, "--date", help="With a group: only its members on this date (2022-03-02, or a year)."),
    fmt: str = FormatOpt,
    bom: bool = BomOpt,
):
    """The UN regional groups and blocs unvote knows, or one group's dated membership.

    Example: unvote groups   |   unvote groups ASEAN   |   unvote groups EU --date 2019-06-01
    """
    _without_pandas()
    from . import api
    from .output import emit

    fmt = _check_format(fmt)
    if group is None:
        if date is not None:
            from .errors import UsageError

            raise UsageError("--date needs a group, e.g. unvote groups EU --date 2019")
        from .views import groups_view

        table = api.groups_table()
        emit(table, fmt, bom=bom, pretty=lambda console: groups_view(console, table))
        return
    emit(api.group_members(group, date=date), fmt, bom=bom)


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
    bom: bool = BomOpt,
):
    """One-dimensional ideal points per country (ordered-logit IRT on Yes > Abstain > No; mean 0, sd 1, USA positive), with n votes.

    Example: unvote ideal --year 2019   |   unvote ideal --session 74 --format csv
    """
    _without_pandas()
    from . import api
    from .analysis.ideal import facts
    from .output import emit, resolve, stderr_console
    from .views import ideal_note, ideal_view

    fmt = _check_format(fmt)
    if bool(year) == bool(session):
        raise typer.BadParameter("give either --year or --session", param_hint="--year / --session")
    table = api.ideal(year=year or None, session=session or None, min_votes=min_votes, continuity=continuity,
                      source=source, kind=kind, body=body)
    if resolve(fmt) != "table":  # the terminal view shows these in its caption
        for line in ideal_note(facts(table)):
            stderr_console().print(f"note: {line}")
    emit(table, fmt, bom=bom, pretty=lambda console: (ideal_view(console, table),
                                                      _source_note(console, source, kind)))


def main() -> None:
    """Entry point: run the app; map every error to one line on stderr and an exit code."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code or 0)
    except UnvoteError as err:
        _fail(err, str(err), err.exit_code)
    except typer.Abort:
        sys.exit(130)
    except typer.TyperException as err:  # usage errors from the argument parser
        err.show()
        sys.exit(err.exit_code)
    except (PipeClosed, BrokenPipeError):
        _quiet_pipe()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # a bug: still one line, the trace with --debug
        _fail(err, f"internal error: {type(err).__name__}: {err} (rerun with --debug for the "
                   "traceback, and please report it)", 70)


def _fail(err: BaseException, message: str, code: int) -> None:
    if config.debug():
        import traceback

        traceback.print_exception(err)
    sys.stderr.write(f"unvote: error: {message}\n")
    sys.exit(code)


def _quiet_pipe() -> None:
    """The reader went away (``| head``): stop quietly, as csvkit does."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)
