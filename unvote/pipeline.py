"""Fetch a source into the store: download (or take ``--file``), read, write atomically.

The one place that joins sources and store; nothing here prints (progress goes to the
``progress`` object the caller passes, e.g. a rich Progress on stderr).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .errors import UsageError
from .sources import undl_csv
from .store import Store

SOURCE_NAMES = {
    "ga": "UN Digital Library, General Assembly Voting Data (record 4060887)",
    "sc": "UN Digital Library, Security Council Voting Data (record 4055387)",
}


@dataclass
class FetchResult:
    dataset: str
    path: Path
    manifest: dict
    warnings: list[str] = field(default_factory=list)


def base_url() -> str:
    """The UN Digital Library's address; ``UNVOTE_UNDL_URL`` points fetches elsewhere (tests, mirrors)."""
    return os.environ.get("UNVOTE_UNDL_URL", undl_csv.BASE_URL).rstrip("/")


def fetch(body: str = "ga", *, file: str | Path | None = None, url: str | None = None,
          store: Store | None = None, progress=None) -> FetchResult:
    """Bring the UNDL bulk CSV of ``body`` ("ga" or "sc") into the store.

    ``file``: a local copy (``.csv`` or ``.csv.gz``); ``url``: a direct download address;
    neither: discover the current file from the UN Digital Library record.
    """
    if body not in undl_csv.RECORDS:
        raise UsageError(f"unknown body {body!r}; use ga or sc")
    store = store or Store()
    with store.lock(wait=60):
        if file is not None:
            path = Path(file).expanduser()
            if not path.is_file():
                raise UsageError(f"no such file: {path}")
            return _ingest(store, body, path, origin={"file": path.name, "path": str(path.resolve())})
        from .sources import http as httpmod

        session = httpmod.session()
        download_url = url or undl_csv.discover(session, body, base_url())
        download = httpmod.download(session, download_url, store.root / ".downloads",
                                    expect="csv", progress=progress)
        try:
            return _ingest(store, body, download.path,
                           origin={"url": download_url, "file": download_url.rsplit("/", 1)[-1]},
                           sha256=download.sha256)
        finally:
            download.path.unlink(missing_ok=True)
            shutil.rmtree(store.root / ".downloads", ignore_errors=True)


def _ingest(store: Store, body: str, path: Path, origin: dict, sha256: str | None = None) -> FetchResult:
    ingest = undl_csv.read(path)
    dates = ingest.rollcalls["date"]
    import pyarrow.compute as pc

    manifest = {
        "source": SOURCE_NAMES[body],
        "terms": "Copyright United Nations; non-commercial use with attribution",
        **origin,
        "sha256": sha256 or _sha256(path),
        "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "records": ingest.rollcalls.num_rows,
        "votes": ingest.votes.num_rows,
        "date_min": str(pc.min(dates).as_py()),
        "date_max": str(pc.max(dates).as_py()),
        "unknown_vote_codes": ingest.unknown_codes,
        "total_mismatches": ingest.total_mismatches,
        "unvote_version": __version__,
    }
    written = store.write(body, ingest.rollcalls, ingest.votes, manifest)
    return FetchResult(body, written, store.manifest(body), ingest.warnings)


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
