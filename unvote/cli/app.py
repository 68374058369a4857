"""The Typer app and its global options (the commands register themselves on it)."""

from __future__ import annotations

import os

import typer

from .. import __version__

app = typer.Typer(
    help="Recorded votes of the UN General Assembly: fetch, tally, align.\n\n"
         "Output is a table on a terminal and CSV when piped; --format chooses.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,
)



def _print_version(value: bool) -> None:
    """``--version`` is eager: it answers before the command is looked for, so it works alone."""
    if value:
        typer.echo(f"unvote {__version__}")
        raise typer.Exit()


SHELLS = ("bash", "zsh", "fish")

# Typer documents no API for its completion scripts beyond its own --install/--show-completion flags,
# which take no shell name. ``typer.completion`` is the module those flags call; its names
# (completion_init, get_completion_script, install) are the ones used here, never the underscore
# modules behind them, so a Typer that moves its internals still works. The <0.29 pin in
# pyproject.toml is for start-up time (0.29 imports pydantic), not for these names.
if os.environ.get("_UNVOTE_COMPLETE"):  # the shell asks for completions (add_completion=False registers none)
    from typer.completion import completion_init

    completion_init()


def _completion(install: bool):
    """``--show-completion [SHELL]`` / ``--install-completion [SHELL]``: Typer's completion scripts for the
    ``unvote`` command, for the shell named after the flag, else the one running. (Typer's own flags
    ignore a shell name, and its Click takes no optional values: the name is read from the command line.)
    Completing itself is Typer's (``_UNVOTE_COMPLETE``), with the values of ``cli/complete.py``."""
    flag = "--install-completion" if install else "--show-completion"

    def callback(value: bool) -> None:
        if not value:
            return
        import sys

        from typer import completion as shared

        args = sys.argv[1:]
        named = args[args.index(flag) + 1] if flag in args[:-1] else None
        shell = (named or _running_shell() or "").strip().lower()
        if shell not in SHELLS:
            raise typer.BadParameter(f"{shell or 'this shell'!r} is not one of {', '.join(SHELLS)}",
                                     param_hint=flag)
        if install:
            shell, path = shared.install(shell=shell, prog_name="unvote", complete_var="_UNVOTE_COMPLETE")
            typer.echo(f"{shell} completion installed in {path}; it takes effect in a new shell", err=True)
        else:
            typer.echo(shared.get_completion_script(prog_name="unvote", complete_var="_UNVOTE_COMPLETE",
                                                    shell=shell))
        raise typer.Exit()

    return callback


def _running_shell() -> str | None:
    """The shell this runs under (shellingham, which Typer requires), or None."""
    try:
        import shellingham

        return shellingham.detect_shell()[0]
    except Exception:  # not detectable (no /proc, an unknown parent): the user names the shell
        return None


@app.callback()
def main_options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks (or set UNVOTE_DEBUG=1)."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True,
                                 callback=_print_version),
    install_completion: bool = typer.Option(False, "--install-completion", expose_value=False, is_eager=True,
                                            callback=_completion(install=True),
                                            help="Install tab completion for this shell, or the one named after it "
                                                 "(bash, zsh, fish)."),
    show_completion: bool = typer.Option(False, "--show-completion", expose_value=False, is_eager=True,
                                         callback=_completion(install=False),
                                         help="Print the completion script for this shell, or the one named after "
                                              "it (bash, zsh, fish)."),
):
    if debug:
        os.environ["UNVOTE_DEBUG"] = "1"


