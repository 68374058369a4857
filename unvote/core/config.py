"""Settings from the environment, read when asked (never at import)."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UsageError

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


def number(name: str, default: float, *, minimum: float = 0.0, maximum: float | None = None,
           integer: bool = False, what: str = "a number") -> float:
    """A numeric setting from the environment, checked: a finite number in [minimum, maximum].

    A bad value is a UsageError (exit 2) naming the variable, raised before any work is done."""
    import math

    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value < minimum or (maximum is not None and value > maximum):
        bounds = f"from {minimum:g}" + (f" to {maximum:g}" if maximum is not None else "")
        raise UsageError(f"{name}={raw!r} is not valid: use {what} {bounds}") from None
    return value


def seconds(name: str, default: float) -> float:
    """A duration setting in seconds (``UNVOTE_LOCK_WAIT``): finite, not negative."""
    return number(name, default, what="a number of seconds")
