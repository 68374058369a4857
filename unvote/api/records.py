"""Roll calls and who voted how: ``find``, ``tally``, ``country_votes``, the raw tables, ``info``."""

from __future__ import annotations

from ..analysis.tally import TALLY_TYPES, VOTE_ROW_TYPES, country_vote_rows, tally_rows
from ..core.errors import UnknownResolution, UsageError
from ..core.results import Rows
from ..query.reader import Reader
from ..query.selection import Query, Selection
from ..store import DATASETS
from .selecting import selecting

# analysis/ (but tally.py, which every command loads), model.symbols and model.reference are imported
# inside the functions that use them (lazy): api/__init__ loads every api module for every command,
# so a quick one (tally, align, search) would pay for all the others' (measured: 25-45 ms of start-up).

ROLLCALL_VIEW = ("rollcall_id", "resolution", "date", "session", "meeting", "title", "topics")


def body_for(symbols, body: str = "ga") -> str:
    """``sc`` when every symbol is a Security Council one (``S/RES/2623(2022)``), else ``body``:
    an S/RES symbol can only be found in the SC data, so ``--body sc`` is implied."""
    from ..model.symbols import parse

    parsed = [parse(s) for s in symbols]
    if body == "ga" and parsed and all(p is not None and p.body == "sc" for p in parsed):
        return "sc"
    return body


def _query(symbols, selection: Selection, store) -> Query:
    """The roll calls named by ``symbols``: their body is the symbols' (``S/RES/…``: the Security Council)."""
    return Query(selection.replace(body=body_for(symbols, selection.body)), store=store)


def cited(query: Query, rows: Rows, sources: dict | None = None) -> Rows:
    """``rows`` (with ``rollcall_id`` and ``title``) with a ``subject`` after ``title`` (the title without
    the catalogue's tail: ``model.text.subject``) and a ``url`` after ``rollcall_id`` (its UN Digital
    Library record, ``model.symbols.record_url``; empty for a roll call the UN's records lack).
    ``sources``: {rollcall_id: source} when the caller read them already (else one query reads them)."""
    from ..model.symbols import record_url
    from ..model.text import subject

    ids = rows.column_values("rollcall_id")
    if sources is None and query.has_column("source"):
        sources = dict(query.reader.rows(
            f"SELECT rollcall_id, source FROM {query.reader.table(query.dataset, 'rollcalls')} "
            "WHERE rollcall_id IN (SELECT unnest(?::BIGINT[]))", [sorted(set(ids))]).rows)
    # a store written before roll calls said their source: the dataset says it (the UN's own are records)
    fallback = "undl" if query.dataset in ("ga", "sc") else None
    source = {rid: (sources or {}).get(rid) or fallback for rid in ids}
    names, types = list(rows.column_names), list(rows.types)
    at_title, at_id = names.index("title"), names.index("rollcall_id")
    out = []
    for row in rows.rows:
        values = list(row)
        extra = {at_title: subject(row[at_title]), at_id: record_url(row[at_id], source.get(row[at_id]))}
        out.append(tuple(v for i, value in enumerate(values) for v in ((value, extra[i]) if i in extra else (value,))))
    for at, (name, kind) in sorted({at_title: ("subject", "VARCHAR"), at_id: ("url", "VARCHAR")}.items(), reverse=True):
        names.insert(at + 1, name)
        types.insert(at + 1, kind)
    table = Rows(names, types, out)
    table.notes = rows.notes
    return table


@selecting
def find(*symbols: str, body: str = "ga", source: str = "undl", kind: str = "resolution",
         selection: Selection | None = None, store=None) -> Rows:
    """The roll calls that ``symbols`` name (``ES-11/1``, ``A/RES/68/262``, ``2758(XXVI)``, a record id
    — with ``source="voeten"`` a bare number is Voeten's rcid), in the order named."""
    return _find(_query(symbols, selection, store), symbols)


