"""Agreement: two sides per period (``align``), one side against all (``neighbors``), every pair
(``matrix``), a group's unity (``cohesion``), how groups voted on a roll call (``tally_by_group``),
and the groups themselves.

A *side* is a country or a group (``unvote.model.sides``); a group's vote on a roll call is its members'
plurality position (``analysis/blocs.py``).
"""

from __future__ import annotations

from ..analysis.tally import adopted, with_outcome, with_plurality
from ..core.errors import NoData, UsageError
from ..core.results import Rows
from ..model import countries, groups
from ..model.dates import parse_when
from ..model.sides import Side, side
from ..model.topics import CODES, NONE
from ..query.selection import Query, Selection
from .records import _find, _query, cited
from .selecting import selecting

# analysis/ (but tally.py, which every command loads), model.symbols and model.reference are imported
# inside the functions that use them (lazy): api/__init__ loads every api module for every command,
# so a quick one (tally, align, search) would pay for all the others' (measured: 25-45 ms of start-up).

PERIODS = ("year", "session", "all")


def check_metric(metric: str) -> None:
    from ..analysis.align import METRICS

    if metric not in METRICS:
        raise UsageError(f"unknown metric {metric!r}; choose from {', '.join(METRICS)}")


def check_period(by: str, allowed=PERIODS) -> None:
    if by not in allowed:
        raise UsageError(f"unknown period {by!r}; use {', '.join(allowed)}")


def period_of(call: dict, by: str) -> str:
    """A roll call's period label: its calendar year, its regular session (its ``regular_session``:
    special and emergency special sessions folded in as Voeten's data does, ``model.sessions``), or ``all``."""
    if by == "year":
        return str(call["date"].year)
    return call["regular_session"] if by == "session" else "all"


def groups_of(call: dict, by: str) -> tuple[str, ...]:
    """The rows of ``align --by`` a roll call counts in: its period, or each of its topics (a roll call
    with two counts in both), ``none`` when it has no topic."""
    if by == "topic":
        from ..analysis.topics import split

        return split(call.get("topics")) or (NONE,)
    return (period_of(call, by),)


def side_votes(query: Query, sides: list[Side], columns=None) -> Rows:
    """The selected roll calls (``columns``, default rollcall_id, date, session, resolution, title)
    with each side's vote as columns ``a_vote``, ``b_vote`` (a letter; None where not listed).
    Countries are read in SQL; a group's position needs its members' votes (numpy)."""
    a, b = sides
    pairs = query.pair_votes(a.codes(query.sel.continuity) if a.kind == "country" else [],
                             b.codes(query.sel.continuity) if b.kind == "country" else [],
                             columns=columns or ("rollcall_id", "date", "session", "regular_session", "resolution",
                                                "title", "topics"))
    if pairs.num_rows == 0:
        raise query.nothing()
    for column, s in (("a_vote", a), ("b_vote", b)):
        if s.kind == "group":
            letters = group_letters(query, s, pairs)
            at = pairs.column_names.index(column)
            pairs = Rows(pairs.column_names, pairs.types,
                         [(*row[:at], v, *row[at + 1:]) for row, v in zip(pairs.rows, letters)])
    return pairs


def group_letters(query: Query, group: Side, calls: Rows) -> list[str | None]:
    """A group's position (Y/A/N, X for a tie or no Y/A/N vote, None when no member was listed) on
    each roll call of ``calls``."""
    import numpy as np

    from ..analysis import blocs
    from ..analysis.votematrix import vote_matrix

    ids = np.array(calls.column_values("rollcall_id"), dtype=np.int64)
    merge = countries.continuity() if query.sel.continuity else {}
    vm = vote_matrix(ids, query.votes(codes=group.codes(query.sel.continuity), ids=ids.tolist()), merge=merge)
    dates = np.array(calls.column_values("date"), dtype="datetime64[D]")
    mask = blocs.membership_mask(dates, vm.countries, group.spells(), merge)
    code, _ = blocs.position(blocs.member_counts(vm.votes, mask))
    from ..analysis.codes import CODE_LETTER

    return [CODE_LETTER.get(int(c)) for c in code]  # NOT_LISTED → None


