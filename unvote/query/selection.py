"""Which roll calls and votes a question is about: one ``Selection`` value, read as SQL over the store.

A ``Selection`` is a plain value (body, source, kind, span, session, continuity, unanimous votes,
topics, words it is about) validated once. A ``Reader`` reads one store version per dataset — resolved the first time
the dataset is read, then reused — with DuckDB, so one command never mixes two versions written by
a concurrent fetch. ``Query`` joins the two: the selected roll calls, their votes, the vote matrix,
and two sides' votes roll call by roll call.

DuckDB hands back Python rows (``Rows``) for quick answers, Arrow tables for analysis.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from ..core.errors import NoData, StoreError, UsageError
from ..core.hints import no_data_hint
from ..core.results import Rows
from ..model import countries, dates
from ..model.dates import span
from ..model.letters import counts_sql
from ..model.sessions import is_regular, regular_session_sql
from ..model.text import fold_sql, term_pattern, terms
from ..model.topics import NONE, lookup_all
from .reader import Reader

BODIES = ("ga", "sc")
SOURCES = ("undl", "voeten", "merged")
KINDS = ("resolution", "amendment", "paragraph", "all")
SOURCE_LABELS = {
    "undl": "UN Digital Library voting records",
    "voeten": "Voeten's UNGA roll-call data (Harvard Dataverse)",
    "merged": "UN Digital Library records, with Voeten's roll calls where UNDL has none",
}
VOTE_COLUMNS = ("rollcall_id", "ms_code", "vote")
# The text a roll call's words are looked for in (``search`` and ``--about``), where the dataset has
# the column (UNDL GA: agenda_title and subjects; SC: agenda; Voeten: short and descr, his own descriptions).
TEXT_COLUMNS = ("resolution", "draft", "title", "agenda_title", "agenda", "subjects", "short", "descr")
ABOUT_EMPTY = "--about needs a word, e.g. --about Ukraine (or a phrase: --about 'territorial integrity')"


def text_condition(words, present, alias: str = "r", *, empty: str | None = None) -> tuple[str, list]:
    """SQL: the roll call's text (``TEXT_COLUMNS`` among the columns ``present``) holds every term of
    ``words`` (``model.text.terms``: folded, each at the start of a word, a quoted phrase as a phrase).
    The one rule of ``search`` and ``--about``."""
    cols = [f"{alias}.{c}" for c in TEXT_COLUMNS if c in set(present)]
    hay = fold_sql(f"concat_ws(' ', {', '.join(cols)})")
    found = terms(words) if empty is None else terms(words, empty=empty)
    return " AND ".join(f"regexp_matches({hay}, ?)" for _ in found), [term_pattern(t) for t in found]


@dataclass(frozen=True)
class Selection:
    """Which roll calls: ``body`` (ga, sc) from ``source`` (undl, voeten, merged), of ``kind``
    (resolution, amendment, paragraph, all), dated ``since``–``until`` (inclusive) and/or in
    ``session``; with ``continuity`` a predecessor seat's votes are its successor's (USSR → Russia);
    ``exclude_unanimous`` drops roll calls where every member that voted Y/A/N voted alike; ``about``:
    only roll calls whose text holds every one of these words (as ``search`` reads them)."""

    body: str = "ga"
    source: str = "undl"
    kind: str = "resolution"
    since: dt.date | None = None
    until: dt.date | None = None
    session: str | None = None
    continuity: bool = True
    exclude_unanimous: bool = False
    topics: tuple[str, ...] = ()  # roll calls on any of these issue areas (unvote.model.topics codes; none: no topic)
    about: tuple[str, ...] = ()  # words as typed (each a word or a phrase), all of which the text must hold

    @classmethod
    def of(cls, *, body: str = "ga", source: str = "undl", kind: str = "resolution", year=None, since=None,
           until=None, session=None, continuity: bool = True, exclude_unanimous: bool = False,
           topic=None, about=None) -> Selection:
        """A validated selection from what a user typed (``year=2022``, ``since="2010"``, ``session="ES-11"``,
        ``topic="human rights"`` or ``["hr", "me"]``, ``about="Ukraine"`` or ``["Ukraine", "territorial integrity"]``)."""
        body = (body or "ga").strip().lower()
        if body not in BODIES:
            raise UsageError(f"unknown body {body!r}; use ga (General Assembly) or sc (Security Council)")
        if source not in SOURCES:
            raise UsageError(f"unknown source {source!r}; use {', '.join(SOURCES)}")
        if source != "undl" and body != "ga":
            raise UsageError(f"--source {source} covers the General Assembly only; "
                             f"use --source undl with --body {body}")
        if kind not in KINDS:
            raise UsageError(f"unknown kind {kind!r}; use {', '.join(KINDS)}")
        start, stop = span(year=year, since=since, until=until)
        session = str(session).strip().upper() if session is not None and str(session).strip() else None
        topics = lookup_all(topic) if topic else ()
        return cls(body, source, kind, start, stop, session, bool(continuity), bool(exclude_unanimous), topics,
                   about_words(about))

    def replace(self, **changes) -> Selection:
        return dataclasses.replace(self, **changes)

    @property
    def dataset(self) -> str:
        """The store dataset: ``ga``/``sc`` (the UN's own records), ``voeten`` or ``merged``."""
        return self.body if self.source == "undl" else self.source

    def describe(self) -> str:
        """`` in 2022``, `` since 2010-01-01 in session 78`` … (empty for everything)."""
        parts = []
        if self.since and self.until and self.since.year == self.until.year \
                and (self.since.month, self.since.day, self.until.month, self.until.day) == (1, 1, 12, 31):
            parts.append(f"in {self.since.year}")
        else:
            parts += [f"since {self.since}" if self.since else "", f"until {self.until}" if self.until else ""]
        parts.append(f"in session {self.session}" if self.session else "")
        parts.append(f"on {' or '.join('no topic' if t == NONE else t for t in self.topics)}" if self.topics else "")
        parts.append(f"about {about_text(self.about)}" if self.about else "")
        text = " ".join(p for p in parts if p)
        return f" {text}" if text else ""

    def where(self, alias: str = "r", columns=TEXT_COLUMNS) -> tuple[str, list]:
        """The SQL condition on roll calls (table alias ``alias``) and its parameters; ``columns``: the
        roll-call columns the dataset has (``about`` reads the ``TEXT_COLUMNS`` among them)."""
        conds, params = [], []
        if self.kind != "all":
            conds.append(f"coalesce({alias}.kind, 'resolution') = ?")
            params.append(self.kind)
        if self.since:
            conds.append(f"{alias}.date >= ?")
            params.append(self.since)
        if self.until:
            conds.append(f"{alias}.date <= ?")
            params.append(self.until)
        if self.session:
            # a regular session with the special sessions folded in, as --by session groups them
            conds.append(f"{regular_session_sql(alias)} = ?" if is_regular(self.session) else f"{alias}.session = ?")
            params.append(self.session)
        if self.topics:
            named = [t for t in self.topics if t != NONE]
            either = []
            if named:
                either.append(f"list_has_any(string_split(coalesce({alias}.topics, ''), ';'), ?::VARCHAR[])")
                params.append(named)
            if NONE in self.topics:  # roll calls with no topic
                either.append(f"coalesce({alias}.topics, '') = ''")
            conds.append(f"({' OR '.join(either)})")
        if self.about:
            cond, more = text_condition(self.about, columns, alias, empty=ABOUT_EMPTY)
            conds.append(cond)
            params += more
        return (" AND ".join(conds) or "TRUE"), params

    def codes(self, code: str) -> list[str]:
        """The store codes whose votes count as ``code``'s: its lineage under continuity, else itself."""
        return countries.lineage(code) if self.continuity else [code]


class Query:
    """A selection read from one store version: its roll calls, votes, vote matrix, pair votes."""

    def __init__(self, selection: Selection, reader: Reader | None = None, *, store=None):
        self.sel = selection
        self.reader = reader if reader is not None else Reader(store)

    @property
    def dataset(self) -> str:
        return self.sel.dataset

    def table(self, name: str) -> str:
        """SQL for a table of the selection's dataset. Without continuity the China seat's votes
        before 25 October 1971 (the Republic of China's, A/RES/2758(XXVI)) read as ``TWN``."""
        sql = self.reader.table(self.dataset, name)
        if name == "votes" and not self.sel.continuity and (self.sel.since is None or self.sel.since < roc_until()):
            sql = (f"(SELECT v.* REPLACE (CASE WHEN v.ms_code = 'CHN' AND r.date < DATE '{roc_until()}' "
                   f"THEN 'TWN' ELSE v.ms_code END AS ms_code) FROM {sql} v "
                   f"JOIN (SELECT rollcall_id, date FROM {self.reader.table(self.dataset, 'rollcalls')}) r "
                   "USING (rollcall_id))")
        return sql

    def has_column(self, name: str, table: str = "rollcalls") -> bool:
        return name in self.reader.columns(self.dataset, table)

    def topics_sql(self, alias: str = "r") -> str:
        """SQL for a roll call's topics as text (``me;hr``), or '' where the data has no ``topics`` column."""
        if not self.has_column("topics"):
            return "''"
        if self.reader.is_list(self.dataset, "rollcalls", "topics"):
            return f"coalesce(array_to_string({alias}.topics, ';'), '')"
        return f"coalesce(CAST({alias}.topics AS VARCHAR), '')"

    # ---- roll calls ---------------------------------------------------------------------------
    def condition(self) -> tuple[str, list]:
        """The selection's SQL condition on this dataset's roll calls (alias ``r``)."""
        present = set(self.reader.columns(self.dataset, "rollcalls"))
        cond, params = self.sel.where("r", present)
        if "kind" not in present:  # the UN's records are all votes on whole texts
            cond = cond.replace("coalesce(r.kind, 'resolution')", "'resolution'")
        if "regular_session" not in present:  # the UN's records: the rule alone
            cond = cond.replace(regular_session_sql("r"), regular_session_sql("r", stored=False))
        if self.sel.topics:
            self.require_topics()
        return cond, params

    def require_topics(self) -> None:
        """Stores fetched before unvote assigned topics have no ``topics`` column: say how to get one."""
        if not self.has_column("topics"):
            raise StoreError(f"the {self.dataset} data in {self.reader.store.root} has no topics yet; "
                             f"run: {no_data_hint(self.dataset)} (fetch assigns them)")

    def rollcalls_sql(self, columns=("rollcall_id", "date", "session", "resolution")) -> tuple[str, list]:
        """SQL for the selected roll calls, oldest first (``rollcall_id`` breaks ties). The column
        ``regular_session`` is the regular session a roll call counts in (``model.sessions``)."""
        cond, params = self.condition()
        present = set(self.reader.columns(self.dataset, "rollcalls"))
        folded = regular_session_sql("r", stored="regular_session" in present)
        cols = ", ".join(f"{folded} AS regular_session" if c == "regular_session" else f"r.{c}" if c in present
                         else f"NULL AS {c}" for c in columns)
        sql = f"SELECT {cols} FROM {self.table('rollcalls')} r WHERE {cond}"
        if self.sel.exclude_unanimous:
            sql += " AND r.rollcall_id NOT IN (SELECT unnest(?::BIGINT[]))"
            params = [*params, self.unanimous_ids()]
        return sql + " ORDER BY r.date, r.rollcall_id", params

    def rollcalls(self, columns=("rollcall_id", "date", "session", "resolution"), *, empty_ok: bool = False):
        """The selected roll calls as a pyarrow table; NoData when there are none."""
        sql, params = self.rollcalls_sql(columns)
        table = self.reader.arrow(sql, params)
        if table.num_rows == 0 and not empty_ok:
            raise self.nothing()
        return table

    def latest_complete_year(self) -> int:
        """The last calendar year this dataset holds completely (``model.dates.latest_complete_year``
        of its newest roll call, whatever the selection); NoData when it holds none."""
        return dates.latest_complete_year(self.newest())

    def newest(self):
        """The date of this dataset's newest roll call, whatever the selection; NoData when it holds none."""
        newest = self.reader.rows(f"SELECT max(date) FROM {self.table('rollcalls')}").rows[0][0]
        if newest is None:
            raise self.nothing()
        return newest

    def text_condition(self, words, alias: str = "r") -> tuple[str, list]:
        """SQL: the roll call's text in this dataset holds every term of ``words`` (``text_condition``)."""
        return text_condition(words, self.reader.columns(self.dataset, "rollcalls"), alias)

    def nothing(self) -> NoData:
        what = "roll calls" if not self.sel.exclude_unanimous else "roll calls that were not unanimous"
        hint = ""
        if self.sel.about:  # the words may be the reason: say how to see what they match
            import shlex

            hint = (f"; see what the words match with: unvote search {' '.join(map(shlex.quote, self.sel.about))}"
                    + ("" if self.sel.body == "ga" else f" --body {self.sel.body}"))
        return NoData(f"no {self.sel.body.upper()} {what}{self.sel.describe()}"
                      + ("" if self.sel.source == "undl" else f" in the {self.sel.source} data") + hint)

    def unanimous_ids(self) -> list[int]:
        """Roll calls in the selection's span that Voeten's rule calls unanimous (``analysis.codes``)."""
        from ..analysis.codes import is_unanimous  # lazy: not on tally's path (start-up)

        cond, params = self.condition()
        counts = self.reader.rows(
            f"SELECT v.rollcall_id, {LETTER_COUNTS} FROM {self.table('votes')} v "
            f"WHERE v.rollcall_id IN (SELECT r.rollcall_id FROM {self.table('rollcalls')} r WHERE {cond}) "
            "GROUP BY v.rollcall_id", params)
        return [row[0] for row in counts.rows if is_unanimous(row[1], row[2], row[3])]

    # ---- votes --------------------------------------------------------------------------------
    def votes(self, columns=VOTE_COLUMNS, *, codes: list[str] | None = None, ids: list[int] | None = None):
        """Votes (pyarrow) on the selected roll calls (or on ``ids``), of ``codes`` only if given."""
        cols = ", ".join(f"v.{c}" for c in columns)
        if ids is None:
            calls, params = self.rollcalls_sql(("rollcall_id",))
            where = f"v.rollcall_id IN (SELECT rollcall_id FROM ({calls}))"
        else:
            where, params = "v.rollcall_id IN (SELECT unnest(?::BIGINT[]))", [list(ids)]
        if codes is not None:
            where += " AND v.ms_code IN (SELECT unnest(?::VARCHAR[]))"
            params = [*params, list(codes)]
        return self.reader.arrow(f"SELECT {cols} FROM {self.table('votes')} v WHERE {where}", params)

    def counts(self, ids: list[int]) -> dict[int, tuple]:
        """Per roll call id: (yes, no, abstain, non_voting, members) counted from the votes."""
        found = self.reader.rows(self.counted_sql("SELECT unnest(?::BIGINT[])"), [list(ids)])
        return {row[0]: row[1:] for row in found.rows}

    def counted_sql(self, ids_sql: str) -> str:
        """SQL counting the votes of the roll calls ``ids_sql`` selects: rollcall_id, yes, no, abstain,
        non_voting, members (everyone listed)."""
        return (f"SELECT v.rollcall_id, {LETTER_COUNTS}, count(*) AS members FROM {self.table('votes')} v "
                f"WHERE v.rollcall_id IN ({ids_sql}) GROUP BY v.rollcall_id")

    def matrix(self, *, codes: list[str] | None = None, fold_sessions: bool = False, extra=()):
        """(roll calls, VoteMatrix) for the selection: every country listed at least once, as columns
        (merged by continuity); with ``codes`` only those countries' votes are read. ``fold_sessions``:
        a ``regular_session`` column too (``model.sessions``); ``extra``: more roll-call columns."""
        from ..analysis.votematrix import vote_matrix  # lazy: not on tally's path (start-up)

        calls = self.rollcalls(("rollcall_id", "date", "session", *(("regular_session",) if fold_sessions else ()),
                                "resolution", *extra))
        found = self.votes(codes=codes)
        merge = countries.continuity() if self.sel.continuity else None
        return calls, vote_matrix(calls, found, merge=merge)

    def pair_votes(self, a_codes: list[str], b_codes: list[str],
                   columns=("rollcall_id", "date", "session", "resolution")) -> Rows:
        """Each selected roll call with the two sides' votes (``a_vote``, ``b_vote``; NULL where not listed).

        A record never lists two codes of one lineage, so each side has at most one vote per roll call.
        """
        calls, params = self.rollcalls_sql(columns)
        votes = self.table("votes")
        sql = (f"WITH calls AS ({calls}), "
               f"a AS (SELECT rollcall_id, any_value(vote) AS vote FROM {votes} "
               "WHERE ms_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY rollcall_id), "
               f"b AS (SELECT rollcall_id, any_value(vote) AS vote FROM {votes} "
               "WHERE ms_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY rollcall_id) "
               f"SELECT calls.*, a.vote AS a_vote, b.vote AS b_vote FROM calls "
               "LEFT JOIN a USING (rollcall_id) LEFT JOIN b USING (rollcall_id) "
               "ORDER BY calls.date, calls.rollcall_id")
        return self.reader.rows(sql, [*params, list(a_codes), list(b_codes)])


def about_words(about) -> tuple[str, ...]:
    """``--about`` as typed, each word or phrase with its spaces tidied; checked by ``model.text.terms``
    (none at all, or an unbalanced quote, is a UsageError)."""
    if about is None:
        return ()
    given = [about] if isinstance(about, str) else list(about)
    terms(given, empty=ABOUT_EMPTY)
    return tuple(dict.fromkeys(" ".join(str(w).split()) for w in given if str(w).strip()))


def about_text(about) -> str:
    """``--about`` words for a reader: ``Ukraine``, ``Ukraine and "territorial integrity"``."""
    return " and ".join(f'"{w}"' if " " in w and '"' not in w else w for w in about)


def roc_until() -> dt.date:
    """The day the People's Republic took the China seat (A/RES/2758(XXVI), ``model.seats``): before it,
    CHN's votes are the Republic of China's (TWN without continuity)."""
    from ..model import seats  # lazy: reads seats.csv, which most commands never need

    return seats.handover("CHN", "People's Republic of China")

# Per-letter vote counts over the votes (alias v), as ingest stores them (model.letters).
LETTER_COUNTS = counts_sql("v")
