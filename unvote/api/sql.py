"""SQL over the store: ``unvote.sql("SELECT …")`` with DuckDB, read-only.

Views, for the chosen ``body``/``source``:

* ``rollcalls``, ``votes`` — the dataset's two tables (``ga`` for ``body="ga"``, ``sc``, ``voeten``
  or ``merged`` for ``source=…``), and ``topics`` (``rollcall_id``, ``topic``: one row per issue
  area) when its roll calls carry a ``topics`` column;
* ``countries``, ``groups`` — the reference tables (``unvote/reference.py``), the same columns as
  ``<data dir>/reference/*.parquet``;
* every dataset the store holds also under its own schema: ``ga.votes``, ``sc.rollcalls``,
  ``voeten.votes``, ``merged.votes`` …

Each dataset is read from one store version (``Reader``), so a concurrent fetch cannot mix two.
Only one ``SELECT`` (``WITH``, ``FROM``-first, ``DESCRIBE``, ``SUMMARIZE`` …) runs: any other
statement is refused before DuckDB sees it, and the connection itself can read nothing but the
store's files (``enable_external_access`` off, locked), spills nothing to disk and loads no
extension — a query can neither change the store nor write a file.
"""

from __future__ import annotations

from ..core.errors import StoreError, UsageError
from ..core.results import Rows
from ..query.reader import Reader
from ..query.selection import Selection
from .selecting import selecting

TABLES = ("rollcalls", "votes")
# DuckDB statement types a query may be: SELECT covers WITH, VALUES, FROM-first, DESCRIBE, SHOW, SUMMARIZE
ALLOWED = ("SELECT",)
# Column types Rows carries as Python values; anything else (lists, structs, decimals …) comes back as Arrow
_ROW_TYPES = {"BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT", "VARCHAR", "DATE",
              "BOOLEAN"}


@selecting
def sql(query: str, *, body: str = "ga", source: str = "undl", selection: Selection | None = None, store=None):
    """Run one read-only ``SELECT`` over the store's views (see the module's doc) and return its result:
    a ``Rows`` (which stands in for a ``pyarrow.Table``: ``.to_arrow()``, ``.to_pandas()`` …) when every
    column is a plain number, text, date or boolean, else a ``pyarrow.Table``.

    Anything but one SELECT (COPY, CREATE, ATTACH, INSTALL, SET …) raises ``UsageError``, as does bad SQL.
    """
    con = _connect(selection, store)
    _check(con, query)
    return _run(con, query)


@selecting
def schema(*, body: str = "ga", source: str = "undl", selection: Selection | None = None, store=None) -> Rows:
    """The views ``sql`` offers and their columns: view (``votes``, ``ga.votes`` …), column, type."""
    con = _connect(selection, store)
    return _run(con, "SELECT CASE WHEN table_schema = 'main' THEN table_name "
                           "ELSE table_schema || '.' || table_name END AS view, column_name AS column, "
                           "data_type AS type FROM information_schema.columns "
                           "ORDER BY table_schema <> 'main', table_schema, table_name, ordinal_position")


def _connect(sel: Selection, store):
    """An in-memory DuckDB with the views, then locked down: no file access beyond the store's tables."""
    import duckdb

    from ..model.reference import TABLES as REFERENCE
    from ..store import DATASETS

    reader = Reader(store)
    chosen = sel.dataset
    reader.version(chosen)  # NoData (with the fetch command) when the chosen dataset is missing
    con = duckdb.connect(config={"threads": 2, "temp_directory": "", "autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False})
    files, views = [], set()
    for dataset in DATASETS:
        if dataset != chosen and not reader.store.has(dataset):
            continue
        try:
            folder = reader.version(dataset)
        except StoreError:
            if dataset == chosen:
                raise
            continue  # an out-of-date merged history: the other datasets stay queryable
        con.execute(f"CREATE SCHEMA {dataset}")
        for table in TABLES:
            files.append(str(folder / f"{table}.parquet"))
            con.execute(f"CREATE VIEW {dataset}.{table} AS SELECT * FROM {reader.table(dataset, table)}")
            views.add((dataset, table))
        kind = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {dataset}.rollcalls)").fetchall())
        if "topics" in kind:
            topics = "unnest(topics)" if kind["topics"].endswith("[]") else "unnest(string_split(topics, ';'))"
            con.execute(f"CREATE VIEW {dataset}.topics AS SELECT rollcall_id, topic FROM "
                        f"(SELECT rollcall_id, {topics} AS topic FROM {dataset}.rollcalls) WHERE topic <> ''")
            views.add((dataset, "topics"))
    for name in ("rollcalls", "votes", "topics"):
        if (chosen, name) in views:
            con.execute(f"CREATE VIEW main.{name} AS SELECT * FROM {chosen}.{name}")
    for name, build in REFERENCE.items():
        rows = build()
        columns = ", ".join(f'unnest(?::{t}[]) AS "{c}"' for c, t in zip(rows.column_names, rows.types))
        con.execute(f"CREATE TABLE main.{name} AS SELECT {columns}", [rows.column_values(c) for c in rows.column_names])
    quoted = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    con.execute(f"SET allowed_paths = [{quoted}]")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _check(con, query: str) -> None:
    """``query`` must be one SELECT statement: UsageError for bad SQL, several statements or another kind."""
    import duckdb

    if not query or not query.strip():
        raise UsageError("give a query, e.g. unvote sql \"SELECT count(*) FROM votes\"")
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise UsageError(f"bad SQL: {_first_line(exc)}") from None
    if len(statements) != 1:
        raise UsageError(f"give one SELECT statement, not {len(statements)}")
    kind = statements[0].type.name
    if kind not in ALLOWED:
        raise UsageError(f"refused: {kind} — unvote sql runs one SELECT only; it cannot change the store "
                         "or write files")


def _run(con, query: str):
    import duckdb

    try:
        relation = con.sql(query)  # names and types are known before any row is read
        names, types = list(relation.columns), [str(t).upper() for t in relation.types]
        if all(t in _ROW_TYPES for t in types):
            return Rows(names, types, relation.fetchall())
        return (getattr(relation, "to_arrow_table", None) or relation.arrow)()
    except duckdb.PermissionException as exc:
        raise UsageError(f"refused: {_first_line(exc)}") from None
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        if "parquet" in str(exc).lower():
            raise StoreError(f"cannot read the store ({_first_line(exc)}); run: unvote info --check") from None
        raise UsageError(f"bad SQL: {_first_line(exc)}") from None
    except duckdb.Error as exc:
        raise UsageError(f"bad SQL: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
