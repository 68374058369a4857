"""Library functions for agreement beyond one pair: neighbours, all-pairs matrices, groups.

``unvote.api`` re-exports the public ones; each CLI command is a thin adapter over one of them.
A *side* is what may stand where a country stands: a country, or a group (``ASEAN``, ``EU``),
whose vote on a roll call is its members' plurality position (see ``analysis/blocs.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import countries, groups
from .errors import NoData, UsageError
from .store import Store

PERIODS = ("year", "session", "all")


@dataclass(frozen=True)
class Side:
    kind: str  # "country" | "group"
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.code} ({self.name})"


def side(text: str) -> Side:
    """A country or a group, from what a user typed.

    An exact ISO3 code is a country (so ``NAM`` is Namibia; the movement is ``Non-Aligned``), then
    a group name or alias (``asean``, ``EU``, ``Asia-Pacific``), then any country name or alias.
    """
    wanted = text.strip()
    if countries.get(wanted.upper()):
        c = countries.get(wanted.upper())
        return Side("country", c.code, c.name)
    group = groups.find(wanted)
    if group is not None:
        return Side("group", group.code, group.name)
    c = countries.lookup(wanted)  # raises UnknownCountry with suggestions (groups: unvote groups)
    return Side("country", c.code, c.name)


def side_vectors(sides: list[Side], calls, *, body: str, store: Store, continuity: bool = True):
    """Each side's int8 vote code per roll call of ``calls`` (codes as in ``analysis/codes.py``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .analysis import align as alignment
    from .analysis import blocs
    from .analysis.votematrix import vote_matrix

    merge = countries.continuity() if continuity else {}

    def codes_of(s: Side) -> list[str]:
        if s.kind == "country":
            return countries.lineage(s.code) if continuity else [s.code]
        spelled = {m.code for m in groups.memberships(s.code)}
        return sorted({c for code in spelled for c in (countries.lineage(code) if continuity else [code])})

    wanted = sorted({c for s in sides for c in codes_of(s)})
    found = store.votes(body, columns=["rollcall_id", "ms_code", "vote"], filters=[("ms_code", "in", wanted)])
    ids = calls["rollcall_id"].to_numpy()
    out = []
    for s in sides:
        if s.kind == "country":
            out.append(alignment.vote_vector(ids, found, codes_of(s)))
            continue
        mine = found.filter(pc.is_in(found["ms_code"].cast(pa.string()), pa.array(codes_of(s))))
        vm = vote_matrix(calls, mine, merge=merge)
        mask = blocs.membership_mask(_dates(calls), vm.countries, _spells(s.code), merge)
        vector, _ = blocs.position(blocs.member_counts(vm.votes, mask))
        out.append(vector)
    return out


def unanimous_mask(calls, *, body: str, store: Store):
    """Per roll call of ``calls``: True where Voeten's rule calls it unanimous (see ``align.unanimous``),
    counted from the store's votes so that every source is treated alike."""
    import numpy as np

    from .analysis import align as alignment
    from .analysis.codes import ABSTAIN, NO, YES, encode, locate

    ids = calls["rollcall_id"].to_numpy()
    votes = store.votes(body, columns=["rollcall_id", "vote"],
                        filters=[("rollcall_id", "in", ids.tolist())] if len(ids) < 2000 else None)
    pos, hit = locate(ids, votes["rollcall_id"].to_numpy())
    codes = encode(votes["vote"])

    def count(v):
        return np.bincount(pos[hit & (codes == v)], minlength=len(ids))

    return alignment.unanimous_from_counts(count(YES), count(NO), count(ABSTAIN))


