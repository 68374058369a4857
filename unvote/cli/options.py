"""Options shared by several commands, declared once as two bundles, and the small checks behind them.

``@options(...)`` (as sqlite-utils' ``output_options``) puts the filter family a command supports where
its signature has a ``sel`` parameter and the output family where it has ``out``; the command body
then receives one validated ``Selection`` and one ``Output``. ``--help`` lists the options as if each
command had spelt them out.
"""

from __future__ import annotations

import functools
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer

from ..output.charts import CHART_HELP, ChartOptions, chart_file
from . import complete

FormatOpt = typer.Option("auto", "--format", "-f", help="auto | table | csv | tsv | json | ndjson | xlsx | parquet (auto: from the -o file's extension, else table on a terminal and CSV when piped).", autocompletion=complete.formats)
OutputOpt = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout, format from its extension (.csv .tsv .json .ndjson .xlsx .parquet); written whole or not at all.")
BomOpt = typer.Option(False, "--bom", help="Start CSV/TSV with a byte-order mark (for Excel's double-click).")
GuardOpt = typer.Option(True, "--formula-guard/--no-formula-guard", help="In CSV/TSV, put ' before text starting with = + - @ tab or CR so a spreadsheet shows it instead of running it (numbers untouched; on by default).")
BodyOpt = typer.Option("ga", "--body", help="ga (General Assembly) or sc (Security Council).", autocompletion=complete.bodies)
PeriodOpt = typer.Option("year", "--by", help="year | session | all", autocompletion=complete.periods)
SinceOpt = typer.Option(None, "--since", help="First year or date (2010, 2010-06-01).")
UntilOpt = typer.Option(None, "--until", help="Last year or date.")
SessionOpt = typer.Option(None, "--session", help="Only this session: 78 (with the special sessions held in "
                          "2023, as --by session counts them) or a special session alone (ES-11).")
TopicOpt = typer.Option(None, "--topic", autocompletion=complete.topics, help="Only roll calls on these issue areas: me, nu, di, hr, co, ec or their "
                        "names ('human rights'), or none (roll calls with no topic); repeat or separate with commas for any "
                        "of several (see unvote topics).")
AboutOpt = typer.Option(None, "--about", metavar="WORDS", help="Only roll calls whose symbol, title, agenda title or "
                        "UN subject headings hold these words, as unvote search reads them (each at the start of a word; "
                        "quote a phrase: 'territorial integrity'); repeat for more words, all of which must appear.")
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
YearOpt = typer.Option(None, "--year", help="Only this calendar year (same as --since Y --until Y).")

ChartOpt = typer.Option(None, "--chart", metavar="FILE", callback=chart_file, help=CHART_HELP)
TitleOpt = typer.Option(None, "--title", help="With --chart: the chart's title, instead of the one drawn (taken literally: $ and markup stay as typed).")
SubtitleOpt = typer.Option(None, "--subtitle", help="With --chart: a subtitle of your own; the filters stay on the line under it.")
NoteOpt = typer.Option(None, "--note", help="With --chart: a note at the foot of the chart, above the source line.")
MarkOpt = typer.Option(None, "--mark", metavar="DATE[=LABEL]", help="With --chart over time: a dated rule with its label, e.g. --mark 2022-03-02=ES-11/1 (repeatable).")

# The filter family, in --help's order: parameter → (type, option). A command names those it takes.
FILTERS = {
    "year": (Optional[int], YearOpt),
    "since": (Optional[str], SinceOpt),
    "until": (Optional[str], UntilOpt),
    "session": (Optional[str], SessionOpt),
    "topic": (Optional[list[str]], TopicOpt),
    "about": (Optional[list[str]], AboutOpt),
    "exclude_unanimous": (bool, UnanimousOpt),
    "continuity": (bool, ContinuityOpt),
    "source": (str, SourceOpt),
    "kind": (str, KindOpt),
    "body": (str, BodyOpt),
}
# The output family: what ``Output`` holds.
OUTPUTS = {
    "fmt": (str, FormatOpt),
    "output": (Optional[Path], OutputOpt),
    "bom": (bool, BomOpt),
    "formula_guard": (bool, GuardOpt),
}
# The chart family: what ``ChartOptions`` holds (output.charts).
CHARTS = {
    "chart": (Optional[str], ChartOpt),
    "title": (Optional[str], TitleOpt),
    "subtitle": (Optional[str], SubtitleOpt),
    "note": (Optional[str], NoteOpt),
    "mark": (Optional[list[str]], MarkOpt),
}