@selecting
def align(a: str, b, *, by: str = "year", metric: str = "agree", year=None, since=None, until=None,
          session=None, topic=None, about=None, continuity: bool = True, exclude_unanimous: bool = False, body: str = "ga",
          source: str = "undl", kind: str = "resolution", selection: Selection | None = None, store=None) -> Rows:
    """Agreement between two countries per period (year, session or "all"), with the counts.

    Countries may be named any reasonable way (``KHM``, ``Cambodia``, ``Russia``), and a group may
    stand for either (``ASEAN``, ``EU``: its members' plurality position, see ``unvote.model.groups``).
    With ``continuity`` (default) a country's predecessor seat counts as its own (USSR → Russia).
    ``exclude_unanimous`` drops roll calls where every member that voted Y/A/N voted alike (Voeten).
    ``b`` may be a list of partners: ``a`` against each, one block of rows per partner, with a first
    column ``partner`` when there is more than one. ``selection``: a ``Selection`` instead of the
    keyword filters (one that disagrees with a keyword given is a UsageError).
    Columns: period, n, same, partial, opposite, absent (+ the nine cells for kappa, pi, votes-only), score.
    """
    from ..analysis import align as alignment

    check_metric(metric)
    check_period(by, (*PERIODS, "topic"))
    partners = [b] if isinstance(b, str) else list(dict.fromkeys(b))
    if not partners:
        raise UsageError("name a second country or group to align with")
    query = Query(selection, store=store)
    first = side(a)
    types = {"period": "VARCHAR", **dict.fromkeys(alignment.output_columns(metric), "BIGINT"), "score": "DOUBLE"}
    rows = []
    for partner in partners:
        found = _counted_in_sql(query, first, side(partner), by, metric)
        if found is None:
            calls = _pair_calls(query, first, side(partner))
            counted = [(g, c["a_vote"], c["b_vote"]) for c in calls for g in groups_of(c, by)]
            found = alignment.align(*zip(*counted), metric=metric)
        if by == "topic":
            found.sort(key=lambda r: (*CODES, NONE).index(r["period"]))
        rows += [{"partner": side(partner).code, **r} for r in found] if len(partners) > 1 else found
    if len(partners) > 1:
        types = {"partner": "VARCHAR", **types}
    return Rows.from_dicts(rows, types)


# align's periods counted in SQL (two countries): the period of a roll call, as ``period_of`` gives it
SQL_PERIODS = {"year": "CAST(year(calls.date) AS VARCHAR)", "all": "'all'"}


