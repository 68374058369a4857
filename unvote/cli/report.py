"""``unvote report``: pages to share. ``report COUNTRY [PARTNER…]`` (a country page), ``report vote SYMBOL``
(a vote page) and ``report statedept --year Y`` (the State Department's tables).

A country code is the common case, so it needs no subcommand name: ``report KHM RUS`` runs
``report country KHM RUS``. The subcommands register themselves on ``report_app``.
"""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from .app import app


class _CountryByDefault(TyperGroup):
    """A group whose first word, when it names no subcommand, is a country: ``report KHM`` is
    ``report country KHM`` (as click-default-group does)."""

    default = "country"

    def parse_args(self, ctx, args):
        if args and not args[0].startswith("-") and args[0] not in self.commands and self.default in self.commands:
            args = [self.default, *args]
        return super().parse_args(ctx, args)


report_app = typer.Typer(
    cls=_CountryByDefault, no_args_is_help=True, rich_markup_mode=None,
    help="Pages to share: a country's record (report COUNTRY [PARTNER…] -o page.html), a vote "
         "(report vote SYMBOL -o vote.html), the State Department's tables (report statedept --year Y).",
)
app.add_typer(report_app, name="report")
