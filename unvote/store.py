"""The local Parquet store: one folder per dataset, swapped in atomically.

Layout (documented in README so DuckDB/Polars users can query it directly)::

    <data dir>/
      ga/                  -> .versions/ga-<stamp>/   (a symlink, replaced atomically)
        rollcalls.parquet  one row per roll call
        votes.parquet      one row per (roll call, member state)
        manifest.json      provenance: source, file, sha256, fetched-at, counts, warnings
      sc/ …  voeten/ …
      .lock                held while a fetch writes

A dataset version is written completely into a fresh folder, then the ``ga`` link is swapped with
``os.replace``; readers see the old version or the new one, never a mix (also after SIGKILL).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from . import config
from .errors import NoData, StoreError

DATASETS = ("ga", "sc", "voeten", "merged")  # merged: UNDL + Voeten, rebuilt from the two (history.py)

ROLLCALL_COLUMNS = ("rollcall_id", "resolution", "date", "session", "title", "members")
VOTE_COLUMNS = ("rollcall_id", "ms_code", "ms_name", "vote")


class Store:
    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else config.data_dir()

    # ---- reading -------------------------------------------------------------------------
    def path(self, dataset: str) -> Path:
        return self.root / dataset

    def has(self, dataset: str) -> bool:
        return (self.path(dataset) / "votes.parquet").exists()

    def require(self, dataset: str) -> Path:
        if not self.has(dataset):
            hint = {"sc": "unvote fetch --body sc", "voeten": "unvote fetch --source voeten",
                    "merged": "unvote fetch --source voeten (with the UNDL data fetched)"}
            raise NoData(f"no {dataset.upper()} data in {self.root} yet; run: "
                         f"{hint.get(dataset, 'unvote fetch')}")
        return self.path(dataset).resolve()

    def version(self, dataset: str) -> Path:
        """The folder of the dataset's current version; resolve it once per command and read every
        table from it, so a concurrent fetch cannot mix two versions into one answer."""
        return self.require(dataset)

    def manifest(self, dataset: str) -> dict | None:
        try:
            return json.loads((self.path(dataset) / "manifest.json").read_text("utf-8"))
        except FileNotFoundError:
            return None

    def rollcalls(self, dataset: str = "ga", columns=None, filters=None):
        return self._read(dataset, "rollcalls", columns, filters)

    def votes(self, dataset: str = "ga", columns=None, filters=None):
        return self._read(dataset, "votes", columns, filters)

    def _read(self, dataset, table, columns, filters):
        """Read a table; ``filters`` is a list of (column, "=" | "in", value) joined by AND.

        Uses ParquetFile with row-group pruning on min/max statistics rather than pyarrow.dataset,
        which imports pandas (≈0.3 s, a third of a typical command's run time) whether needed or not.
        """
        import pyarrow.parquet as pq

        folder = self.require(dataset)
        path = folder / f"{table}.parquet"
        try:
            pf = pq.ParquetFile(path, read_dictionary=[c for c in ("ms_code", "vote") if table == "votes"])
            need = None if columns is None else list(dict.fromkeys(
                list(columns) + [c for c, _, _ in filters or ()]))
            groups = _row_groups(pf, filters or [])
            data = pf.read_row_groups(groups, columns=need) if groups is not None else pf.read(columns=need)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read {path} ({exc}); run unvote fetch again to rebuild it") from exc
        if filters:
            data = data.filter(_mask(data, filters))
        return data.select(list(columns)) if columns is not None else data

    # ---- writing -------------------------------------------------------------------------
    def write(self, dataset: str, rollcalls, votes, manifest: dict) -> Path:
        """Write a complete new version of ``dataset`` and swap it in atomically."""
        import pyarrow.parquet as pq

        _check_columns(rollcalls, ROLLCALL_COLUMNS, "rollcalls")
        _check_columns(votes, VOTE_COLUMNS, "votes")
        versions = self.root / ".versions"
        versions.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        tmp = versions / f".{dataset}-{stamp}.tmp"
        final = versions / f"{dataset}-{stamp}"
        tmp.mkdir()
        try:
            pq.write_table(rollcalls, tmp / "rollcalls.parquet", compression="zstd")
            pq.write_table(votes, tmp / "votes.parquet", compression="zstd",
                           row_group_size=64 * 1024)
            manifest = {"dataset": dataset, **manifest,
                        "written_at": datetime.now(UTC).isoformat(timespec="seconds")}
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), "utf-8")
            _fsync_dir(tmp)
            os.rename(tmp, final)
            self._swap_link(dataset, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._prune(dataset, keep=final)
        return final

    def _swap_link(self, dataset: str, target: Path) -> None:
        link = self.path(dataset)
        if link.exists() and not link.is_symlink():
            raise StoreError(f"{link} is not a store link; move it away and fetch again")
        tmp_link = self.root / f".{dataset}.link.tmp"
        tmp_link.unlink(missing_ok=True)
        os.symlink(os.path.relpath(target, self.root), tmp_link)
        os.replace(tmp_link, link)  # the atomic step
        _fsync_dir(self.root)

    def _prune(self, dataset: str, keep: Path) -> None:
        """Remove older versions and leftovers of killed writes (readers hold open files fine)."""
        for old in (self.root / ".versions").glob(f"*{dataset}-*"):
            if old != keep and old.name.split("-")[0].lstrip(".") == dataset:
                shutil.rmtree(old, ignore_errors=True)

    @contextlib.contextmanager
    def lock(self, wait: float = 0.0):
        """Hold the store's write lock; a second writer waits ``wait`` seconds, then refuses."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as fh:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise StoreError(f"another unvote fetch is writing {self.root}; "
                                         "wait for it to finish and try again") from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _wanted(values) -> set:
    return set(values) if isinstance(values, (list, tuple, set, frozenset)) else {values}


def _row_groups(pf, filters) -> list[int] | None:
    """Row groups whose min/max statistics admit every filter; None when nothing can be pruned."""
    meta = pf.metadata
    if not filters or meta.num_row_groups <= 1:
        return None
    names = pf.schema_arrow.names
    keep = []
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        ok = True
        for column, _, values in filters:
            stats = group.column(names.index(column)).statistics
            if stats is not None and stats.has_min_max:
                ok = any(stats.min <= v <= stats.max for v in _wanted(values))
            if not ok:
                break
        if ok:
            keep.append(g)
    return keep


def _mask(data, filters):
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = None
    for column, op, values in filters:
        if op not in ("=", "in"):
            raise ValueError(f"unsupported filter {op!r}")
        col = data[column]
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        m = pc.is_in(col, pa.array(sorted(_wanted(values)), col.type))
        mask = m if mask is None else pc.and_(mask, m)
    return mask


def _check_columns(table, required, what) -> None:
    missing = [c for c in required if c not in table.column_names]
    if missing:
        raise StoreError(f"internal: {what} table lacks columns {missing}")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            for child in path.iterdir() if path.is_dir() else ():
                if child.is_file():
                    with open(child, "rb") as fh:
                        os.fsync(fh.fileno())
            os.fsync(fd)
        finally:
            os.close(fd)