def _counted_in_sql(query: Query, first: Side, second: Side, by: str, metric: str) -> list[dict] | None:
    """``analysis.align.align``'s rows for two countries by year or all, counted by DuckDB in the query
    that reads the votes (no roll call comes back to Python); the score is then ``analysis.align.score``
    of the counts. None when a side is a group or ``by`` needs Python (session, topic), or when nothing
    was counted (the Python path then names why)."""
    from ..analysis import align as alignment

    if by not in SQL_PERIODS or first.kind != "country" or second.kind != "country" or first.code == second.code:
        return None
    calls, params = query.rollcalls_sql(("rollcall_id", "date"))
    votes = query.table("votes")
    cast = "a.vote IN ('Y', 'A', 'N') AND b.vote IN ('Y', 'A', 'N')"
    cells = ", ".join(f"count(*) FILTER (WHERE a.vote = '{c[0].upper()}' AND b.vote = '{c[1].upper()}') AS {c}"
                      for c in alignment.CELLS)
    # the rules of analysis.align.relation: both listed (a vote, not NULL) counts; same, partial
    # (an abstention against Y or N), opposite (Y against N) among Y/A/N; absent otherwise
    sql = (f"WITH calls AS ({calls}), "
           f"a AS (SELECT rollcall_id, any_value(vote) AS vote FROM {votes} "
           "WHERE ms_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY rollcall_id), "
           f"b AS (SELECT rollcall_id, any_value(vote) AS vote FROM {votes} "
           "WHERE ms_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY rollcall_id) "
           f"SELECT {SQL_PERIODS[by]} AS period, count(*) AS n, "
           f"count(*) FILTER (WHERE {cast} AND a.vote = b.vote) AS same, "
           f"count(*) FILTER (WHERE {cast} AND a.vote <> b.vote AND 'A' IN (a.vote, b.vote)) AS partial, "
           f"count(*) FILTER (WHERE {cast} AND a.vote <> b.vote AND 'A' NOT IN (a.vote, b.vote)) AS opposite, "
           f"count(*) FILTER (WHERE NOT ({cast})) AS absent, {cells} "
           "FROM calls JOIN a USING (rollcall_id) JOIN b USING (rollcall_id) "
           "WHERE a.vote IS NOT NULL AND b.vote IS NOT NULL "
           "GROUP BY period ORDER BY min(calls.date)")  # periods in the order of their first roll call
    counts = query.reader.rows(sql, [*params, first.codes(query.sel.continuity),
                                     second.codes(query.sel.continuity)]).to_pylist()
    if not counts:
        return None
    columns = alignment.output_columns(metric)
    return [{"period": c["period"], **{k: c[k] for k in columns}, "score": alignment.score(c, metric)}
            for c in counts]


def _pair_calls(query: Query, first: Side, second: Side, columns=None) -> list[dict]:
    """The selected roll calls with both sides' votes (``side_votes``) as dicts; NoData when a side
    never voted in the span."""
    if first.code == second.code:
        raise UsageError(f"both sides are {first.code}; name two different countries or groups")
    calls = side_votes(query, [first, second], columns).to_pylist()
    for who, column in ((first, "a_vote"), (second, "b_vote")):
        if all(c[column] is None for c in calls):
            hint = "; the Republic of China's votes are CHN's unless --no-continuity" \
                if who.code == "TWN" and query.sel.continuity else ""
            raise NoData(f"{who.label} has no recorded {query.sel.body.upper()} votes{query.sel.describe()}{hint}")
    return calls


PAIR_VOTE_TYPES = {"resolution": "VARCHAR", "date": "DATE", "session": "VARCHAR", "a_vote": "VARCHAR",
                   "b_vote": "VARCHAR", "relation": "VARCHAR", "yes": "BIGINT", "no": "BIGINT",
                   "abstain": "BIGINT", "non_voting": "BIGINT", "title": "VARCHAR", "rollcall_id": "BIGINT"}


@selecting
def align_votes(a: str, b: str, *, differ: bool = False, year=None, since=None, until=None, session=None,
                topic=None, about=None, continuity: bool = True, exclude_unanimous: bool = False, body: str = "ga", source: str = "undl",
                kind: str = "resolution", selection: Selection | None = None, store=None) -> Rows:
    """The votes behind ``align``: one row per roll call counted (both sides listed), oldest first —
    resolution, date, session, a_vote, b_vote, relation (same | partial | opposite | absent, as
    ``analysis.align.relation`` counts them, so the rows add up to align's counts), the tally (yes,
    no, abstain, non_voting), title, rollcall_id. ``differ``: only partial and opposite rows, most
    contested first (smallest |yes − no|, then newest). Each row also has subject and url (``records.cited``)."""
    from ..analysis.align import relation

    query = Query(selection, store=store)
    calls = _pair_calls(query, side(a), side(b), PAIR_COLUMNS)
    rows = []
    for c in calls:
        rel = relation(c["a_vote"], c["b_vote"])
        if rel is None or (differ and rel not in ("partial", "opposite")):
            continue
        rows.append({**c, "relation": rel, "yes": c["counted_yes"], "no": c["counted_no"],
                     "abstain": c["counted_abstain"], "non_voting": c["counted_non_voting"]})
    if differ:
        rows.sort(key=lambda r: (abs((r["yes"] or 0) - (r["no"] or 0)), -r["date"].toordinal(), -r["rollcall_id"]))
    return cited(query, Rows.from_dicts(rows, PAIR_VOTE_TYPES))


