"""SQL over the store: ``unvote.sql("SELECT …")`` with DuckDB, read-only.

Views, for the chosen ``body``/``source``:

* ``rollcalls``, ``votes`` — the dataset's two tables (``ga`` for ``body="ga"``, ``sc``, ``voeten``
  or ``merged`` for ``source=…``), and ``topics`` (``rollcall_id``, ``topic``: one row per issue
  area) when its roll calls carry a ``topics`` column;
* ``countries``, ``groups``, ``seats`` — the reference tables (``unvote/model/reference.py``), the same columns as
  ``<data dir>/reference/*.parquet``;
* every dataset the store holds also under its own schema: ``ga.votes``, ``sc.rollcalls``,
  ``voeten.votes``, ``merged.votes`` …

Each dataset is read from one store version (``Reader``), so a concurrent fetch cannot mix two.
Only one ``SELECT`` (``WITH``, ``FROM``-first, ``DESCRIBE``, ``SUMMARIZE`` …) runs: any other
statement is refused before DuckDB sees it, and the connection itself can read nothing but the
store's files (``enable_external_access`` off, locked), spills nothing to disk and loads no
extension — a query can neither change the store nor write a file. The text is untrusted, so DuckDB's
own limits bound it (``memory_limit``, ``threads``, no temp spill), a deadline interrupts it, and the
result held in Python is capped (``sources/limits.py``: ``UNVOTE_SQL_*``); each ends in one line, exit 2.
"""

from __future__ import annotations

from ..core.errors import NoData, StoreError, UsageError
from ..core.hints import no_data_hint
from ..core.results import Rows
from ..query.reader import Reader, check_columns, is_damage
from ..query.selection import Selection
from ..store import DATASETS
from .selecting import selecting

# analysis/, model.reference and sources.limits are imported inside the functions that use them
# (lazy): api/__init__ loads every api module for every command, so a quick one (tally, align,
# search) would pay for all the others' (measured: 25-45 ms of start-up).

TABLES = ("rollcalls", "votes")
# DuckDB statement types a query may be: SELECT covers WITH, VALUES, FROM-first, DESCRIBE, SHOW, SUMMARIZE
ALLOWED = ("SELECT",)
# Column types Rows carries as Python values; anything else (lists, structs, decimals …) comes back as Arrow
_ROW_TYPES = {"BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT", "VARCHAR", "DATE",
              "BOOLEAN"}


@selecting
def sql(query: str, *, body: str = "ga", source: str = "undl", plain: bool = False,
        selection: Selection | None = None, store=None):
    """Run one read-only ``SELECT`` over the store's views (see the module's doc) and return its result:
    a ``Rows`` (which stands in for a ``pyarrow.Table``: ``.to_arrow()``, ``.to_pandas()`` …) when every
    column is a plain number, text, date or boolean, else a ``pyarrow.Table``. With ``plain`` every column
    is made plain: nested values as JSON text, DECIMAL as a number, BLOB as hex, TIME, INTERVAL and the
    like as text, integers beyond 64 bits as text — what every output format can write.

    Anything but one SELECT (COPY, CREATE, ATTACH, INSTALL, SET …) raises ``UsageError``, as does bad SQL,
    a query past its deadline or memory, or a result too large to hold.
    """
    con = _connect(selection, store)
    return _run(con, _check(con, query), plain=plain)


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

    reader = Reader(store)
    chosen = sel.dataset
    reader.version(chosen)  # NoData (with the fetch command) when the chosen dataset is missing
    try:
        return _views(reader, chosen)
    except duckdb.Error as exc:  # DuckDB reads each file's footer as the views are made
        if is_damage(exc):
            raise reader._damaged(exc) from exc
        raise


def _views(reader: Reader, chosen: str):
    import duckdb

    from ..model.reference import TABLES as REFERENCE
    from ..sources import limits

    con = duckdb.connect(config={"threads": 2, "temp_directory": "", "max_temp_directory_size": "0KiB",
                                 "memory_limit": f"{limits.sql_memory_bytes() // 1024}KiB",
                                 "autoinstall_known_extensions": False, "autoload_known_extensions": False})
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
        kinds = {}
        for table in TABLES:
            kinds[table] = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {dataset}.{table})")
                                .fetchall())
            check_columns(reader.store, dataset, table, kinds[table])  # e.g. the two files swapped
        kind = kinds["rollcalls"]
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


