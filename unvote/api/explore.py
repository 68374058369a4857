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
from ..model.letters import COUNTS, counts_sql
from ..model.sides import side
from ..model.text import terms
from ..query.selection import TEXT_COLUMNS, Query, Selection
from .agreement import group_letters
from .records import _find, cited
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

    Columns: resolution, date, session, yes, no, abstain, non_voting, topics, title, subject, rollcall_id,
    url (``records.cited``). Nothing found: ``NoData`` naming close titles (rapidfuzz) to try instead.
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
    return cited(query, Rows(list(SEARCH_TYPES), list(SEARCH_TYPES.values()), found.rows))


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
    topics, title, subject, rollcall_id, url (``records.cited``). A group's vote is its members' plurality
    position (X for a tie or no vote).
    """
    who = side(country)
    sel = selection
    query = _default_span(Query(sel, store=store))
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
    return cited(query, Rows(list(RECORD_TYPES), list(RECORD_TYPES.values()), rows))


def _default_span(query: Query) -> Query:
    """``query``, or with no span given the latest complete year (as ``voting_record``)."""
    sel = query.sel
    if sel.since is None and sel.until is None and sel.session is None:
        return Query(sel.replace(**dict(zip(("since", "until"), _year_span(query.latest_complete_year())))),
                     reader=query.reader)
    return query


# ---- the small answers: a country alone, several side by side, a summary with its rank ------------
@selecting
def alone(country: str, *, most: int = 1, year=None, since=None, until=None, session=None, topic=None,
          search=None, vote=None, continuity: bool = True, body: str = "ga", source: str = "undl",
          kind: str = "resolution", selection: Selection | None = None, store=None) -> Rows:
    """The roll calls on which ``country`` was one of at most ``most`` members on its side: its Y, N or A
    vote cast by ``most`` or fewer members in all (itself included; ``most=1``: it alone). The rows of
    ``voting_record`` (same span default, ``search`` and ``vote`` filters) with a column ``on_its_side``
    (how many members cast that vote) after ``vote``. A group has no side of its own: UsageError."""
    if most < 1:
        raise UsageError(f"--alone takes a number of members, 1 or more, not {most}")
    if side(country).kind != "country":
        raise UsageError(f"--alone is for one country; {country} is a group (its vote is its members' plurality)")
    record = voting_record(country, search=search, vote=vote, selection=selection, store=store)
    names = record.column_names
    at = {c: names.index(c) for c in ("vote", "yes", "no", "abstain")}
    counted = {"Y": at["yes"], "N": at["no"], "A": at["abstain"]}
    rows = []
    for row in record.rows:
        letter = row[at["vote"]]
        if letter in counted and row[counted[letter]] <= most:
            rows.append((*row[:at["vote"] + 1], row[counted[letter]], *row[at["vote"] + 1:]))
    if not rows:
        raise NoData(f"no roll call{selection.describe()} on which {side(country).label} was one of at most "
                     f"{most} member{'s' * (most > 1)} on its side" + (" matching the search" if search else "")
                     + (f" with a vote of {vote}" if vote else ""))
    at_vote = at["vote"] + 1
    table = Rows([*names[:at_vote], "on_its_side", *names[at_vote:]],
                 [*record.types[:at_vote], "BIGINT", *record.types[at_vote:]], rows)
    return table


@selecting
def votes_wide(places, *, year=None, since=None, until=None, session=None, topic=None, search=None,
               continuity: bool = True, body: str = "ga", source: str = "undl", kind: str = "resolution",
               selection: Selection | None = None, store=None) -> Rows:
    """Several countries (or groups) side by side: one row per roll call on which any was listed,
    oldest first — resolution, date, session, one column per country (its code: Y, N, A, X for did
    not vote; empty where it was not listed, i.e. not a member), yes, no, abstain, non_voting, topics,
    title, subject, rollcall_id, url. Span default and ``search`` as ``voting_record``."""
    places = [places] if isinstance(places, str) else list(places)
    sides = list(dict.fromkeys(side(p).code for p in places))
    if len(sides) < 2:
        raise UsageError("--wide puts several countries side by side: name two or more, e.g. unvote votes USA RUS CHN --wide")
    by_id: dict[int, dict] = {}
    for code in sides:
        try:
            record = voting_record(code, search=search, selection=selection, store=store)
        except NoData:
            continue
        for r in record.to_pylist():
            by_id.setdefault(r["rollcall_id"], r)[f"vote:{code}"] = r["vote"]
    if not by_id:
        raise NoData(f"no {selection.body.upper()} votes of {', '.join(sides)}{selection.describe()}"
                     + (" matching the search" if search else ""))
    calls = sorted(by_id.values(), key=lambda r: (r["date"], r["rollcall_id"]))
    types = {"resolution": "VARCHAR", "date": "DATE", "session": "VARCHAR",
             **dict.fromkeys((f"vote:{c}" for c in sides), "VARCHAR"),
             **{k: RECORD_TYPES[k] for k in ("yes", "no", "abstain", "non_voting", "topics", "title")},
             "subject": "VARCHAR", "rollcall_id": "BIGINT", "url": "VARCHAR"}
    table = Rows.from_dicts(calls, types)
    table.column_names = [c.removeprefix("vote:") for c in table.column_names]
    return table


SUMMARY_TYPES = {"country": "VARCHAR", "name": "VARCHAR", "period": "VARCHAR", "roll_calls": "BIGINT",
                 "yes": "BIGINT", "no": "BIGINT", "abstain": "BIGINT", "non_voting": "BIGINT",
                 "with_plurality": "DOUBLE", "with_outcome": "DOUBLE", "rank_with_outcome": "BIGINT",
                 "ranked": "BIGINT"}


@selecting
def vote_summary(places, *, by: str = "year", year=None, since=None, until=None, session=None, topic=None,
                 continuity: bool = True, body: str = "ga", source: str = "undl", kind: str = "resolution",
                 selection: Selection | None = None, store=None) -> Rows:
    """A country's record in numbers, one row per country and period (``by``: year, session, all):
    roll_calls (those it was listed on), yes, no, abstain, non_voting; with_plurality and with_outcome,
    the shares of its Y/N/A votes that were (``analysis.tally.with_plurality``, ``with_outcome``); and
    rank_with_outcome, its rank among the ``ranked`` members that cast a Y/N/A vote in the period by
    with_outcome share (1: most often on the winning side; ties share a rank, 1, 2, 2, 4). Span default
    as ``voting_record`` (the latest complete year). Countries only (a group has no record of its own)."""
    from fractions import Fraction

    from .agreement import check_period

    check_period(by)
    places = [places] if isinstance(places, str) else list(places)
    wanted = []
    for p in places:
        s = side(p)
        if s.kind != "country":
            raise UsageError(f"--summary is for countries; {p} is a group (see unvote cohesion {s.code})")
        wanted.append(s.code)
    query = _default_span(Query(selection, store=store))
    calls = query.rollcalls(("rollcall_id", "date", "regular_session", "counted_yes", "counted_no",
                             "counted_abstain")).to_pylist()
    # the rules, once per roll call: which letters were with the plurality and with the outcome
    period = {c["rollcall_id"]: (str(c["date"].year) if by == "year" else c["regular_session"] if by == "session"
                                 else "all") for c in calls}
    plural, outcome = {}, {}
    for c in calls:
        counts = (c["counted_yes"], c["counted_no"], c["counted_abstain"])
        plural[c["rollcall_id"]] = "".join(v for v in "YNA" if with_plurality(v, *counts))
        outcome[c["rollcall_id"]] = "".join(v for v in "YNA" if with_outcome(v, *counts[:2]))
    ids = list(period)
    found = query.reader.rows(
        "WITH k AS (SELECT unnest(?::BIGINT[]) AS rollcall_id, unnest(?::VARCHAR[]) AS period, "
        "unnest(?::VARCHAR[]) AS plural, unnest(?::VARCHAR[]) AS outcome) "
        f"SELECT v.ms_code, k.period, count(*), {counts_sql('v')}, "
        "count(*) FILTER (WHERE v.vote IN ('Y', 'N', 'A') AND strpos(k.plural, v.vote) > 0), "
        "count(*) FILTER (WHERE v.vote IN ('Y', 'N', 'A') AND strpos(k.outcome, v.vote) > 0) "
        f"FROM {query.table('votes')} v JOIN k USING (rollcall_id) GROUP BY ALL",
        [ids, [period[i] for i in ids], [plural[i] for i in ids], [outcome[i] for i in ids]])
    seat = countries.successor if query.sel.continuity else str  # under continuity USSR's votes are Russia's
    wanted = list(dict.fromkeys(seat(code) for code in wanted))
    totals: dict[tuple, list[int]] = {}
    for code, per, *numbers in found.rows:
        code = seat(code)
        kept = totals.setdefault((code, per), [0] * len(numbers))
        for i, n in enumerate(numbers):
            kept[i] += n
    share = {key: (Fraction(t[6], t[1] + t[2] + t[3]) if t[1] + t[2] + t[3] else None) for key, t in totals.items()}
    rows = []
    for code in wanted:
        for per in dict.fromkeys(period.values()):
            t = totals.get((code, per))
            if t is None:
                continue
            cast = t[1] + t[2] + t[3]
            field = [s for (c, p), s in share.items() if p == per and s is not None]
            mine = share[(code, per)]
            rows.append({"country": code, "name": countries.display_name(code), "period": per, "roll_calls": t[0],
                         "yes": t[1], "no": t[2], "abstain": t[3], "non_voting": t[4],
                         "with_plurality": t[5] / cast if cast else None, "with_outcome": t[6] / cast if cast else None,
                         "rank_with_outcome": 1 + sum(s > mine for s in field) if mine is not None else None,
                         "ranked": len(field)})
    if not rows:
        raise NoData(f"no {query.sel.body.upper()} votes of {', '.join(wanted)}{query.sel.describe()}")
    return Rows.from_dicts(rows, SUMMARY_TYPES)


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
    ``analysis.series``. Columns: resolution, date, session, yes, no, abstain, non_voting, title, subject,
    linked_by (``query``: the roll call named; ``title``: the same normalised title; ``agenda+title``:
    a renamed title under the same agenda item), rollcall_id, url (``records.cited``). ``.notes``: the sessions with more than
    one roll call of the series, and those with none (``series_notes``).
    """
    calls, query, notes = _series(text, selection, store)
    table = cited(query, Rows.from_dicts(
        [{**c, "yes": c["counted_yes"], "no": c["counted_no"], "abstain": c["counted_abstain"],
          "non_voting": c["counted_non_voting"]} for c in calls], SERIES_TYPES))
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