def _find(query: Query, symbols, *, counted: bool = False) -> Rows:
    """The roll calls ``symbols`` name; ``counted`` (a tally's form) gives ``topics`` as text and adds
    each one's vote counts (``COUNT_COLUMNS``), read in the same query where the symbols narrow the
    roll calls: a tally is one query."""
    if not symbols:
        raise UsageError("name at least one resolution, e.g. ES-11/1")
    narrowed = _narrow(symbols)
    if narrowed is not None:  # read only the roll calls whose symbol holds the base typed (or the record id)
        try:
            return _find_in(query, symbols, *narrowed, topics_text=counted, counted=counted)
        except UnknownResolution:
            pass  # read them all: the suggestions need every symbol
    found = _find_in(query, symbols, "TRUE", [], topics_text=counted)
    if not counted:
        return found
    counts = query.counts(found.column_values("rollcall_id"))  # counted for the roll calls found only
    return Rows(found.column_names + list(COUNT_COLUMNS), found.types + ["BIGINT"] * len(COUNT_COLUMNS),
                [(*row, *counts.get(row[found.column_names.index("rollcall_id")], (0,) * len(COUNT_COLUMNS)))
                 for row in found.rows])


COUNT_COLUMNS = ("yes", "no", "abstain", "non_voting", "members")  # as Query.counts gives them


def _narrow(symbols) -> tuple[str, list] | None:
    """SQL keeping the candidates of every symbol (its base within the stored symbol, or its record id);
    None when a symbol cannot be narrowed so (a draft symbol, a malformed one)."""
    from ..model.symbols import parse, record_id

    conds, params = [], []
    for sym in symbols:
        text = sym.strip()
        rid = record_id(text)
        if rid is not None:
            conds.append("r.rollcall_id = ?")
            params.append(rid)
            continue
        parsed = parse(text)
        if parsed is None:
            return None
        conds.append("strpos(upper(replace(r.resolution, ' ', '')), ?) > 0")
        params.append(parsed.base)
    return "(" + " OR ".join(conds) + ")", params


def _find_in(query: Query, symbols, cond: str, cond_params: list, *, topics_text: bool = False,
             counted: bool = False) -> Rows:
    from ..model.symbols import SymbolIndex

    drafts = query.has_column("draft")
    columns = (*ROLLCALL_VIEW, "kind", "source", *(["draft"] if drafts else []))
    sql, params = query.rollcalls_sql(columns)
    topics = f" REPLACE ({query.topics_sql('r')} AS topics)" if topics_text else ""
    sql = f"SELECT *{topics} FROM ({sql}) r WHERE {cond}"
    if counted:  # the candidates' votes counted in the same query (a few roll calls: cheap)
        sql = (f"WITH r AS ({sql}), c AS ({query.counted_sql('SELECT rollcall_id FROM r')}) "
               f"SELECT r.*, {', '.join(f'coalesce(c.{k}, 0) AS {k}' for k in COUNT_COLUMNS)} "
               "FROM r LEFT JOIN c USING (rollcall_id) ORDER BY r.date, r.rollcall_id")
    calls = query.reader.rows(sql, [*params, *cond_params])
    date_at, title_at = calls.column_names.index("date"), calls.column_names.index("title")

    def describe(i: int) -> str:  # only for an ambiguous symbol: no strings built on every tally
        return f"{calls.rows[i][date_at]}, {(calls.rows[i][title_at] or '').split(' : ')[0][:60]}"

    index = SymbolIndex(calls.column_values("resolution"), calls.column_values("rollcall_id"),
                        calls.column_values("draft") if drafts else None, describe)
    picked: list[int] = []
    for sym in symbols:
        picked.extend(i for i in index.find(sym) if i not in picked)
    found = Rows(calls.column_names, calls.types, [calls.rows[i] for i in picked])
    return found.select([c for c in calls.column_names if c != "draft"]) if drafts else found


