"""Fetch a source into the store: download (or take ``--file``), read, write atomically.

The one place that joins sources and store; nothing here prints (progress goes to the
``progress`` object the caller passes, e.g. a rich Progress on stderr).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core import config, testpoint
from ..core.errors import DataFormatError, FetchError, NoData, Refused, StoreError, UsageError
from ..core.files import digest
from ..core.hints import PLACEHOLDER, fetch_command
from ..model.dates import parse_when
from ..sources import http as httpmod
from ..sources import limits, undl_csv, undl_records, voeten
from ..store import Store
from . import history, merge, reference
from .merge import concat
from .topics import assign as assign_topics

BODY_NAMES = {"ga": "General Assembly", "sc": "Security Council"}
MAX_DROP = 0.05  # a bulk file that lacks more than this share of the roll calls held is refused without --force

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
    changed: bool = True  # False: the store was already current and nothing was written
    notes: list[str] = field(default_factory=list)  # what happened, one line each, for the CLI


def body_of(columns, symbols) -> str | None:
    """Which body's votes a bulk file holds: "sc", "ga", or None when it cannot tell.

    ``columns``: the file's column names (only the SC file has ``permanent_member``);
    ``symbols``: its resolution symbols (``S/RES/…`` vs ``A/RES/…``; the majority decides)."""
    if "permanent_member" in columns:
        return "sc"
    sc = ga = 0
    for symbol in symbols:
        text = str(symbol or "").strip().upper()
        sc += text.startswith("S/RES/")
        ga += text.startswith("A/RES/")
    return "sc" if sc > ga else "ga" if ga > sc else None


def drops_too_much(held: int, dropped: int, limit: float = MAX_DROP) -> bool:
    """Whether replacing ``held`` roll calls by a file that lacks ``dropped`` of them loses more
    than ``limit`` of the dataset (``fetch --force`` overrides)."""
    return held > 0 and dropped / held > limit


def base_url() -> str:
    """The UN Digital Library's address; ``UNVOTE_UNDL_URL`` points fetches elsewhere (tests, mirrors)."""
    return os.environ.get("UNVOTE_UNDL_URL", undl_csv.BASE_URL).rstrip("/")


def fetch(body: str = "ga", *, file: str | Path | None = None, url: str | None = None,
          store: Store | None = None, progress=None, update: bool | None = None,
          since: str | None = None, notify=None, delay: float | None = None,
          force: bool = False) -> FetchResult:
    """Bring the UNDL voting data of ``body`` ("ga" or "sc") into the store.

    ``file``: a local copy (``.csv`` or ``.csv.gz``); ``url``: a direct download address;
    neither: discover the current bulk file from the UN Digital Library record. The bulk file is
    fetched conditionally (ETag / Last-Modified, else its sha256): an unchanged file is not read again.

    ``update``: None (default) — the bulk file, then, when the store already held data, the
    voting records newer than the newest vote (a failure there is a warning); True — only those
    records (``unvote fetch --update``); False — the bulk file only. ``since`` (YYYY-MM-DD)
    widens the records' window. ``notify(message)`` hears about retries; ``delay`` overrides the
    polite pause between requests. A file of the other body is refused, and so is one that lacks
    more than 5 % of the roll calls held, unless ``force``. Whatever state the old store is in,
    a bulk fetch rebuilds the dataset from the file (saying what it could not carry over).

    Settings (``UNVOTE_LOCK_WAIT``, the HTTP ones) are checked before anything is done.
    """
    if body not in undl_csv.RECORDS:
        raise UsageError(f"unknown body {body!r}; use ga or sc")
    if url is not None and not url.strip():
        raise UsageError("--url is empty; give the file's address, or leave --url out to find the current file")
    wait = lock_wait()
    store = store or Store()
    path = check_file(file) if file is not None else None

    # every limit (and, for a download, every HTTP setting) is checked before any work or request
    limits.check_env() if path is not None else httpmod.check_env()
    policy = httpmod.Policy.from_env(delay=delay) if path is None else None
    with store.lock(wait=wait):
        testpoint.pause("locked")
        result = _fetch(store, body, path=path, policy=policy, url=url, progress=progress, update=update,
                        since=since, notify=notify, force=force)
        if body == "ga" and result.changed:  # the merged history follows its sources (a read never rebuilds)
            result.notes.extend(history.refresh(store))
        reference.write(store.root)  # countries and groups beside the data, for direct readers (docs/sql.md)
        return result