PAIR_COLUMNS = ("rollcall_id", "date", "session", "resolution", "title", "counted_yes", "counted_no",
                "counted_abstain", "counted_non_voting")


MIN_VOTES = 10  # matrix --limit: pairs that both cast Y/A/N on fewer roll calls than this come last
MIN_SHARE = 0.5  # neighbors: ranked only with votes on at least half the roll calls the focal side voted on


@selecting
def neighbors(focal: str, *, year=None, since=None, until=None, session=None, topic=None, about=None, metric: str = "agree",
              exclude_unanimous: bool = False, continuity: bool = True, body: str = "ga", source: str = "undl",
              kind: str = "resolution", min_votes: int | None = None, limit: int | None = None,
              selection: Selection | None = None, store=None):
    """Every other country ranked by agreement with ``focal`` (a country or a group) over the span.

    Columns: rank, country, name, cast (the Y/A/N votes it cast on the span's roll calls), n, same,
    partial, opposite, absent (+ the cross-table cells for kappa/pi/votes-only), score. Countries with
    no shared roll call are left out. A country ranks only if it cast a Y/A/N vote on at least
    ``min_votes`` of the roll calls on which ``focal`` did (same + partial + opposite); by default half
    of them (``MIN_SHARE``, rounded up: a score on a few votes is not a neighbour — Liberia, absent on
    67 of 88 roll calls of session 80, would otherwise rank 5th closest to the US). The others keep
    their score but no rank and follow the ranked ones; those with no score (never both voted) come
    last. Ties: more votes both cast first, then by name. ``limit``: the first rows only. The schema
    metadata ``unvote.neighbors`` (JSON: ``neighbors_facts``) holds min_votes, focal_cast (the roll calls
    ``focal`` voted Y/A/N on), unranked (countries with a score but under the minimum) and whether the
    minimum was the default.
    """
    import json
    import math

    import numpy as np
    import pyarrow as pa

    from ..analysis import align as alignment
    from ..analysis import pairwise
    from ..analysis.codes import ABSTAIN, NO, YES, encode_letters

    check_metric(metric)
    if min_votes is not None and min_votes < 0:
        raise UsageError("--min-votes must be 0 or more")
    if limit is not None and limit < 1:
        raise UsageError("--limit must be 1 or more")
    me = side(focal)
    query = Query(selection, store=store)
    calls, vm = query.matrix()
    # under continuity the matrix holds a seat's votes in its successor's column (USSR's under RUS)
    column = countries.successor(me.code) if me.kind == "country" and query.sel.continuity else me.code
    if me.kind == "country":
        if column not in vm.countries:
            raise NoData(f"{me.label} has no recorded {query.sel.body.upper()} votes{query.sel.describe()}")
        focal_vec = vm.column(column)
    else:
        focal_vec = encode_letters(group_letters(query, me, Rows(["rollcall_id", "date"], ["BIGINT", "DATE"], list(
            zip(calls["rollcall_id"].to_pylist(), calls["date"].to_pylist())))))
    counts = pairwise.against(focal_vec, vm.votes)
    names = np.array(vm.countries, dtype=object)
    keep = (counts["n"] > 0) & (names != column)
    score = alignment.METRICS[metric]({k: v[keep] for k, v in counts.items()})
    picked = {k: v[keep] for k, v in counts.items()}
    codes = names[keep]
    cast = np.isin(vm.votes, (YES, ABSTAIN, NO)).sum(axis=0)[keep]
    focal_cast = int(np.isin(focal_vec, (YES, ABSTAIN, NO)).sum())
    default = min_votes is None
    if default:
        min_votes = math.ceil(MIN_SHARE * focal_cast)
    both = picked["same"] + picked["partial"] + picked["opposite"]
    few = both < min_votes
    tier = np.where(np.isnan(score), 2, np.where(few, 1, 0))
    shown = np.array([countries.display_name(c) for c in codes], dtype=object)
    # ranked best first, then the few-vote ones, then no score; ties by more votes both cast, then by name
    order = np.lexsort((shown.astype(str), -both, -np.nan_to_num(score, nan=-np.inf), tier))
    unranked = int((tier == 1).sum())
    if limit is not None:
        order = order[:limit]
    scored = tier[order] == 0
    rank = np.where(scored, np.cumsum(scored), 0)
    table = {"rank": pa.array(rank, pa.int64(), mask=~scored),
             "country": pa.array(codes[order].astype(str), pa.string()),
             "name": pa.array(shown[order].tolist(), pa.string()),
             "cast": pa.array(cast[order], pa.int64())}
    for k in alignment.output_columns(metric):
        table[k] = pa.array(picked[k][order], pa.int64())
    table["score"] = pa.array(score[order], pa.float64())
    facts = {"min_votes": int(min_votes), "focal_cast": focal_cast, "unranked": unranked, "default": default,
             "share": MIN_SHARE}
    return pa.table(table).replace_schema_metadata({"unvote.neighbors": json.dumps(facts)})