@selecting
def tally(*symbols: str, body: str = "ga", source: str = "undl", kind: str = "resolution",
          selection: Selection | None = None, store=None) -> Rows:
    """Counts per roll call: resolution, date, yes, no, abstain, non_voting, voting, members, title,
    subject (the title without the catalogue's tail), unreadable, meeting, session, rollcall_id, url (the
    UN Digital Library record; empty for Voeten's own roll calls), topics (``me;hr``; empty until the store has topics) (and ``source``, where each roll call's votes come from,
    unless ``source`` is "undl")."""
    query = _query(symbols, selection, store)
    calls = _find(query, symbols, counted=True).to_pylist()
    rows = tally_rows(calls, {c["rollcall_id"]: tuple(c.pop(k) for k in COUNT_COLUMNS) for c in calls})
    types = dict(TALLY_TYPES)
    types = {**{k: v for k, v in types.items() if k != "source"}, "topics": "VARCHAR",
             **({} if selection.source == "undl" else {"source": types["source"]})}
    return cited(query, Rows.from_dicts(rows, types), sources={c["rollcall_id"]: c.get("source") for c in calls})


@selecting
def country_votes(*symbols: str, body: str = "ga", source: str = "undl", kind: str = "resolution",
                  selection: Selection | None = None, store=None) -> Rows:
    """Who voted how: one row per (roll call, member state) in the record's order — resolution, date,
    country, name, vote (Y, N, A, X), name_in_record (and ``permanent_member`` on the Security Council)."""
    query = _query(symbols, selection, store)
    calls = _find(query, symbols)
    permanent = query.has_column("permanent_member", "votes")
    extra = ", v.permanent_member" if permanent else ""
    found = query.reader.rows(
        f"SELECT v.rollcall_id, v.ms_code, v.ms_name, v.vote{extra} "
        f"FROM {query.reader.table(query.dataset, 'votes', row_numbers=True)} v "
        "WHERE v.rollcall_id IN (SELECT unnest(?::BIGINT[])) "
        "ORDER BY list_position(?::BIGINT[], v.rollcall_id), v.file_row_number",
        [calls.column_values("rollcall_id")] * 2)
    types = dict(VOTE_ROW_TYPES)
    if not permanent:
        types.pop("permanent_member")
    return Rows.from_dicts(country_vote_rows(calls.to_pylist(), found.to_pylist()), types)


@selecting
def rollcalls(body: str = "ga", *, source: str = "undl", kind: str = "all", year=None, since=None, until=None,
              session=None, topic=None, about=None, columns=None, selection: Selection | None = None, store=None):
    """The roll calls of a selection (default: every roll call of ``body``) as a pyarrow table, by date."""
    query = Query(selection, store=store)
    if columns is None:
        columns = query.reader.columns(query.dataset, "rollcalls")
    return query.rollcalls(tuple(columns), empty_ok=True)


@selecting
def votes(body: str = "ga", *, source: str = "undl", kind: str = "all", year=None, since=None, until=None,
          session=None, topic=None, about=None, columns=None, selection: Selection | None = None, store=None):
    """Every country vote of a selection (default: all of ``body``): rollcall_id, ms_code, ms_name, vote."""
    query = Query(selection, store=store)
    return query.votes(tuple(columns or ("rollcall_id", "ms_code", "ms_name", "vote")))


@selecting
def topics_by_decade(*, body: str = "ga", source: str = "undl", kind: str = "resolution",
                     selection: Selection | None = None, store=None):
    """Roll calls per issue area (Voeten's six) per decade: topic, name, then one column per decade."""
    from ..analysis.topics import count_by_decade

    query = Query(selection, store=store)
    query.require_topics()
    return count_by_decade(query.rollcalls(("date", "topics")))


def info(store=None) -> dict:
    """Where the store is and what each dataset holds (from its manifest)."""
    reader = Reader(store)
    datasets = {d: reader.manifest(d) for d in DATASETS if reader.store.has(d)}
    return {"data_dir": str(reader.store.root), "datasets": datasets,
            "merged_current": reader.store.merged_is_current() if "merged" in datasets else None}


def linker(query: Query):
    """rollcall_id → its UN Digital Library record (``model.symbols.record_url``, the one rule), by each
    roll call's source: the UN's own data links every roll call; Voeten's own roll calls have none."""
    from ..model.symbols import record_url

    if query.dataset in ("ga", "sc") or not query.has_column("source"):
        fallback = "undl" if query.dataset in ("ga", "sc") else None
        return lambda rid: record_url(rid, fallback)
    sources = dict(query.reader.rows(f"SELECT rollcall_id, source FROM {query.table('rollcalls')}").rows)
    return lambda rid: record_url(rid, sources.get(rid))