def neighbors(focal: str, *, year: int | str | None = None, since: str | None = None,
              until: str | None = None, session: str | None = None, metric: str = "agree",
              exclude_unanimous: bool = False, continuity: bool = True, body: str = "ga",
              source: str = "undl", kind: str = "resolution", store: Store | None = None):
    """Every other country ranked by agreement with ``focal`` (a country or a group) over the span.

    Columns: rank, country, name, n, same, partial, opposite, absent (+ the cross-table cells for
    kappa/pi/votes-only), score. Countries with no shared roll call are left out; those with shared
    roll calls but no score (e.g. never both voted) come last, unranked. ``source``/``kind``: which
    data and which roll calls (``api.source_tables``).
    """
    import numpy as np
    import pyarrow as pa

    from .analysis import align as alignment
    from .analysis import pairwise

    _check_metric(metric)
    from .api import dataset

    store = store or Store()
    me = side(focal)
    since, until = _year_span(year, since, until)
    body = dataset(body, source, store=store)
    calls, vm = _matrix(store, body, since=since, until=until, session=session, kind=kind,
                        continuity=continuity, exclude_unanimous=exclude_unanimous)
    if me.kind == "country":
        if me.code not in vm.countries:
            raise NoData(f"{me.label} has no recorded {body.upper()} votes{_span_text(since, until, session)}")
        focal_vec = vm.column(me.code)
    else:
        focal_vec = side_vectors([me], calls, body=body, store=store, continuity=continuity)[0]
    counts = pairwise.against(focal_vec, vm.votes)
    names = np.array(vm.countries, dtype=object)
    keep = (counts["n"] > 0) & (names != me.code)
    score = alignment.METRICS[metric]({k: v[keep] for k, v in counts.items()})
    picked = {k: v[keep] for k, v in counts.items()}
    codes = names[keep]
    # best first; ties by more shared roll calls, then by code; no score last
    order = np.lexsort((codes.astype(str), -picked["n"], -np.nan_to_num(score, nan=-np.inf)))
    scored = ~np.isnan(score[order])
    rank = np.where(scored, np.cumsum(scored), 0)
    table = {"rank": pa.array(rank, pa.int64(), mask=~scored),
             "country": pa.array(codes[order].astype(str), pa.string()),
             "name": pa.array([countries.display_name(c) for c in codes[order]], pa.string())}
    for k in alignment.output_columns(metric):
        table[k] = pa.array(picked[k][order], pa.int64())
    table["score"] = pa.array(score[order], pa.float64())
    return pa.table(table)


def matrix(*, year: int | str | None = None, since: str | None = None, until: str | None = None,
           session: str | None = None, by: str = "all", metric: str = "agree",
           exclude_unanimous: bool = False, continuity: bool = True, wide: bool = False,
           body: str = "ga", source: str = "undl", kind: str = "resolution", store: Store | None = None):
    """Agreement of every pair of countries, per period (``by``: all, year, session).

    Long (default): [period,] a, b, n, same, partial, opposite, absent (+ cells), score — every
    ordered pair a ≠ b that shared at least one roll call, so each pair appears both ways.
    ``wide``: one row per country, one score column per country (the diagonal is empty).
    Computed with matrix products over one-hot vote masks (``analysis/pairwise.py``).
    """
    from .analysis import align as alignment
    from .analysis import pairwise

    _check_metric(metric)
    if by not in PERIODS:
        raise UsageError(f"unknown period {by!r}; use {', '.join(PERIODS)}")
    from .api import dataset

    store = store or Store()
    since, until = _year_span(year, since, until)
    body = dataset(body, source, store=store)
    calls, vm = _matrix(store, body, since=since, until=until, session=session, kind=kind,
                        continuity=continuity, exclude_unanimous=exclude_unanimous)
    keys, inverse = alignment.period_index(calls, by)
    long = pairwise.matrix_table(vm.votes, vm.countries, keys, inverse, metric=metric,
                                 include_period=by != "all")
    return pairwise.wide(long, period_column=by != "all") if wide else long


