"""A group's votes: its members on each roll call, its position, its cohesion.

A group's *position* on a roll call is the plurality of the Y/A/N votes of its members at the
time (members per the dated table, listed in the record). If two or three options tie for most
votes, or no member voted Y/A/N, the group has no position: the roll call is coded non-voting
(it counts as ``absent`` when the group is compared with a country). If no member was listed, the
group is coded not listed (the roll call is outside the comparison, as for a non-member state).
"""

from __future__ import annotations

from .align import _ratio, period_index
from .codes import ABSTAIN, NO, NON_VOTING, NOT_LISTED, YES


def membership_mask(dates, columns: list[str], spells, merge: dict[str, str] | None = None):
    """Bool (roll calls × columns): was the column's country a member on each roll call's date?

    ``dates``: numpy datetime64[D] per roll call; ``spells``: (code, valid_from, valid_to or None)
    with datetime.date bounds, inclusive. ``merge`` maps a code to the column that holds its votes
    (the continuity policy, e.g. SUN → RUS); a spell whose country has no column is skipped.
    """
    import numpy as np

    merge = merge or {}
    at = {c: i for i, c in enumerate(columns)}
    mask = np.zeros((len(dates), len(columns)), dtype=bool)
    for code, start, end in spells:
        col = at.get(merge.get(code, code))
        if col is None:
            continue
        inside = dates >= np.datetime64(start, "D")
        if end is not None:
            inside &= dates <= np.datetime64(end, "D")
        mask[inside, col] = True
    return mask


def member_counts(codes, mask) -> dict:
    """Per roll call: yes, no, abstain, non_voting (X or unreadable), listed — over members only."""
    import numpy as np

    def count(hit):
        return (hit & mask).sum(axis=1).astype(np.int64)

    out = {"yes": count(codes == YES), "no": count(codes == NO), "abstain": count(codes == ABSTAIN),
           "listed": count(codes != NOT_LISTED)}
    out["voting"] = out["yes"] + out["no"] + out["abstain"]
    out["non_voting"] = out["listed"] - out["voting"]
    return out


def position(counts) -> tuple:
    """(int8 vote code per roll call, bool tie per roll call) from ``member_counts``."""
    import numpy as np

    stacked = np.stack([counts["yes"], counts["abstain"], counts["no"]], axis=1)
    top = stacked.max(axis=1)
    winners = (stacked == top[:, None]).sum(axis=1)
    tie = (top > 0) & (winners > 1)
    code = np.array([YES, ABSTAIN, NO], dtype=np.int8)[stacked.argmax(axis=1)]
    code = np.where((top == 0) | tie, np.int8(NON_VOTING), code).astype(np.int8)
    code = np.where(counts["listed"] == 0, np.int8(NOT_LISTED), code).astype(np.int8)
    return code, tie


def cohesion(rollcalls, codes, mask, *, by: str = "year", adopted=None):
    """Per period: how united the group voted.

    rollcalls       roll calls on which at least one member voted Y/A/N
    ties            of those, roll calls with no single plurality position
    voting          members' Y/A/N votes on the roll calls that had a position
    with_plurality  of those, votes equal to the group's position (its members' most common Y/A/N)
    with_outcome    of those, Yes votes on adopted texts and No votes on rejected ones (``adopted``:
                    one bool per roll call, ``analysis.tally.adopted``; 0 without it)
    non_voting      members listed but not voting (X), on the same roll calls
    score           with_plurality / voting: the share of members voting with the group's plurality
    ai              mean Hix–Noury–Roland Agreement Index over ``rollcalls``:
                    (max − ½(Y + A + N − max)) / (Y + A + N), 1 = unanimous, 0 = an even three-way split
    """
    import numpy as np
    import pyarrow as pa

    counts = member_counts(codes, mask)
    pos, tie = position(counts)
    voted = counts["voting"] > 0
    top = np.maximum(np.maximum(counts["yes"], counts["no"]), counts["abstain"])
    decided = voted & ~tie
    passed = np.zeros(len(top), bool) if adopted is None else np.asarray(adopted, dtype=bool)
    outcome = np.where(passed, counts["yes"], counts["no"])
    with np.errstate(invalid="ignore", divide="ignore"):
        ai = np.where(voted, (top - 0.5 * (counts["voting"] - top)) / np.maximum(counts["voting"], 1), 0.0)
    keys, inverse = period_index(rollcalls, by)

    def per_period(values):
        return np.bincount(inverse, weights=np.asarray(values, dtype=float), minlength=len(keys))

    n_calls = per_period(voted)
    keep = n_calls > 0
    voting = per_period(np.where(decided, counts["voting"], 0))
    agree = per_period(np.where(decided, top, 0))
    return pa.table({
        "period": pa.array(keys[keep].tolist(), pa.string()),
        "rollcalls": pa.array(n_calls[keep].astype(np.int64)),
        "ties": pa.array(per_period(tie)[keep].astype(np.int64)),
        "voting": pa.array(voting[keep].astype(np.int64)),
        "with_plurality": pa.array(agree[keep].astype(np.int64)),
        "with_outcome": pa.array(per_period(np.where(decided, outcome, 0))[keep].astype(np.int64)),
        "non_voting": pa.array(per_period(np.where(decided, counts["non_voting"], 0))[keep].astype(np.int64)),
        "score": pa.array(_ratio(agree, voting)[keep], pa.float64()),
        "ai": pa.array(_ratio(per_period(ai), n_calls)[keep], pa.float64()),
    })
