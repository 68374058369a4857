"""How often two countries vote alike, per period.

Counts over roll calls where both were listed in the record (members at the time):
  same      both Y, both N, or both A
  partial   one abstained, the other voted Y or N
  opposite  one Y, the other N
  absent    one or both did not vote (X, or a code we cannot read)
  n         same + partial + opposite + absent

Behind them, the 3×3 cross-table of the roll calls both voted Y/A/N on: ``yy``, ``ya``, ``yn``,
``ay``, ``aa``, ``an``, ``ny``, ``na``, ``nn`` (first letter: the first country's vote). The
chance-corrected metrics need it, and ``votes-only`` needs ``aa`` apart from ``same``. Metrics are
functions of these counts, so one count serves a pair, a period, or a whole all-pairs matrix.

Votes are coded yes=1, abstain=2, no=3 (Voeten). ``agree`` (Voeten's 1 − |v₁−v₂|/2 averaged over
roll calls both voted on) is exactly (same + ½·partial)/(same + partial + opposite): |v₁−v₂| is 0
for same, 1 for partial, 2 for opposite.
"""

from __future__ import annotations

CELLS = ("yy", "ya", "yn", "ay", "aa", "an", "ny", "na", "nn")
COUNT_COLUMNS = ("n", "same", "partial", "opposite", "absent")


def _voted(c):
    return c["same"] + c["partial"] + c["opposite"]


METRICS = {
    # Voeten / Lijphart agreement: abstention counts as half agreement with Y or N.
    "agree": lambda c: _ratio(c["same"] + 0.5 * c["partial"], _voted(c)),
    # US State Department coincidence (2021+ reports): absences count as half, over all votes.
    "statedept": lambda c: _ratio(c["same"] + 0.5 * (c["partial"] + c["absent"]), c["n"]),
    # State Department 2017-2020 reports: absences left out, abstention half. On these counts the
    # same number as agree; kept under its own name so a report's rule can be asked for by name.
    "statedept2017": lambda c: _ratio(c["same"] + 0.5 * c["partial"], _voted(c)),
    # State Department "votes only": roll calls where both voted Y or N.
    "votes-only": lambda c: _ratio(c["yy"] + c["nn"], c["yy"] + c["nn"] + c["yn"] + c["ny"]),
    # Only identical votes count.
    "identical": lambda c: _ratio(c["same"], _voted(c)),
    # Signorino & Ritter S on the 3-point scale: 1 − 2·d/d_max, d = mean |v1 − v2|, d_max = 2.
    "s": lambda c: _ratio(c["same"] - c["opposite"], _voted(c)),
    # Chance-corrected (Häge 2011): 1 − observed / expected disagreement on the 3×3 table.
    "kappa": lambda c: _chance_corrected(c, "nominal", pooled=False),
    "kappa-linear": lambda c: _chance_corrected(c, "linear", pooled=False),
    "kappa-quadratic": lambda c: _chance_corrected(c, "quadratic", pooled=False),
    "pi": lambda c: _chance_corrected(c, "nominal", pooled=True),
}
# metrics whose score needs the cross-table: their output carries the nine cells
CELL_METRICS = ("votes-only", "kappa", "kappa-linear", "kappa-quadratic", "pi")
# score ranges, for views and tests: the others lie in [0, 1]
SIGNED_METRICS = ("s", "kappa", "kappa-linear", "kappa-quadratic", "pi")


def output_columns(metric: str) -> tuple[str, ...]:
    """The count columns shown with ``metric``'s score."""
    return COUNT_COLUMNS + (CELLS if metric in CELL_METRICS else ())


