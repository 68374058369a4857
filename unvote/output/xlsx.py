"""xlsx output with XlsxWriter: typed cells, a bold frozen header with an autofilter, sensible
column widths, text that is never turned into a formula, URL or number, and a "provenance" sheet.

XlsxWriter is imported here only (``unvote --help`` and the quick commands never load it).
"""

from __future__ import annotations

import datetime as dt
import math

from ..core.errors import UsageError

MAX_ROWS = 1_048_576  # rows in a sheet, the header included (Excel and LibreOffice alike)
MAX_COLUMNS = 16_384
WIDTH_SAMPLE = 2_000  # rows looked at to size the columns
MAX_WIDTH = 60
SCORE_FORMAT = "0.000"  # scores, shares, ideal points: three decimals, as the terminal shows them


def check_fits(table) -> None:
    """Refuse, before anything is written, a table larger than one sheet."""
    if table.num_rows + 1 > MAX_ROWS:
        raise UsageError(f"{table.num_rows:,} rows do not fit in a spreadsheet (at most {MAX_ROWS - 1:,} "
                         "under the header); write csv or parquet instead: -o results.csv or -o results.parquet")
    if table.num_columns > MAX_COLUMNS:
        raise UsageError(f"{table.num_columns:,} columns do not fit in a spreadsheet (at most {MAX_COLUMNS:,}); "
                         "write csv or parquet instead")


def write_xlsx(table, out, *, provenance: dict | None = None, sheet: str = "data",
               sheets: dict | None = None) -> None:
    """Write ``table`` to ``out`` (a binary file object) as an xlsx workbook: its sheet ``sheet``, then
    one sheet per item of ``sheets`` (name → table; a result of several tables), then the provenance."""
    import xlsxwriter

    tables = {sheet: table, **(sheets or {})}
    for each in tables.values():
        check_fits(each)
    workbook = xlsxwriter.Workbook(out, {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "constant_memory": True,
        "default_date_format": "yyyy-mm-dd",
    })
    header = workbook.add_format({"bold": True})
    styles = {"date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
              "time": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
              "score": workbook.add_format({"num_format": SCORE_FORMAT}),
              "wrap": workbook.add_format({"text_wrap": True, "valign": "top"})}
    for name, each in tables.items():
        _write_sheet(workbook.add_worksheet(name), each, header, styles)
    _provenance_sheet(workbook, header, provenance or {})
    workbook.close()


def _write_sheet(sheet_, table, header, styles: dict) -> None:
    """One table on one sheet: typed cells, widths, a frozen header and a filter."""
    date_format, time_format, score_format, wrap_format = (styles[k] for k in ("date", "time", "score", "wrap"))

    kinds = [_kind(table.schema.field(i).type) for i in range(table.num_columns)]
    # a period column of years is written as numbers (the rule JSON follows too)
    years = period_years("period", table.column("period").to_pylist()) \
        if "period" in table.column_names and kinds[table.column_names.index("period")] == "text" else None
    if years is not None:
        kinds[table.column_names.index("period")] = "year"
    # widths from the header and a sample of rows (constant_memory: set before the rows are written)
    sample = table.slice(0, WIDTH_SAMPLE)
    formats = []
    for i, name in enumerate(table.column_names):
        width = max(len(name) + 2, _column_width(sample.column(i), kinds[i]))
        multi_line = kinds[i] == "text" and _has_line_breaks(sample.column(i))
        cell_format = date_format if kinds[i] == "date" else time_format if kinds[i] == "time" \
            else score_format if _is_score(name, table.schema.field(i).type) else wrap_format if multi_line else None
        formats.append(cell_format)
        sheet_.set_column(i, i, min(width + 1, MAX_WIDTH), cell_format)
    sheet_.freeze_panes(1, 0)
    if table.num_columns:
        sheet_.autofilter(0, 0, max(table.num_rows, 1), table.num_columns - 1)
    sheet_.write_row(0, 0, table.column_names, header)

    write_number, write_datetime, write_string = sheet_.write_number, sheet_.write_datetime, sheet_.write_string
    # a cell's own format wins over its column's, so scores and wrapped text carry theirs on each cell
    writers = {"number": write_number, "year": write_number, "bool": sheet_.write_boolean, "text": write_string,
               "date": lambda r, c, v: write_datetime(r, c, v, date_format),
               "time": lambda r, c, v: write_datetime(r, c, v, time_format)}
    by_column = [writers[k] if formats[i] not in (score_format, wrap_format)
                 else (lambda w, f: lambda r, c, v: w(r, c, v, f))(writers[k], formats[i])
                 for i, k in enumerate(kinds)]
    row = 1
    for batch in table.to_batches(max_chunksize=20_000):
        columns = [years[row - 1:row - 1 + batch.num_rows] if kinds[i] == "year" else _cells(batch.column(i), kinds[i])
                   for i in range(batch.num_columns)]
        for values in zip(*columns):
            for col, v in enumerate(values):
                if v is not None:
                    by_column[col](row, col, v)
            row += 1


