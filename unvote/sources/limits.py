"""Caps on what a file or a server can make unvote read, hold or wait for.

Every limit has a default with ample headroom over the real releases and an environment
override (docs/limits.md lists them with the reasons for each default). Values are read when
asked, never at import, and a bad value is a one-line ``UsageError`` naming the variable.
"""

from __future__ import annotations

import math
import os

from ..core.errors import UsageError

MiB = 1 << 20
GiB = 1 << 30

# name: (environment variable, default, what it takes)
DEFAULTS = {
    # the GA bulk CSV is 343 MB uncompressed (2025); 1 GiB is three times that
    "csv_bytes": ("UNVOTE_MAX_CSV_BYTES", 1 * GiB),
    # the GA file compresses 33:1, the SC file 29:1; a gzip expanding more than 100:1 is not a voting CSV
    "ratio": ("UNVOTE_MAX_RATIO", 100.0),
    # the longest line of either bulk CSV is 1,199 bytes; 1 MiB is ~900 times that
    "field_bytes": ("UNVOTE_MAX_FIELD_BYTES", 1 * MiB),
    # the GA download is 10.4 MB (gzip); 1 GiB allows for an uncompressed or far larger release
    "download_bytes": ("UNVOTE_MAX_DOWNLOAD_BYTES", 1 * GiB),
    # a whole download: 10.4 MB at a slow 100 kB/s takes under 2 minutes; 30 minutes is plenty
    "http_deadline": ("UNVOTE_HTTP_DEADLINE", 1800.0),
    # the largest page read is an HTML search page: 1.4 MB for 50 hits; a MARCXML page of 100 records ~4 MB
    "page_bytes": ("UNVOTE_MAX_PAGE_BYTES", 32 * MiB),
    # fetch --update: a real update adds at most a few hundred records (the whole GA history is 5,538)
    "update_records": ("UNVOTE_UPDATE_MAX_RECORDS", 10_000),
    # ... held compactly while paging (estimated): a few hundred records ~4 MB; a record of 193 states ~14 kB
    "update_bytes": ("UNVOTE_UPDATE_MAX_BYTES", 64 * MiB),
    # ... and its run time, every page and record page included: a real update takes seconds (MARCXML)
    # or a few minutes (HTML record pages at the polite 1 s pause)
    "update_seconds": ("UNVOTE_UPDATE_DEADLINE", 3600.0),
    # unvote sql runs untrusted text: DuckDB's own memory limit (the whole GA votes table is ~30 MB in it)
    "sql_memory_bytes": ("UNVOTE_SQL_MEMORY_BYTES", 1 * GiB),
    # ... the result held in Python (estimated): SELECT * FROM votes, 900,000 rows, is ~120 MB
    "sql_result_bytes": ("UNVOTE_SQL_MAX_RESULT_BYTES", 512 * MiB),
    # ... and its run time: the heaviest real query (a self-join of the GA votes) takes a few seconds
    "sql_seconds": ("UNVOTE_SQL_TIMEOUT", 60.0),
}

# Below this many decompressed bytes the ratio is not judged: a tiny gzip of a few rows can
# legitimately expand far beyond 100:1 (its header alone dominates).
RATIO_FLOOR = 16 * MiB


def _number(key: str, *, integer: bool) -> float | int:
    var, default = DEFAULTS[key]
    raw = os.environ.get(var, "").strip()
    if not raw:
        return default
    what = "a whole number of bytes greater than 0" if integer else "a number greater than 0"
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise UsageError(f"{var}={raw!r} is not valid: it takes {what} (default {default})") from None
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"{var}={raw!r} is not valid: it takes {what} (default {default})")
    return value


def max_csv_bytes() -> int:
    """Most bytes a voting CSV may have once decompressed (``UNVOTE_MAX_CSV_BYTES``)."""
    return _number("csv_bytes", integer=True)


def max_ratio() -> float:
    """Largest gzip expansion accepted, decompressed ÷ compressed bytes (``UNVOTE_MAX_RATIO``)."""
    return _number("ratio", integer=False)


def max_field_bytes() -> int:
    """Longest line or field of a CSV, in bytes (``UNVOTE_MAX_FIELD_BYTES``)."""
    return _number("field_bytes", integer=True)


def max_download_bytes() -> int:
    """Largest download accepted, announced or streamed (``UNVOTE_MAX_DOWNLOAD_BYTES``)."""
    return _number("download_bytes", integer=True)


def http_deadline() -> float:
    """Seconds one download (all its retries included) may take (``UNVOTE_HTTP_DEADLINE``)."""
    return _number("http_deadline", integer=False)


def max_page_bytes() -> int:
    """Largest page (search results, record page, file listing) read into memory (``UNVOTE_MAX_PAGE_BYTES``)."""
    return _number("page_bytes", integer=True)


def update_max_records() -> int:
    """Most voting records one ``fetch --update`` may take in (``UNVOTE_UPDATE_MAX_RECORDS``)."""
    return _number("update_records", integer=True)


def update_max_bytes() -> int:
    """Most bytes (estimated) the records of one ``fetch --update`` may hold (``UNVOTE_UPDATE_MAX_BYTES``)."""
    return _number("update_bytes", integer=True)


def update_deadline() -> float:
    """Seconds one ``fetch --update`` may take in all (``UNVOTE_UPDATE_DEADLINE``)."""
    return _number("update_seconds", integer=False)


def sql_memory_bytes() -> int:
    """DuckDB's memory limit for ``unvote sql`` (``UNVOTE_SQL_MEMORY_BYTES``)."""
    return _number("sql_memory_bytes", integer=True)


def sql_result_bytes() -> int:
    """Most bytes (estimated) a ``unvote sql`` result may hold in Python (``UNVOTE_SQL_MAX_RESULT_BYTES``)."""
    return _number("sql_result_bytes", integer=True)


def sql_seconds() -> float:
    """Seconds a ``unvote sql`` query may run before it is interrupted (``UNVOTE_SQL_TIMEOUT``)."""
    return _number("sql_seconds", integer=False)


def check_env() -> None:
    """Validate every limit's environment value now (raises UsageError on the first bad one)."""
    for key in DEFAULTS:
        _number(key, integer=isinstance(DEFAULTS[key][1], int))
