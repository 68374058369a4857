"""Named points where a test can stop a fetch, to send it a signal or race it at a known moment.

``UNVOTE_TEST_PAUSE=<stage>:<ready file>`` makes the process stop the first time it reaches
``<stage>``: it writes ``<ready file>`` (its pid) and waits until ``<ready file>.go`` exists, at most
``WAIT`` seconds (so a broken test cannot hang CI), then goes on. The test waits for the ready file,
then kills, interrupts or races the paused process: no sleep and no guessed delay.

Stages (docs/store.md, "Test points"): ``read`` (a bulk CSV: after its first block),
``locked`` (a fetch holds the store's lock), ``lock-busy`` (a fetch found the lock taken and
waits), ``written`` (a new version's files are half written: rollcalls only), ``before-swap``
(the new version is complete in its folder, not yet current), ``swapped`` (the new version is
current; the replaced ones are not yet pruned).

Off (the variable unset) it costs one environment lookup.
"""

from __future__ import annotations

import os

WAIT = 300.0  # seconds a paused process waits for its go file before going on regardless
_done: set[str] = set()  # stages already paused at in this process (each pauses once)


def pause(stage: str) -> None:
    """Stop here if ``UNVOTE_TEST_PAUSE`` names ``stage`` (see the module's docstring)."""
    spec = os.environ.get("UNVOTE_TEST_PAUSE")
    if not spec:
        return
    name, _, ready = spec.partition(":")
    if name != stage or not ready or stage in _done:
        return
    _done.add(stage)
    import time
    from pathlib import Path

    go = Path(ready + ".go")
    tmp = Path(f"{ready}.{os.getpid()}.tmp")
    tmp.write_text(str(os.getpid()), "utf-8")
    os.replace(tmp, ready)  # the ready file appears whole
    deadline = time.monotonic() + WAIT
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)  # a signal sent now lands here, at the named point
