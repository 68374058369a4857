"""The Typer app and its global options (the commands register themselves on it)."""

from __future__ import annotations

import typer

from .. import __version__

app = typer.Typer(
    help="Recorded votes of the UN General Assembly: fetch, tally, align.\n\n"
         "Output is a table on a terminal and CSV when piped; --format chooses.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,
)



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


