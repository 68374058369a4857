"""From the number to the story: ``search`` roll calls by words, a country's ``voting_record``, and a
recurring resolution's ``series`` (its roll calls, who changed their vote, every country's vote).

All of it is SQL over the store (DuckDB) answered as ``Rows``: no numpy, pandas or pyarrow unless a
group's position is needed (its members' plurality, ``agreement.group_letters``).
"""

from __future__ import annotations

import datetime as dt

from ..analysis.tally import with_outcome, with_plurality
from ..core.errors import NoData, UsageError
from ..core.results import Rows
from ..model import countries
from ..model.letters import COUNTS
from ..model.sides import side
from ..model.text import terms
from ..query.selection import TEXT_COLUMNS, Query, Selection
from .agreement import group_letters
from .records import _find
from .selecting import selecting

# analysis/, model.symbols and model.reference are imported inside the functions that use them
# (lazy): api/__init__ loads every api module for every command, so a quick one (tally, align,
# search) would pay for all the others' (measured: 25-45 ms of start-up).

COUNT_COLUMNS = tuple(f"counted_{name}" for name in COUNTS.values())
VOTE_LETTERS = tuple(COUNTS)  # Y N A X (model.letters)

SEARCH_TYPES = {"resolution": "VARCHAR", "date": "DATE", "session": "VARCHAR", "yes": "BIGINT", "no": "BIGINT",
                "abstain": "BIGINT", "non_voting": "BIGINT", "topics": "VARCHAR", "title": "VARCHAR",
                "rollcall_id": "BIGINT"}
RECORD_TYPES = {"resolution": "VARCHAR", "date": "DATE", "session": "VARCHAR", "country": "VARCHAR",
                "vote": "VARCHAR", "yes": "BIGINT", "no": "BIGINT", "abstain": "BIGINT", "non_voting": "BIGINT",
                "with_plurality": "BOOLEAN", "with_outcome": "BOOLEAN", "topics": "VARCHAR", "title": "VARCHAR", "rollcall_id": "BIGINT"}


# ---- words ------------------------------------------------------------------------------------
def text_condition(query: Query, words, alias: str = "r") -> tuple[str, list]:
    """SQL: the roll call's text (symbol, draft, title, agenda title, subjects …) holds every term
    (``query.selection.text_condition``: the one rule of search and ``--about``)."""
    return query.text_condition(words, alias)


def topics_sql(query: Query, alias: str = "r") -> str:
    """The roll call's topics as text (``me;hr``), or '' where the data has no ``topics`` column yet."""
    return query.topics_sql(alias)


def _calls(query: Query, extra: tuple = ()) -> tuple[str, list]:
    """The selection's roll calls with their counts and search text columns (a SQL subquery)."""
    present = set(query.reader.columns(query.dataset, "rollcalls"))
    cols = ("rollcall_id", "date", "session", "resolution", "title", *COUNT_COLUMNS,
            *(c for c in TEXT_COLUMNS if c in present and c not in ("resolution", "title")),
            *(["topics"] if "topics" in present else []), *extra)
    return query.rollcalls_sql(tuple(dict.fromkeys(cols)))


# ---- search -----------------------------------------------------------------------------------
@selecting
def search(*words: str, year=None, since=None, until=None, session=None, topic=None, body: str = "ga",
           source: str = "undl", kind: str = "resolution", limit: int | None = None,
           selection: Selection | None = None, store=None) -> Rows:
    """Roll calls whose symbol, title, agenda title or subjects contain every word (case- and
    accent-insensitive, each word at the start of a word; a quoted phrase as a phrase), newest first.

    Columns: resolution, date, session, yes, no, abstain, non_voting, topics, title, rollcall_id.
    Nothing found: ``NoData`` naming close titles (rapidfuzz) to try instead.
    """
    query = Query(selection, store=store)
    if limit is not None and limit < 1:
        raise UsageError("--limit must be 1 or more")
    calls, params = _calls(query)
    cond, more = text_condition(query, words)
    sql = (f"SELECT r.resolution, r.date, r.session, r.counted_yes AS yes, r.counted_no AS no, "
           f"r.counted_abstain AS abstain, r.counted_non_voting AS non_voting, {topics_sql(query)} AS topics, "
           f"r.title, r.rollcall_id FROM ({calls}) r WHERE {cond} ORDER BY r.date DESC, r.rollcall_id DESC"
           + (f" LIMIT {int(limit)}" if limit else ""))
    found = query.reader.rows(sql, [*params, *more])
    if not found.rows:
        raise _no_match(query, words)
    return Rows(list(SEARCH_TYPES), list(SEARCH_TYPES.values()), found.rows)


