"""How often two countries vote alike, per period.

Counts over roll calls where both were listed in the record (members at the time):
  same      both Y, both N, or both A
  partial   one abstained, the other voted Y or N
  opposite  one Y, the other N
  absent    one or both did not vote (X, or a code we cannot read)
  n         same + partial + opposite + absent
"""

from __future__ import annotations

METRICS = {
    # Voeten / Lijphart agreement: abstention counts as half agreement with Y or N.
    "agree": lambda c: _ratio(c["same"] + 0.5 * c["partial"], c["same"] + c["partial"] + c["opposite"]),
    # US State Department coincidence (2021+ reports): absences count as half, over all votes.
    "statedept": lambda c: _ratio(c["same"] + 0.5 * (c["partial"] + c["absent"]), c["n"]),
    # Only identical votes count.
    "identical": lambda c: _ratio(c["same"], c["same"] + c["partial"] + c["opposite"]),
}
COUNT_COLUMNS = ("n", "same", "partial", "opposite", "absent")


def vote_vector(rollcall_ids, votes, codes: list[str]):
    """Each roll call's vote (int8 codes, NOT_LISTED where absent) for a country and its lineage.

    ``codes`` are merged: under the continuity policy the USSR's votes count as Russia's; a record
    never lists two codes of one lineage.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from .codes import NOT_LISTED, encode

    out = np.full(len(rollcall_ids), NOT_LISTED, dtype=np.int8)
    mine = votes.filter(pc.is_in(votes["ms_code"].cast(pa.string())
                                 if pa.types.is_dictionary(votes["ms_code"].type) else votes["ms_code"],
                                 pa.array(codes)))
    if mine.num_rows:
        order = np.argsort(rollcall_ids, kind="stable")
        ids = mine["rollcall_id"].to_numpy()
        at = np.searchsorted(rollcall_ids, ids, sorter=order)
        found = at < len(order)
        at = order[np.minimum(at, len(order) - 1)]
        found &= rollcall_ids[at] == ids
        out[at[found]] = encode(mine["vote"])[found]
    return out


def pair_counts(a, b):
    """Per roll call, 0/1 indicators of same/partial/opposite/absent for two int8 vote vectors."""
    import numpy as np

    from .codes import ABSTAIN, NO, NOT_LISTED, YES

    both = (a != NOT_LISTED) & (b != NOT_LISTED)
    voted_a = (a == YES) | (a == NO) | (a == ABSTAIN)
    voted_b = (b == YES) | (b == NO) | (b == ABSTAIN)
    voted = both & voted_a & voted_b
    same = voted & (a == b)
    opposite = voted & (((a == YES) & (b == NO)) | ((a == NO) & (b == YES)))
    partial = voted & ~same & ~opposite
    absent = both & ~voted
    return {"same": same, "partial": partial, "opposite": opposite, "absent": absent,
            "n": both.astype(np.int64)}


def align(rollcalls, a, b, *, by: str = "year", metric: str = "agree"):
    """Agreement per period between vote vectors ``a`` and ``b`` (aligned with ``rollcalls``).

    ``by``: "year" (calendar year of the vote), "session", or "all" (one pooled row).
    Returns period, n, same, partial, opposite, absent, score.
    """
    import numpy as np
    import pyarrow as pa

    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    periods = _periods(rollcalls, by)
    keys, first, inverse = np.unique(periods, return_index=True, return_inverse=True)
    # periods in order of their first roll call (rollcalls come sorted by date)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(keys))
    keys, inverse = keys[np.argsort(first, kind="stable")], rank[inverse]
    per_call = pair_counts(a, b)
    counts = {k: np.bincount(inverse, weights=v, minlength=len(keys)).astype(np.int64)
              for k, v in per_call.items()}
    keep = counts["n"] > 0  # periods in which both were members
    counts = {k: v[keep] for k, v in counts.items()}
    table = {"period": pa.array(keys[keep].tolist(), pa.string())}
    table.update({k: pa.array(counts[k]) for k in COUNT_COLUMNS})
    table["score"] = pa.array(METRICS[metric](counts), pa.float64())
    return pa.table(table)


def _periods(rollcalls, by: str):
    import numpy as np
    import pyarrow.compute as pc

    if by == "year":
        return pc.year(rollcalls["date"]).to_numpy().astype(str)
    if by == "session":
        return np.array(rollcalls["session"].to_pylist(), dtype=object)
    if by == "all":
        return np.array(["all"] * rollcalls.num_rows, dtype=object)
    raise ValueError(f"unknown period {by!r}")


def _ratio(num, den):
    import numpy as np

    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
