"""fetch and info: bring data into the store, say what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .app import app
from .options import (
    BodyOpt,
    FormatOpt,
    Output,
    OutputOpt,
)


@app.command()
def fetch(
    file: Optional[list[Path]] = typer.Option(None, "--file", help="Ingest a local copy (.csv or .csv.gz; with --source voeten an .RData/.rda or CSV/tab file, repeatable) instead of downloading."),
    url: Optional[str] = typer.Option(None, "--url", help="Download this address instead of discovering the current file."),
    source: str = typer.Option("undl", "--source", help="undl (UN Digital Library) | voeten (Voeten's roll calls from Harvard Dataverse) | merged (rebuild the merged history)."),
    update: bool = typer.Option(False, "--update", help="Only merge the UN Digital Library voting records newer than the newest vote held."),
    since: Optional[str] = typer.Option(None, "--since", help="With updates: look at records from this date (YYYY-MM-DD) instead of the newest vote held."),
    delay: Optional[float] = typer.Option(None, "--delay", help="Seconds between requests (default 1, or UNVOTE_HTTP_DELAY)."),
    force: bool = typer.Option(False, "--force", help="Store a bulk file even if it lacks more than 5 % of the roll calls held."),
    body: str = BodyOpt,
):
    """Download the UN Digital Library's voting data into the local store.

    With data already stored, the bulk file is downloaded only if it changed, then the voting
    records newer than it are merged in.

    Example:

    \b
      unvote fetch
      unvote fetch --update
      unvote fetch --file ~/Downloads/2025_9_19_ga_voting.csv
    """
    from ..ingest import fetch as pipeline
    from ..output.render import stderr_console
    from ..output.views import cell

    console = stderr_console()
    if body not in ("ga", "sc"):
        from ..core.errors import UsageError

        raise UsageError(f"unknown body {body!r}; use ga or sc")
    if url is not None and not url.strip():
        from ..core.errors import UsageError

        raise UsageError("--url is empty; give the file's address, or leave --url out to find the current file")
    if source != "undl":
        if update or since or body != "ga":
            from ..core.errors import UsageError

            raise UsageError(f"--source {source} is General Assembly data fetched whole; "
                             "it takes no --update, --since or --body")
        _fetch_other(console, source, file, url)
        return
    if file and len(file) > 1:
        from ..core.errors import UsageError

        raise UsageError("the UN Digital Library data is one file; pass --file once")
    file = file[0] if file else None
    if file is not None and (update or since):
        from ..core.errors import UsageError

        raise UsageError("--file reads a local copy; it cannot be combined with --update or --since")
    if file is None:
        # retries are news for someone watching; a log gets the outcome only, in one line
        notify = (lambda message: console.print(f"[yellow]retry:[/] {cell(message)}")) if console.is_terminal else None
        with _fetch_progress(console) as progress:
            result = pipeline.fetch(body, url=url, progress=progress, update=True if update else None,
                                    since=since, delay=delay, notify=notify, force=force)
    else:
        with console.status(f"reading {cell(file)}"):
            result = pipeline.fetch(body, file=file, force=force)
    m = result.manifest
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {cell(warning)}")
    for note in result.notes:
        console.print(cell(note))
    verb = "stored" if result.changed else "unchanged:"
    console.print(f"{verb} {m['records']:,} roll calls, {m['votes']:,} votes "
                  f"({m['date_min']} → {m['date_max']}) from {cell(m['file'])} in {cell(result.path.parent.parent)}")


def _fetch_other(console, source: str, files, url) -> None:
    """``fetch --source voeten`` (download or read Voeten's data) and ``--source merged`` (rebuild)."""
    from ..core.errors import UsageError
    from ..ingest import fetch as pipeline
    from ..output.views import cell

    if source == "voeten":
        if files:
            with console.status(f"reading {', '.join(cell(f) for f in files)}"):
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
        console.print(f"[yellow]warning:[/] {cell(warning)}")
    if source == "voeten":
        console.print(f"stored {m['records']:,} roll calls, {m['votes']:,} votes "
                      f"({m['date_min']} → {m['date_max']}) from {cell(m['file'])} in {cell(result.path.parent.parent)}")
    for note in result.notes:
        console.print(cell(note))


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
def info(
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    check: bool = typer.Option(False, "--check", help="Re-read every dataset: each file's rows and sha256 against its manifest."),
):
    """Where the store is and what it holds; a damaged dataset is named with the command that repairs it (exit 5).

    Example:

    \b
      unvote info
      unvote info --check
    """
    from ..core.errors import StoreError
    from ..core.hints import fetch_command
    from ..core.results import Rows
    from ..output.views import info_view, merged_line
    from ..store import DATASETS, SUMMARY, Store, summary

    out = Output.of(fmt, output)
    store = Store()
    datasets, damage = {}, []
    for name in DATASETS:
        if not store.has(name):
            continue
        problems = store.check(name, full=check)
        if problems:
            damage.append(f"{name}: {'; '.join(problems)} (repair: {fetch_command(name)})")
        else:
            datasets[name] = store.manifest(name)
    if damage:  # an error prints nothing on stdout
        raise StoreError(f"damaged data in {store.root}: " + " | ".join(damage))
    facts = {"data_dir": str(store.root), "datasets": datasets}
    columns = {"dataset": "VARCHAR", **{k: "BIGINT" if k in ("records", "votes") else "VARCHAR" for k in SUMMARY}}
    table = Rows.from_dicts([{"dataset": name, **summary(m)} for name, m in datasets.items()], columns)

    def status(name: str) -> str | None:
        if name == "merged":
            from ..ingest.history import summary

            report = datasets["merged"].get("match")
            return merged_line(summary(report) if report else None, store.merged_is_current())
        return "checked: every file's rows and sha256 match the manifest" if check else None

    out.emit(table, pretty=lambda console: info_view(console, facts, status))


