"""``unvote report statedept --year Y``: the tables of the State Department's *Voting Practices in the
United Nations*, from the roll calls of calendar year Y (registers on ``report_app``)."""

from __future__ import annotations

from .report import report_app  # noqa: F401  (the command registers on it)
