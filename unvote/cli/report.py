"""``unvote report``: pages to share. ``report COUNTRY [PARTNER…]`` (a country page), ``report vote SYMBOL``
(a vote page) and ``report statedept --year Y`` (the State Department's tables).

A country code is the common case, so it needs no subcommand name: ``report KHM RUS`` runs
``report country KHM RUS``. The subcommands register themselves on ``report_app``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from typer.core import TyperGroup

from . import complete
from .app import app
from .options import MetricOpt, options

if TYPE_CHECKING:
    from ..query.selection import Selection  # the type only: the options build it


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


# ---------------------------------------------------------------- country and vote pages

PageOutputOpt = typer.Option(None, "--output", "-o", metavar="FILE",
                             help="Write the page to FILE (.html), whole or not at all. Without it the HTML goes "
                                  "to stdout when stdout is a pipe or a file.")


def _page_target(output: Optional[Path]) -> Optional[Path]:
    """Checked before any work: an .html name in a folder that exists, or a stdout that is not a terminal."""
    from ..core.errors import UsageError
    from ..output.files import check_target

    if output is None:
        if sys.stdout.isatty():
            raise UsageError("a page is HTML: give -o page.html (or redirect stdout: > page.html)")
        return None
    if output.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"-o {output}: a page is HTML; the file name must end in .html")
    if not (output.parent if str(output.parent) else Path(".")).is_dir():
        raise UsageError(f"-o {output}: folder {str(output.parent)!r} does not exist")
    return check_target(output)


def _write_page(html: str, output: Optional[Path]) -> None:
    from ..output.files import write_atomically

    if output is None:
        sys.stdout.write(html)
        sys.stdout.flush()
        return
    write_atomically(output, lambda out: out.write(html.encode("utf-8")))
    print(f"wrote {output} ({len(html.encode('utf-8')):,} bytes)", file=sys.stderr)


def parse_marks(given) -> list:
    """``--mark DATE[=LABEL]`` as every chart reads it (``output.charts.parse_mark``, with its limits)."""
    from ..core.errors import UsageError
    from ..output.charts import EDITORIAL_LIMITS, parse_mark

    if len(given or ()) > EDITORIAL_LIMITS["marks"]:
        raise UsageError(f"--mark given {len(given)} times; a page's chart has room for {EDITORIAL_LIMITS['marks']}")
    return [parse_mark(m) for m in given or ()]


@report_app.command("country")
@options("year", "since", "until", "session", "topic", "about", "exclude_unanimous", "continuity", "source", "kind", "body")
def country(
    country: str = typer.Argument(..., help="The country of the page (ISO3 code or name: KHM, Cambodia).",
                                  autocompletion=complete.places),
    partners: Optional[list[str]] = typer.Argument(None, help="Countries or groups to compare it with (RUS USA, ASEAN); "
                                                              "none: the page has no agreement sections."),
    metric: str = MetricOpt,
    mark: Optional[list[str]] = typer.Option(None, "--mark", metavar="DATE[=LABEL]",
                                             help="An event to mark on the agreement chart and list under it "
                                                  "(2022-03-02=ES-11/1); repeat for several."),
    min_votes: Optional[int] = typer.Option(None, "--min-votes", help="Rank as closest or farthest only countries that cast Y/A/N on at least this many of the roll calls COUNTRY voted on (default: half of them, as neighbors)."),
    output: Optional[Path] = PageOutputOpt,
    sel: Selection = None,
):
    """A country's page: headline numbers, agreement over time and by topic with each partner, the roll calls
    where they split (linked to the UN Digital Library), closest and farthest countries, switched votes on
    recurring texts, who held the seat, definitions and provenance. One HTML file, nothing fetched.

    Example:

    \b
      unvote report KHM RUS --since 2022 -o khm.html
      unvote report country IND --year 2023 -o india.html
      unvote report KHM RUS USA --since 2014 --mark 2022-03-02=ES-11/1 -o khm.html
    """
    from .. import api
    from ..api.agreement import check_metric
    from ..output.labels import label
    from ..output.report import country_page
    from .options import provenance

    check_metric(metric)
    target = _page_target(output)
    marks = parse_marks(mark)
    data = api.country_report(country, partners or (), metric=metric, min_votes=min_votes, selection=sel)
    facts = provenance(label(sel, dates=data["dates"], metric=metric))
    _write_page(country_page(data, sel, facts, marks=marks), target)


@report_app.command("vote")
@options("source", "kind", "body")
def vote(
    symbol: str = typer.Argument(..., help="A resolution symbol or UNDL record id (ES-11/1, A/RES/77/1, 3959039)."),
    output: Optional[Path] = PageOutputOpt,
    sel: Selection = None,
):
    """A vote's page: the tally, each regional group's votes, who voted how A–Z in common names, and the
    link to its UN Digital Library record. One HTML file, nothing fetched.

    Example:

    \b
      unvote report vote ES-11/1 -o es-11-1.html
      unvote report vote 78/7 -o cuba-2023.html
    """
    from .. import api
    from ..api.records import body_for
    from ..output.labels import label
    from ..output.report import vote_page
    from .options import provenance

    target = _page_target(output)
    sel = sel.replace(body=body_for([symbol], sel.body))
    data = api.vote_report(symbol, selection=sel)
    facts = provenance(label(sel, dates=[data["call"]["date"]]))
    _write_page(vote_page(data, sel, facts), target)
