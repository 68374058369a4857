"""Ctrl-C and SIGTERM: honoured at once, never lost, never inside a step that must finish.

The command installs ``handle`` for SIGINT and SIGTERM. A signal is always recorded; it raises
``KeyboardInterrupt`` only once the command is ``arm``-ed (a signal that lands while unvote is still
importing is honoured as soon as ``main`` starts: no traceback from inside an import) and outside a
``deferred`` section (the store's pointer swap: the swap either happens or not, and the message
after it says which). Whatever swallows the ``KeyboardInterrupt`` later — a C library, a cleanup —
``received()`` still knows, so the command ends interrupted, never with exit 0 or an internal error.
"""

from __future__ import annotations

import contextlib
import signal
import threading

SIGNALS = ("SIGINT", "SIGTERM")

_received: int | None = None  # the first signal of this command
_armed = False
_deferred = 0
_previous: dict[int, object] = {}


def handle(signum, frame) -> None:
    global _received
    first = _received is None
    if first:
        _received = signum
    if first and _armed and not _deferred:
        raise KeyboardInterrupt


def install() -> bool:
    """Handle SIGINT and SIGTERM (main thread only); True when this call installed them."""
    if threading.current_thread() is not threading.main_thread() or _previous:
        return False
    for name in SIGNALS:
        signum = getattr(signal, name, None)
        if signum is not None:
            _previous[signum] = signal.signal(signum, handle)
    return True


def uninstall() -> None:
    """Put the previous handlers back and forget this command's signal (an in-process caller's next run)."""
    global _received, _armed, _deferred
    for signum, previous in _previous.items():
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signum, previous)
    _previous.clear()
    _received, _armed, _deferred = None, False, 0


def arm() -> None:
    """From here on a signal raises ``KeyboardInterrupt``; one that came before is raised now."""
    global _armed
    _armed = True
    checkpoint()


def received() -> int | None:
    """The signal this command received (``signal.SIGINT``, ``signal.SIGTERM``), if any."""
    return _received


def checkpoint() -> None:
    """Raise ``KeyboardInterrupt`` if a signal came (and was perhaps swallowed since): before a step
    that must not begin once the user asked to stop."""
    if _received is not None and _armed:
        raise KeyboardInterrupt


@contextlib.contextmanager
def deferred():
    """A step that must finish once begun: a signal inside waits for its end, then interrupts."""
    global _deferred
    _deferred += 1
    try:
        yield
    finally:
        _deferred -= 1
    if not _deferred:
        checkpoint()
