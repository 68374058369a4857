"""Render a result table as a rich table, CSV or JSON. TTY detection lives here only.

stdout is data; everything else (progress, warnings) goes to stderr via ``stderr_console``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import sys
from collections.abc import Callable

FORMATS = ("auto", "table", "csv", "json")


class PipeClosed(Exception):
    """The reader of stdout went away (``| head``). Not an OSError, so Click leaves it to us."""


def resolve(fmt: str, stream=None) -> str:
    """``auto`` → ``table`` on a terminal, ``csv`` when piped; explicit formats win."""
    if fmt != "auto":
        return fmt
    stream = stream or sys.stdout
    return "table" if hasattr(stream, "isatty") and stream.isatty() else "csv"


def stdout_console():
    from rich.console import Console

    return Console(no_color="NO_COLOR" in os.environ or None, highlight=False)


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, no_color="NO_COLOR" in os.environ or None, highlight=False, soft_wrap=True)


def emit(table, fmt: str = "auto", *, pretty: Callable | None = None, bom: bool = False,
         stream=None) -> None:
    """Write ``table`` (a pyarrow.Table) to stdout in the chosen format.

    ``pretty(console)`` draws the terminal view; without it a plain rich table is drawn.
    """
    stream = stream or sys.stdout
    try:
        _emit(table, resolve(fmt, stream), pretty, bom, stream)
        stream.flush()
    except BrokenPipeError:
        raise PipeClosed() from None


def _emit(table, fmt, pretty, bom, stream) -> None:
    if fmt == "table":
        console = stdout_console()
        if pretty is not None:
            pretty(console)
        else:
            console.print(rich_table(table))
    elif fmt == "csv":
        write_csv(table, stream, bom=bom)
    elif fmt == "json":
        json.dump(records(table), stream, ensure_ascii=False, indent=1)
        stream.write("\n")
    else:
        raise ValueError(f"unknown format {fmt!r}")


def records(table) -> list[dict]:
    """Rows as dicts with JSON-safe values: dates as ISO text, NaN as null."""
    return [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]


def write_csv(table, stream, *, bom: bool = False) -> None:
    """Spreadsheet-grade CSV: header, UTF-8, \\r\\n-free lines, empty cell for missing values.

    Codes are written as text exactly ("NA" stays "NA"); read it back with
    ``pandas.read_csv(path, keep_default_na=False)`` to keep it so.
    """
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(table.column_names)
    if hasattr(table, "kinds"):  # unvote.results.Rows: plain Python rows, no Arrow needed
        kinds = table.kinds()
        writer.writerows([_csv_value(v, k) for v, k in zip(row, kinds)] for row in table.rows)
        return
    # column by column: one conversion per column type, not one per cell
    columns = [_csv_column(table.column(i)) for i in range(table.num_columns)]
    writer.writerows(zip(*columns))


def _csv_value(v, kind: str):
    if v is None:
        return ""
    if kind == "float":
        return "" if math.isnan(v) else repr(round(v, 6))
    if kind == "date":
        return v.isoformat()
    return v


def _csv_column(column) -> list:
    import pyarrow as pa

    values = column.to_pylist()
    kind = column.type
    if pa.types.is_floating(kind):
        return ["" if v is None or math.isnan(v) else repr(round(v, 6)) for v in values]
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return ["" if v is None else v.isoformat() for v in values]
    return ["" if v is None else v for v in values]


def rich_table(table, *, title: str | None = None, caption: str | None = None):
    from rich.table import Table

    view = Table(title=title, caption=caption, header_style="bold")
    for name in table.column_names:
        numeric = _is_numeric(table.schema.field(name).type)
        view.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in table.to_pylist():
        view.add_row(*[format_cell(v) for v in row.values()])
    return view


def format_cell(v) -> str:
    v = _plain(v)
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def sparkline(values: list[float | None], lo: float = 0.0, hi: float = 1.0) -> str:
    """One block character per value between ``lo`` and ``hi``; a space for no value."""
    blocks = "▁▂▃▄▅▆▇█"
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(" ")
        else:
            frac = 0.0 if hi == lo else min(max((v - lo) / (hi - lo), 0.0), 1.0)
            out.append(blocks[round(frac * (len(blocks) - 1))])
    return "".join(out)


def bar(value: float | None, width: int = 10) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    full = int(round(min(max(value, 0.0), 1.0) * width))
    return "█" * full + "·" * (width - full)


def _plain(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def _is_numeric(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type)
