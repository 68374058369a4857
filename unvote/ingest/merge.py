"""Merge roll calls into a dataset by UNDL record id: new records are added, a changed copy
replaces the one held, an identical copy changes nothing (so a repeated update writes nothing).

Pure functions over pyarrow tables; the pipeline reads and writes the store around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Columns derived from the votes or from where a copy came from: not part of a record's content.
DERIVED = frozenset({"counted_yes", "counted_no", "counted_abstain", "counted_non_voting", "members",
                     "kind", "source", "record_modified"})
VOTE_CONTENT = ("ms_code", "ms_name", "vote")


@dataclass
class Merged:
    rollcalls: object  # pyarrow.Table
    votes: object  # pyarrow.Table
    added: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    kept_newer: list[int] = field(default_factory=list)  # the copy held is newer (MARC 005) than the one offered

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)


def merge(old_rc, old_votes, new_rc, new_votes) -> Merged:
    """Bring the records of (``new_rc``, ``new_votes``) into (``old_rc``, ``old_votes``).

    A record held and offered again is replaced when its content (roll-call fields other than
    the derived ones, and the set of (code, name, vote)) differs, unless both copies carry a
    ``record_modified`` stamp and the held one is the newer. Old rows keep their order; added and
    replacing records go at the end.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    new_ids = new_rc["rollcall_id"].to_pylist()
    held = set(old_rc["rollcall_id"].to_pylist()) & set(new_ids)
    old_rows = _rows_by_id(old_rc.filter(pc.is_in(old_rc["rollcall_id"], pa.array(sorted(held), pa.int64())))) \
        if held else {}
    new_rows = _rows_by_id(new_rc)
    old_v = _votes_by_id(old_votes, held)
    new_v = _votes_by_id(new_votes, set(new_ids))
    out = Merged(old_rc, old_votes)
    for rid in new_ids:
        if rid not in held:
            out.added.append(rid)
            continue
        before, after = old_rows[rid], new_rows[rid]
        stamp_old, stamp_new = before.get("record_modified"), after.get("record_modified")
        if stamp_old and stamp_new and stamp_new < stamp_old:
            out.kept_newer.append(rid)
        elif _content(before, after) == _content(after, before) and old_v.get(rid) == new_v.get(rid):
            out.unchanged.append(rid)
        else:
            out.replaced.append(rid)
    if not out.changed:
        return out
    take = pa.array(sorted(out.added + out.replaced), pa.int64())
    drop = pa.array(sorted(out.replaced), pa.int64())
    keep_rc = old_rc.filter(pc.invert(pc.is_in(old_rc["rollcall_id"], drop)))
    keep_votes = old_votes.filter(pc.invert(pc.is_in(old_votes["rollcall_id"], drop)))
    out.rollcalls = concat(keep_rc, new_rc.filter(pc.is_in(new_rc["rollcall_id"], take)))
    out.votes = concat(keep_votes, new_votes.filter(pc.is_in(new_votes["rollcall_id"], take)))
    return out


def concat(old, new):
    """Rows of ``old`` then ``new``: columns missing on one side become nulls, and ``new``'s
    columns take ``old``'s types (e.g. dictionary vs plain strings)."""
    import pyarrow as pa

    columns = list(old.column_names) + [c for c in new.column_names if c not in old.column_names]
    parts = []
    for table in (old, new):
        arrays = []
        for name in columns:
            target = (old if name in old.column_names else new).schema.field(name).type
            if name in table.column_names:
                col = table[name]
                arrays.append(col if col.type == target else col.cast(target))
            else:
                arrays.append(pa.nulls(table.num_rows, target))
        parts.append(pa.table(arrays, names=columns))
    return pa.concat_tables(parts)


def _rows_by_id(table) -> dict:
    return {row["rollcall_id"]: row for row in table.to_pylist()}


def _votes_by_id(votes, ids: set) -> dict[int, frozenset]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not ids:
        return {}
    mine = votes.filter(pc.is_in(votes["rollcall_id"], pa.array(sorted(ids), pa.int64())))
    out: dict[int, set] = {}
    cols = [mine[c].to_pylist() for c in ("rollcall_id", *VOTE_CONTENT)]
    for rid, *entry in zip(*cols):
        out.setdefault(rid, set()).add(tuple(entry))
    return {rid: frozenset(v) for rid, v in out.items()}


def _content(row: dict, other: dict) -> tuple:
    """The comparable fields of ``row`` (those both copies have; "" and missing are alike)."""
    keys = sorted(k for k in row.keys() & other.keys() if k not in DERIVED)
    return tuple((k, "" if row[k] is None else row[k]) for k in keys)