def neighbors_facts(table) -> dict:
    """What ``neighbors`` stored in its table's schema metadata ({} if nothing)."""
    import json

    raw = (getattr(table, "schema", None) and table.schema.metadata or {}).get(b"unvote.neighbors")
    return json.loads(raw) if raw else {}


def neighbors_note(table, focal: str) -> str | None:
    """The line under a ranking that says who is not ranked and why (None when everyone is)."""
    facts = neighbors_facts(table)
    if not facts:
        return None
    n, k, m = facts["min_votes"], facts["unranked"], facts["focal_cast"]
    why = "default: half; see --min-votes" if facts["default"] else "--min-votes"
    if not k:
        return f"ranked: every country that voted Y/A/N on at least {n} of the {m} roll calls {focal} voted on ({why})"
    return (f"not ranked: {k} countr{'y' if k == 1 else 'ies'} that voted Y/A/N on fewer than {n} of the {m} roll "
            f"calls {focal} voted on ({why})")


@selecting
def matrix(*, year=None, since=None, until=None, session=None, topic=None, about=None, by: str = "all", metric: str = "agree",
           exclude_unanimous: bool = False, continuity: bool = True, wide: bool = False, body: str = "ga",
           source: str = "undl", kind: str = "resolution", limit: int | None = None, min_votes: int = MIN_VOTES,
           selection: Selection | None = None, store=None):
    """Agreement of every pair of countries, per period (``by``: all, year, session).

    Long (default): [period,] a, b, n, same, partial, opposite, absent (+ cells), score — every
    ordered pair a ≠ b that shared at least one roll call, so each pair appears both ways.
    ``wide``: one row per country, one score column per country (the diagonal is empty).
    ``limit``: the best-scoring ``limit`` pairs, each once (a < b), best first, those with fewer than
    ``min_votes`` roll calls both voted Y/A/N on after the rest (``top_pairs``).
    Computed with matrix products over one-hot vote masks (``analysis/pairwise.py``).
    """
    from ..analysis import align as alignment
    from ..analysis import pairwise

    check_metric(metric)
    check_period(by)
    query = Query(selection, store=store)
    calls, vm = query.matrix(fold_sessions=by == "session")
    keys, inverse = alignment.period_index(calls, by)
    long = pairwise.matrix_table(vm.votes, vm.countries, keys, inverse, metric=metric,
                                 include_period=by != "all")
    if wide:
        if limit is not None:
            raise UsageError("--limit applies to the long form (one row per pair), not --wide")
        return pairwise.wide(long, period_column=by != "all")
    return top_pairs(long, limit, min_votes) if limit is not None else long