def _check(con, query: str) -> str:
    """``query`` must be one SELECT statement: UsageError for bad SQL, several statements or another kind.
    Returns the statement's text (without a trailing semicolon)."""
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
        # DuckDB files INSTALL under LOAD: name the statement by its own first word
        words = statements[0].query.split()
        name = words[0].upper() if words and words[0].isalpha() else kind
        raise UsageError(f"refused: {name} — unvote sql runs one SELECT only; it cannot change the store, "
                         "load extensions or write files")
    return statements[0].query


# How a column of each DuckDB type is made plain (``{}`` is the column); the types Rows carries stay.
_PLAIN = {"decimal": "CAST({} AS DOUBLE)", "blob": "hex({})", "list": "CAST(to_json({}) AS VARCHAR)",
          "struct": "CAST(to_json({}) AS VARCHAR)", "map": "CAST(to_json({}) AS VARCHAR)",
          "union": "CAST(to_json({}) AS VARCHAR)", "array": "CAST(to_json({}) AS VARCHAR)",
          "utinyint": "CAST({} AS BIGINT)", "usmallint": "CAST({} AS BIGINT)", "uinteger": "CAST({} AS BIGINT)"}
_WIDE_INTEGERS = {"hugeint", "uhugeint", "ubigint"}  # as text, back to BIGINT when every value fits
INT64 = (-(1 << 63), (1 << 63) - 1)


def _plain(relation) -> tuple[str | None, set[int]]:
    """SQL that makes every column of ``relation`` plain (None when it already is), and the positions of
    the wide-integer columns it turned into text."""
    exprs, wide, changed = [], set(), False
    for i, kind in enumerate(relation.types, start=1):
        if str(kind).upper() in _ROW_TYPES and kind.id not in _WIDE_INTEGERS:
            exprs.append(f"#{i}")
            continue
        changed = True
        if kind.id in _WIDE_INTEGERS:
            wide.add(i - 1)
        exprs.append(_PLAIN.get(kind.id, "CAST({} AS VARCHAR)").format(f"#{i}"))
    return (", ".join(exprs) if changed else None), wide


def _run(con, query: str, *, plain: bool = False):
    """The query's result under its deadline and result cap; DuckDB's errors as one line."""
    import threading

    import duckdb

    from ..sources import limits

    seconds, cap = limits.sql_seconds(), limits.sql_result_bytes()
    timer = threading.Timer(seconds, con.interrupt)  # DuckDB's own interrupt, safe from another thread
    timer.start()
    try:
        relation = con.sql(query)  # names and types are known before any row is read
        names = list(relation.columns)
        wide: set[int] = set()
        if plain:
            select, wide = _plain(relation)
            if select is not None:
                query = f"SELECT {select} FROM ({query})"
                relation = con.sql(query)
        types = [str(t).upper() for t in relation.types]
        if all(t in _ROW_TYPES for t in types):  # a cursor: its rows are fetched in chunks, under the cap
            return _narrow(Rows(names, types, _fetch_rows(con.execute(query), cap)), wide)
        return _fetch_arrow(relation, cap)
    except duckdb.InterruptException:
        raise UsageError(f"the query ran past {seconds:g} s and was stopped (UNVOTE_SQL_TIMEOUT raises the "
                         "limit)") from None
    except duckdb.OutOfMemoryException:
        raise UsageError(f"the query needs more than {limits.sql_memory_bytes():,} bytes of memory and was "
                         "stopped (UNVOTE_SQL_MEMORY_BYTES raises the limit)") from None
    except duckdb.PermissionException as exc:
        raise UsageError(f"refused: {_first_line(exc)}") from None
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        if "parquet" in str(exc).lower():
            raise StoreError(f"cannot read the store ({_first_line(exc)}); run: unvote info --check") from None
        raise UsageError(f"bad SQL: {_first_line(exc)}") from None
    except duckdb.CatalogException as exc:
        raise _missing_dataset(exc) or UsageError(f"bad SQL: {_first_line(exc)}") from None
    except duckdb.Error as exc:
        raise UsageError(f"bad SQL: {_first_line(exc)}") from None
    finally:
        timer.cancel()
        timer.join()  # a timer thread still alive at exit is torn down inside C++: abort (exit 134)