def vote_vector(rollcall_ids, votes, codes: list[str]):
    """Each roll call's vote (int8 codes, NOT_LISTED where absent) for a country and its lineage.

    ``codes`` are merged: under the continuity policy the USSR's votes count as Russia's; a record
    never lists two codes of one lineage.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from .codes import NOT_LISTED, encode, locate

    out = np.full(len(rollcall_ids), NOT_LISTED, dtype=np.int8)
    mine = votes.filter(pc.is_in(votes["ms_code"].cast(pa.string())
                                 if pa.types.is_dictionary(votes["ms_code"].type) else votes["ms_code"],
                                 pa.array(codes)))
    if mine.num_rows:
        at, found = locate(rollcall_ids, mine["rollcall_id"].to_numpy())
        out[at[found]] = encode(mine["vote"])[found]
    return out


def pair_counts(a, b):
    """Per roll call, 0/1 indicators of same/partial/opposite/absent and of the nine cells."""
    import numpy as np

    from .codes import ABSTAIN, NO, NOT_LISTED, YES

    both = (a != NOT_LISTED) & (b != NOT_LISTED)
    out = {}
    for i, x in (("y", YES), ("a", ABSTAIN), ("n", NO)):
        for j, y in (("y", YES), ("a", ABSTAIN), ("n", NO)):
            out[i + j] = (a == x) & (b == y)
    same = out["yy"] | out["aa"] | out["nn"]
    opposite = out["yn"] | out["ny"]
    partial = out["ya"] | out["ay"] | out["na"] | out["an"]
    absent = both & ~(same | opposite | partial)
    out.update({"same": same, "partial": partial, "opposite": opposite, "absent": absent,
                "n": both.astype(np.int64)})
    return out


def unanimous(codes):
    """Roll calls (rows of an int8 code matrix, roll calls × countries) where every member that
    voted Y, A or N voted the same way — Voeten's rule for dropping unanimous votes (his
    DyadicAgreementScores.R keeps a vote only if its Y/A/N votes take more than one distinct value).
    A roll call with no Y/A/N vote at all counts as unanimous too: it has nothing to compare."""
    import numpy as np

    from .codes import ABSTAIN, NO, YES

    kinds = sum((codes == v).any(axis=1).astype(np.int8) for v in (YES, ABSTAIN, NO))
    return kinds <= 1


def unanimous_from_counts(yes, no, abstain):
    """The same rule from per-roll-call Y/N/A totals."""
    import numpy as np

    return ((np.asarray(yes) > 0).astype(int) + (np.asarray(no) > 0) + (np.asarray(abstain) > 0)) <= 1


def align(rollcalls, a, b, *, by: str = "year", metric: str = "agree"):
    """Agreement per period between vote vectors ``a`` and ``b`` (aligned with ``rollcalls``).

    ``by``: "year" (calendar year of the vote), "session", or "all" (one pooled row).
    Returns period, n, same, partial, opposite, absent (+ the nine cells for CELL_METRICS), score.
    """
    import numpy as np
    import pyarrow as pa

    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    keys, inverse = period_index(rollcalls, by)
    per_call = pair_counts(a, b)
    counts = {k: np.bincount(inverse, weights=v, minlength=len(keys)).astype(np.int64)
              for k, v in per_call.items()}
    keep = counts["n"] > 0  # periods in which both were members
    counts = {k: v[keep] for k, v in counts.items()}
    table = {"period": pa.array(keys[keep].tolist(), pa.string())}
    table.update({k: pa.array(counts[k]) for k in output_columns(metric)})
    table["score"] = pa.array(METRICS[metric](counts), pa.float64())
    return pa.table(table)


def period_index(rollcalls, by: str):
    """(period labels in order of their first roll call, each roll call's period index)."""
    import numpy as np

    periods = _periods(rollcalls, by)
    keys, first, inverse = np.unique(periods, return_index=True, return_inverse=True)
    # periods in order of their first roll call (rollcalls come sorted by date)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(keys))
    return keys[np.argsort(first, kind="stable")], rank[inverse.reshape(-1)]


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


# Disagreement weights on the Y/A/N scale (1, 2, 3): d = |i − j| / 2, i.e. 0, ½ or 1.
_WEIGHTS = {
    "nominal": lambda d: (d > 0).astype(float),  # Cohen 1960 / Scott 1955: any difference is 1
    "linear": lambda d: d,                        # Cohen 1968 weighted kappa, absolute distances
    "quadratic": lambda d: d * d,                 # squared distances (Fleiss & Cohen 1973)
}


def _chance_corrected(c, weights: str, *, pooled: bool):
    """1 − D_o / D_e over the 3×3 table (Häge 2011's general form of kappa and pi).

    D_o = Σ w_ij p_ij (observed disagreement), D_e = Σ w_ij e_ij with e_ij = r_i·c_j from each
    country's own marginals (Cohen's kappa) or m_i·m_j from the pooled marginals m = (r + c)/2
    (Scott's pi). With nominal weights this is the familiar (p_o − p_e)/(1 − p_e). Undefined (NaN)
    when D_e = 0: both always cast the one same vote, so agreement is all chance.
    """
    import numpy as np

    cells = np.stack([np.asarray(c[k], dtype=float) for k in CELLS], axis=-1)
    shape = cells.shape[:-1]
    table = cells.reshape(shape + (3, 3))
    total = table.sum(axis=(-2, -1))
    scale = np.arange(3, dtype=float)
    w = _WEIGHTS[weights](np.abs(scale[:, None] - scale[None, :]) / 2)
    rows, cols = table.sum(axis=-1), table.sum(axis=-2)
    if pooled:
        rows = cols = (rows + cols) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = (table * w).sum(axis=(-2, -1)) / total
        expected = np.einsum("...i,ij,...j->...", rows, w, cols) / (total * total)
        return np.where((total > 0) & (expected > 0), 1 - observed / np.where(expected > 0, expected, 1),
                        np.nan)
