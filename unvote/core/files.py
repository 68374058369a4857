"""A file's digest: the one way unvote hashes a file (the store's manifests, downloads, ``--file``)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def digest(path: Path | str, algorithm: str = "sha256") -> str:
    """The hex digest of the file at ``path`` (``sha256`` unless told; Dataverse lists ``md5``)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, algorithm).hexdigest()
