"""Recurring resolutions: how a series is recognised, and who changed their vote along it (pure Python).

A *series* is the roll calls on one recurring resolution across sessions. Two roll calls belong to
one series when

* their titles are the same once normalised (``title_key``: lower case, accents and the UNDL
  catalogue's ``: resolution / adopted by the General Assembly`` tail removed, spaces ignored), or
* they share the agenda title (UNDL's ``agenda_title``) and it is the only roll call under that agenda
  title in its session — so a retitled text (``Unites States`` for ``United States`` in 2004) stays in
  the series while an agenda item that carries several resolutions a session (disarmament, human
  rights situations) is not merged into one.

What breaks a series: a text retitled in a session where its agenda item also carries another
recorded vote, or a new agenda item and a new title in the same year; a session with no recorded
vote (the Cuba embargo text had none in 2020) simply has no row.
"""

from __future__ import annotations

import re
import unicodedata

_TAIL = re.compile(r"\s*:\s*(?:draft\s+)?resolutions?\s*/.*$", re.I)


def fold(text: str | None) -> str:
    """Lower case without accents, spaces collapsed (as DuckDB's strip_accents(lower(…)) sees it)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def title_key(title: str | None) -> str:
    """A title as a series key: drop the catalogue's ``: resolution / adopted by …`` tail, ``fold`` it,
    and leave out the spaces."""
    return fold(_TAIL.sub("", title or "")).replace(" ", "")


def agenda_key(agenda: str | None) -> str:
    """An agenda title as a series key: ``fold`` it and leave out the spaces."""
    return fold(agenda).replace(" ", "")


def members(calls: list[dict], seed: int) -> list[int]:
    """Positions in ``calls`` (dicts with session, title, agenda_title) of the series of ``calls[seed]``."""
    want_title = title_key(calls[seed].get("title"))
    want_agenda = agenda_key(calls[seed].get("agenda_title"))
    per_session: dict[tuple, int] = {}
    for c in calls:
        agenda = agenda_key(c.get("agenda_title"))
        if agenda:
            per_session[(c.get("session"), agenda)] = per_session.get((c.get("session"), agenda), 0) + 1
    picked = []
    for i, c in enumerate(calls):
        agenda = agenda_key(c.get("agenda_title"))
        if (want_title and title_key(c.get("title")) == want_title) or \
                (want_agenda and agenda == want_agenda and per_session[(c.get("session"), agenda)] == 1):
            picked.append(i)
    return picked


def changes(calls: list[dict], votes: list[tuple], merge: dict[str, str] | None = None) -> list[dict]:
    """Who voted differently from their previous vote in the series.

    ``calls``: the series' roll calls oldest first (rollcall_id, resolution, date); ``votes``:
    (rollcall_id, country code, vote letter) for them; ``merge``: {old code: successor} (continuity).
    A country's previous vote is its vote on the latest earlier roll call it was listed in (X, not
    voting, is a vote here). Rows: rollcall_id, resolution, date, country, previous,
    previous_resolution, vote — in roll-call order, then by country.
    """
    merge = merge or {}
    by_call: dict[int, dict[str, str]] = {}
    for rid, code, vote in votes:
        code = merge.get(code, code)
        by_call.setdefault(rid, {})[code] = vote
    last: dict[str, tuple[str, str]] = {}
    out = []
    for c in calls:
        for code, vote in sorted(by_call.get(c["rollcall_id"], {}).items()):
            if code in last and last[code][0] != vote:
                out.append({"rollcall_id": c["rollcall_id"], "resolution": c["resolution"], "date": c["date"],
                            "country": code, "previous": last[code][0], "previous_resolution": last[code][1],
                            "vote": vote})
            last[code] = (vote, c["resolution"])
    return out
