"""Agreement metrics on hand-computed toy cases, edge cases, and properties (hypothesis)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unvote.analysis import align as A
from unvote.analysis import pairwise
from unvote.analysis.codes import ABSTAIN, NO, NON_VOTING, NOT_LISTED, OTHER, YES, is_unanimous

Y, AB, N, X, NL = YES, ABSTAIN, NO, NON_VOTING, NOT_LISTED

# The toy pair: cross-table yy=4 ya=1 yn=1 / ay=0 aa=2 an=1 / ny=1 na=0 nn=3 (13 roll calls both
# voted on), one roll call each where one of them did not vote (absent = 2), and two where one of
# them was not listed (outside every count).
TOY = ([(Y, Y)] * 4 + [(Y, AB), (Y, N)] + [(AB, AB)] * 2 + [(AB, N), (N, Y)] + [(N, N)] * 3
       + [(Y, X), (X, N)] + [(NL, Y), (Y, NL)])
TOY_A = np.array([p[0] for p in TOY], np.int8)
TOY_B = np.array([p[1] for p in TOY], np.int8)

# Worked by hand (see the README's formulas):
#   agree = (same + ½ partial)/(same + partial + opposite) = (9 + 1)/13
#   statedept = (same + ½(partial + absent))/n = (9 + 2)/15
#   votes-only = (yy + nn)/(yy + nn + yn + ny) = 7/9;  identical = 9/13;  S = (9 − 2)/13
#   kappa: rows (6, 3, 4), columns (5, 3, 5): p_o = 9/13, p_e = 59/169 → 58/110
#   pi: pooled marginals (5.5, 3, 4.5)/13: p_e = 59.5/169 → 57.5/109.5
#   kappa-linear: D_o = 3/13, D_e = 80/169 → 1 − 39/80;  kappa-quadratic: D_o = 2.5/13, D_e = 65/169 → 0.5
TOY_SCORES = {
    "agree": 10 / 13, "statedept": 11 / 15, "statedept2017": 10 / 13, "votes-only": 7 / 9,
    "identical": 9 / 13, "s": 7 / 13, "kappa": 58 / 110, "pi": 57.5 / 109.5,
    "kappa-linear": 41 / 80, "kappa-quadratic": 0.5,
}


LETTER = {YES: "Y", ABSTAIN: "A", NO: "N", NON_VOTING: "X", OTHER: "AN", NOT_LISTED: None}


def letters(codes):
    return [LETTER[int(c)] for c in codes]


def counts(a, b):
    c = A.empty_counts()
    for x, y in zip(letters(a), letters(b)):
        A.add_pair(c, x, y)
    return c


def score(metric, a, b):
    return float(A.METRICS[metric](counts(a, b)))


def test_toy_counts():
    c = counts(TOY_A, TOY_B)
    assert (c["n"], c["same"], c["partial"], c["opposite"], c["absent"]) == (15, 9, 2, 2, 2)
    assert [c[k] for k in A.CELLS] == [4, 1, 1, 0, 2, 1, 1, 0, 3]


@pytest.mark.parametrize("metric", sorted(TOY_SCORES))
def test_toy_scores(metric):
    assert score(metric, TOY_A, TOY_B) == pytest.approx(TOY_SCORES[metric], abs=1e-12)


def test_every_metric_has_a_toy_case():
    assert set(TOY_SCORES) == set(A.METRICS)


def test_agree_is_voeten_mean_distance():
    """(same + ½ partial)/(same + partial + opposite) = mean of 1 − |v1 − v2|/2 over votes both cast."""
    both = np.isin(TOY_A, (Y, AB, N)) & np.isin(TOY_B, (Y, AB, N))
    voeten = np.mean(1 - np.abs(TOY_A[both].astype(int) - TOY_B[both]) / 2)
    assert score("agree", TOY_A, TOY_B) == pytest.approx(voeten)


def test_align_table_per_period_and_columns():
    a, b = letters(TOY_A), letters(TOY_B)
    t = A.align(["all"] * len(TOY), a, b, metric="kappa")
    assert list(t[0]) == ["period", "n", "same", "partial", "opposite", "absent", *A.CELLS, "score"]
    assert t[0]["score"] == pytest.approx(58 / 110)
    assert list(A.align(["all"] * len(TOY), a, b)[0]) == ["period", "n", "same", "partial", "opposite", "absent",
                                                         "score"]
    halves = A.align([f"p{i % 2}" for i in range(len(TOY))], a, b)
    assert [r["period"] for r in halves] == ["p0", "p1"]
    assert sum(r["n"] for r in halves) == 15  # the two periods split the toy pair's counts


# ---- edge cases ---------------------------------------------------------------------------

def test_no_shared_votes_scores_nothing():
    a = np.array([Y, N, NL, NL], np.int8)
    b = np.array([NL, NL, Y, N], np.int8)
    c = counts(a, b)
    assert c["n"] == 0
    for metric in A.METRICS:
        assert math.isnan(score(metric, a, b)), metric


def test_all_unanimous_yes():
    """Both always Y: the shares are 1; every chance-corrected index is undefined (all agreement is
    what chance predicts)."""
    a = b = np.array([Y] * 6, np.int8)
    for metric in ("agree", "statedept", "statedept2017", "votes-only", "identical", "s"):
        assert score(metric, a, b) == 1.0, metric
    for metric in ("kappa", "kappa-linear", "kappa-quadratic", "pi"):
        assert math.isnan(score(metric, a, b)), metric
    assert is_unanimous(np.array([3, 0, 2, 0]), np.array([0, 3, 0, 0]), np.array([0, 0, 1, 0])).tolist() == \
        [True, True, False, True]
    assert [is_unanimous(y, n, a) for y, n, a in ((3, 0, 0), (0, 0, 0), (2, 0, 1))] == [True, True, False]


def test_country_absent_throughout():
    """Listed but never voting (e.g. Venezuela in 2022, in arrears): only statedept scores it."""
    a = np.array([X, X, X, OTHER], np.int8)
    b = np.array([Y, N, AB, Y], np.int8)
    c = counts(a, b)
    assert (c["n"], c["absent"], c["same"] + c["partial"] + c["opposite"]) == (4, 4, 0)
    assert score("statedept", a, b) == 0.5
    for metric in set(A.METRICS) - {"statedept"}:
        assert math.isnan(score(metric, a, b)), metric


def test_perfect_disagreement():
    a = np.array([Y, N, Y, N], np.int8)
    b = np.array([N, Y, N, Y], np.int8)
    assert score("agree", a, b) == 0.0 and score("s", a, b) == -1.0
    assert score("kappa", a, b) == -1.0 and score("pi", a, b) == -1.0
    assert score("kappa-quadratic", a, b) == -1.0


# ---- properties ---------------------------------------------------------------------------

VOTES = st.sampled_from([Y, AB, N, X, NL, OTHER])
PAIRS = st.integers(0, 60).flatmap(lambda n: st.tuples(
    st.lists(VOTES, min_size=n, max_size=n), st.lists(VOTES, min_size=n, max_size=n)))
SHARES = ("agree", "statedept", "statedept2017", "votes-only", "identical")


def same_or_both_nan(x, y):
    return (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(PAIRS)
def test_symmetric(pair):
    a, b = (np.array(v, np.int8) for v in pair)
    for metric in A.METRICS:
        assert same_or_both_nan(score(metric, a, b), score(metric, b, a)), metric


@settings(max_examples=300, deadline=None)
@given(PAIRS)
def test_bounds(pair):
    a, b = (np.array(v, np.int8) for v in pair)
    for metric in A.METRICS:
        s = score(metric, a, b)
        if math.isnan(s):
            continue
        low = -1.0 if metric in A.SIGNED_METRICS else 0.0
        assert low - 1e-12 <= s <= 1 + 1e-12, (metric, s)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([Y, AB, N, NL]), min_size=1, max_size=60))
def test_identical_voters_score_one(votes):
    a = np.array(votes, np.int8)
    if not np.isin(a, (Y, AB, N)).any():
        return
    for metric in A.METRICS:
        s = score(metric, a, a.copy())
        if metric in ("votes-only",) and not np.isin(a, (Y, N)).any():
            assert math.isnan(s)  # only abstentions: no Y/N vote to compare
        elif metric in ("kappa", "kappa-linear", "kappa-quadratic", "pi") and len(set(a[a != NL])) == 1:
            assert math.isnan(s)  # one vote throughout: chance explains it all
        else:
            assert s == 1.0, metric


@settings(max_examples=300, deadline=None)
@given(PAIRS)
def test_agree_equals_voeten_formula(pair):
    a, b = (np.array(v, np.int8) for v in pair)
    both = np.isin(a, (Y, AB, N)) & np.isin(b, (Y, AB, N))
    s = score("agree", a, b)
    if not both.any():
        assert math.isnan(s)
    else:
        assert s == pytest.approx(np.mean(1 - np.abs(a[both].astype(int) - b[both]) / 2))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 25), st.integers(1, 8), st.data())
def test_all_pairs_equals_pairwise_loop(rows, cols, data):
    """The matrix products give, for every pair, exactly the counts of the two-vector code."""
    flat = data.draw(st.lists(VOTES, min_size=rows * cols, max_size=rows * cols))
    codes = np.array(flat, np.int8).reshape(rows, cols)
    got = pairwise.all_pairs(codes)
    for i in range(cols):
        for j in range(cols):
            want = counts(codes[:, i], codes[:, j])
            assert {k: int(got[k][i, j]) for k in want} == want
    focal = codes[:, 0]
    row = pairwise.against(focal, codes)
    for j in range(cols):
        assert {k: int(row[k][j]) for k in A.CELLS + A.COUNT_COLUMNS} == \
            {k: v for k, v in counts(focal, codes[:, j]).items() if k in A.CELLS + A.COUNT_COLUMNS}


def test_matrix_table_long_and_wide():
    codes = np.array([[Y, Y, N], [Y, AB, N], [NL, Y, Y]], np.int8)
    keys, inverse = np.array(["all"], dtype=object), np.zeros(3, np.int64)
    long = pairwise.matrix_table(codes, ["AAA", "BBB", "CCC"], keys, inverse, include_period=False)
    rows = {(r["a"], r["b"]): r for r in long.to_pylist()}
    assert set(rows) == {(a, b) for a in ("AAA", "BBB", "CCC") for b in ("AAA", "BBB", "CCC") if a != b}
    assert rows["AAA", "BBB"]["n"] == 2 and rows["AAA", "BBB"]["score"] == 0.75
    assert rows["BBB", "CCC"]["n"] == 3 and rows["BBB", "CCC"]["same"] == 1 and rows["BBB", "CCC"]["opposite"] == 1
    wide = pairwise.wide(long, period_column=False).to_pylist()
    assert [r["country"] for r in wide] == ["AAA", "BBB", "CCC"]
    assert wide[0]["AAA"] is None and wide[0]["BBB"] == 0.75 and wide[1]["AAA"] == 0.75
