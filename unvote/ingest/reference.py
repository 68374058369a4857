"""Write the reference tables into the store, for people who read the Parquet files directly.

``<data dir>/reference/countries.parquet``, ``groups.parquet`` and ``seats.parquet`` (columns in
``unvote/model/reference.py``, documented in docs/sql.md): names, continuity, blocs and who held each
seat next to the votes, so a DuckDB, Polars or pandas user can join ``votes.ms_code`` to a name or a group.

They come from the installed unvote's own tables, not from a source, so they are not versioned
with the datasets: each file is written to a temporary name beside it and swapped in with
``os.replace`` (readers see the old file or the new one, never half of one). ``fetch`` rewrites
them after each dataset it stores.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..model.reference import TABLES

FOLDER = "reference"


def write(root: Path | str) -> list[Path]:
    """Write each reference table (``countries.parquet``, ``groups.parquet``, ``seats.parquet``) under
    ``root/reference``; their paths."""
    import pyarrow.parquet as pq

    folder = Path(root) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TABLES.items():
        final = folder / f"{name}.parquet"
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        try:
            pq.write_table(build().to_arrow(), tmp, compression="zstd")
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        written.append(final)
    return written
