"""``Reader``: one store version per dataset, read with DuckDB (every table of a command from one version)."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import StoreError
from ..core.results import Rows


class Reader:
    """Reads the store through DuckDB. Its ``Store`` resolves each dataset's version once and keeps
    it, so every table of a command comes from one version."""

    def __init__(self, store=None):
        from ..store import Store

        self.store = store if store is not None else Store()
        self._merged_checked = False
        self._columns: dict[tuple[str, str], list[str]] = {}
        self._con = None

    def version(self, dataset: str) -> Path:
        folder = self.store.version(dataset)  # pinned by the Store on first use
        if dataset == "merged" and not self._merged_checked:
            if not self.merged_is_current(folder):
                raise StoreError(f"the merged history in {self.store.root} is older than the UNDL or Voeten data; "
                                 "run: unvote fetch --source merged")
            self._merged_checked = True
        return folder

    def merged_is_current(self, folder: Path | None = None) -> bool:
        """Was the merged history built from the UNDL and Voeten versions the store holds now?"""
        import json

        folder = folder or self.store.version("merged")
        try:
            built = json.loads((folder / "manifest.json").read_text("utf-8")).get("built_from")
        except (OSError, ValueError, AttributeError):
            return False
        return built == {d: self.version(d).name for d in ("ga", "voeten") if self.store.has(d)}

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
        """The columns of one of a dataset's tables (read from the file's footer once)."""
        key = (dataset, name)
        if key not in self._columns:  # one version per dataset, so its columns never change under this reader
            self._columns[key] = [row[0] for row in
                                  self._run(f"DESCRIBE SELECT * FROM {self.table(dataset, name)}").fetchall()]
        return self._columns[key]

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
        except (duckdb.IOException, duckdb.InvalidInputException) as exc:  # a missing, truncated or corrupt file
            raise self._damaged(exc) from exc

    def _damaged(self, exc) -> StoreError:
        """The store's one message for damage, naming the dataset read and the command that repairs it."""
        import re

        text = str(exc).splitlines()[0]
        hit = re.search(r"\.versions[/\\]([a-z]+)-\d", text)  # the version folder names its dataset
        if hit is None:
            return StoreError(f"the store in {self.store.root} is damaged ({text}); run: unvote info --check")
        return self.store.damaged(hit.group(1), text)

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
        except (duckdb.IOException, duckdb.InvalidInputException) as exc:
            raise self._damaged(exc) from exc