def cohesion(group: str, *, by: str = "year", since: str | None = None, until: str | None = None,
             session: str | None = None, continuity: bool = True, body: str = "ga",
             source: str = "undl", kind: str = "resolution", store: Store | None = None):
    """How united a group voted, per period: the share of its members voting with the group's
    plurality position, and the Hix–Noury–Roland Agreement Index (see ``analysis/blocs.cohesion``)."""
    from .analysis import blocs
    from .analysis.votematrix import vote_matrix
    from .api import dataset, select_rollcalls

    if by not in PERIODS:
        raise UsageError(f"unknown period {by!r}; use {', '.join(PERIODS)}")
    g = groups.lookup(group)
    store = store or Store()
    merge = countries.continuity() if continuity else {}
    body = dataset(body, source, store=store)
    calls = select_rollcalls(store, body, since=since, until=until, session=session, kind=kind)
    codes = sorted({c for m in groups.memberships(g) for c in (countries.lineage(m.code) if continuity else [m.code])})
    found = store.votes(body, columns=["rollcall_id", "ms_code", "vote"], filters=[("ms_code", "in", codes)])
    vm = vote_matrix(calls, found, merge=merge)
    mask = blocs.membership_mask(_dates(calls), vm.countries, _spells(g.code), merge)
    table = blocs.cohesion(calls, vm.votes, mask, by=by)
    if table.num_rows == 0:
        raise NoData(f"no {g.code} member voted in {body.upper()} roll calls{_span_text(since, until, session)}")
    return table


def groups_table():
    """The groups `unvote` knows: group, kind, name, members (today), rows (dated spells), source."""
    import datetime as dt

    import pyarrow as pa

    today = dt.date.today()
    return pa.Table.from_pylist([
        {"group": g.code, "kind": g.kind, "name": g.name, "members": len(groups.members(g, today)),
         "rows": len(groups.memberships(g)), "aliases": ", ".join(g.aliases), "source": g.source}
        for g in groups.all_groups()])


def group_members(group: str, *, date: str | None = None):
    """A group's dated membership rows (all, or those covering ``date``): code, name, valid_from,
    valid_to, note. Dates are as the table writes them (a year where the day is not known)."""
    import pyarrow as pa

    from .api import parse_when

    g = groups.lookup(group)
    rows = groups.memberships(g)
    if date is not None:
        day = parse_when(date, end=False)
        rows = [m for m in rows if m.covers(day)]
    rows = sorted(rows, key=lambda m: (m.code, m.valid_from))
    return pa.table({
        "group": pa.array([g.code] * len(rows), pa.string()),
        "code": pa.array([m.code for m in rows], pa.string()),
        "name": pa.array([countries.display_name(m.code) for m in rows], pa.string()),
        "valid_from": pa.array([m.as_written[0] for m in rows], pa.string()),
        "valid_to": pa.array([m.as_written[1] or None for m in rows], pa.string()),
        "note": pa.array([m.note or None for m in rows], pa.string()),
    })