def _fetch(store: Store, body: str, *, path, policy, url, progress, update, since, notify, force) -> FetchResult:
    """``fetch`` with the store's lock held: a local file, or the bulk download and the newer records."""
    if path is not None:
        return _ingest(store, body, path, origin={"file": path.name, "path": str(path.resolve())},
                       carry_over=store.has(body), force=force, command=dict(file=path))
    with httpmod.Client(policy, notify=notify) as client:
        had_data = store.has(body)
        if update:
            return _update(store, body, client, since=since, progress=progress, notify=notify)
        result = _bulk(store, body, client, url, progress, force=force)
        if had_data and update is None:
            try:
                more = _update(store, body, client, since=since, progress=progress, notify=notify)
            except (FetchError, StoreError) as exc:
                result.warnings.append(f"could not look for voting records newer than the bulk file "
                                       f"({exc}); run {fetch_command(body)} --update later")
            else:
                result = FetchResult(body, more.path, more.manifest, result.warnings + more.warnings,
                                     result.changed or more.changed, result.notes + more.notes)
        return result


def lock_wait() -> float:
    """Seconds a second writer waits for the store's lock before giving up (``UNVOTE_LOCK_WAIT``)."""
    return config.seconds("UNVOTE_LOCK_WAIT", 60.0)


def check_file(file) -> Path:
    """A ``--file`` argument that names a readable file, or a UsageError saying what it is instead."""
    path = Path(file).expanduser()
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a file; give the voting CSV inside it")
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    if not path.is_file():
        raise UsageError(f"{path} is not a regular file")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return path


def held_state(store: Store, body: str) -> tuple[dict | None, str | None]:
    """The manifest of the data held (None if none or damaged) and what is damaged (None if nothing)."""
    if not store.has(body):
        return None, None
    try:
        manifest = store.manifest(body)
        problems = store.check(body)
    except StoreError as exc:
        return None, str(exc)
    return (manifest, None) if not problems else (None, "; ".join(problems))


def _bulk(store: Store, body: str, client, url: str | None, progress, force: bool = False) -> FetchResult:
    """Download the bulk CSV unless the copy held is current and whole, and ingest it."""
    held, _ = held_state(store, body)  # damaged: no conditional request, the download rebuilds it
    download_url = url or undl_csv.discover(client, body, base_url())
    name = download_url.rsplit("/", 1)[-1]
    validators = (held or {}).get("http") if (held or {}).get("url") == download_url else None
    download = httpmod.download(client, download_url, store.root / ".downloads", expect="csv",
                                progress=progress, validators=validators, command=fetch_command(body, file=PLACEHOLDER))
    try:
        if download.not_modified and held is None:
            raise FetchError(f"{download_url} answered 304 Not Modified to a plain request; try again")
        if download.not_modified or (held and held.get("sha256") == download.sha256):
            how = "HTTP 304 Not Modified" if download.not_modified else "same sha256"
            return FetchResult(body, store.version(body), held, changed=False,
                               notes=[f"{name} is unchanged ({how}); kept the {body.upper()} data "
                                      f"fetched {held.get('fetched_at')}"])
        try:
            return _ingest(store, body, download.path, sha256=download.sha256, carry_over=store.has(body),
                           origin={"url": download_url, "file": name, "http": download.validators},
                           force=force, command=dict(url=download_url))
        except DataFormatError as exc:
            raise DataFormatError(f"{exc} (downloaded from {download_url}; the store was not changed)") from exc
    finally:
        httpmod.discard(download)


