"""Every file unvote writes for a user (``-o FILE``, ``--chart FILE``) is written the same way.

Into a temporary file beside the target, then moved into place with ``os.replace``: a reader never
sees half a file, and a failure leaves the old file as it was. A file replaced keeps its mode (a
private 0600 file stays private); a read-only one is refused. A path inside the store is refused
(``-o`` must never overwrite ``votes.parquet``). A full disk is exit 74, like a full stdout.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..core import config
from ..core.errors import OutputError, UsageError

# errors of the medium, not of the request: the output could not be written (exit 74)
MEDIUM_ERRORS = (errno.ENOSPC, errno.EFBIG, errno.EIO, getattr(errno, "EDQUOT", -1))


def check_target(path: Path, option: str = "-o") -> Path:
    """``path`` as a place unvote may write: not a folder, not inside the store, not read-only."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{option} {path}: it is a folder")
    target, store = path.resolve(), config.data_dir().resolve()
    if target == store or store in target.parents:
        raise UsageError(f"{option} {path}: that is inside the store ({store}); write somewhere else")
    with contextlib.suppress(FileNotFoundError):
        if not path.stat().st_mode & stat.S_IWUSR:
            raise UsageError(f"{option} {path}: the file is read-only; remove it or choose another name")
    return path


def write_atomically(path: Path, write: Callable, option: str = "-o") -> None:
    """Call ``write(binary file)`` on a temporary file beside ``path``, then move it into place."""
    path = check_target(path, option)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)  # a file replaced keeps its mode
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # mkstemp makes the file private; a new one gets the usual mode
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as err:
        raise _failed(path, err, option) from None
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _failed(path, err, option) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _failed(path: Path, err: OSError, option: str):
    message = f"{option} {path}: cannot write the file ({err.strerror or err})"
    return OutputError(message) if err.errno in MEDIUM_ERRORS else UsageError(message)
