"""Write a result table to stdout or a file: a terminal view, CSV, TSV, JSON, NDJSON, xlsx or Parquet.

TTY detection lives here only. stdout is data; everything else (progress, warnings) goes to stderr
via ``stderr_console``. The one entry point is ``emit``.

Text formats are always UTF-8, written as bytes (``sys.stdout.buffer``), whatever the locale or
``PYTHONIOENCODING`` says; a file given with ``-o`` is written to a temporary file beside it and
moved into place with ``os.replace``, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

from ..core.errors import UsageError
from .files import write_atomically
from .views import (  # noqa: F401  (plain_table, no_color … re-exported)
    json_value,
    no_color,
    plain_table,
    plain_value,
    stderr_console,
    stdout_console,
    text_value,
)

FORMATS = ("auto", "table", "csv", "tsv", "json", "ndjson", "xlsx", "parquet")
EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".ndjson": "ndjson",
              ".jsonl": "ndjson", ".xlsx": "xlsx", ".parquet": "parquet"}
BINARY = ("xlsx", "parquet")
# a text value starting with one of these is a formula to a spreadsheet (OWASP "CSV injection");
# a lone "-" or "+" is left alone (unvote writes "-" for "no regional group")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH_ROWS = 20_000  # rows converted at a time by the streaming writers


class PipeClosed(Exception):
    """The reader of stdout went away (``| head``). Not an OSError, so Click leaves it to us."""


def format_for_path(path) -> str | None:
    """The format named by a file's extension (``.csv`` → csv), or None."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def resolve(fmt: str, stream=None, output=None) -> str:
    """``auto`` → the output file's extension, else ``table`` on a terminal and ``csv`` when piped.
    An explicit format wins over both."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")
    if fmt != "auto":
        return fmt
    if output is not None:
        found = format_for_path(output)
        if found is None:
            raise UsageError(f"cannot tell the format of {str(output)!r} from its extension; use one of "
                             f"{', '.join(EXTENSIONS)} or give --format")
        return found
    stream = stream or sys.stdout
    return "table" if _isatty(stream) else "csv"


def emit(table, fmt: str = "auto", *, output=None, pretty: Callable | None = None, bom: bool = False,
         formula_guard: bool = True, provenance: dict | None = None, stream=None, sheet: str = "data",
         sheets: dict | None = None) -> None:
    """Write ``table`` (a pyarrow.Table) in the chosen format, to ``output`` (a path) or stdout.

    ``pretty(console)`` draws the terminal view; without it a plain rich table is drawn.
    ``bom`` starts CSV/TSV with a byte-order mark; ``formula_guard`` prefixes CSV/TSV text cells that
    a spreadsheet would run as a formula with ``'``; ``provenance`` (a dict) becomes the xlsx's
    last sheet, and Parquet's key-value metadata ``unvote.provenance`` (JSON). An xlsx names ``table``'s
    sheet ``sheet`` and adds one sheet per item of ``sheets`` (name → table), for a result of several
    tables; the other formats write ``table`` alone. A usage problem (a binary format to a terminal, too
    many rows for a sheet, an output file that cannot be written) raises ``UsageError`` before anything is written.
    """
    stream = stream or sys.stdout
    fmt = resolve(fmt, stream, output)
    options = dict(bom=bom, formula_guard=formula_guard, provenance=provenance)
    if fmt == "xlsx" and (sheets or sheet != "data"):
        options.update(sheet=sheet, sheets={name: _whole(t) for name, t in (sheets or {}).items()})
    if fmt in ("xlsx", "table"):
        table = _whole(table)
    if fmt == "xlsx":
        from .xlsx import check_fits  # lazy: only an xlsx output needs it

        check_fits(table)
    if output is not None:
        if fmt == "table":
            raise UsageError("--format table is for the terminal; write a file as csv, tsv, json, ndjson, "
                             "xlsx or parquet")
        _write_file(table, fmt, Path(output), options)
        return
    if fmt in BINARY and _isatty(stream):
        raise UsageError(f"{fmt} is binary and stdout is a terminal; write it to a file: -o results.{fmt}")
    try:
        if fmt == "table":
            if "utf" not in (getattr(stream, "encoding", None) or "utf-8").lower():
                with contextlib.suppress(AttributeError, ValueError):  # cp1252: "?" for "█", not a crash
                    stream.reconfigure(errors="replace")
            console = stdout_console()
            if pretty is not None:
                pretty(console)
            else:
                console.print(plain_table(table, console=console))
        else:
            with contextlib.suppress(AttributeError, ValueError):
                stream.flush()  # text already written to the stream goes first
            write(table, fmt, _binary(stream), **options)
        stream.flush()
    except BrokenPipeError:
        raise PipeClosed() from None


def write(table, fmt: str, out, *, bom: bool = False, formula_guard: bool = True,
          provenance: dict | None = None, sheet: str = "data", sheets: dict | None = None) -> None:
    """Write ``table`` as ``fmt`` to ``out``, a binary file object."""
    if fmt in ("csv", "tsv"):
        write_csv(table, out, bom=bom, delimiter="," if fmt == "csv" else "\t", formula_guard=formula_guard)
    elif fmt == "json":
        write_json(table, out)
    elif fmt == "ndjson":
        write_ndjson(table, out)
    elif fmt == "xlsx":
        from .xlsx import write_xlsx  # lazy: only an xlsx output needs it

        write_xlsx(table, out, provenance=provenance, sheet=sheet, sheets=sheets)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        meta = {b"unvote.provenance": json.dumps(provenance, ensure_ascii=False, default=str).encode()} \
            if provenance else {}
        writer = None
        for batch in _batches(table):
            if writer is None:
                schema = batch.schema.with_metadata({**(batch.schema.metadata or {}), **meta})
                writer = pq.ParquetWriter(out, schema, compression="zstd")
            writer.write_batch(batch)
        if writer is None:
            whole = _whole(table)
            pq.write_table(whole.replace_schema_metadata({**(whole.schema.metadata or {}), **meta}), out,
                           compression="zstd")
        else:
            writer.close()
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _write_file(table, fmt: str, path: Path, options: dict) -> None:
    """Write to a temporary file beside ``path``, then move it into place (``output.files``)."""
    write_atomically(path, lambda out: write(table, fmt, out, **options))


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _TextSink:
    """Bytes written to a text stream that has no binary buffer (a test's StringIO)."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.stream.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self.stream.flush()


def _binary(stream):
    buffer = getattr(stream, "buffer", None)
    return buffer if buffer is not None else _TextSink(stream)


def _batches(table):
    """The rows in record batches of at most BATCH_ROWS (no copy). ``table`` is a pyarrow Table or
    RecordBatch, or an iterable of them (one schema), e.g. a generator yielding one period at a time."""
    import pyarrow as pa

    if _is_rows(table):
        table = table.to_arrow()
    if isinstance(table, pa.Table):
        yield from table.to_batches(max_chunksize=BATCH_ROWS)
    elif isinstance(table, pa.RecordBatch):
        yield from (table.slice(i, BATCH_ROWS) for i in range(0, max(table.num_rows, 1), BATCH_ROWS))
    else:
        for part in table:
            yield from _batches(part)


def _whole(table):
    """A pyarrow Table from a table or an iterable of tables/batches (for the formats that need all rows)."""
    import pyarrow as pa

    if _is_rows(table):
        return table.to_arrow()
    if isinstance(table, pa.Table):
        return table
    batches = list(_batches(table))
    if not batches:
        return pa.table({})
    return pa.Table.from_batches(batches)


# --- CSV / TSV -------------------------------------------------------------------------------

def write_csv(table, out, *, bom: bool = False, delimiter: str = ",", formula_guard: bool = True) -> None:
    """Spreadsheet-grade CSV (or TSV): a header, UTF-8, ``\\n`` line ends, an empty cell for a
    missing value, floats to 6 decimals, dates as ISO text, streamed in batches.

    Codes are written as text exactly ("NA" stays "NA"); read it back with
    ``pandas.read_csv(path, keep_default_na=False)`` to keep it so. With ``formula_guard`` a text
    value starting with = + - @ tab or CR gets a leading ``'`` (numeric columns are never touched).
    ``out`` is a binary file object.
    """
    if bom:
        out.write("\ufeff".encode())
    text = _Lines()
    # "\r\n" as the csv module's terminator makes it quote a field holding a lone "\r"; each
    # row's "\r\n" is then written as "\n" (a quoted field keeps its own line breaks)
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    header = getattr(table, "column_names", None)
    if header is not None:
        writer.writerow(header)
    for names, columns in _columns(table):
        if header is None:
            header = names
            writer.writerow(header)
        # column by column: one conversion per column type, not one per cell
        writer.writerows(zip(*[_csv_column(values, kind, formula_guard) for values, kind in columns]))
        out.write(text.take().encode("utf-8"))
    if text.rows:
        out.write(text.take().encode("utf-8"))


class _Lines:
    """The csv writer's sink: one call per row, each ending in "\r\n", kept as rows ending in "\n"."""

    def __init__(self):
        self.rows: list[str] = []

    def write(self, row: str) -> None:
        self.rows.append(row[:-2] + "\n")

    def take(self) -> str:
        text, self.rows = "".join(self.rows), []
        return text


def _csv_column(values: list, kind: str, formula_guard: bool = False) -> list:
    if kind == "float":  # NaN and ±inf are missing, as in JSON and xlsx
        return ["" if v is None or math.isnan(v) or math.isinf(v) else repr(round(v, 6)) for v in values]
    if kind == "date":
        return ["" if v is None else v.isoformat() for v in values]
    if kind in ("int", "bool"):
        return ["" if v is None else v for v in values]
    # text, and anything else as text: nested values as JSON, bytes as hex, decimals as numbers
    values = ["" if v is None else v if isinstance(v, str) else text_value(v) for v in values]
    if formula_guard:
        return ["'" + v if v.startswith(FORMULA_STARTS) and v not in ("-", "+") else v
                for v in values]  # a lone "-" or "+" (a placeholder) is no formula
    return values


# --- JSON / NDJSON ---------------------------------------------------------------------------

def write_json(table, out) -> None:
    """A JSON array with one object per line, streamed in batches; numbers stay numbers, NaN is null."""
    out.write(b"[")
    first = True
    for names, columns in _columns(table, years=True):
        lines = _json_lines(names, columns)
        if lines:
            out.write((("\n" if first else ",\n") + ",\n".join(lines)).encode("utf-8"))
            first = False
    out.write(b"\n]\n")


def write_ndjson(table, out) -> None:
    """One JSON object per line (https://github.com/ndjson/ndjson-spec), streamed in batches."""
    for names, columns in _columns(table, years=True):
        lines = _json_lines(names, columns)
        if lines:
            out.write(("\n".join(lines) + "\n").encode("utf-8"))


def _json_lines(names: list[str], columns: list[tuple[list, str]]) -> list[str]:
    """Each row as one JSON object (as ``json.dumps`` would write it), built column by column: each
    value encoded once by its column's kind, then the rows assembled from a template."""
    if not names:
        return []
    template = "{{" + ", ".join(json.dumps(name, ensure_ascii=False).replace("{", "{{").replace("}", "}}") + ": {}"
                                for name in names) + "}}"
    return [template.format(*row) for row in zip(*[_json_column(values, kind) for values, kind in columns])]


def _json_column(values: list, kind: str) -> list[str]:
    if kind == "int":
        return ["null" if v is None else str(v) for v in values]
    if kind == "float":
        return ["null" if v is None or math.isnan(v) or math.isinf(v) else repr(float(v)) for v in values]
    if kind == "bool":
        return ["null" if v is None else "true" if v else "false" for v in values]
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    if kind == "other":  # nested values as JSON structures, bytes as hex, decimals as numbers
        return ["null" if v is None else dumps(json_value(v)) for v in values]
    return ["null" if v is None else dumps(plain_value(v)) for v in values]


def records(table) -> list[dict]:
    """Rows as dicts with JSON-safe values: dates as ISO text, NaN as null."""
    return [dict(zip(names, row)) for names, columns in _columns(table)
            for row in zip(*[[plain_value(v) for v in values] for values, _ in columns])]


def _is_rows(table) -> bool:
    """A ``unvote.core.results.Rows``: plain Python rows, written without pyarrow (quick commands)."""
    return hasattr(table, "kinds") and hasattr(table, "rows")


def _columns(table, *, years: bool = False):
    """Per batch: (column names, [(values, kind)]) with kind int | float | str | date | bool | other —
    a ``Rows`` as one batch without pyarrow, anything else in Arrow batches. ``years``: a ``period``
    column of years as numbers (``period_years``)."""
    if _is_rows(table):
        kinds = table.kinds()
        values = [list(c) for c in zip(*table.rows)] if table.rows else [[] for _ in kinds]
        yield table.column_names, _with_years(table.column_names, list(zip(values, kinds)), years)
        return
    for batch in _batches(table):
        names = batch.schema.names
        yield names, _with_years(names, [(batch.column(i).to_pylist(), _kind(batch.column(i).type))
                                         for i in range(batch.num_columns)], years)


def _with_years(names: list[str], columns: list[tuple[list, str]], years: bool) -> list[tuple[list, str]]:
    if not years or "period" not in names:
        return columns
    i = names.index("period")
    from .xlsx import period_years  # lazy: xlsx.py holds the rule (xlsx imports nothing of render)

    numbers = period_years("period", columns[i][0]) if columns[i][1] == "str" else None
    return columns if numbers is None else [*columns[:i], (numbers, "int"), *columns[i + 1:]]


def _kind(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        return "int"
    if pa.types.is_floating(arrow_type):
        return "float"
    if pa.types.is_date(arrow_type) or pa.types.is_timestamp(arrow_type):
        return "date"
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "str"
    return "other"