def _ingest(store: Store, body: str, path: Path, origin: dict, sha256: str | None = None,
            carry_over: bool = False, force: bool = False, command: dict | None = None) -> FetchResult:
    """Read a bulk file and write it as the new version. With ``carry_over``, records the store
    got from the UNDL records (``fetch --update``) that the file lacks are kept, so a bulk file
    older than those updates loses nothing; a store too damaged to read is rebuilt from the file
    alone (a warning says what could not be carried over)."""
    ingest = undl_csv.read(path)
    import pyarrow.compute as pc

    command = command or {}
    held_body = body_of(ingest.rollcalls.column_names + ingest.votes.column_names,
                        ingest.rollcalls["resolution"].to_pylist())
    if held_body is not None and held_body != body:
        raise FetchError(f"{origin['file']} holds {BODY_NAMES[held_body]} votes, not {BODY_NAMES[body]} ones; "
                         f"the store was not changed. To store it as {held_body.upper()} data, run: "
                         f"{fetch_command(held_body, **command)}")
    carried, lost = 0, []
    if carry_over:
        try:
            ingest.rollcalls, ingest.votes, carried = _carry_over(store, body, ingest.rollcalls, ingest.votes)
            held_ids = store.rollcalls(body, columns=["rollcall_id"])["rollcall_id"]
        except StoreError as exc:
            lost.append(f"the {body.upper()} data held could not be read ({exc}); rebuilt it from "
                        f"{origin['file']} alone, so any roll calls merged by earlier updates that the "
                        f"file lacks are not carried over (run {fetch_command(body)} --update to get them)")
        else:
            dropped = pc.sum(pc.invert(pc.is_in(held_ids, ingest.rollcalls["rollcall_id"]))).as_py() or 0
            if drops_too_much(len(held_ids), dropped) and not force:
                raise FetchError(f"{origin['file']} lacks {dropped:,} of the {len(held_ids):,} roll calls the "
                                 f"{body.upper()} data holds ({dropped / len(held_ids):.0%}); the store was "
                                 f"not changed. If that is what you want, run: "
                                 f"{fetch_command(body, **command, force=True)}")
    ingest.rollcalls = assign_topics(ingest.rollcalls, body)
    manifest = {
        "source": SOURCE_NAMES[body],
        "terms": "Copyright United Nations; non-commercial use with attribution",
        **origin,
        "sha256": sha256 or digest(path),
        "unknown_vote_codes": ingest.unknown_codes,
        "total_mismatches": ingest.total_mismatches,
    }
    if carried:
        manifest["carried_over_updates"] = carried
    written = store.write(body, ingest.rollcalls, ingest.votes, manifest)
    notes = [f"kept {carried} newer roll call(s) from earlier updates that the file lacks"] if carried else []
    return FetchResult(body, written, store.manifest(body), lost + ingest.warnings, notes=notes)


def _carry_over(store: Store, body: str, rollcalls, votes):
    """Append the store's update-sourced records whose ids the new bulk tables lack."""
    import pyarrow as pa
    import pyarrow.compute as pc

    held = store.rollcalls(body)
    if "source" not in held.column_names:
        return rollcalls, votes, 0
    extra = held.filter(pc.and_(pc.not_equal(held["source"], "undl-csv"),
                                pc.invert(pc.is_in(held["rollcall_id"], rollcalls["rollcall_id"]))))
    if extra.num_rows == 0:
        return rollcalls, votes, 0
    ids = pa.array(sorted(extra["rollcall_id"].to_pylist()), pa.int64())
    extra_votes = store.votes(body, filters=[("rollcall_id", "in", ids.to_pylist())])
    return concat(rollcalls, extra), concat(votes, extra_votes), extra.num_rows


