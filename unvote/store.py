"""The local Parquet store: one folder per dataset version, made current by a pointer file.

Layout (docs/store.md; DuckDB/Polars users can query the files directly)::

    <data dir>/
      ga.current             one line, ".versions/ga-<stamp>": the current version of ga
      sc.current  voeten.current  merged.current
      .versions/
        ga-<stamp>/
          rollcalls.parquet  one row per roll call
          votes.parquet      one row per (roll call, member state)
          manifest.json      provenance, counts, and each file's rows, bytes and sha256
      .lock                  held while a fetch writes

A version is written completely into a fresh folder; then the dataset's pointer file is replaced
with ``os.replace`` (atomic on POSIX and Windows, no symlinks needed). A ``Store`` resolves each
dataset's pointer once (``Store.version``) and reads every table of that dataset from that one
folder, so a command sees the old version or the new one, never a mix (also after SIGKILL). A
version that stops being current is kept for ``KEEP_SUPERSEDED`` seconds, so a reader that resolved
it just before a fetch still finds its files.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .core import config, interrupts, testpoint
from .core.errors import NoData, StoreError
from .core.files import digest
from .core.hints import fetch_command, no_data_hint

DATASETS = ("ga", "sc", "voeten", "merged")  # merged: UNDL + Voeten, rebuilt from the two (history.py)

ROLLCALL_COLUMNS = ("rollcall_id", "resolution", "date", "session", "title", "members")
VOTE_COLUMNS = ("rollcall_id", "ms_code", "ms_name", "vote")
FILES = ("rollcalls.parquet", "votes.parquet")
VERSIONS = ".versions"
STAMP = "%Y%m%dT%H%M%S%f"
KEEP_SUPERSEDED = 120.0  # seconds a replaced version stays readable for commands that resolved it
# Bounds on the metadata read from the store (it may be damaged, or planted): a pointer names
# ".versions/<dataset>-<stamp>" (~40 bytes); a manifest is ~1 kB, ~50 kB with 20 updates' record ids.
POINTER_MAX_BYTES = 512
MANIFEST_MAX_BYTES = 4 << 20
# Manifest fields unvote reads, and the JSON types they must have.
MANIFEST_TYPES = {"records": int, "votes": int, "files": dict, "updates": list, "sources": dict, "http": dict,
                  "built_from": dict, "date_min": str, "date_max": str, "fetched_at": str, "written_at": str,
                  "dataset": str, "source": str, "file": str, "url": str, "sha256": (str, type(None))}
ORIGIN = ("source", "file", "sha256", "fetched_at")  # a manifest's fields that say where the data came from
SUMMARY = ORIGIN + ("records", "votes", "date_min", "date_max")  # … and what it holds


_stored: list[str] = []  # datasets whose new version became current in this process (see stored())


class StoreOSError(StoreError, OSError):
    """The operating system refused a store operation (read-only, full disk, not a folder).

    Also an ``OSError`` so callers that treat "cannot write here" specially still recognise it."""


def stored() -> list[str]:
    """The datasets a write made current in this process (the CLI's Ctrl-C message uses it)."""
    return list(_stored)


class Store:
    """The store under ``root``. Each dataset's version is resolved once per ``Store`` (the first
    read fixes it, a write through this Store moves it, taking the lock or ``refresh()`` forgets
    it): a command that uses one Store reads one version of each dataset."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else config.data_dir()
        self._pinned: dict[str, Path] = {}

    # ---- resolving -------------------------------------------------------------------------
    def pointer(self, dataset: str) -> Path:
        """The file naming ``dataset``'s current version."""
        return self.root / f"{dataset}.current"

    def version(self, dataset: str) -> Path:
        """The folder of ``dataset``'s current version, resolved once for this Store.

        Raises NoData when the dataset was never fetched and StoreError (exit 5) when its pointer
        or folder is damaged; the message names the command that repairs it."""
        folder = self._pinned.get(dataset)
        if folder is None:
            folder = self._pinned[dataset] = self._resolve(dataset)
        return folder

    def pinned(self) -> list[str]:
        """The datasets this Store has resolved so far (each read from that one version)."""
        return list(self._pinned)

    def refresh(self) -> None:
        """Forget the resolved versions: the next read sees what is current now."""
        self._pinned.clear()

    def has(self, dataset: str) -> bool:
        """Whether anything is stored for ``dataset`` (possibly damaged: reads then say so)."""
        try:
            self.version(dataset)
        except NoData:
            return False
        except StoreError:
            return True
        return True

    def damaged(self, dataset: str, what: str) -> StoreError:
        return StoreError(f"the {dataset} data in {self.root} is damaged ({what}); "
                          f"repair it with: {fetch_command(dataset)}")

    def _resolve(self, dataset: str) -> Path:
        pointer = self.pointer(dataset)
        try:
            raw = read_small(pointer, POINTER_MAX_BYTES)
        except FileNotFoundError:
            if self.root.exists() and not self.root.is_dir():
                raise self._not_a_folder() from None
            raise NoData(f"no {dataset.upper()} data in {self.root} yet; "
                         f"run: {no_data_hint(dataset)}") from None
        except NotADirectoryError:
            raise self._not_a_folder() from None
        except NotRegular as exc:
            raise self.damaged(dataset, f"{pointer.name} is {exc}") from None
        except OSError as exc:
            raise StoreOSError(f"cannot read {pointer}: {exc.strerror or exc}") from exc
        try:
            rel = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            rel = None
        if rel is None or not re.fullmatch(rf"\.versions/{re.escape(dataset)}-\d{{8}}T\d{{12}}", rel):
            raise self.damaged(dataset, f"{pointer.name} does not name a version")
        folder = self.root / rel
        if not folder.is_dir():
            raise self.damaged(dataset, f"{pointer.name} names {rel}, which is missing")
        for name in (*FILES, "manifest.json"):
            if not (folder / name).is_file():
                raise self.damaged(dataset, f"{name} is missing")
        return folder

    def _not_a_folder(self) -> StoreError:
        return StoreOSError(f"the data dir {self.root} is a file, not a folder; "
                            "set UNVOTE_DATA_DIR to a folder")

    # ---- reading -------------------------------------------------------------------------
    def manifest(self, dataset: str) -> dict | None:
        """The manifest of ``dataset``'s current version; None when nothing is stored."""
        try:
            folder = self.version(dataset)
        except NoData:
            return None
        return self.manifest_in(folder, dataset)

    def manifest_in(self, folder: Path, dataset: str) -> dict:
        """The manifest in a version ``folder`` of ``dataset``, read within bounds and checked:
        at most MANIFEST_MAX_BYTES from a regular file (never blocking on a FIFO or a device),
        nesting within Python's limits, and the fields unvote reads of their proper types.
        Anything else is a StoreError (exit 5) that names the repair."""
        path = folder / "manifest.json"
        try:
            data = json.loads(read_small(path, MANIFEST_MAX_BYTES).decode("utf-8"))
        except FileNotFoundError:
            raise self.damaged(dataset, "manifest.json is missing") from None
        except NotRegular as exc:
            raise self.damaged(dataset, f"manifest.json is {exc}") from None
        except UnicodeDecodeError:
            raise self.damaged(dataset, "manifest.json is not UTF-8 text") from None
        except RecursionError:  # [[[[… nested deeper than the decoder's stack allows
            raise self.damaged(dataset, "manifest.json is nested too deeply") from None
        except ValueError as exc:
            raise self.damaged(dataset, f"manifest.json is not valid JSON: {exc}") from None
        except OSError as exc:
            raise self.damaged(dataset, f"cannot read manifest.json: {exc.strerror or exc}") from None
        if not isinstance(data, dict):
            raise self.damaged(dataset, f"manifest.json holds a JSON {type(data).__name__}, not an object")
        for key, kind in MANIFEST_TYPES.items():
            value = data.get(key)
            if key in data and (not isinstance(value, kind) or (kind is int and (isinstance(value, bool) or value < 0))):
                raise self.damaged(dataset, f"manifest.json gives {key} as {_json_kind(value)}")
        for name, entry in data.get("files", {}).items():
            if not isinstance(entry, dict) or any(
                    k in entry and (not isinstance(entry[k], int) or isinstance(entry[k], bool) or entry[k] < 0)
                    for k in ("rows", "bytes")) or not isinstance(entry.get("sha256", ""), str):
                raise self.damaged(dataset, f"manifest.json's entry for {name} is not rows, bytes and sha256")
        return data

    def merged_sources(self) -> dict:
        """The versions (``ga-<stamp>``) of the UNDL and Voeten data held now: the merged history's
        manifest names those it was built from (``built_from``)."""
        return {d: self.version(d).name for d in ("ga", "voeten") if self.has(d)}

    def merged_is_current(self) -> bool:
        """Whether the merged history was built from the UNDL and Voeten versions held now (False
        when there is none, or its manifest cannot be read)."""
        try:
            manifest = self.manifest("merged")
        except StoreError:
            return False
        return bool(manifest) and manifest.get("built_from") == self.merged_sources()

    def rollcalls(self, dataset: str = "ga", columns=None, filters=None):
        return self._read(dataset, "rollcalls", columns, filters)

    def votes(self, dataset: str = "ga", columns=None, filters=None):
        return self._read(dataset, "votes", columns, filters)

    def _read(self, dataset, table, columns, filters):
        """Read a table; ``filters`` is a list of (column, "=" | "in", value) joined by AND.

        Uses ParquetFile with row-group pruning on min/max statistics rather than pyarrow.dataset,
        which imports pandas (≈0.3 s, a third of a typical command's run time) whether needed or not.
        DuckDB does not serve this path as well: reading the same rows into Arrow it was no faster
        (slower for hundreds of roll calls: docs/benchmarks.md), and hands back plain strings for
        the dictionary columns.
        """
        import pyarrow.parquet as pq

        folder = self.version(dataset)
        path = folder / f"{table}.parquet"
        try:
            pf = pq.ParquetFile(path, read_dictionary=[c for c in ("ms_code", "vote") if table == "votes"])
            need = None if columns is None else list(dict.fromkeys(
                list(columns) + [c for c, _, _ in filters or ()]))
            groups = _row_groups(pf, filters or [])
            data = pf.read_row_groups(groups, columns=need) if groups is not None else pf.read(columns=need)
        except FileNotFoundError:
            raise self._vanished(dataset, folder, f"{table}.parquet is missing") from None
        except (OSError, ValueError) as exc:
            raise self.damaged(dataset, f"cannot read {table}.parquet: {exc}") from exc
        if filters:
            data = data.filter(_mask(data, filters))
        return data.select(list(columns)) if columns is not None else data

    def _vanished(self, dataset: str, folder: Path, what: str) -> StoreError:
        """A file of the version this Store resolved is gone: replaced and pruned meanwhile, or damage."""
        try:
            now = self._resolve(dataset)
        except (NoData, StoreError):
            now = folder
        if now != folder:
            return StoreError(f"the {dataset} data in {self.root} was replaced while this command read it; "
                              "run the command again (a Store kept across fetches: call its refresh())")
        return self.damaged(dataset, what)

    def check(self, dataset: str, *, full: bool = False) -> list[str]:
        """What is wrong with ``dataset``'s current version ([] when nothing is).

        Always: the pointer, the manifest, and each Parquet file's footer, rows, size and sha256
        against the manifest (a few milliseconds; a file whose size and sha256 are the ones written
        needs no Parquet reader, so a plain ``info`` stays light). ``full``: also a complete read."""
        try:
            folder = self.version(dataset)
            manifest = self.manifest(dataset)
        except StoreOSError:
            raise  # not damage: the data dir itself is wrong
        except StoreError as exc:
            return [_what(exc)]
        problems = []
        recorded = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
        counts = {"rollcalls.parquet": manifest.get("records"), "votes.parquet": manifest.get("votes")}
        for name in FILES:
            path = folder / name
            want = recorded.get(name) if isinstance(recorded.get(name), dict) else {}
            try:
                size = path.stat().st_size
                if not full and "sha256" in want and size == want.get("bytes") and digest(path) == want["sha256"]:
                    continue  # byte for byte the file that was written
                import pyarrow.parquet as pq

                rows = pq.ParquetFile(path).metadata.num_rows
                if full:
                    pq.read_table(path)
            except FileNotFoundError:
                problems.append(f"{name} is missing")
                continue
            except (OSError, ValueError) as exc:
                problems.append(f"{name} cannot be read: {exc}")
                continue
            expect_rows = want.get("rows", counts[name])
            if expect_rows is not None and rows != expect_rows:
                problems.append(f"{name} has {rows:,} rows, the manifest says {expect_rows:,}")
            if "bytes" in want and size != want["bytes"]:
                problems.append(f"{name} has {size:,} bytes, the manifest says {want['bytes']:,}")
            if "sha256" in want and digest(path) != want["sha256"]:
                problems.append(f"{name}'s sha256 differs from the manifest's")
        if full and not recorded:
            problems.append("the manifest records no checksums (written by an older unvote); "
                            "fetch again to record them")
        return problems

    # ---- writing -------------------------------------------------------------------------
    def write(self, dataset: str, rollcalls, votes, provenance: dict) -> Path:
        """Write a complete new version of ``dataset`` and make it current atomically.

        Its manifest is ``provenance`` (where the data came from: source, terms, file, sha256 …)
        with what the store knows itself: ``describe``'s counts, date range and unvote version,
        each file's rows, bytes, sha256 and columns, and when it was written (``fetched_at`` defaults to now).

        Any failure (a full disk, Ctrl-C, a failed pointer swap) leaves the previous version
        current and nothing of the new one behind; OS errors become one-line StoreErrors."""
        import pyarrow.parquet as pq

        _check_columns(rollcalls, ROLLCALL_COLUMNS, "rollcalls")
        _check_columns(votes, VOTE_COLUMNS, "votes")
        versions = self.root / VERSIONS
        stamp = datetime.now(UTC).strftime(STAMP)
        tmp = versions / f".{dataset}-{stamp}.tmp"
        final = versions / f"{dataset}-{stamp}"
        current = False
        try:
            try:
                versions.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise self._os_error(exc, "create the store") from exc
            try:
                tmp.mkdir()
                files = {}
                for name, table, extra in (("rollcalls.parquet", rollcalls, {}),
                                           ("votes.parquet", votes, {"row_group_size": 64 * 1024})):
                    # No Arrow schema in the file: its dictionary columns (ms_code …) read as plain text in
                    # every tool, so Polars joins them with countries.code (Parquet still dictionary-encodes).
                    pq.write_table(table, tmp / name, compression="zstd", store_schema=False, **extra)
                    # the columns too, as a reader of the file sees them, so it plans its SQL without
                    # asking the file (Reader.schema)
                    files[name] = {"rows": table.num_rows, "bytes": (tmp / name).stat().st_size,
                                   "sha256": digest(tmp / name),
                                   "columns": {f.name: str(getattr(f.type, "value_type", f.type))
                                               for f in table.schema}}
                    if name == "rollcalls.parquet":
                        testpoint.pause("written")  # half written: rollcalls only
                now = datetime.now(UTC).isoformat(timespec="seconds")
                manifest = {"dataset": dataset, "fetched_at": now, **provenance, **describe(rollcalls, votes),
                            "files": files, "written_at": now}
                (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), "utf-8")
                _fsync_dir(tmp)
                os.rename(tmp, final)
                testpoint.pause("before-swap")
                current = self._point(dataset, final)
            except OSError as exc:
                raise self._os_error(exc, f"write the new {dataset} data") from exc
        except BaseException:
            if not (current or self._names(dataset, final)):
                shutil.rmtree(tmp, ignore_errors=True)
                shutil.rmtree(final, ignore_errors=True)
            raise
        self._pinned[dataset] = final
        testpoint.pause("swapped")
        self._prune(dataset, keep=final)
        return final

    def _names(self, dataset: str, folder: Path) -> bool:
        """Whether ``dataset``'s pointer names ``folder`` (read afresh)."""
        try:
            return read_small(self.pointer(dataset), POINTER_MAX_BYTES).decode("utf-8").strip() \
                == f"{VERSIONS}/{folder.name}"
        except (OSError, UnicodeDecodeError):
            return False

    def _point(self, dataset: str, folder: Path) -> bool:
        """Make ``folder`` the current version: write the pointer beside it, then ``os.replace``."""
        pointer = self.pointer(dataset)
        tmp = self.root / f".{dataset}.current.{os.getpid()}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(f"{VERSIONS}/{folder.name}\n")
                fh.flush()
                os.fsync(fh.fileno())
            interrupts.checkpoint()  # a Ctrl-C that something swallowed on the way: do not swap now
            with interrupts.deferred():  # the swap and its record happen together, or not at all
                _replace(tmp, pointer)  # the atomic step
                _stored.append(dataset)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _fsync_dir(self.root, files=False)
        return True

    def _os_error(self, exc: OSError, doing: str) -> StoreError:
        """One line for an OS error met while writing the store."""
        code = exc.errno
        if isinstance(exc, StoreError):
            return exc
        if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return StoreOSError(f"no space left on the disk holding {self.root} (while trying to {doing}); "
                                "the store is unchanged: free some space and run the fetch again")
        if self.root.exists() and not self.root.is_dir() or code == errno.ENOTDIR:
            return self._not_a_folder()
        if code in (errno.EACCES, errno.EPERM, errno.EROFS):
            return StoreOSError(f"cannot write the store in {self.root} ({exc.strerror}); make it writable "
                                "or set UNVOTE_DATA_DIR to a folder you can write")
        return StoreOSError(f"cannot {doing} in {self.root}: {exc.strerror or exc}")

    def _prune(self, dataset: str, keep: Path) -> None:
        """Remove leftovers of killed writes, and versions replaced more than KEEP_SUPERSEDED
        seconds ago (a command that resolved one just before the swap may still be reading it)."""
        versions = self.root / VERSIONS
        pattern = re.compile(rf"(\.?){re.escape(dataset)}-(\d{{8}}T\d{{12}})(\.tmp)?")
        found = []
        for entry in versions.iterdir():
            m = pattern.fullmatch(entry.name)
            if m is None or entry == keep:
                continue
            if m.group(1) or m.group(3):
                shutil.rmtree(entry, ignore_errors=True)  # a write killed before its swap
            else:
                found.append((m.group(2), entry))
        now = datetime.now(UTC)
        later = sorted([*(s for s, _ in found), keep.name.rsplit("-", 1)[1]])
        for stamp, entry in found:
            successor = next(s for s in later if s > stamp) if stamp < later[-1] else None
            replaced = datetime.strptime(successor, STAMP).replace(tzinfo=UTC) if successor else now
            if (now - replaced).total_seconds() >= KEEP_SUPERSEDED:
                shutil.rmtree(entry, ignore_errors=True)

    @contextlib.contextmanager
    def lock(self, wait: float = 0.0):
        """Hold the store's write lock; a second writer waits ``wait`` seconds, then refuses.
        Taking it forgets the resolved versions: a writer works from what is current."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = open(self.root / ".lock", "a+")  # noqa: SIM115  (closed below)
        except OSError as exc:
            raise self._os_error(exc, "create the store") from exc
        with fh:
            deadline = time.monotonic() + wait
            while True:
                try:
                    _lock_file(fh)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    testpoint.pause("lock-busy")
                    if time.monotonic() >= deadline:
                        raise StoreError(f"another unvote fetch is writing {self.root}; "
                                         "wait for it to finish and try again") from None
                    time.sleep(0.2)
            self.refresh()
            try:
                yield
            finally:
                _unlock_file(fh)


def describe(rollcalls, votes) -> dict:
    """What a manifest says of the tables themselves: rows of each, the roll calls' date range, the
    unvote that wrote them."""
    import pyarrow.compute as pc

    dates = rollcalls["date"]
    return {"records": rollcalls.num_rows, "votes": votes.num_rows,
            "date_min": str(pc.min(dates).as_py()), "date_max": str(pc.max(dates).as_py()),
            "unvote_version": __version__}


def summary(manifest: dict | None, fields: tuple[str, ...] | None = None) -> dict:
    """The fields of ``manifest`` that say where a dataset came from and what it holds (``SUMMARY``),
    or the ``fields`` asked for; None for each one it lacks."""
    return {k: (manifest or {}).get(k) for k in (fields or SUMMARY)}


def _replace(src: Path, dst: Path) -> None:
    """``os.replace``; on Windows a reader holding ``dst`` open for a moment makes it fail: retry briefly."""
    for attempt in range(20):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if os.name != "nt" or attempt == 19:
                raise
            time.sleep(0.05)


def _lock_file(fh) -> None:
    """Take an exclusive lock without waiting (OSError EAGAIN/EACCES when another holds it)."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(fh) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        return
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


