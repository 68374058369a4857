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
    file: Optional[Path] = typer.Option(None, "--file", help="Ingest a local copy (.csv or .csv.gz) instead of downloading."),
    url: Optional[str] = typer.Option(None, "--url", help="Download this address instead of discovering the current file."),
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
            console.print(f"[bold]{r['dataset']}[/]: {r['records']:,} roll calls, {r['votes']:,} votes, "
                          f"{r['date_min']} → {r['date_max']}\n  {r['source']}\n  file {r['file']} "
                          f"(sha256 {r['sha256'][:12]}…), fetched {r['fetched_at']}")

    emit(table, _check_format(fmt), pretty=pretty)


@app.command()
def tally(
    symbols: list[str] = typer.Argument(..., help="Resolution symbols or UNDL record ids."),
    countries: bool = typer.Option(False, "--countries", help="One row per country: resolution,country,name,vote."),
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    bom: bool = BomOpt,
):
    """How a resolution's recorded vote went, and who voted how.

    Example: unvote tally ES-11/1   |   unvote tally 2758(XXVI) 68/262 --format csv
    """
    _without_pandas()
    from . import api
    from .output import emit
    from .views import tally_view

    fmt = _check_format(fmt)
    if countries:
        emit(api.country_votes(*symbols, body=body), fmt, bom=bom)
        return
    counts = api.tally(*symbols, body=body)
    emit(counts, fmt, bom=bom,
         pretty=lambda console: tally_view(console, counts, api.country_votes(*symbols, body=body)))


@app.command()
def align(
    a: str = typer.Argument(..., help="A country: ISO3 code or name (KHM, Cambodia)."),
    b: str = typer.Argument(..., help="Another country."),
    by: str = typer.Option("year", "--by", help="year | session"),
    metric: str = typer.Option("agree", "--metric", help="agree | statedept | identical"),
    since: Optional[str] = typer.Option(None, "--since", help="First year or date (2010, 2010-06-01)."),
    until: Optional[str] = typer.Option(None, "--until", help="Last year or date."),
    session: Optional[str] = typer.Option(None, "--session", help="Only this session (78, ES-11)."),
    continuity: bool = typer.Option(True, "--continuity/--no-continuity", help="Count a predecessor seat as the successor's (USSR → Russia)."),
    body: str = BodyOpt,
    fmt: str = FormatOpt,
    bom: bool = BomOpt,
):
    """How often two countries vote alike, per year or session, with the counts.

    Example: unvote align KHM RUS   |   unvote align Cambodia Russia --by session --format csv
    """
    _without_pandas()
    from . import api
    from .output import emit
    from .views import align_view

    fmt = _check_format(fmt)
    kw = dict(metric=metric, since=since, until=until, session=session, continuity=continuity, body=body)
    periods = api.align(a, b, by=by, **kw)
    emit(periods, fmt, bom=bom,
         pretty=lambda console: align_view(console, periods, api.align(a, b, by="all", **kw), a, b, metric, by))


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
