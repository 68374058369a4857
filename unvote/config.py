"""Settings from the environment, read when asked (never at import)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "unvote"
URL = "https://github.com/unvote/unvote"


def data_dir() -> Path:
    """Where the Parquet store lives: ``UNVOTE_DATA_DIR``, else the platform's user data dir."""
    env = os.environ.get("UNVOTE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def debug() -> bool:
    """``UNVOTE_DEBUG=1`` shows full tracebacks (as does ``--debug``)."""
    return os.environ.get("UNVOTE_DEBUG", "") not in ("", "0", "false", "no")