# --names: the names a command prints (answers' block: declared once, applied once by ``options``).
NamesOpt = typer.Option(None, "--names", autocompletion=lambda: ["official", "short"], show_default=False,
                        help="official (the UN's: Russian Federation, Iran (Islamic Republic of)) | short (as "
                             "newsrooms print them: Russia, Iran, Türkiye) for every country name shown or written "
                             "(default: official; short on an HTML page, as charts use).")
NAMES = {"names": (Optional[str], NamesOpt)}


# a command that also writes an HTML page (``options(pages=True)``): the same family, html named in its help
PAGE_OUTPUTS = {
    **OUTPUTS,
    "fmt": (str, typer.Option("auto", "--format", "-f", help="auto | table | csv | tsv | json | ndjson | xlsx | "
                              "parquet | html (a page; auto: from the -o file's extension, else table on a terminal "
                              "and CSV when piped).", autocompletion=complete.formats)),
    "output": (Optional[Path], typer.Option(None, "--output", "-o", help="Write to this file instead of stdout, "
                                            "format from its extension (.csv .tsv .json .ndjson .xlsx .parquet "
                                            ".html); written whole or not at all.")),
}
PAGE_SUFFIXES = (".html", ".htm")


def options(*filters: str, quick: bool = True, names: bool = False, pages: bool = False, **replaced):
    """Declare a command's option bundles once: its parameter ``sel`` becomes the ``filters`` named
    (``FILTERS`` order; ``replaced`` gives one its own option, e.g. a help text of its own) and
    arrives as one ``Selection``; its parameter ``out`` becomes the output options and arrives as
    one ``Output``; its parameter ``chart`` becomes ``--chart`` and the editorial options and arrives
    as one ``ChartOptions`` (false without --chart). ``quick``: refuse pandas first (``without_pandas``), before anything is imported.
    ``names``: the command prints country names, so it takes ``--names`` (after the output options),
    and runs with that name style in force (``model.countries.naming``).
    ``pages``: the command also writes an HTML page (``--format html``, ``-o x.html``: ``Output.format``
    is then ``html`` and the command renders it)."""
    outputs = PAGE_OUTPUTS if pages else OUTPUTS
    unknown = [f for f in (*filters, *replaced) if f not in FILTERS]
    if unknown:
        raise TypeError(f"unknown filter options: {unknown}")
    chosen = {name: (FILTERS[name][0], replaced.get(name, FILTERS[name][1])) for name in FILTERS if name in filters}

    def decorate(command):
        signature = inspect.signature(command)
        params = []
        for param in signature.parameters.values():
            bundle = {"sel": chosen, "out": {**outputs, **(NAMES if names else {})}, "chart": CHARTS}.get(param.name)
            if bundle is None:
                params.append(param)
            else:
                params += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=kind)
                           for name, (kind, option) in bundle.items()]

        @functools.wraps(command)
        def run(**given):
            if quick:
                without_pandas()
            if "sel" in signature.parameters:
                given["sel"] = selection(**{name: given.pop(name) for name in chosen})
            if "out" in signature.parameters:
                given["out"] = Output.of(*(given.pop(name) for name in outputs), pages=pages)
            if "chart" in signature.parameters:
                given["chart"] = ChartOptions.of(*[given.pop(name) for name in CHARTS])
            if not names:
                return command(**given)
            from ..model.countries import naming

            style = given.pop("names")
            if style is None:  # pages, like charts, print the names newsrooms use; tables the UN's
                style = "short" if pages and given.get("out") is not None and given["out"].format == "html" else "official"
            with naming(style):
                return command(**given)

        run.__signature__ = signature.replace(parameters=[
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if p.kind is p.POSITIONAL_OR_KEYWORD else p
            for p in params])
        run.__annotations__ = {p.name: p.annotation for p in params if p.annotation is not p.empty}
        return run

    return decorate


def selection(**given):
    """The one ``Selection`` of a command's filter options (validated here, once)."""
    from ..query.selection import Selection

    return Selection.of(**given)