def _missing_dataset(exc) -> NoData | None:
    """A query naming a dataset the store does not hold (``sc.votes`` before any SC fetch): the fetch command."""
    import re

    hit = re.search(r'schema "(\w+)" does not exist', str(exc))
    if hit is None or hit.group(1) not in DATASETS:
        return None
    name = hit.group(1)
    return NoData(f"the store has no {name} data to query as {name}.*; run: {no_data_hint(name)}")


def _too_large(cap: int) -> UsageError:
    return UsageError(f"the result is larger than {cap:,} bytes; narrow it (WHERE, LIMIT, aggregates) or raise "
                      "UNVOTE_SQL_MAX_RESULT_BYTES")


def _fetch_rows(result, cap: int, chunk: int = 50_000) -> list[tuple]:
    """Every row, in chunks, refused once its estimated size in Python passes ``cap``."""
    rows, held = [], 0
    while True:
        part = result.fetchmany(chunk)
        if not part:
            return rows
        # a tuple and its pointers, ~48 bytes a boxed value, plus the text itself
        held += len(part) * (56 + 48 * len(part[0]))
        held += sum(len(v) for row in part for v in row if isinstance(v, str))
        if held > cap:
            raise _too_large(cap)
        rows += part


def _fetch_arrow(relation, cap: int):
    import pyarrow as pa

    # DuckDB 1.4 renamed a relation's record_batch to to_arrow_reader
    reader = (getattr(relation, "to_arrow_reader", None) or relation.record_batch)(50_000)
    batches, held = [], 0
    for batch in reader:
        held += batch.nbytes
        if held > cap:
            raise _too_large(cap)
        batches.append(batch)
    return pa.Table.from_batches(batches, schema=reader.schema)


def _narrow(rows: Rows, wide: set[int]) -> Rows:
    """Wide-integer columns made text by ``_plain``: numbers again (BIGINT) when every value fits 64 bits."""
    types, table = list(rows.types), rows.rows
    for i in wide:
        try:
            numbers = [None if row[i] is None else int(row[i]) for row in table]
        except ValueError:
            continue
        if all(v is None or INT64[0] <= v <= INT64[1] for v in numbers):
            types[i] = "BIGINT"
            table = [(*row[:i], n, *row[i + 1:]) for row, n in zip(table, numbers)]
    return Rows(rows.column_names, types, table)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def contained():
    """A context in which this process's address space is capped for one untrusted query: a value DuckDB
    allocates outside its own memory accounting (``repeat('x', 2000000000)``) then fails at once as
    out-of-memory instead of taking gigabytes. The cap is what the process maps already plus DuckDB's
    limit, the result cap and some headroom; the previous limit comes back afterwards (POSIX only)."""
    import contextlib

    cap = _address_space_cap()
    return contextlib.ExitStack() if cap is None else _capped(cap)


def _address_space_cap() -> int | None:
    from ..sources import limits

    try:
        with open("/proc/self/status", "rb") as fh:  # bounded: a few KiB
            size = next(int(line.split()[1]) * 1024 for line in fh.read(1 << 16).splitlines()
                        if line.startswith(b"VmSize:"))
    except (OSError, StopIteration, ValueError):
        return None  # no /proc (macOS, Windows): DuckDB's own limits only
    return size + limits.sql_memory_bytes() + limits.sql_result_bytes() + (512 << 20)


def _capped(cap: int):
    import contextlib
    import resource

    @contextlib.contextmanager
    def capped():
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        new = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
        if soft != resource.RLIM_INFINITY and soft <= new:
            yield  # already tighter
            return
        resource.setrlimit(resource.RLIMIT_AS, (new, hard))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

    return capped()
