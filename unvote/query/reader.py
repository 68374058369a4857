"""``Reader``: one store version per dataset, read with DuckDB (every table of a command from one version)."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import StoreError
from ..core.hints import fetch_command
from ..core.results import Rows
from ..store import ROLLCALL_COLUMNS, VOTE_COLUMNS, Store


class Reader:
    """Reads the store through DuckDB. Its ``Store`` resolves each dataset's version once and keeps
    it, so every table of a command comes from one version."""

    def __init__(self, store=None):
        self.store = store if store is not None else Store()
        self._merged_checked = False
        self._columns: dict[tuple[str, str], dict[str, str]] = {}
        self._con = None

    def version(self, dataset: str) -> Path:
        folder = self.store.version(dataset)  # pinned by the Store on first use
        if dataset == "merged" and not self._merged_checked:
            if not self.store.merged_is_current():
                raise StoreError(f"the merged history in {self.store.root} is older than the UNDL or Voeten data; "
                                 f"run: {fetch_command('merged')}")
            self._merged_checked = True
        return folder

    def manifest(self, dataset: str) -> dict:
        """The manifest of the version this reader uses (damage named by ``Store.manifest``)."""
        self.version(dataset)
        return self.store.manifest(dataset)

    def table(self, dataset: str, name: str, *, row_numbers: bool = False) -> str:
        """SQL for one of a dataset's tables (``rollcalls``, ``votes``) in the version this reader uses;
        ``row_numbers`` adds ``file_row_number`` (the order of the file: a record's own order of states)."""
        path = str(self.version(dataset) / f"{name}.parquet").replace("'", "''")
        return f"read_parquet('{path}'{', file_row_number = true' if row_numbers else ''})"

    def columns(self, dataset: str, name: str) -> list[str]:
        """The columns of one of a dataset's tables, in file order."""
        return list(self.schema(dataset, name))

    def schema(self, dataset: str, name: str) -> dict[str, str]:
        """Column → type of one of a dataset's tables: from the manifest, which records each file's
        columns when it is written (no query), else from the file's footer (one DESCRIBE, kept).
        Types are DuckDB's names, or Arrow's where the manifest gave them; ``is_list`` reads either."""
        key = (dataset, name)
        if key not in self._columns:  # one version per dataset, so its columns never change under this reader
            self._columns[key] = self._recorded_schema(dataset, name) or {
                row[0]: row[1] for row in self._run(f"DESCRIBE SELECT * FROM {self.table(dataset, name)}").fetchall()}
        return self._columns[key]

    def _recorded_schema(self, dataset: str, name: str) -> dict[str, str] | None:
        self.version(dataset)
        try:
            recorded = self.store.manifest(dataset)["files"][f"{name}.parquet"]["columns"]
        except (StoreError, KeyError, TypeError):  # written before manifests kept columns, or damaged: ask the file
            return None
        if not isinstance(recorded, dict) or not all(isinstance(v, str) for v in recorded.values()):
            return None
        return recorded

    def is_list(self, dataset: str, name: str, column: str) -> bool:
        """Whether a column holds lists (DuckDB ``VARCHAR[]``, Arrow ``list<…>``)."""
        kind = self.schema(dataset, name).get(column, "")
        return kind.endswith("]") or "list<" in kind

    @property
    def con(self):
        if self._con is None:
            import duckdb

            self._con = duckdb.connect(config={"threads": 2})
        return self._con

    def _run(self, sql: str, params=(), *, relation: bool = False):
        import duckdb

        try:
            if relation:  # a relation hands its result to Arrow without an extra copy
                return self.con.sql(sql, params=list(params))
            return self.con.execute(sql, list(params))
        except duckdb.Error as exc:
            if is_damage(exc):
                raise self._damaged(exc) from exc
            if isinstance(exc, duckdb.BinderException):  # unvote's SQL is right: is a store file wrong?
                self._check_schemas()
            raise

    def _check_schemas(self) -> None:
        """Each version read has the columns the store writes, else StoreError naming the file (a votes
        file where the roll calls should be): asked only after a query failed to bind."""
        for dataset in self.store.pinned():
            for table in REQUIRED:
                have = {row[0] for row in self.con.execute(f"DESCRIBE SELECT * FROM {self.table(dataset, table)}")
                        .fetchall()}
                check_columns(self.store, dataset, table, have)

    def _damaged(self, exc) -> StoreError:
        """The store's one message for damage, naming the dataset read and the command that repairs it."""
        import re

        text = str(exc).splitlines()[0]
        # the version folder names its dataset (in the message, or in the query DuckDB quotes under it)
        hit = re.search(r"\.versions[/\\]([a-z]+)-\d", str(exc))
        pinned = self.store.pinned()
        if hit is None and len(pinned) != 1:
            return StoreError(f"the store in {self.store.root} is damaged ({text}); run: unvote info --check")
        return self.store.damaged(hit.group(1) if hit else pinned[0], text)  # else the one dataset read

    def rows(self, sql: str, params=()) -> Rows:
        result = self._run(sql, params)
        names = [d[0] for d in result.description]
        types = [str(d[1]) for d in result.description]
        return Rows(names, types, result.fetchall())

    def arrow(self, sql: str, params=()):
        import duckdb

        result = self._run(sql, params, relation=True)
        try:  # DuckDB 1.4 named it to_arrow_table; older releases arrow()
            return (getattr(result, "to_arrow_table", None) or result.arrow)()
        except duckdb.Error as exc:
            if is_damage(exc):
                raise self._damaged(exc) from exc
            raise


def is_damage(exc) -> bool:
    """Whether a DuckDB error is a store file that cannot be read (missing, truncated, corrupt: DuckDB's
    IO and invalid-input errors, and a Parquet footer its Thrift reader rejects), not a bug in unvote's SQL."""
    import duckdb

    if isinstance(exc, (duckdb.IOException, duckdb.InvalidInputException)):
        return True
    text = str(exc)
    return "TProtocolException" in text or ("parquet" in text.lower() and ".versions" in text)


REQUIRED = {"rollcalls": ROLLCALL_COLUMNS, "votes": VOTE_COLUMNS}  # what the store writes into each file


def check_columns(store: Store, dataset: str, table: str, have) -> None:
    """StoreError (the damage and its repair) when a version's ``table`` file lacks a column the store
    writes into it: the votes and rollcalls files swapped, say."""
    missing = [c for c in REQUIRED[table] if c not in have]
    if missing:
        raise store.damaged(dataset, f"{table}.parquet has no {', '.join(missing)}")