def tally_by_group(*symbols: str, by: str = "regional", body: str = "ga", source: str = "undl",
                   kind: str = "resolution", store: Store | None = None):
    """How each group voted on each roll call: one row per (roll call, group).

    ``by``: ``regional`` (the five UN regional groups, which partition the membership) or one or
    more group names separated by commas (``EU`` or ``EU,NATO``). A last row per roll call, group
    ``-``, counts the members in none of them (for ``regional``: the United States, and anyone
    outside the groups at the time), so with ``regional`` or one group the rows sum to the tally.
    Columns: resolution, date, group, name, yes, no, abstain, non_voting, members, position
    (the group's plurality vote Y/A/N, ``tie``, or empty when no member voted).
    """
    import numpy as np
    import pyarrow as pa

    from .analysis import blocs
    from .analysis.codes import ABSTAIN, NO, YES
    from .analysis.votematrix import vote_matrix
    from .api import _votes_of, body_for, dataset, find

    wanted = groups.regional() if by.strip().lower() == "regional" else \
        [groups.lookup(x) for x in dict.fromkeys(p.strip() for p in by.split(",") if p.strip())]
    if not wanted:
        raise UsageError("name a group for --by-group, or regional")
    store = store or Store()
    body = dataset(body_for(symbols, body), source, store=store)
    calls = find(*symbols, body=body, kind=kind, store=store)
    vm = vote_matrix(calls, _votes_of(calls, body, store))
    dates = _dates(calls)
    masks = [blocs.membership_mask(dates, vm.countries, _spells(g.code)) for g in wanted]
    listed = vm.votes != 9
    rest = listed & ~np.logical_or.reduce(masks)
    outside = "no regional group" if by.strip().lower() == "regional" else \
        "in none of " + ", ".join(g.code for g in wanted)
    letter = {YES: "Y", ABSTAIN: "A", NO: "N"}
    rows = []
    for r in range(calls.num_rows):
        base = {"resolution": calls["resolution"][r].as_py(), "date": calls["date"][r].as_py()}
        for g, mask in [*zip(wanted, masks), (None, rest)]:
            counts = blocs.member_counts(vm.votes[r:r + 1], mask[r:r + 1])
            code, tie = blocs.position(counts)
            rows.append({**base, "group": g.code if g else "-", "name": g.name if g else outside,
                         "yes": int(counts["yes"][0]), "no": int(counts["no"][0]),
                         "abstain": int(counts["abstain"][0]), "non_voting": int(counts["non_voting"][0]),
                         "members": int(counts["listed"][0]),
                         "position": "tie" if tie[0] else letter.get(int(code[0]))})
    return pa.Table.from_pylist(rows, schema=pa.schema([
        ("resolution", pa.string()), ("date", pa.date32()), ("group", pa.string()), ("name", pa.string()),
        ("yes", pa.int64()), ("no", pa.int64()), ("abstain", pa.int64()), ("non_voting", pa.int64()),
        ("members", pa.int64()), ("position", pa.string())]))


# ---- helpers ------------------------------------------------------------------------------

def _check_metric(metric: str) -> None:
    from .analysis import align as alignment

    if metric not in alignment.METRICS:
        raise UsageError(f"unknown metric {metric!r}; choose from {', '.join(alignment.METRICS)}")


def _year_span(year, since, until):
    if year is None:
        return since, until
    if since or until:
        raise UsageError("give --year, or --since/--until, not both")
    text = str(year).strip()
    if not (text.isdigit() and len(text) == 4):
        raise UsageError(f"not a year: {year!r} (use e.g. 2022)")
    return text, text


def _matrix(store: Store, body: str, *, since, until, session, kind: str, continuity: bool,
            exclude_unanimous: bool):
    """The span's roll calls and their vote matrix (columns: countries listed at least once)."""
    from .analysis import align as alignment
    from .analysis.votematrix import VoteMatrix, vote_matrix
    from .api import select_rollcalls

    calls = select_rollcalls(store, body, since=since, until=until, session=session, kind=kind)
    ids = calls["rollcall_id"].to_pylist()
    total = store.rollcalls(body, columns=["rollcall_id"]).num_rows
    # a filtered read prunes row groups for a short span; the whole table is read faster unfiltered
    filters = [("rollcall_id", "in", ids)] if len(ids) < total // 4 else None
    found = store.votes(body, columns=["rollcall_id", "ms_code", "vote"], filters=filters)
    vm = vote_matrix(calls, found, merge=countries.continuity() if continuity else None)
    if exclude_unanimous:
        keep = ~alignment.unanimous(vm.votes)
        if not keep.any():
            raise NoData(f"every {body.upper()} roll call{_span_text(since, until, session)} was unanimous")
        calls = calls.filter(keep)
        vm = VoteMatrix(vm.rollcall_ids[keep], vm.countries, vm.votes[keep])
    present = (vm.votes != 9).any(axis=0)
    vm = VoteMatrix(vm.rollcall_ids, [c for c, p in zip(vm.countries, present) if p], vm.votes[:, present])
    if not vm.countries:
        raise NoData(f"no {body.upper()} votes{_span_text(since, until, session)}")
    return calls, vm


def _dates(calls):
    return calls["date"].to_numpy().astype("datetime64[D]")


def _spells(group_code: str):
    return [(m.code, m.valid_from, m.valid_to) for m in groups.memberships(group_code)]


def _span_text(since, until, session) -> str:
    from .api import _span_text as text

    return text(since, until, session)
