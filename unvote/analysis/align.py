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


RELATIONS = ("same", "partial", "opposite", "absent")
_CAST = ("Y", "A", "N")


def relation(a: str | None, b: str | None) -> str | None:
    """How two votes (letters as stored: Y, A, N, X, or an unreadable code) relate: same, partial
    (one abstained, the other voted Y or N), opposite (Y against N), absent (one or both listed
    but not voting), or None when either was not listed in the record (not a member then)."""
    if a is None or b is None:
        return None
    if a in _CAST and b in _CAST:
        if a == b:
            return "same"
        return "partial" if "A" in (a, b) else "opposite"
    return "absent"


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_COLUMNS + CELLS, 0)


def add_pair(counts: dict[str, int], a: str | None, b: str | None) -> str | None:
    """Count one roll call's pair of votes into ``counts``; returns its relation."""
    rel = relation(a, b)
    if rel is not None:
        counts["n"] += 1
        counts[rel] += 1
        if a in _CAST and b in _CAST:
            counts[a.lower() + b.lower()] += 1
    return rel


def align(periods, a_votes, b_votes, *, metric: str = "agree") -> list[dict]:
    """Agreement per period of two vote sequences (aligned roll call by roll call; ``periods``
    labels each roll call). Periods keep the order of their first roll call; a period in which the
    two were never both listed is left out. Rows: period, n, same, partial, opposite, absent (+ the
    nine cells for CELL_METRICS), score."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    per: dict = {}
    for period, a, b in zip(periods, a_votes, b_votes, strict=True):
        add_pair(per.setdefault(period, empty_counts()), a, b)
    return [{"period": period, **{k: c[k] for k in output_columns(metric)}, "score": score(c, metric)}
            for period, c in per.items() if c["n"] > 0]


def score(counts: dict, metric: str) -> float:
    """One period's (or pair's) score from its counts; NaN where the metric is undefined."""
    return float(METRICS[metric](counts))


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
    if by == "session":  # the regular session, special sessions folded in (model.sessions)
        column = "regular_session" if "regular_session" in rollcalls.column_names else "session"
        return np.array(rollcalls[column].to_pylist(), dtype=object)
    if by == "all":
        return np.array(["all"] * rollcalls.num_rows, dtype=object)
    raise ValueError(f"unknown period {by!r}")


def _ratio(num, den):
    """num / den where den > 0, else NaN: on Python numbers, or elementwise on numpy arrays."""
    if isinstance(num, (int, float)) and isinstance(den, (int, float)):
        return num / den if den > 0 else float("nan")
    import numpy as np

    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


# Disagreement weights on the Y/A/N scale (1, 2, 3): d = |i − j| / 2, i.e. 0, ½ or 1.
_WEIGHTS = {
    "nominal": lambda d: float(d > 0),  # Cohen 1960 / Scott 1955: any difference is 1
    "linear": lambda d: d,              # Cohen 1968 weighted kappa, absolute distances
    "quadratic": lambda d: d * d,       # squared distances (Fleiss & Cohen 1973)
}


def _chance_corrected(c, weights: str, *, pooled: bool):
    """1 − D_o / D_e over the 3×3 table (Häge 2011's general form of kappa and pi).

    D_o = Σ w_ij p_ij (observed disagreement), D_e = Σ w_ij e_ij with e_ij = r_i·c_j from each
    country's own marginals (Cohen's kappa) or m_i·m_j from the pooled marginals m = (r + c)/2
    (Scott's pi). With nominal weights this is the familiar (p_o − p_e)/(1 − p_e). Undefined (NaN)
    when D_e = 0: both always cast the one same vote, so agreement is all chance. Plain arithmetic,
    so the cells may be Python numbers (one pair) or numpy arrays (every pair at once).
    """
    letters = "yan"
    cell = {(i, j): c[letters[i] + letters[j]] for i in range(3) for j in range(3)}
    w = {(i, j): _WEIGHTS[weights](abs(i - j) / 2) for i in range(3) for j in range(3)}
    total = sum(cell.values())
    rows = [cell[i, 0] + cell[i, 1] + cell[i, 2] for i in range(3)]
    cols = [cell[0, j] + cell[1, j] + cell[2, j] for j in range(3)]
    if pooled:
        rows = cols = [(r + k) / 2 for r, k in zip(rows, cols)]
    observed = sum(w[k] * cell[k] for k in cell if w[k])  # Σ w·n, i.e. D_o · total
    expected = sum(w[i, j] * rows[i] * cols[j] for i, j in cell if w[i, j])  # D_e · total²
    # 1 − D_o / D_e = 1 − observed · total / expected
    return 1 - _ratio(observed * total, expected) if isinstance(total, (int, float)) \
        else _array_corrected(observed, expected, total)


def _array_corrected(observed, expected, total):
    import numpy as np

    ratio = _ratio(np.asarray(observed, dtype=float) * total, expected)
    return np.where(np.asarray(total) > 0, 1 - ratio, np.nan)