@dataclass(frozen=True)
class Output:
    """A command's output options: ``fmt`` (checked), ``path`` (-o), ``bom``, ``formula_guard``;
    ``pages``: html is one of its formats (``options(pages=True)``)."""

    fmt: str = "auto"
    path: Path | None = None
    bom: bool = False
    formula_guard: bool = True
    pages: bool = False

    @classmethod
    def of(cls, fmt: str = "auto", path=None, bom: bool = False, formula_guard: bool = True,
           pages: bool = False) -> Output:
        """Checked before any work: the format, the -o path (``output.files.check_target``), and --bom,
        which only CSV and TSV have."""
        from ..core.errors import UsageError
        from ..output.files import check_target
        from ..output.render import format_for_path

        fmt = "html" if pages and fmt == "html" else check_format(fmt)
        if path is not None:
            check_target(Path(path))
        page = pages and path is not None and Path(path).suffix.lower() in PAGE_SUFFIXES
        if pages and fmt == "auto" and path is not None and not page and format_for_path(path) is None:
            from ..output.render import EXTENSIONS

            raise UsageError(f"cannot tell the format of {str(path)!r} from its extension; use one of "
                             f"{', '.join((*EXTENSIONS, '.html'))} or give --format")
        written = fmt if fmt != "auto" else "html" if page else (format_for_path(path) if path is not None else None)
        if bom and written not in (None, "csv", "tsv", "table"):
            raise UsageError(f"--bom is for CSV and TSV (Excel's double-click); {written} has no byte-order mark")
        if written == "html" and path is not None and Path(path).suffix.lower() not in PAGE_SUFFIXES:
            raise UsageError(f"-o {path}: a page is HTML; the file name must end in .html")
        return cls(fmt, path, bool(bom), bool(formula_guard), bool(pages))

    @property
    def format(self) -> str:
        """The format written: ``auto`` resolved (the -o file's extension, a terminal, a pipe); ``html``
        for a command with pages given ``--format html`` or ``-o x.html``."""
        from ..output.render import resolve

        if self.pages and (self.fmt == "html" or (self.fmt == "auto" and self.path is not None
                                                  and self.path.suffix.lower() in PAGE_SUFFIXES)):
            return "html"
        return resolve(self.fmt, output=self.path)

    def emit(self, table, *, label=None, pretty=None, note: bool = True, sheet: str = "data",
             sheets: dict | None = None) -> None:
        """Write ``table``; ``label`` (``output.labels.Label``) is its provenance in a spreadsheet or
        Parquet file, and (with ``note``) its note under the terminal view, after ``pretty``. An xlsx
        names ``table``'s sheet ``sheet`` and holds ``sheets`` (name → table) too."""
        from ..output.render import emit

        fmt = self.format
        if label is not None:  # before the data, as a terminal shows stderr first (stdout stays data)
            for line in label.seat_notes():
                typer.echo(f"note: {line}", err=True)
        facts = provenance(label) if fmt in ("xlsx", "parquet") else None
        view = pretty
        if label is not None and note and fmt == "table":
            def view(console):
                if pretty is not None:
                    pretty(console)
                else:
                    from ..output.views import plain_table

                    console.print(plain_table(table, console=console))
                label_note(console, label)
        emit(table, self.fmt, output=self.path, pretty=view, bom=self.bom, formula_guard=self.formula_guard,
             provenance=facts, sheet=sheet, sheets=sheets)


def label_note(console, label) -> None:
    """Under a terminal view, what the data is: the label's note (CSV and JSON stay plain data)."""
    from rich.markup import escape

    console.print(f"[dim]{escape(label.note())}[/]")


class _NoPandas:
    """A meta-path finder that refuses pandas (see ``_without_pandas``)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas is not used by this command")
        return None


# Set by ``unvote.cli`` when this process is the ``unvote`` command itself (``_COMMAND``).
REFUSE_PANDAS = False


def without_pandas() -> None:
    """pyarrow imports pandas (≈0.3 s, a third of a quick command's time) only to ask whether its
    inputs are pandas objects. Commands that never use pandas refuse it, so that check fails fast —
    in the ``unvote`` command's own process only (``REFUSE_PANDAS``): pyarrow asks once per process
    and keeps the answer, so in a test or a notebook that runs a command in-process, a refusal would
    leave pyarrow unable to convert pandas data (``pd.NA``) for the rest of the session."""
    if not REFUSE_PANDAS:
        return
    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())


def with_pandas() -> None:
    """Undo ``without_pandas``."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _NoPandas)]


def check_format(fmt: str) -> str:
    from ..output.render import FORMATS

    if fmt not in FORMATS:
        from ..core.errors import UsageError

        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def provenance(label=None) -> dict:
    """Where a result came from, for the xlsx provenance sheet and Parquet metadata: the command
    line, unvote's version, and for a result drawn from the votes every fact of its ``label``
    (filters, metric and its definition …) and each dataset used (source, file, sha256,
    fetched-at) from the store's manifests."""
    import datetime as dt
    import shlex

    from .. import __version__, api
    from ..store import summary

    facts = {"command": shlex.join(["unvote", *sys.argv[1:]]), "unvote version": __version__,
             "written at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    if label is None:  # reference tables (groups) and the store's own facts (info)
        return facts
    source, body = label.source, label.body
    names = [body] if source == "undl" else ["merged", "ga", "voeten"] if source == "merged" else [source]
    datasets = api.info()["datasets"]
    used = [{"dataset": name, **summary(datasets[name])} for name in names if name in datasets]
    facts.update(label.provenance())
    facts["datasets"] = used
    return facts