def top_pairs(long, limit: int, min_votes: int = MIN_VOTES):
    """The ``limit`` best-scoring rows of a long matrix, each pair once (a < b): score, then n, descending;
    pairs that both cast Y/A/N on fewer than ``min_votes`` roll calls come after the others."""
    import numpy as np
    import pyarrow.compute as pc

    if limit < 1:
        raise UsageError("--limit must be 1 or more")
    once = long.filter(pc.less(long["a"], long["b"]))
    score = np.nan_to_num(once["score"].to_numpy(zero_copy_only=False).astype(float), nan=-np.inf)
    voted = sum(once[k].to_numpy() for k in ("same", "partial", "opposite"))
    order = np.lexsort((np.array(once["b"].to_pylist()), np.array(once["a"].to_pylist()),
                        -once["n"].to_numpy(), -score, voted < min_votes))
    return once.take(order[:limit])


@selecting
def cohesion(group, *, by: str = "year", year=None, since=None, until=None, session=None, topic=None, about=None,
             continuity: bool = True, body: str = "ga", source: str = "undl", kind: str = "resolution",
             selection: Selection | None = None, store=None):
    """How united a group voted, per period: the share of its members voting with the group's
    plurality position, how many voted with the outcome, and the Hix–Noury–Roland Agreement Index
    (see ``analysis/blocs.cohesion``). ``group`` may be a list of groups: one block of rows per
    group, with a first column ``group`` (its code) when there is more than one."""
    import pyarrow as pa

    from ..analysis import blocs

    check_period(by)
    wanted = [group] if isinstance(group, str) else list(group)
    found = list({g.code: g for g in (groups.lookup(text) for text in wanted)}.values())  # EU and eu once
    if not found:
        raise UsageError("name a group, e.g. cohesion ASEAN")
    query = Query(selection, store=store)
    merge = countries.continuity() if selection.continuity else {}
    tables = []
    for g in found:
        me = Side("group", g.code, g.name)
        calls, vm = query.matrix(codes=me.codes(selection.continuity), fold_sessions=by == "session",
                                 extra=("counted_yes", "counted_no"))
        mask = blocs.membership_mask(calls["date"].to_numpy().astype("datetime64[D]"), vm.countries, me.spells(),
                                     merge)
        passed = [adopted(y, n) for y, n in zip(calls["counted_yes"].to_pylist(), calls["counted_no"].to_pylist())]
        table = blocs.cohesion(calls, vm.votes, mask, by=by, adopted=passed)
        if table.num_rows == 0:
            raise NoData(f"no {g.code} member voted in {query.sel.body.upper()} roll calls{query.sel.describe()}")
        tables.append(table if len(found) == 1 else
                      table.add_column(0, "group", pa.array([g.code] * table.num_rows, pa.string())))
    return tables[0] if len(tables) == 1 else pa.concat_tables(tables)


def groups_table():
    """The groups `unvote` knows: group, kind, name, members (today), rows (dated spells), aliases, source."""
    import datetime as dt

    today = dt.date.today()
    return Rows.from_dicts([
        {"group": g.code, "kind": g.kind, "name": g.name, "members": len(groups.members(g, today)),
         "rows": len(groups.memberships(g)), "aliases": ", ".join(g.aliases), "source": g.source}
        for g in groups.all_groups()],
        {"group": "VARCHAR", "kind": "VARCHAR", "name": "VARCHAR", "members": "BIGINT", "rows": "BIGINT",
         "aliases": "VARCHAR", "source": "VARCHAR"})


def group_members(group: str, *, date=None):
    """A group's dated membership rows (all, or those covering ``date``): group, code, name, valid_from,
    valid_to, note. Dates are as the table writes them (a year where the day is not known)."""
    g = groups.lookup(group)
    rows = groups.memberships(g)
    if date is not None:
        day = parse_when(date, end=False)
        rows = [m for m in rows if m.covers(day)]
    rows = sorted(rows, key=lambda m: (m.code, m.valid_from))
    return Rows.from_dicts(
        [{"group": g.code, "code": m.code, "name": countries.display_name(m.code), "valid_from": m.as_written[0],
          "valid_to": m.as_written[1] or None, "note": m.note or None} for m in rows],
        {"group": "VARCHAR", "code": "VARCHAR", "name": "VARCHAR", "valid_from": "VARCHAR", "valid_to": "VARCHAR",
         "note": "VARCHAR"})


