"""``Rows``: a small result table straight from DuckDB, kept as Python rows until someone needs Arrow.

Quick commands (``tally``, ``align``, ``info``) print a few dozen rows; building a pyarrow table for
them costs more than the query (pyarrow pulls in numpy). ``Rows`` holds column names, their types
and the row tuples. ``to_arrow()`` gives the ``pyarrow.Table``; every other attribute a
``pyarrow.Table`` has (``to_pylist``, ``num_rows``, ``column``, ``to_pandas`` …) is answered by that
table, so a library user can treat a ``Rows`` as the Arrow table it stands for.
"""

from __future__ import annotations

import datetime as dt

# DuckDB / Python value types → Arrow type names (pyarrow factory functions)
_ARROW_TYPES = {
    "BIGINT": "int64", "INTEGER": "int32", "HUGEINT": "int64", "SMALLINT": "int16", "TINYINT": "int8",
    "DOUBLE": "float64", "FLOAT": "float32", "VARCHAR": "string", "DATE": "date32", "BOOLEAN": "bool_",
}
KINDS = ("int", "float", "str", "date", "bool")  # what the output layer needs to know about a column
_KIND_OF = {"BIGINT": "int", "INTEGER": "int", "HUGEINT": "int", "SMALLINT": "int", "TINYINT": "int",
            "DOUBLE": "float", "FLOAT": "float", "VARCHAR": "str", "DATE": "date", "BOOLEAN": "bool"}


class Rows:
    """Named columns of DuckDB type names over a list of row tuples."""

    def __init__(self, columns: list[str], types: list[str], rows: list[tuple]):
        if len(columns) != len(types):
            raise ValueError("one type per column")
        self.column_names = list(columns)
        self.types = [str(t).upper() for t in types]
        self.rows = rows
        self.notes: list[str] = []  # what a reader must know beside the rows (the CLI prints them as note: lines)
        self._arrow = None

    @classmethod
    def from_dicts(cls, records: list[dict], types: dict[str, str]) -> Rows:
        """Rows from dicts, columns and DuckDB type names given by ``types`` (in order)."""
        names = list(types)
        return cls(names, [types[n] for n in names], [tuple(r.get(n) for n in names) for r in records])

    # ---- what the output layer reads --------------------------------------------------------
    @property
    def num_rows(self) -> int:
        return len(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def kinds(self) -> list[str]:
        """Per column: int | float | str | date | bool."""
        return [_KIND_OF.get(t, "str") for t in self.types]

    def to_pylist(self) -> list[dict]:
        return [dict(zip(self.column_names, row)) for row in self.rows]

    def column_values(self, name: str) -> list:
        i = self.column_names.index(name)
        return [row[i] for row in self.rows]

    def select(self, names: list[str]) -> Rows:
        idx = [self.column_names.index(n) for n in names]
        return Rows(names, [self.types[i] for i in idx], [tuple(row[i] for i in idx) for row in self.rows])

    def append(self, name: str, type_name: str, values: list) -> Rows:
        return Rows([*self.column_names, name], [*self.types, type_name],
                    [(*row, v) for row, v in zip(self.rows, values, strict=True)])

    # ---- Arrow, on demand ---------------------------------------------------------------------
    def to_arrow(self):
        if self._arrow is None:
            import pyarrow as pa

            arrays = []
            for i, t in enumerate(self.types):
                values = [row[i] for row in self.rows]
                arrow_type = getattr(pa, _ARROW_TYPES.get(t, "string"))()
                if arrow_type == pa.string():
                    values = [v if v is None or isinstance(v, str) else str(v) for v in values]
                elif arrow_type == pa.date32():
                    values = [v if v is None or isinstance(v, dt.date) else dt.date.fromisoformat(v)
                              for v in values]
                arrays.append(pa.array(values, arrow_type))
            self._arrow = pa.table(arrays, names=self.column_names) if arrays else pa.table({})
        return self._arrow

    def __arrow_c_stream__(self, requested_schema=None):
        """The Arrow PyCapsule stream: ``pa.table(rows)``, ``pl.DataFrame(rows)``, DuckDB's ``FROM rows``."""
        return self.to_arrow().__arrow_c_stream__(requested_schema)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.to_arrow(), name)

    def __getitem__(self, key):
        return self.to_arrow()[key]

    def __repr__(self) -> str:
        return f"Rows({self.num_rows} rows: {', '.join(self.column_names)})"