@selecting
def count(*words: str, year=None, since=None, until=None, session=None, topic=None, body: str = "ga",
          source: str = "undl", kind: str = "resolution", selection: Selection | None = None, store=None) -> int:
    """How many roll calls ``search`` would list without a limit."""
    query = Query(selection, store=store)
    calls, params = _calls(query)
    cond, more = text_condition(query, words)
    return query.reader.rows(f"SELECT count(*) FROM ({calls}) r WHERE {cond}", [*params, *more]).rows[0][0]


def _no_match(query: Query, words) -> NoData:
    """NoData naming up to three titles close to the words (rapidfuzz over the selection's titles)."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.utils import default_process

    calls, params = _calls(query)
    present = set(query.reader.columns(query.dataset, "rollcalls"))
    title = "coalesce(nullif(r.agenda_title, ''), r.title)" if "agenda_title" in present else \
        "coalesce(r.title, r.short)" if "short" in present else "r.title"
    titles = [t for (t,) in query.reader.rows(
        f"SELECT DISTINCT {title} FROM ({calls}) r WHERE {title} IS NOT NULL", params).rows if t]
    wanted = " ".join(terms(words))
    near = process.extract(wanted, titles, scorer=fuzz.partial_ratio, processor=default_process, limit=3, score_cutoff=70)
    what = f"no {query.sel.body.upper()} roll calls{query.sel.describe()} mention {' '.join(map(repr, terms(words)))}"
    if near:
        what += " — close titles: " + "; ".join(repr(t[:80]) for t, _, _ in near)
    return NoData(what)


# ---- a country's record -----------------------------------------------------------------------
@selecting
def voting_record(country: str, *, year=None, since=None, until=None, session=None, topic=None, about=None, search=None,
                  vote=None, continuity: bool = True, body: str = "ga", source: str = "undl",
                  kind: str = "resolution", selection: Selection | None = None, store=None) -> Rows:
    """A country's (or a group's) vote on every roll call in the span, oldest first.

    Default span: the latest complete year (``model.dates.latest_complete_year``). ``search``: only roll calls matching these words (as
    ``search``); ``vote``: only these votes (``"Y,N"``; X is not voting). Roll calls on which the
    country was not listed (not a member then) are left out. Columns: resolution, date, session,
    country, vote, yes, no, abstain, non_voting, with_plurality (its Y/N/A vote is the most common
    Y/N/A vote of the roll call — on a tie, each tied vote is), with_outcome (Yes on an adopted text
    or No on a rejected one: ``analysis.tally.with_outcome``; both empty when it did not vote),
    topics, title, rollcall_id. A group's vote is its members' plurality position (X for a tie or no vote).
    """
    who = side(country)
    sel = selection
    query = Query(sel, store=store)
    if sel.since is None and sel.until is None and sel.session is None:
        query = Query(sel.replace(**dict(zip(("since", "until"), _year_span(query.latest_complete_year())))),
                      reader=query.reader)
    wanted = _vote_filter(vote)
    calls, params = _calls(query)
    cond, more = text_condition(query, search) if search else ("TRUE", [])
    topics = topics_sql(query)
    if who.kind == "country":
        sql = (f"WITH c AS (SELECT * FROM ({calls}) r WHERE {cond}), "
               f"v AS (SELECT rollcall_id, any_value(vote) AS vote FROM {query.table('votes')} "
               "WHERE ms_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY rollcall_id) "
               f"SELECT r.resolution, r.date, r.session, ? AS country, v.vote, r.counted_yes AS yes, "
               "r.counted_no AS no, r.counted_abstain AS abstain, r.counted_non_voting AS non_voting, "
               f"{topics} AS topics, r.title, r.rollcall_id "
               "FROM c r JOIN v USING (rollcall_id) WHERE v.vote IN (SELECT unnest(?::VARCHAR[])) "
               "ORDER BY r.date, r.rollcall_id")
        rows = [_with_majorities(row) for row in
                query.reader.rows(sql, [*params, *more, who.codes(sel.continuity), who.code, wanted]).rows]
    else:
        rows = _group_record(query, who, calls, params, cond, more, topics, wanted)
    if not rows:
        raise NoData(f"no {sel.body.upper()} votes of {who.label}{query.sel.describe()}"
                     + (" matching the search" if search else "") + (f" that were {','.join(wanted)}" if vote else ""))
    return Rows(list(RECORD_TYPES), list(RECORD_TYPES.values()), rows)


def _with_majorities(row: tuple) -> tuple:
    """A record row (resolution … non_voting, topics, title, rollcall_id) with with_plurality and
    with_outcome after non_voting."""
    vote, yes, no, abstain = row[4:8]
    return (*row[:9], with_plurality(vote, yes, no, abstain), with_outcome(vote, yes, no), *row[9:])


def _group_record(query, who, calls, params, cond, more, topics, wanted) -> list[tuple]:
    found = query.reader.rows(
        f"SELECT r.resolution, r.date, r.session, r.counted_yes, r.counted_no, r.counted_abstain, "
        f"r.counted_non_voting, {topics} AS topics, r.title, r.rollcall_id FROM ({calls}) r WHERE {cond} "
        "ORDER BY r.date, r.rollcall_id", [*params, *more])
    if not found.rows:
        return []
    letters = group_letters(query, who, found.select(["rollcall_id", "date"]))
    out = []
    for (res, date, session, y, n, a, x, tops, title, rid), letter in zip(found.rows, letters):
        if letter is None or letter not in wanted:
            continue
        out.append(_with_majorities((res, date, session, who.code, letter, y, n, a, x, tops, title, rid)))
    return out


def _year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _vote_filter(vote) -> list[str]:
    if vote is None:
        return list(VOTE_LETTERS)
    letters = [v.strip().upper() for v in str(vote).split(",") if v.strip()]
    bad = [v for v in letters if v not in VOTE_LETTERS]
    if bad or not letters:
        raise UsageError(f"--vote takes Y, N, A and X (not voting), comma-separated, e.g. N,A; not {vote!r}")
    return letters


# ---- recurring resolutions --------------------------------------------------------------------
SERIES_TYPES = {"resolution": "VARCHAR", "date": "DATE", "session": "VARCHAR", "yes": "BIGINT", "no": "BIGINT",
                "abstain": "BIGINT", "non_voting": "BIGINT", "title": "VARCHAR", "linked_by": "VARCHAR",
                "rollcall_id": "BIGINT"}
CHANGE_TYPES = {"resolution": "VARCHAR", "date": "DATE", "country": "VARCHAR", "name": "VARCHAR",
                "previous": "VARCHAR", "vote": "VARCHAR", "previous_resolution": "VARCHAR"}
LONG_TYPES = {"resolution": "VARCHAR", "date": "DATE", "country": "VARCHAR", "name": "VARCHAR", "vote": "VARCHAR"}


@selecting
def series(text, *, since=None, until=None, body: str = "ga", source: str = "undl", kind: str = "resolution",
           selection: Selection | None = None, store=None) -> Rows:
    """A recurring resolution across sessions, one row per roll call with its tally, oldest first.

    ``text``: a symbol of one of its roll calls (``80/4``) or words (``"embargo Cuba"``: the
    most-repeated title among the roll calls the words find). How a series is recognised:
    ``analysis.series``. Columns: resolution, date, session, yes, no, abstain, non_voting, title,
    linked_by (``query``: the roll call named; ``title``: the same normalised title; ``agenda+title``:
    a renamed title under the same agenda item), rollcall_id. ``.notes``: the sessions with more than
    one roll call of the series, and those with none (``series_notes``).
    """
    calls, _, notes = _series(text, selection, store)
    table = Rows.from_dicts(
        [{**c, "yes": c["counted_yes"], "no": c["counted_no"], "abstain": c["counted_abstain"],
          "non_voting": c["counted_non_voting"]} for c in calls], SERIES_TYPES)
    table.notes = notes
    return table


@selecting
def series_changes(text, *, since=None, until=None, continuity: bool = True, body: str = "ga",
                   source: str = "undl", kind: str = "resolution", selection: Selection | None = None,
                   store=None) -> Rows:
    """Who voted differently from their previous vote in the series (``analysis.series.changes``):
    resolution, date, country, name, previous, vote, previous_resolution. ``.notes`` as ``series``."""
    from ..analysis.series import changes

    calls, query, notes = _series(text, selection, store)
    found = _series_votes(query, calls)
    merge = countries.continuity() if selection.continuity else None
    rows = changes(calls, [(r[0], r[1], r[2]) for r in found], merge)
    table = Rows.from_dicts([{**r, "name": countries.display_name(r["country"])} for r in rows], CHANGE_TYPES)
    table.notes = notes
    return table


@selecting
def series_votes(text, *, since=None, until=None, continuity: bool = True, body: str = "ga",
                 source: str = "undl", kind: str = "resolution", selection: Selection | None = None,
                 store=None) -> Rows:
    """Every country's vote on each roll call of the series, long form: resolution, date, country,
    name, vote (in roll-call order, then by country; merged by continuity). ``.notes`` as ``series``."""
    calls, query, notes = _series(text, selection, store)
    by_id = {c["rollcall_id"]: c for c in calls}
    merge = countries.continuity() if selection.continuity else {}
    order = {c["rollcall_id"]: i for i, c in enumerate(calls)}
    found = sorted(((rid, merge.get(code, code), vote) for rid, code, vote in _series_votes(query, calls)),
                   key=lambda r: (order[r[0]], r[1]))
    table = Rows(list(LONG_TYPES), list(LONG_TYPES.values()),
                 [(by_id[rid]["resolution"], by_id[rid]["date"], code, countries.display_name(code), vote)
                  for rid, code, vote in found])
    table.notes = notes
    return table


def series_notes(calls: list[dict], last_session: int | None = None, last_date=None) -> list[str]:
    """What a reader of the series must know, one line each: the sessions where the series has more
    than one roll call (all are listed), and the regular sessions with none — between its first and last,
    and after its last up to ``last_session``, the data's latest in the span (its last roll call dated
    ``last_date``: that session may not be over). Nothing from another series stands in for them."""
    per: dict[str, list[str]] = {}
    for c in calls:
        per.setdefault(c["session"], []).append(c["resolution"])
    notes = []
    several = [f"{s} ({', '.join(r)})" for s, r in per.items() if len(r) > 1]
    if several:
        notes.append(f"more than one roll call of this series in session{'s' * (len(several) > 1)} "
                     f"{'; '.join(several)}: each is listed")
    regular = sorted(int(s) for s in per if s and s.isdigit())
    if regular:
        missing = [n for n in range(regular[0], max(regular[-1], last_session or 0) + 1) if str(n) not in per]
        if missing:
            until = f", which runs to {last_date}" if last_date and missing[-1] == last_session else ""
            notes.append(f"no roll call of this series in session{'s' * (len(missing) > 1)} {_spans(missing)} "
                         f"(no recorded vote in the data{until}); nothing from another series fills the gap")
    return notes


def _spans(numbers: list[int]) -> str:
    """``[74, 75, 77, 78, 79]`` → ``74–75, 77–79``."""
    out, start = [], None
    for i, n in enumerate(numbers):
        start = n if start is None else start
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            out.append(str(n) if start == n else f"{start}–{n}")
            start = None
    return ", ".join(out)


def _series_votes(query: Query, calls: list[dict]) -> list[tuple]:
    return query.reader.rows(
        f"SELECT v.rollcall_id, v.ms_code, v.vote FROM {query.table('votes')} v "
        "WHERE v.rollcall_id IN (SELECT unnest(?::BIGINT[]))", [[c["rollcall_id"] for c in calls]]).rows


def _series(text, selection: Selection, store) -> tuple[list[dict], Query, list]:
    """The series' roll calls (oldest first, as dicts, each with ``linked_by``), the query that read
    them, and the notes (``series_notes``). Membership: ``analysis.series.members_sql`` over the
    selection (body, source, kind) at every date; the span only cuts the rows shown."""
    from ..analysis.series import members_sql, words_sql
    from ..model.symbols import parse

    words = ([text] if parse(text) is not None else text.split()) if isinstance(text, str) else list(text)
    if not words:
        raise UsageError("name a resolution of the series (80/4) or words from its title (embargo Cuba)")
    query = Query(selection.replace(since=None, until=None), store=store)
    present = set(query.reader.columns(query.dataset, "rollcalls"))
    title = "coalesce(r.title, r.short)" if "short" in present else "r.title"
    agenda = "r.agenda_title" if "agenda_title" in present else "r.agenda" if "agenda" in present else "NULL"
    base, params = _calls(query)
    named = len(words) == 1 and parse(words[0]) is not None
    if named:
        seed_id = _find(query, [words[0]]).column_values("rollcall_id")[0]
    else:  # the latest roll call of the normalised title that recurs most among those the words find
        cond, more = text_condition(query, words)
        best = query.reader.rows(
            f"SELECT array_to_string({words_sql(title)}, ' ') AS tkey, max_by(rollcall_id, (date, rollcall_id)) "
            f"FROM ({base}) r WHERE {cond} GROUP BY tkey "
            "ORDER BY count(*) DESC, max(date) DESC, max(rollcall_id) DESC LIMIT 1", [*params, *more]).rows
        if not best:
            raise _no_match(query, words)
        seed_id = best[0][1]
    found = query.reader.rows(
        f"SELECT s.rollcall_id, s.date, s.session, s.resolution, {title.replace('r.', 's.')} AS title, "
        "s.counted_yes, s.counted_no, s.counted_abstain, s.counted_non_voting, s.linked_by "
        f"FROM ({members_sql(base, title, agenda)}) s "
        "WHERE (?::DATE IS NULL OR s.date >= ?::DATE) AND (?::DATE IS NULL OR s.date <= ?::DATE) "
        "ORDER BY s.date, s.rollcall_id",
        [*params, seed_id, named, selection.since, selection.since, selection.until, selection.until])
    if not found.rows:
        seed = query.reader.rows(f"SELECT resolution FROM {query.table('rollcalls')} WHERE rollcall_id = ?",
                                 [seed_id]).rows[0][0]
        raise NoData(f"no roll call of the series of {seed} in that span")
    calls = found.to_pylist()
    last = query.reader.rows(f"SELECT max(TRY_CAST(r.session AS INTEGER)), max(r.date) FROM ({base}) r "
                             "WHERE ?::DATE IS NULL OR r.date <= ?::DATE",
                             [*params, selection.until, selection.until]).rows[0]
    return calls, query, series_notes(calls, *last)
