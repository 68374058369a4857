"""Options shared by several commands, and the small checks behind them."""

from __future__ import annotations

import sys

import typer

from . import complete

FormatOpt = typer.Option("auto", "--format", "-f", help="auto | table | csv | tsv | json | ndjson | xlsx | parquet (auto: from the -o file's extension, else table on a terminal and CSV when piped).", autocompletion=complete.formats)
OutputOpt = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout, format from its extension (.csv .tsv .json .ndjson .xlsx .parquet); written whole or not at all.")
BomOpt = typer.Option(False, "--bom", help="Start CSV/TSV with a byte-order mark (for Excel's double-click).")
GuardOpt = typer.Option(True, "--formula-guard/--no-formula-guard", help="In CSV/TSV, put ' before text starting with = + - @ tab or CR so a spreadsheet shows it instead of running it (numbers untouched; on by default).")
BodyOpt = typer.Option("ga", "--body", help="ga (General Assembly) or sc (Security Council).", autocompletion=complete.bodies)
PeriodOpt = typer.Option("year", "--by", help="year | session | all", autocompletion=complete.periods)
SinceOpt = typer.Option(None, "--since", help="First year or date (2010, 2010-06-01).")
UntilOpt = typer.Option(None, "--until", help="Last year or date.")
SessionOpt = typer.Option(None, "--session", help="Only this session (78, ES-11).")
TopicOpt = typer.Option(None, "--topic", autocompletion=complete.topics, help="Only roll calls on these issue areas: me, nu, di, hr, co, ec or their "
                        "names ('human rights'); repeat or separate with commas for any of several (see unvote topics).")
ContinuityOpt = typer.Option(True, "--continuity/--no-continuity",
                             help="Count a predecessor seat as the successor's (USSR → Russia).")
METRIC_HELP = ("agree: (same + ½ partial) / votes both cast | statedept: (same + ½ (partial + absent)) / n | "
               "statedept2017: as agree | votes-only: Y/N matches over Y/N pairs | identical: same / votes both cast | "
               "s: (same − opposite) / votes both cast | kappa, kappa-linear, kappa-quadratic: Cohen's, chance-"
               "corrected | pi: Scott's (docs/metrics.md).")
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
    from ..query.selection import SOURCE_LABELS

    kinds = "all roll calls" if kind == "all" else f"{kind} votes"
    console.print(f"[dim]source: {source} — {SOURCE_LABELS.get(source, source)}; {kinds}[/]")


def check_format(fmt: str) -> str:
    from ..output.render import FORMATS

    if fmt not in FORMATS:
        from ..core.errors import UsageError

        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


# one line per metric for the xlsx provenance sheet (the README has the sources)
METRIC_DEFINITIONS = {
    "agree": "(same + ½·partial) / (same + partial + opposite): abstention half agreement, absences left out "
             "(Lijphart; Voeten's agreement index)",
    "statedept": "(same + ½·(partial + absent)) / n: US State Department coincidence, absences count half",
    "statedept2017": "(same + ½·partial) / (same + partial + opposite): the State Department's 2017 rule",
    "votes-only": "(yy + nn) / (yy + nn + yn + ny): only roll calls where both voted Yes or No",
    "identical": "same / (same + partial + opposite): share of identical votes",
    "s": "(same − opposite) / (same + partial + opposite): Signorino & Ritter's S, −1 … 1",
    "kappa": "(p_o − p_e) / (1 − p_e), p_e = Σ r_k·c_k: Cohen's kappa on the 3×3 Y/A/N table (Häge 2011)",
    "kappa-linear": "1 − Σ w·p / Σ w·r·c with w = |i−j|/2: linear-weighted kappa (Häge 2011)",
    "kappa-quadratic": "1 − Σ w·p / Σ w·r·c with w = (|i−j|/2)²: quadratic-weighted kappa (Häge 2011)",
    "pi": "(p_o − p_e) / (1 − p_e), p_e = Σ m_k²: Scott's pi on the 3×3 Y/A/N table (Häge 2011)",
}


def provenance(*, body: str = "ga", source: str = "undl", metric: str | None = None,
               definition: str | None = None) -> dict:
    """Where a result came from, for the xlsx provenance sheet: the command line, unvote's version,
    the metric and its definition, and each dataset used (source, file, sha256, fetched-at) from
    the store's manifests."""
    import datetime as dt
    import shlex

    from .. import __version__, api

    names = [body] if source == "undl" else ["merged", "ga", "voeten"] if source == "merged" else [source]
    datasets = api.info()["datasets"]
    used = [{"dataset": name, **{k: datasets[name].get(k) for k in ("source", "file", "sha256", "fetched_at",
                                                                     "records", "votes", "date_min", "date_max")}}
            for name in names if name in datasets]
    facts = {"command": shlex.join(["unvote", *sys.argv[1:]]), "unvote version": __version__,
             "written at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    if metric is not None:
        facts["metric"] = metric
        facts["metric definition"] = METRIC_DEFINITIONS.get(metric)
    if definition is not None:
        facts["definition"] = definition
    facts["datasets"] = used
    return facts


def output_options(fmt: str, output, bom: bool, formula_guard: bool, *, body: str = "ga", source: str = "undl",
                   metric: str | None = None, definition: str | None = None) -> dict:
    """The keyword arguments of ``emit`` for a command's output options; the provenance is read
    from the store only when the output is a spreadsheet."""
    from ..output.render import resolve

    kw = {"output": output, "bom": bom, "formula_guard": formula_guard}
    if resolve(check_format(fmt), output=output) == "xlsx":
        kw["provenance"] = provenance(body=body, source=source, metric=metric, definition=definition)
    return kw


