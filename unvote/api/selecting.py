"""One ``Selection`` per library call: ``selection=`` as given, or built from the keyword filters.

The keyword filters (``year=2022``, ``topic="hr"``, ``about="Ukraine"``, ``source="voeten"`` …) stay for notebooks; a
``Selection`` (``unvote.Selection.of(...)``, or the one a CLI command built) may be passed instead.
``@selecting`` reads the keywords a function declares, validates them into one ``Selection``
exactly once, and hands it to the function as ``selection``: the function reads only that.
Giving a selection and a keyword that says otherwise is a ``UsageError``.
"""

from __future__ import annotations

import functools
import inspect

from ..core.errors import UsageError
from ..query.selection import Selection

# keyword → the Selection fields it sets
FILTERS = {"year": ("since", "until"), "since": ("since",), "until": ("until",), "session": ("session",),
           "topic": ("topics",), "about": ("about",), "exclude_unanimous": ("exclude_unanimous",),
           "continuity": ("continuity",),
           "source": ("source",), "kind": ("kind",), "body": ("body",)}


def selecting(fn=None, *, own: tuple[str, ...] = ()):
    """Decorate a library function whose keyword filters (any of ``FILTERS``, less ``own``, which the
    function reads itself) make one ``Selection``, passed to it as ``selection``."""
    if fn is None:
        return functools.partial(selecting, own=own)
    signature = inspect.signature(fn)
    names = [n for n in FILTERS if n in signature.parameters and n not in own]
    defaults = {n: signature.parameters[n].default for n in names}

    @functools.wraps(fn)
    def call(*args, **kwargs):
        bound = signature.bind_partial(*args, **kwargs)
        given = {n: bound.arguments.pop(n) for n in names if n in bound.arguments}
        bound.arguments["selection"] = resolve(bound.arguments.get("selection"), defaults, given)
        return fn(*bound.args, **bound.kwargs)

    return call


def resolve(selection: Selection | None, defaults: dict, given: dict) -> Selection:
    """``selection``, or one built from the keywords; a keyword that disagrees with it is a UsageError."""
    if selection is None:
        return Selection.of(**{**defaults, **given})
    if not isinstance(selection, Selection):
        raise UsageError(f"selection must be a unvote.Selection (Selection.of(...)), not {type(selection).__name__}")
    changed = {n: v for n, v in given.items() if v != defaults.get(n)}
    if changed:
        asked = Selection.of(**changed)
        for name, value in changed.items():
            if any(getattr(asked, f) != getattr(selection, f) for f in FILTERS[name]):
                raise UsageError(f"{name}={value!r} disagrees with the selection given "
                                 f"({', '.join(f'{f}={getattr(selection, f)!r}' for f in FILTERS[name])}); "
                                 "give the filter in one place")
    return selection