def _is_score(name: str, arrow_type) -> bool:
    """A float column (unvote's are scores, shares, ideal points and their errors): shown to 3 decimals,
    as the terminal shows them; the cell keeps the exact value."""
    import pyarrow as pa

    return pa.types.is_floating(arrow_type)


def _has_line_breaks(column) -> bool:
    import pyarrow.compute as pc

    if len(column) == 0 or column.null_count == len(column):
        return False
    return bool(pc.any(pc.match_substring(column.cast("string"), "\n")).as_py())


def _kind(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "number"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "time"
    if pa.types.is_boolean(arrow_type):
        return "bool"
    return "text"


def _cells(column, kind: str) -> list:
    values = column.to_pylist()
    if kind == "number":
        return [None if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))) else v
                for v in values]
    if kind == "date":
        return [None if v is None else dt.datetime(v.year, v.month, v.day) for v in values]
    if kind == "time":
        return [None if v is None else v.replace(tzinfo=None) for v in values]
    if kind == "text":
        return [None if v is None else str(v) for v in values]
    return values


def _column_width(column, kind: str) -> int:
    """Characters a column's values need (from a sample of rows)."""
    import pyarrow.compute as pc

    if kind == "date":
        return 10
    if kind == "time":
        return 19
    if kind == "bool":
        return 5
    if kind == "number":
        import pyarrow as pa

        if pa.types.is_floating(column.type):
            return 9  # shown as 0.625, -0.3312
        low_high = pc.min_max(column).as_py()
        return max(len(str(v)) for v in (low_high["min"], low_high["max"]) if v is not None) if column.null_count < len(column) else 1
    lengths = pc.utf8_length(column.cast("string")) if kind == "text" else None
    longest = pc.max(lengths).as_py() if lengths is not None else None
    return longest or 1


def _provenance_sheet(workbook, header, provenance: dict) -> None:
    """Two columns, field and value: where the data came from and how the file was made."""
    sheet = workbook.add_worksheet("provenance")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 100)
    sheet.write_row(0, 0, ["field", "value"], header)
    row = 1
    for key, value in provenance.items():
        if isinstance(value, list):  # the datasets used: one block of rows each
            for item in value:
                name = item.get("dataset", "")
                for k, v in item.items():
                    if k != "dataset" and v is not None:
                        sheet.write_string(row, 0, f"{name} {k}".strip())
                        sheet.write_string(row, 1, str(v))
                        row += 1
        elif value is not None:
            sheet.write_string(row, 0, str(key))
            sheet.write_string(row, 1, str(value))
            row += 1


def period_years(name: str, values: list) -> list | None:
    """The one rule for a ``period`` column in JSON, NDJSON and xlsx: when every period is a year
    ("2024"), the years as numbers (as a CSV reader sees them); else None (sessions, "all", topics stay
    text, so a column never changes type with the span asked for)."""
    if name != "period" or not values:
        return None
    if not all(v is None or (isinstance(v, str) and len(v) == 4 and v.isascii() and v.isdigit()) for v in values):
        return None
    return [None if v is None else int(v) for v in values]
