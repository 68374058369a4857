"""One-dimensional ideal points from yes / abstain / no votes: an ordered-logit IRT model.

Model (a graded-response, ordinal 2-parameter IRT): each vote of country *i* on roll call *j* is
a category *k* in No (0) < Abstain (1) < Yes (2), and with ``η = β_j·x_i``::

    P(vote ≤ k) = σ(γ_jk − η)          σ(z) = 1 / (1 + e^(−z)),   γ_j1 < γ_j2

so P(No) = σ(γ_j1 − η), P(Abstain) = σ(γ_j2 − η) − σ(γ_j1 − η), P(Yes) = 1 − σ(γ_j2 − η).
``x_i`` is the ideal point, ``β_j`` the roll call's discrimination (its sign says which side a
Yes is on) and ``γ_j1, γ_j2`` its two cutpoints. Non-voting (8), not listed (9) and unreadable (0)
votes are missing data, not abstentions.

Estimate: the joint posterior mode under weak priors x ~ N(0, 1), β ~ N(0, 2.5²), γ ~ N(0, 5²)
and a density ∝ (γ_j2 − γ_j1)^0.5 on the gap (it keeps the cutpoints of a roll call with no
abstentions apart). The log-likelihood is concave in the roll-call parameters for fixed x and in x
for fixed roll calls, but not jointly (β·x), so it is maximised by damped Newton steps on all
parameters at once (Levenberg–Marquardt: a step is taken only if it raises the log posterior).
The roll-call block of the Hessian is 3×3 block-diagonal and is eliminated exactly (Schur
complement), so each step solves a countries × countries system. Starts: each of the first three
singular vectors of the row-centred vote matrix (Y = 1, A = ½, N = 0, missing = the roll call's
mean); the fit with the highest log posterior wins — so the result is deterministic, and a local
mode found from one start (it happens: session 28) does not stand. Stop when the log posterior gains < 1e-9 (relative) and no parameter moves more
than 1e-6, or after 200 steps (then ``converged`` is false).

Identification: the reported points are standardised to mean 0, sd 1 across the countries of the
period and oriented so that the USA is positive (else the first of ``ANCHORS`` present). The
standard error is the Laplace one — the inverse of the negative Hessian of the log posterior at
the mode, roll-call parameters integrated out — scaled like the points; it ignores the uncertainty
of the standardisation itself.

Data rules (iterated until stable): roll calls where every vote cast (Y/A/N) is the same are
dropped (they carry no information on x), then countries with fewer than ``min_votes`` votes cast
in the remaining roll calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import NoData
from ..model.countries import display_name
from .codes import ABSTAIN, NO, NOT_LISTED, YES, is_unanimous

# Priors and barrier (see the module docstring); stopping rule.
PRIOR_SD_X = 1.0
PRIOR_SD_BETA = 2.5
PRIOR_SD_CUT = 5.0
GAP_POWER = 0.5
TOLERANCE = 1e-9
STEP_TOLERANCE = 1e-6
MAX_ITER = 200
MIN_VOTES = 10
STARTS = 3  # singular vectors tried as starting points

# Orientation: the USA positive; if it cast too few votes, the first of these that did.
ANCHORS = ("USA", "GBR", "FRA", "CAN", "AUS", "NLD")


@dataclass
class Fit:
    """The estimate for one period. Arrays are aligned with ``countries`` (kept countries only)."""

    countries: list[str]
    ideal_point: object  # numpy float64, standardised and oriented
    std_error: object  # numpy float64, same scale
    n_votes: object  # numpy int64: Y/A/N votes cast in the roll calls used
    rollcall_ids: object  # numpy int64: the roll calls used
    unanimous_ids: object  # numpy int64: roll calls dropped as unanimous (among the countries kept)
    dropped: dict[str, int] = field(default_factory=dict)  # country → votes cast, below min_votes
    anchor: str | None = None
    iterations: int = 0
    converged: bool = False
    log_posterior: float = 0.0
    discrimination: object = None  # numpy float64 per roll call used, on the reported scale


def categories(codes):
    """int8 vote codes (1 yes, 2 abstain, 3 no, else missing) → 2 yes, 1 abstain, 0 no, -1 missing."""
    import numpy as np

    lookup = np.full(256, -1, dtype=np.int8)
    lookup[[YES, ABSTAIN, NO]] = [2, 1, 0]
    return lookup[np.asarray(codes, dtype=np.int8).astype(np.uint8)]


def select(cat, *, min_votes: int = MIN_VOTES):
    """Masks (roll calls kept, countries kept): drop unanimous roll calls, then countries with
    fewer than ``min_votes`` votes, and repeat until neither drops anything."""
    import numpy as np

    rows = np.ones(cat.shape[0], dtype=bool)
    cols = np.ones(cat.shape[1], dtype=bool)
    while True:
        sub = cat[np.ix_(rows, cols)]
        keep_r = ~is_unanimous(*((sub == k).sum(axis=1) for k in (0, 1, 2)))
        keep_c = (sub[keep_r] >= 0).sum(axis=0) >= min_votes
        if keep_r.all() and keep_c.all():
            return rows, cols
        rows[np.flatnonzero(rows)[~keep_r]] = False
        cols[np.flatnonzero(cols)[~keep_c]] = False


def fit(codes, countries: list[str], rollcall_ids=None, *, min_votes: int = MIN_VOTES,
        anchors=ANCHORS, max_iter: int = MAX_ITER) -> Fit:
    """Fit the model to an int8 code matrix (roll calls × countries, as ``votematrix``)."""
    import numpy as np

    cat_all = categories(codes)
    ids = np.arange(cat_all.shape[0]) if rollcall_ids is None else np.asarray(rollcall_ids)
    rows, cols = select(cat_all, min_votes=min_votes)
    cat = cat_all[np.ix_(rows, cols)]
    kept = [c for c, k in zip(countries, cols) if k]
    cast = (cat_all[rows] >= 0).sum(axis=0)
    listed = (np.asarray(codes) != NOT_LISTED).any(axis=0)
    dropped = {c: int(n) for c, k, n, seen in zip(countries, cols, cast, listed) if seen and not k}
    if cat.shape[0] < 2 or len(kept) < 3:
        raise NoData(f"too little to scale: of {cat_all.shape[0]} roll call(s), {int(rows.sum())} contested "
                     f"with {len(kept)} countries casting at least {min_votes} votes in them (needs 2 and 3;"
                     " a lower minimum of votes may help)")

    # A bilinear model can have more than one local mode (session 28: a North–South split that
    # the first singular vector favours). Start from each of the first singular vectors; keep the
    # highest log posterior, the earlier start on a tie.
    from threadpoolctl import threadpool_limits

    best = None
    # One BLAS thread: the matrices are small (countries²), and threads fighting over busy cores
    # made a fit up to 7× slower.
    with threadpool_limits(limits=1, user_api="blas"):
        for start in _starts(cat):
            found = _mode(cat, start, max_iter=max_iter)
            if best is None or found[3] > best[3] + 1e-9 * abs(best[3]):
                best = found
    x, se, beta, logpost, iterations, converged = best
    mean, sd = x.mean(), x.std()
    sign = 1.0
    anchor = next((a for a in anchors if a in kept), None)
    if anchor is not None and x[kept.index(anchor)] < mean:
        sign = -1.0
    return Fit(countries=kept, ideal_point=sign * (x - mean) / sd, std_error=se / sd,
               n_votes=(cat >= 0).sum(axis=0).astype(np.int64), rollcall_ids=ids[rows],
               unanimous_ids=ids[~rows], dropped=dropped, anchor=anchor,
               iterations=iterations, converged=converged, log_posterior=float(logpost),
               discrimination=sign * beta * sd)


def _mode(cat, x, *, max_iter: int):
    """The joint posterior mode by damped Newton from ideal points ``x``.

    Returns x, se(x), β, log posterior, steps, converged."""
    import numpy as np

    n_items = cat.shape[0]
    model = _Model(cat)
    # roll-call parameters for the start: their own (concave) problem with x held fixed
    g1, g2, beta = np.full(n_items, -1.0), np.full(n_items, 1.0), np.zeros(n_items)
    for _ in range(10):  # a rough start is enough: the joint steps below finish the job
        parts = model.derivatives(x, g1, g2, beta)
        grad, block = parts["g_item"], parts["h_item"]
        step = np.linalg.solve(-block, grad[..., None])[..., 0]
        g1, g2, beta, moved = model.item_line_search(x, g1, g2, beta, step)
        if moved < STEP_TOLERANCE:
            break

    value = model.log_posterior(x, g1, g2, beta)
    damping, converged, steps = 1e-3, False, 0  # steps: the loop variable, returned
    for steps in range(1, max_iter + 1):  # noqa: B007
        parts = model.derivatives(x, g1, g2, beta)
        while True:
            solved = _newton_step(parts, damping)
            if solved is not None:
                dx, ditem = solved
                trial = (x + dx, g1 + ditem[:, 0], g2 + ditem[:, 1], beta + ditem[:, 2])
                new = model.log_posterior(*trial)
                if new >= value:
                    break
            damping *= 4.0
            if damping > 1e12:  # no ascent direction left: we are at the mode to machine precision
                dx, ditem, trial, new = 0.0, np.zeros((1, 3)), (x, g1, g2, beta), value
                break
        gain = new - value
        moved = max(np.abs(dx).max(), np.abs(ditem).max())
        x, g1, g2, beta = trial
        value = new
        damping = max(damping / 4.0, 1e-12)
        if gain <= TOLERANCE * (1.0 + abs(value)) and moved <= STEP_TOLERANCE:
            converged = True
            break
    se = _std_errors(model.derivatives(x, g1, g2, beta))
    return x, se, beta, value, steps, converged


def _starts(cat, count: int = STARTS):
    """The first ``count`` right singular vectors of the row-centred vote matrix, standardised."""
    import numpy as np

    observed = cat >= 0
    score = np.where(observed, cat / 2.0, 0.0)
    mean = score.sum(axis=1, keepdims=True) / np.maximum(observed.sum(axis=1, keepdims=True), 1)
    centred = np.where(observed, score - mean, 0.0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return [(v - v.mean()) / (v.std() or 1.0) for v in vt[:count]]


def _newton_step(parts, damping: float):
    """Solve (A + λ·diag A) δ = g with A = −Hessian, eliminating the 3×3 roll-call blocks.

    Returns (δx, δitem[n_items, 3]) or None if the damped matrix is not positive definite."""
    import numpy as np

    a_xx = -parts["h_xx"] * (1.0 + damping)
    a_item = -parts["h_item"]
    a_item = a_item + damping * np.einsum("jkk->jk", a_item)[..., None] * np.eye(3)
    cross = parts["h_cross"]  # (n_items, 3, n_countries): ∂²/∂θ_jk ∂x_i, i.e. −A's off-diagonal block
    inv_item = np.linalg.inv(a_item)
    g_x, g_item = parts["g_x"], parts["g_item"]
    # A = [[a_xx, −crossᵀ], [−cross, a_item]]; Schur complement on the countries block
    m_cross = np.einsum("jkl,jlc->jkc", inv_item, cross)
    schur = np.diag(a_xx) - cross.reshape(-1, cross.shape[2]).T @ m_cross.reshape(-1, cross.shape[2])
    rhs = g_x + np.einsum("jkc,jk->c", m_cross, g_item)
    try:
        np.linalg.cholesky(schur)  # the test that the damped matrix is positive definite
    except np.linalg.LinAlgError:
        return None
    dx = np.linalg.solve(schur, rhs)
    ditem = np.einsum("jkl,jl->jk", inv_item, g_item + np.einsum("jkc,c->jk", cross, dx))
    return dx, ditem


def _std_errors(parts):
    """sqrt of the diagonal of the countries block of (−Hessian)⁻¹ (NaN if not invertible)."""
    import numpy as np

    a_item = -parts["h_item"]
    cross = parts["h_cross"]
    m_cross = np.einsum("jkl,jlc->jkc", np.linalg.inv(a_item), cross)
    schur = np.diag(-parts["h_xx"]) - cross.reshape(-1, cross.shape[2]).T @ m_cross.reshape(-1, cross.shape[2])
    try:
        chol = np.linalg.cholesky(schur)
    except np.linalg.LinAlgError:
        return np.full(schur.shape[0], np.nan)
    inv_chol = np.linalg.inv(chol)
    return np.sqrt((inv_chol ** 2).sum(axis=0))


class _Model:
    """Log posterior and its derivatives for one category matrix (roll calls × countries)."""

    def __init__(self, cat):
        import numpy as np

        self.no, self.abstain, self.yes = cat == 0, cat == 1, cat == 2
        self.observed = cat >= 0
        self.abstain_row = np.nonzero(self.abstain)[0]
        self.f_no, self.f_abstain, self.f_yes = (m.astype(float) for m in (self.no, self.abstain, self.yes))

    def _cells(self, x, g1, g2, beta):
        eta = beta[:, None] * x[None, :]
        return g1[:, None] - eta, g2[:, None] - eta

    def _item_values(self, x, g1, g2, beta):
        """Per roll call: its log-likelihood plus the log prior of its parameters (−inf if γ1 ≥ γ2)."""
        import numpy as np

        gap = g2 - g1
        a, b = self._cells(x, g1, g2, beta)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # gap ≤ 0 → −inf below
            # No: log σ(a); Yes: log σ(−b); Abstain: log σ(b) + log σ(−a) + log(1 − e^(−gap))
            cells = np.where(self.observed, _log_sigmoid(np.where(self.no, a, -b)), 0.0)
            cells[self.abstain] = (_log_sigmoid(b[self.abstain]) + _log_sigmoid(-a[self.abstain])
                                   + np.log(-np.expm1(-gap))[self.abstain_row])
            prior = (-(g1 ** 2 + g2 ** 2) / (2 * PRIOR_SD_CUT ** 2) - beta ** 2 / (2 * PRIOR_SD_BETA ** 2)
                     + GAP_POWER * np.log(gap))
        values = cells.sum(axis=1) + prior
        return np.where(gap > 0, values, -np.inf)

    def log_posterior(self, x, g1, g2, beta) -> float:
        return float(self._item_values(x, g1, g2, beta).sum() - (x ** 2).sum() / (2 * PRIOR_SD_X ** 2))

    def item_line_search(self, x, g1, g2, beta, step):
        """Per roll call, halve the step until its own objective does not fall (x fixed)."""
        import numpy as np

        old = self._item_values(x, g1, g2, beta)
        floor = old - 1e-12 * (1.0 + np.abs(old))  # rounding noise is not a fall
        t = np.ones(len(g1))
        for _ in range(30):
            trial = [p + t * step[:, k] for k, p in enumerate((g1, g2, beta))]
            bad = ~(self._item_values(x, *trial) >= floor)
            if not bad.any():
                break
            t = np.where(bad, t / 2, t)
        trial = [np.where(bad, p, q) for p, q in zip((g1, g2, beta), trial)]
        moved = float(np.abs(np.where(bad[:, None], 0.0, t[:, None] * step)).max())
        return (*trial, moved)

    def derivatives(self, x, g1, g2, beta) -> dict:
        """Gradient and Hessian pieces of the log posterior.

        With a = γ1 − η and b = γ2 − η, ℓ(No) = log σ(a), ℓ(Yes) = log σ(−b) and
        ℓ(Abstain) = log σ(b) + log σ(−a) + log(1 − e^(a−b)); r = 1/(e^(b−a) − 1).
        """
        import numpy as np

        a, b = self._cells(x, g1, g2, beta)
        no, ab, yes = self.f_no, self.f_abstain, self.f_yes  # 0/1 floats: cheaper than np.where
        sa, sb = _sigmoid(a), _sigmoid(b)
        gap = g2 - g1
        r = (1.0 / np.expm1(gap))[:, None]
        r_ab = ab * r
        rr_ab = r_ab * (1.0 + r)
        l_a = no - (no + ab) * sa - r_ab
        l_b = ab - (yes + ab) * sb + r_ab
        l_aa = -(no + ab) * (sa * (1.0 - sa)) - rr_ab
        l_bb = -(yes + ab) * (sb * (1.0 - sb)) - rr_ab
        l_ab = rr_ab
        w = l_aa + 2.0 * l_ab + l_bb  # ∂²ℓ/∂η²
        l_eta = -(l_a + l_b)  # ∂ℓ/∂η
        bcol = beta[:, None]

        inv_cut, inv_beta = 1.0 / PRIOR_SD_CUT ** 2, 1.0 / PRIOR_SD_BETA ** 2
        g_item = np.stack([l_a.sum(1) - g1 * inv_cut - GAP_POWER / gap,
                           l_b.sum(1) - g2 * inv_cut + GAP_POWER / gap,
                           (l_eta * x).sum(1) - beta * inv_beta], axis=1)
        barrier = GAP_POWER / gap ** 2
        h_item = np.empty((len(g1), 3, 3))
        h_item[:, 0, 0] = l_aa.sum(1) - inv_cut - barrier
        h_item[:, 1, 1] = l_bb.sum(1) - inv_cut - barrier
        h_item[:, 0, 1] = h_item[:, 1, 0] = l_ab.sum(1) + barrier
        h_item[:, 0, 2] = h_item[:, 2, 0] = (-(l_aa + l_ab) * x).sum(1)
        h_item[:, 1, 2] = h_item[:, 2, 1] = (-(l_ab + l_bb) * x).sum(1)
        h_item[:, 2, 2] = (w * x * x).sum(1) - inv_beta
        h_cross = np.stack([-(l_aa + l_ab) * bcol, -(l_ab + l_bb) * bcol, l_eta + w * bcol * x], axis=1)
        return {"g_x": (l_eta * bcol).sum(0) - x / PRIOR_SD_X ** 2,
                "h_xx": (w * bcol ** 2).sum(0) - 1.0 / PRIOR_SD_X ** 2,
                "g_item": g_item, "h_item": h_item, "h_cross": h_cross}


def _log_sigmoid(z):
    """log σ(z) = min(z, 0) − log(1 + e^(−|z|)), stable for any z."""
    import numpy as np

    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


def _sigmoid(z):
    import numpy as np

    return 0.5 * (1.0 + np.tanh(0.5 * z))


def to_table(fits: list[tuple[str, Fit]], *, by: str = "period", min_votes: int = MIN_VOTES,
             name_of=None):
    """Rows country, name, period, ideal_point, std_error, n_votes — per period, highest first.

    The schema metadata ``unvote.ideal`` (JSON, read it with ``facts``) records ``by`` (year or
    session), ``min_votes`` and, per period, the roll calls used, those left out as unanimous, the
    countries kept, those left out with their vote counts, the anchor, the steps and convergence."""
    import json

    import numpy as np
    import pyarrow as pa

    name_of = name_of or display_name
    cols = {k: [] for k in ("country", "name", "period", "ideal_point", "std_error", "n_votes")}
    periods = {}
    for period, f in fits:
        order = np.lexsort((np.array(f.countries), -f.ideal_point))
        for i in order:
            cols["country"].append(f.countries[i])
            cols["name"].append(name_of(f.countries[i]))
            cols["period"].append(period)
            cols["ideal_point"].append(float(f.ideal_point[i]))
            cols["std_error"].append(float(f.std_error[i]))
            cols["n_votes"].append(int(f.n_votes[i]))
        periods[period] = {"rollcalls": int(len(f.rollcall_ids)), "unanimous": int(len(f.unanimous_ids)),
                           "countries": len(f.countries), "left_out": f.dropped, "anchor": f.anchor,
                           "iterations": f.iterations, "converged": f.converged}
    schema = pa.schema([("country", pa.string()), ("name", pa.string()), ("period", pa.string()),
                        ("ideal_point", pa.float64()), ("std_error", pa.float64()), ("n_votes", pa.int32())],
                       metadata={"unvote.ideal": json.dumps({"by": by, "min_votes": min_votes,
                                                             "periods": periods})})
    return pa.Table.from_pydict(cols, schema=schema)


def facts(table) -> dict:
    """The facts ``to_table`` stored in a table's schema metadata ({} if there are none)."""
    import json

    raw = (table.schema.metadata or {}).get(b"unvote.ideal")
    return json.loads(raw) if raw else {}


def rank_correlation(a, b) -> float:
    """Spearman's ρ: Pearson correlation of the ranks (ties share their average rank)."""
    import numpy as np

    def ranks(v):
        v = np.asarray(v, dtype=float)
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v), dtype=float)
        # average the ranks of tied values
        uniq, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
        if len(uniq) < len(v):
            sums = np.bincount(inverse, weights=r)
            r = (sums / counts)[inverse]
        return r

    return float(np.corrcoef(ranks(a), ranks(b))[0, 1])