@selecting
def tally_by_group(*symbols: str, by: str = "regional", body: str = "ga", source: str = "undl",
                   kind: str = "resolution", topic=None, about=None, selection: Selection | None = None, store=None):
    """How each group voted on each roll call: one row per (roll call, group).

    ``by``: ``regional`` (the five UN regional groups, which partition the membership) or one or
    more group names separated by commas (``EU`` or ``EU,NATO``). A last row per roll call, group
    ``-``, counts the members in none of them (for ``regional``: the United States, and anyone
    outside the groups at the time), so with ``regional`` or one group the rows sum to the tally.
    Columns: resolution, date, group, name, yes, no, abstain, non_voting, members, position
    (the group's plurality vote Y/A/N, ``tie``, or empty when no member voted), with_plurality (the
    position is the Assembly's most common Y/A/N vote on the roll call) and with_outcome (Y on an
    adopted text, N on a rejected one: ``analysis.tally``); both empty without a position.
    """
    import numpy as np

    from ..analysis import blocs
    from ..analysis.codes import ABSTAIN, NO, NOT_LISTED, YES
    from ..analysis.votematrix import vote_matrix

    CAST = {YES: "Y", ABSTAIN: "A", NO: "N"}  # a position; no position (X) stays empty
    wanted = groups.regional() if by.strip().lower() == "regional" else \
        [groups.lookup(x) for x in dict.fromkeys(p.strip() for p in by.split(",") if p.strip())]
    if not wanted:
        raise UsageError("name a group for --by-group, or regional")
    query = _query(symbols, selection, store)
    calls = _find(query, symbols)
    ids = np.array(calls.column_values("rollcall_id"), dtype=np.int64)
    vm = vote_matrix(ids, query.votes(ids=ids.tolist()))
    dates = np.array(calls.column_values("date"), dtype="datetime64[D]")
    masks = [blocs.membership_mask(dates, vm.countries, Side("group", g.code, g.name).spells()) for g in wanted]
    listed = vm.votes != NOT_LISTED
    rest = listed & ~np.logical_or.reduce(masks)
    outside = "no regional group" if by.strip().lower() == "regional" else \
        "in none of " + ", ".join(g.code for g in wanted)
    rows = []
    for r, call in enumerate(calls.to_pylist()):
        whole = blocs.member_counts(vm.votes[r:r + 1], listed[r:r + 1])  # the Assembly's own tally
        y, n, a = (int(whole[k][0]) for k in ("yes", "no", "abstain"))
        for g, mask in [*zip(wanted, masks), (None, rest)]:
            counts = blocs.member_counts(vm.votes[r:r + 1], mask[r:r + 1])
            code, tie = blocs.position(counts)
            letter = None if tie[0] else CAST.get(int(code[0]))
            rows.append({"resolution": call["resolution"], "date": call["date"], "group": g.code if g else "-",
                         "name": g.name if g else outside, "yes": int(counts["yes"][0]), "no": int(counts["no"][0]),
                         "abstain": int(counts["abstain"][0]), "non_voting": int(counts["non_voting"][0]),
                         "members": int(counts["listed"][0]),
                         "position": "tie" if tie[0] else letter,
                         "with_plurality": with_plurality(letter, y, n, a), "with_outcome": with_outcome(letter, y, n)})
    return Rows.from_dicts(rows, {
        "resolution": "VARCHAR", "date": "DATE", "group": "VARCHAR", "name": "VARCHAR", "yes": "BIGINT",
        "no": "BIGINT", "abstain": "BIGINT", "non_voting": "BIGINT", "members": "BIGINT", "position": "VARCHAR",
        "with_plurality": "BOOLEAN", "with_outcome": "BOOLEAN"})