def _what(exc: StoreError) -> str:
    """The "(…)" part of a damage message, or the whole message."""
    m = re.search(r"is damaged \((.*)\); repair it with", str(exc))
    return m.group(1) if m else str(exc)


class NotRegular(OSError):
    """A store file that is not a regular file (a FIFO, a device, a folder), or is too large."""


def read_small(path: Path, cap: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``cap`` of them, never blocking.

    Checked with stat before opening (a FIFO or device is never opened), opened non-blocking
    and checked again on the open file (it may have been swapped meanwhile), then read up to
    ``cap + 1`` bytes: ``/dev/zero`` or a huge file cannot be read into memory. NotRegular
    (an OSError) says what the file is instead."""
    import stat as st

    def check(mode: int, size: int) -> None:
        if st.S_ISDIR(mode):
            raise NotRegular("a folder, not a file")
        if not st.S_ISREG(mode):
            kind = "a FIFO" if st.S_ISFIFO(mode) else "a device" if st.S_ISCHR(mode) or st.S_ISBLK(mode) \
                else "a socket" if st.S_ISSOCK(mode) else "not a regular file"
            raise NotRegular(f"{kind}, not a regular file")
        if size > cap:
            raise NotRegular(f"{size:,} bytes, more than such a file ever holds ({cap:,})")

    info = os.stat(path)
    check(info.st_mode, info.st_size)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        check(info.st_mode, info.st_size)
        chunks, size = [], 0
        while size <= cap:
            chunk = os.read(fd, cap + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > cap:  # it grew after the stat
        raise NotRegular(f"more than {cap:,} bytes, more than such a file ever holds")
    return b"".join(chunks)


def _json_kind(value) -> str:
    kind = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "an object", type(None): "null"}.get(type(value), type(value).__name__)
    return f"{kind} ({json.dumps(value)[:40]})" if isinstance(value, (str, int, float)) else kind


def _fsync_dir(path: Path, files: bool = True) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            for child in path.iterdir() if files and path.is_dir() else ():
                if child.is_file():
                    with open(child, "rb") as fh:
                        os.fsync(fh.fileno())
            os.fsync(fd)
        finally:
            os.close(fd)
