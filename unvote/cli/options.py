"""Options shared by several commands, and the small checks behind them."""

from __future__ import annotations

import sys

import typer

from . import complete

FormatOpt = typer.Option("auto", "--format", "-f", help="auto | table | csv | json (auto: table on a terminal, CSV when piped).", autocompletion=complete.formats)
BomOpt = typer.Option(False, "--bom", help="Start CSV with a byte-order mark (for Excel).")
BodyOpt = typer.Option("ga", "--body", help="ga (General Assembly) or sc (Security Council).", autocompletion=complete.bodies)
PeriodOpt = typer.Option("year", "--by", help="year | session | all", autocompletion=complete.periods)
SinceOpt = typer.Option(None, "--since", help="First year or date (2010, 2010-06-01).")
UntilOpt = typer.Option(None, "--until", help="Last year or date.")
SessionOpt = typer.Option(None, "--session", help="Only this session (78, ES-11).")
TopicOpt = typer.Option(None, "--topic", autocompletion=complete.topics, help="Only roll calls on these issue areas: me, nu, di, hr, co, ec or their "
                        "names ('human rights'); repeat or separate with commas for any of several (see unvote topics).")
ContinuityOpt = typer.Option(True, "--continuity/--no-continuity",
                             help="Count a predecessor seat as the successor's (USSR → Russia).")
METRIC_HELP = ("agree | statedept | statedept2017 | votes-only | identical | s | kappa | kappa-linear | "
               "kappa-quadratic | pi (formulas in the README).")
MetricOpt = typer.Option("agree", "--metric", help=METRIC_HELP, autocompletion=complete.metrics)
SourceOpt = typer.Option("undl", "--source", help="undl (the UN Digital Library's records) | voeten (Voeten's Dataverse data) | merged (UNDL first, Voeten where UNDL has none).", autocompletion=complete.sources)
KindOpt = typer.Option("resolution", "--kind", help="resolution (votes on whole texts) | amendment | paragraph | all; only Voeten's data has the others.", autocompletion=complete.kinds)
UnanimousOpt = typer.Option(False, "--exclude-unanimous", help="Leave out roll calls where every member that voted Y/A/N voted alike (as Voeten does).")


class _NoPandas:
    """A meta-path finder that refuses pandas (see ``_without_pandas``)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas is not used by this command")
        return None


def without_pandas() -> None:
    """pyarrow imports pandas (≈0.3 s, a third of a quick command's time) only to ask whether its
    inputs are pandas objects. Commands that never use pandas refuse it, so that check fails fast."""
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())


def source_note(console, source: str, kind: str = "resolution") -> None:
    """Under a terminal view, name the data it came from (CSV and JSON stay plain data)."""
    from ..selection import SOURCE_LABELS

    kinds = "all roll calls" if kind == "all" else f"{kind} votes"
    console.print(f"[dim]source: {source} — {SOURCE_LABELS.get(source, source)}; {kinds}[/]")


def check_format(fmt: str) -> str:
    from ..output.render import FORMATS

    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