def update(body: str = "ga", *, since: str | None = None, store: Store | None = None, progress=None,
           notify=None, delay: float | None = None) -> FetchResult:
    """Merge the UNDL voting records newer than the newest vote in the store (``fetch --update``)."""
    return fetch(body, store=store, progress=progress, update=True, since=since, notify=notify, delay=delay)


def _update(store: Store, body: str, client, *, since: str | None, progress, notify) -> FetchResult:
    """Harvest the records dated from the newest vote held (or ``since``) to today; merge by id."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.compute as pc

    if not store.has(body):
        raise NoData(f"no {body.upper()} data to update yet; run: {fetch_command(body)}")
    # a damaged store stops here (exit 5) naming the repair: the whole file, not an update
    held_rc, held_votes = store.rollcalls(body), store.votes(body)
    held = store.manifest(body) or {}
    newest = pc.max(held_rc["date"]).as_py()

    start = newest if since is None else parse_when(since, end=False)
    until = dt.date.today() + dt.timedelta(days=1)  # a vote in a time zone ahead of ours
    harvest = undl_records.harvest(client, body, base_url(), start, until, progress=progress, notify=notify)
    ingest = harvest.ingest()
    warnings = harvest.warnings + (ingest.warnings if ingest else [])
    pages = f"{harvest.pages} page" + ("s" if harvest.pages != 1 else "")
    seen = (f"UN Digital Library voting records dated {start} → {dt.date.today()}: "
            f"{len(harvest.records)} found ({harvest.source}, {pages})")
    if ingest is None:
        return FetchResult(body, store.version(body), held, warnings, changed=False,
                           notes=[f"up to date: {seen}"])
    stamps = {r.rid: r.modified for r in harvest.kept}
    new_rc = ingest.rollcalls.append_column(
        "record_modified", pa.array([stamps.get(i) for i in ingest.rollcalls["rollcall_id"].to_pylist()], pa.string()))
    merged = merge.merge(held_rc, held_votes, new_rc, ingest.votes)
    counts = (f"{len(merged.added)} new, {len(merged.replaced)} replaced, {len(merged.unchanged)} unchanged"
              + (f", {len(merged.kept_newer)} held copies newer" if merged.kept_newer else ""))
    if not merged.changed:
        return FetchResult(body, store.version(body), held, warnings, changed=False,
                           notes=[f"up to date: {seen}: {counts}"])
    merged.rollcalls = assign_topics(merged.rollcalls, body)
    entry = {"at": datetime.now(dt.UTC).isoformat(timespec="seconds"), "source": harvest.source,
             "window": [str(start), str(until)], "pages": harvest.pages, "records_seen": len(harvest.records),
             "added": merged.added, "replaced": merged.replaced, "skipped": len(harvest.skipped),
             "unknown_vote_codes": ingest.unknown_codes, "total_mismatches": ingest.total_mismatches}
    manifest = {k: v for k, v in held.items() if k not in ("dataset", "written_at")}
    manifest.update({
        "sources": {row["values"]: row["counts"] for row in pc.value_counts(merged.rollcalls["source"]).to_pylist()},
        "updates": (held.get("updates") or [])[-19:] + [entry],  # the last 20 updates
    })
    written = store.write(body, merged.rollcalls, merged.votes, manifest)
    return FetchResult(body, written, store.manifest(body), warnings,
                       notes=[f"merged {seen}: {counts}"])


def fetch_voeten(*, files=None, url: str | None = None, store: Store | None = None,
                 progress=None) -> FetchResult:
    """Bring Erik Voeten's roll-call data into the store (dataset ``voeten``), then rebuild ``merged``.

    ``files``: local copies (the votes file, optionally with a roll-call descriptions table);
    ``url``: a direct download address; neither: list the Dataverse dataset's files and download
    the votes file (``UNVOTE_DATAVERSE_URL`` points elsewhere, e.g. a test server or mirror).
    """
    if url is not None and not url.strip():
        raise UsageError("--url is empty; give the file's address, or leave --url out to find the current file")
    wait = lock_wait()
    store = store or Store()
    paths = [check_file(f) for f in ([files] if isinstance(files, (str, Path)) else files or [])]

    limits.check_env() if paths else httpmod.check_env()  # before any work or request
    with store.lock(wait=wait):
        if paths:
            ingest = voeten.read(paths)
            sums = {p.name: digest(p) for p in paths}
            origin = {"file": " + ".join(p.name for p in paths), "path": [str(p.resolve()) for p in paths],
                      "sha256": sums[paths[0].name] if len(paths) == 1 else None, "sha256_files": sums}
        else:
            ingest, origin = _download_voeten(store, url, progress)
        ingest.rollcalls = assign_topics(ingest.rollcalls)
        manifest = {"source": voeten.SOURCE_NAME, "terms": voeten.TERMS, **origin, "read": ingest.report}
        written = store.write("voeten", ingest.rollcalls, ingest.votes, manifest)
        notes = history.refresh(store)
        reference.write(store.root)  # countries and groups beside the data, for direct readers (docs/sql.md)
        if not store.has("ga"):
            notes.append(f"no UNDL data yet, so no merged history; run {fetch_command()} to add it")
        return FetchResult("voeten", written, store.manifest("voeten"), ingest.warnings, notes=notes)


def _download_voeten(store: Store, url: str | None, progress):
    """List the Dataverse dataset's files, download the votes file, read it."""
    import re
    import shutil

    base = os.environ.get("UNVOTE_DATAVERSE_URL", voeten.DATAVERSE_URL).rstrip("/")
    dest = store.root / ".downloads" / "voeten"
    client = httpmod.session()
    try:
        entry = None
        if url is None:
            entry = voeten.pick(voeten.list_files(client, base))
            url = voeten.download_url(base, entry)
        download = httpmod.download(client, url, dest, expect="binary", progress=progress,
                                    command=voeten.FILE_COMMAND)
    except Refused as exc:
        why = re.search(r"\(([^()]*)\)", str(exc))
        raise Refused(f"Harvard Dataverse refused an automated download ({why.group(1) if why else exc}); "
                      f"{voeten._manual()}") from exc
    finally:
        client.close()
    name = entry["name"] if entry else url.rsplit("/", 1)[-1].split("?")[0]
    try:
        ingest = voeten.read([download.path], names=[name])
    except DataFormatError as exc:
        raise DataFormatError(f"{exc} (downloaded from {url}; the store was not changed)") from exc
    origin = {"url": url, "file": name, "sha256": download.sha256, "bytes": download.size}
    if entry:
        origin["dataverse"] = {"persistent_id": voeten.PERSISTENT_ID, "file_id": entry["id"],
                               "label": entry["label"], "md5": entry["md5"]}
        if entry["md5"]:
            md5 = digest(download.path, "md5")
            origin["dataverse"]["md5_ok"] = md5 == entry["md5"]
            if md5 != entry["md5"]:
                shutil.rmtree(dest, ignore_errors=True)
                raise FetchError(f"the download of {name} has MD5 {md5}, but Harvard Dataverse lists "
                                 f"{entry['md5']}: a damaged or altered file, refused; the store was not "
                                 "changed (run the fetch again)")
    shutil.rmtree(dest, ignore_errors=True)
    return ingest, origin


def rebuild_merged(store: Store | None = None) -> FetchResult:
    """Rebuild the merged history from the store's UNDL and Voeten data (``fetch --source merged``)."""
    wait = lock_wait()
    store = store or Store()
    with store.lock(wait=wait):
        for needed in ("ga", "voeten"):
            if not store.has(needed):
                raise NoData(f"the merged history needs the {needed} data; run: {fetch_command(needed)}")
        notes = history.refresh(store)
        return FetchResult(history.MERGED, store.version(history.MERGED),
                           store.manifest(history.MERGED), notes=notes)
