"""Dynamic ideal points: one scale across years, bridged by recurring resolutions.

Model (the ordered-logit IRT of ``analysis.ideal``, made dynamic in the way of Bailey, Strezhnev &
Voeten 2017): a vote of country *i* in year *t* on roll call *j* is No (0) < Abstain (1) < Yes (2) with
η = β_j·θ_it and P(vote ≤ k) = σ(γ_jk − η). Two things tie the years together:

* **Bridges.** The roll calls of one title family (``analysis.series`` rule 1: the same normalised
  title) share one set of parameters (β, γ1, γ2) within windows of ``BRIDGE_YEARS`` years counted from
  the family's first roll call, when the window has at most one roll call a year — a text voted on year
  after year measures the same thing, so a change in how a country votes on it is a move of the
  country. A window with two roll calls in one year (a generic title such as "General and complete
  disarmament", over many different texts) bridges nothing: each of its roll calls has its own
  parameters. The window lets a text's wording drift over decades; families starting in different
  years have windows that overlap, so the chain of bridges still spans every year.
* **A random walk.** θ_i,t ~ N(θ_i,t−1, τ²) over every year from the country's first vote to its last
  (a year without votes is a node with the prior only); the first year θ_i,first ~ N(0, 1); and every
  node a weak N(0, ``PRIOR_SD_NODE``²), which keeps a bloc voting against everyone for decades (the
  Soviet bloc) from drifting out as posterior modes of near-separated positions do.

Priors on the roll-call parameters as in ``analysis.ideal`` (β ~ N(0, 2.5²), γ ~ N(0, 5²), a density
∝ (γ2 − γ1)^½ on the gap). Estimate: the joint posterior mode, by alternating exact blocks — given the
roll-call parameters, every country's path is one concave problem whose Hessian is tridiagonal
(Newton steps, all countries at once in one banded solve, ``scipy.linalg.solveh_banded``, halved per
country until its own objective does not fall); given the paths, every roll call (or bridged family)
is a 3-parameter concave problem (Newton with a per-family line search). Each block raises the log
posterior, so the alternation climbs to a mode. Start: each year's first singular vector of the
centred vote matrix, oriented so the anchor is positive, standardised. Stop when the log posterior
gains < ``TOLERANCE`` (relative) and no θ moves more than ``STEP_TOLERANCE``, or after ``MAX_ITER``.

Identification: the reported points are standardised to mean 0, sd 1 over all country-years, the
USA positive (averaged over its years; else the first of ``ideal.ANCHORS`` present). ``std_error``
is the Laplace one of θ given the roll-call parameters (the diagonal of the inverse tridiagonal
precision of each path), on the same scale: it leaves out the roll calls' own uncertainty.

Data rules: unanimous roll calls are dropped; then country-years with fewer than ``min_votes`` votes
cast lose those votes (the year becomes a prior-only node), repeated until stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import NoData
from .codes import is_unanimous
from .ideal import ANCHORS, GAP_POWER, PRIOR_SD_BETA, PRIOR_SD_CUT, categories

# τ, the window and the node prior were chosen against Voeten's estimates (docs/ideal.md: the fits tried)
TAU = 0.05  # sd of a country's yearly step, on the prior scale of θ (N(0, 1))
PRIOR_SD_START = 1.0
PRIOR_SD_NODE = 2.0  # an extra N(0, sd²) on every country-year (None: the random walk alone)
TOLERANCE = 1e-9
STEP_TOLERANCE = 1e-4
MAX_ITER = 300
MIN_VOTES = 10
BRIDGE_YEARS = 10  # a family shares parameters within windows of this many years (None: all its years)


@dataclass
class DynamicFit:
    """The estimate: one entry per country-year with votes (arrays aligned)."""

    countries: list[str]  # per country-year
    years: object  # numpy int64
    ideal_point: object  # numpy float64, standardised and oriented
    std_error: object
    n_votes: object  # numpy int64: votes cast in the roll calls used
    rollcalls: int = 0
    unanimous: int = 0
    bridged_families: int = 0  # families sharing parameters across years
    bridged_rollcalls: int = 0  # roll calls in them
    items: int = 0  # free roll-call parameter sets
    anchor: str | None = None
    iterations: int = 0
    converged: bool = False
    log_posterior: float = 0.0
    dropped: dict[str, int] = field(default_factory=dict)  # "CODE year" → votes, below min_votes
    rollcalls_by_year: dict[int, int] = field(default_factory=dict)  # contested roll calls used, per year


def fit(codes, countries: list[str], years, families=None, *, min_votes: int = MIN_VOTES, tau: float = TAU,
        bridge_years: int | None = BRIDGE_YEARS, anchors=ANCHORS, max_iter: int = MAX_ITER) -> DynamicFit:
    """Fit the dynamic model to an int8 code matrix (roll calls × countries, as ``votematrix``).

    ``years``: each roll call's year (int); ``families``: each roll call's family key (any hashable;
    None = its own). A family's roll calls share parameters within windows of ``bridge_years`` years
    from its first (None: one window), each window that has at most one roll call a year; ``tau``: the
    sd of a yearly step. The roll calls must be in date order (the windows count from the first)."""
    import numpy as np

    cat_all = categories(codes)
    years = np.asarray(years, dtype=np.int64)
    counts = [(cat_all == k).sum(axis=1) for k in (0, 1, 2)]
    contested = ~is_unanimous(*counts)
    cat = cat_all[contested]
    years_kept = years[contested]
    fam = None if families is None else [f for f, keep in zip(families, contested) if keep]
    if cat.shape[0] < 2:
        raise NoData(f"too little to scale: {int(contested.sum())} contested roll call(s) of {len(years)}")

    # long form: one entry per vote cast
    item_of, country_of = np.nonzero(cat >= 0)
    k = cat[item_of, country_of].astype(np.int8)
    year_of = years_kept[item_of]
    dropped: dict[str, int] = {}
    while True:  # country-years below min_votes lose their votes; roll calls left unanimous go
        key = country_of * 10000 + year_of
        uniq, inv, n = np.unique(key, return_inverse=True, return_counts=True)
        thin = n[inv] < min_votes
        per_item = np.stack([np.bincount(item_of[~thin], weights=(k[~thin] == c), minlength=cat.shape[0])
                             for c in (0, 1, 2)])
        dull = is_unanimous(*per_item)[item_of]
        gone = thin | dull
        if not gone.any():
            break
        for u, m in zip(uniq[n < min_votes], n[n < min_votes]):
            dropped[f"{countries[u // 10000]} {u % 10000}"] = int(m)
        item_of, country_of, k, year_of = item_of[~gone], country_of[~gone], k[~gone], year_of[~gone]
    if len(k) == 0:
        raise NoData(f"too little to scale: no country cast {min_votes} votes in a year on contested roll calls")

    # parameter sets: bridged families share one
    used_items = np.unique(item_of)
    set_of_item = np.full(cat.shape[0], -1, dtype=np.int64)
    bridged_families = bridged_rollcalls = 0
    groups: dict = {}
    first_of: dict = {}
    for j in used_items:  # oldest first: the roll calls are in date order
        f = None if fam is None else fam[j]
        if f is not None and bridge_years:  # a family is cut into windows of bridge_years from its first
            y0 = first_of.setdefault(f, int(years_kept[j]))
            f = (f, (int(years_kept[j]) - y0) // bridge_years)
        groups.setdefault(("own", j) if f is None else ("fam", f), []).append(j)
    n_sets = 0
    for (tag, _), members in groups.items():
        member_years = years_kept[members]
        if tag == "fam" and len(members) > 1 and len(set(member_years.tolist())) == len(members):
            set_of_item[members] = n_sets
            n_sets += 1
            bridged_families += 1
            bridged_rollcalls += len(members)
        else:
            for j in members:
                set_of_item[j] = n_sets
                n_sets += 1
    item = set_of_item[item_of]

    # nodes: every year from each country's first vote to its last
    first_year, last_year = int(year_of.min()), int(year_of.max())
    used_countries = np.unique(country_of)
    starts = np.full(len(countries), -1, dtype=np.int64)
    lo = np.full(len(countries), last_year + 1, dtype=np.int64)
    hi = np.full(len(countries), first_year - 1, dtype=np.int64)
    np.minimum.at(lo, country_of, year_of)
    np.maximum.at(hi, country_of, year_of)
    lengths = (hi - lo + 1)[used_countries]
    node_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    starts[used_countries] = node_starts
    n_nodes = int(lengths.sum())
    node_country = np.repeat(used_countries, lengths)
    node_year = np.concatenate([np.arange(lo[c], hi[c] + 1) for c in used_countries])
    is_first = np.zeros(n_nodes, dtype=bool)
    is_first[node_starts] = True
    node = starts[country_of] + (year_of - lo[country_of])

    data = _Data(k=k, node=node, item=item, n_nodes=n_nodes, n_sets=n_sets, is_first=is_first,
                 node_country=np.searchsorted(used_countries, node_country), tau=tau,
                 level=1.0 / PRIOR_SD_NODE ** 2 if PRIOR_SD_NODE else 0.0)
    from threadpoolctl import threadpool_limits

    # one BLAS thread: the SVDs of the start are small, and threads fighting over busy cores slow them
    with threadpool_limits(limits=1, user_api="blas"):
        theta = _start(data, node_year, node_country, countries, anchors)
        theta, params, value, iterations, converged = _climb(data, theta, max_iter=max_iter)
        se = _std_errors(data, theta, params)

    n_votes = np.bincount(node, minlength=n_nodes)
    has = n_votes > 0
    mean, sd = theta[has].mean(), theta[has].std()
    names = [countries[c] for c in node_country]
    anchor = next((a for a in anchors if a in set(np.array(names)[has].tolist())), None)
    sign = 1.0
    if anchor is not None:
        mine = np.array([n == anchor for n in names]) & has
        if theta[mine].mean() < mean:
            sign = -1.0
    return DynamicFit(countries=[n for n, h in zip(names, has) if h], years=node_year[has],
                      ideal_point=sign * (theta[has] - mean) / sd, std_error=se[has] / sd,
                      n_votes=n_votes[has].astype(np.int64), rollcalls=int(len(used_items)),
                      unanimous=int((~contested).sum()), bridged_families=bridged_families,
                      bridged_rollcalls=bridged_rollcalls, items=n_sets, anchor=anchor, iterations=iterations,
                      converged=converged, log_posterior=float(value), dropped=dropped,
                      rollcalls_by_year={int(y): int(n) for y, n in zip(*np.unique(years_kept[used_items],
                                                                                    return_counts=True))})


@dataclass
class _Data:
    k: object  # category per vote
    node: object  # country-year node per vote
    item: object  # parameter set per vote
    n_nodes: int
    n_sets: int
    is_first: object  # node is a country's first year
    node_country: object
    tau: float
    level: float = 0.0  # 1 / PRIOR_SD_NODE²: every node's own pull towards 0 (0: none)

    def __post_init__(self):
        # the vote masks every pass needs, made once (as floats where they multiply)
        self.no, self.ab = self.k == 0, self.k == 1
        self.no_f, self.ab_f = self.no.astype(float), self.ab.astype(float)
        self.no_ab, self.yes_ab = self.no_f + self.ab_f, 1.0 - self.no_f


def _start(data: _Data, node_year, node_country, countries, anchors):
    """Each year's first singular vector of the centred (node × item) score matrix, anchor positive."""
    import numpy as np

    theta = np.zeros(data.n_nodes)
    vote_year = node_year[data.node]
    names = np.array(countries)
    for year in np.unique(vote_year):
        at = vote_year == year
        rows, r_inv = np.unique(data.node[at], return_inverse=True)
        cols, c_inv = np.unique(data.item[at], return_inverse=True)
        score = np.zeros((len(rows), len(cols)))
        seen = np.zeros_like(score, dtype=bool)
        score[r_inv, c_inv] = data.k[at] / 2.0
        seen[r_inv, c_inv] = True
        mean = score.sum(0) / np.maximum(seen.sum(0), 1)
        centred = np.where(seen, score - mean, 0.0)
        u = np.linalg.svd(centred, full_matrices=False)[0][:, 0] if min(centred.shape) > 1 else np.zeros(len(rows))
        u = (u - u.mean()) / (u.std() or 1.0)
        here = names[node_country[rows]]
        for a in anchors:
            hit = np.flatnonzero(here == a)
            if len(hit):
                if u[hit[0]] < 0:
                    u = -u
                break
        theta[rows] = u
    return theta


def _cells(data: _Data, a, b):
    """Per vote: the log-likelihood's derivatives in a = γ1 − η and b = γ2 − η (see ``ideal._Model``)."""
    import numpy as np

    from .ideal import _sigmoid

    sa, sb = _sigmoid(a), _sigmoid(b)
    with np.errstate(over="ignore", divide="ignore"):
        r = np.where(data.ab, 1.0 / np.expm1(np.where(data.ab, b - a, 1.0)), 0.0)
    rr = r * (1.0 + r)
    l_a = data.no_f - data.no_ab * sa - r
    l_b = data.ab_f - data.yes_ab * sb + r
    l_aa = -data.no_ab * sa * (1.0 - sa) - rr
    l_bb = -data.yes_ab * sb * (1.0 - sb) - rr
    return l_a, l_b, l_aa, l_bb, rr


def _loglik(data: _Data, a, b):
    """Per vote: the log-likelihood (No: log σ(a); Yes: log σ(−b); Abstain: log(σ(b) − σ(a)))."""
    import numpy as np

    from .ideal import _log_sigmoid

    out = _log_sigmoid(np.where(data.no, a, -b))
    ab = data.ab
    with np.errstate(divide="ignore", invalid="ignore"):
        out[ab] = _log_sigmoid(b[ab]) + _log_sigmoid(-a[ab]) + np.log(-np.expm1(-(b[ab] - a[ab])))
    return out


def _path_prior(data: _Data, theta):
    """Per node: the log prior terms that involve it as the later of a pair (first: N(0, 1))."""
    import numpy as np

    step = np.diff(theta, prepend=0.0)
    walk = np.where(data.is_first, -theta ** 2 / (2 * PRIOR_SD_START ** 2), -step ** 2 / (2 * data.tau ** 2))
    return walk - data.level * theta ** 2 / 2


def _item_prior(g1, g2, beta):
    import numpy as np

    gap = g2 - g1
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (-(g1 ** 2 + g2 ** 2) / (2 * PRIOR_SD_CUT ** 2) - beta ** 2 / (2 * PRIOR_SD_BETA ** 2)
                 + GAP_POWER * np.log(gap))
    return np.where(gap > 0, value, -np.inf)


def _log_posterior(data: _Data, theta, g1, g2, beta) -> float:
    eta = beta[data.item] * theta[data.node]
    return float(_loglik(data, g1[data.item] - eta, g2[data.item] - eta).sum()
                 + _path_prior(data, theta).sum() + _item_prior(g1, g2, beta).sum())


def _climb(data: _Data, theta, *, max_iter: int):
    import numpy as np

    n = data.n_sets
    g1, g2, beta = np.full(n, -1.0), np.full(n, 1.0), np.zeros(n)
    for _ in range(5):
        g1, g2, beta = _item_step(data, theta, g1, g2, beta)
    value = _log_posterior(data, theta, g1, g2, beta)
    converged, it = False, 0
    for it in range(1, max_iter + 1):  # noqa: B007
        new_theta = _theta_step(data, theta, g1, g2, beta)
        moved = float(np.abs(new_theta - theta).max())
        theta = new_theta
        g1, g2, beta = _item_step(data, theta, g1, g2, beta)
        theta, g1, g2, beta = _rescale(data, theta, g1, g2, beta)
        new = _log_posterior(data, theta, g1, g2, beta)
        gain, value = new - value, new
        if gain <= TOLERANCE * abs(value) and moved <= STEP_TOLERANCE:
            converged = True
            break
    return theta, (g1, g2, beta), value, it, converged


def _rescale(data: _Data, theta, g1, g2, beta):
    """The best scale and shift of θ along the likelihood's flat directions, in closed form.

    θ → sθ with β → β/s, and θ → θ + c with γ → γ + βc, leave every η − γ, hence the likelihood,
    unchanged: only the priors move, so the best s and c solve small quadratic problems. Without this
    the alternation creeps along the ridge (θ shrinking, β growing) for hundreds of steps."""
    import numpy as np

    inv_start, inv_cut = 1.0 / PRIOR_SD_START ** 2, 1.0 / PRIOR_SD_CUT ** 2
    for _ in range(100):  # the two are coupled (the shift's best value depends on β): a few rounds
        step = np.diff(theta, prepend=0.0)
        path = (np.where(data.is_first, theta ** 2 * inv_start, step ** 2 / data.tau ** 2)
                + data.level * theta ** 2).sum() / 2
        items = (beta ** 2).sum() / (2 * PRIOR_SD_BETA ** 2)
        s = (items / path) ** 0.25 if path > 0 and items > 0 else 1.0  # argmin of path·s² + items/s²
        theta, beta = theta * s, beta / s
        first = theta[data.is_first]
        c = -((first.sum() * inv_start + data.level * theta.sum() + (beta * (g1 + g2)).sum() * inv_cut)
              / (len(first) * inv_start + data.level * len(theta) + 2 * (beta ** 2).sum() * inv_cut))
        theta, g1, g2 = theta + c, g1 + beta * c, g2 + beta * c
        if abs(s - 1.0) < 1e-10 and abs(c) < 1e-10:
            break
    return theta, g1, g2, beta


def _theta_derivatives(data: _Data, theta, g1, g2, beta):
    """Gradient and (negative) tridiagonal Hessian of the log posterior in θ, roll calls fixed."""
    import numpy as np

    bj = beta[data.item]
    eta = bj * theta[data.node]
    l_a, l_b, l_aa, l_bb, rr = _cells(data, g1[data.item] - eta, g2[data.item] - eta)
    l_eta = -(l_a + l_b)
    w = l_aa + 2.0 * rr + l_bb
    grad = np.bincount(data.node, weights=l_eta * bj, minlength=data.n_nodes)
    diag = -np.bincount(data.node, weights=w * bj * bj, minlength=data.n_nodes)
    # the random walk: −(θ_t − θ_{t−1})²/2τ² between consecutive nodes of one country
    inv_tau = 1.0 / data.tau ** 2
    linked = ~data.is_first  # node t is linked to t−1
    step = np.diff(theta, prepend=0.0)
    grad -= np.where(data.is_first, theta / PRIOR_SD_START ** 2, step * inv_tau) + data.level * theta
    grad[:-1] += np.where(linked[1:], step[1:] * inv_tau, 0.0)
    diag += np.where(data.is_first, 1.0 / PRIOR_SD_START ** 2, inv_tau) + data.level
    diag[:-1] += np.where(linked[1:], inv_tau, 0.0)
    off = np.where(linked[1:], -inv_tau, 0.0)  # (node t−1, node t)
    return grad, diag, off


def _per_country(data: _Data, theta, g1, g2, beta):
    """Each country's part of the log posterior (likelihood of its votes, its path's prior)."""
    import numpy as np

    eta = beta[data.item] * theta[data.node]
    ll = _loglik(data, g1[data.item] - eta, g2[data.item] - eta)
    per_node = np.bincount(data.node, weights=ll, minlength=data.n_nodes) + _path_prior(data, theta)
    return np.bincount(data.node_country, weights=per_node)


def _theta_step(data: _Data, theta, g1, g2, beta):
    """One Newton step on every path (one banded solve), halved per country until it does not fall."""
    import numpy as np
    from scipy.linalg import solveh_banded

    grad, diag, off = _theta_derivatives(data, theta, g1, g2, beta)
    bands = np.zeros((2, data.n_nodes))
    bands[0, 1:] = off
    bands[1] = diag
    delta = solveh_banded(bands, grad)
    old = _per_country(data, theta, g1, g2, beta)
    t = np.ones(old.shape)
    for _ in range(20):
        trial = theta + t[data.node_country] * delta
        bad = _per_country(data, trial, g1, g2, beta) < old - 1e-10 * np.abs(old)
        if not bad.any():
            break
        t = np.where(bad, t / 2, t)
    return np.where(bad[data.node_country], theta, trial)


def _item_step(data: _Data, theta, g1, g2, beta):
    """One Newton step on every roll call's (or family's) (γ1, γ2, β), θ fixed, with a line search."""
    import numpy as np

    n = data.n_sets
    x = theta[data.node]
    eta = beta[data.item] * x
    l_a, l_b, l_aa, l_bb, rr = _cells(data, g1[data.item] - eta, g2[data.item] - eta)
    l_eta = -(l_a + l_b)
    w = l_aa + 2.0 * rr + l_bb

    def s(v):
        return np.bincount(data.item, weights=v, minlength=n)

    gap = g2 - g1
    inv_cut, inv_beta = 1.0 / PRIOR_SD_CUT ** 2, 1.0 / PRIOR_SD_BETA ** 2
    barrier = GAP_POWER / gap ** 2
    grad = np.stack([s(l_a) - g1 * inv_cut - GAP_POWER / gap, s(l_b) - g2 * inv_cut + GAP_POWER / gap,
                     s(l_eta * x) - beta * inv_beta], axis=1)
    h = np.empty((n, 3, 3))
    h[:, 0, 0] = s(l_aa) - inv_cut - barrier
    h[:, 1, 1] = s(l_bb) - inv_cut - barrier
    h[:, 0, 1] = h[:, 1, 0] = s(rr) + barrier
    h[:, 0, 2] = h[:, 2, 0] = s(-(l_aa + rr) * x)
    h[:, 1, 2] = h[:, 2, 1] = s(-(rr + l_bb) * x)
    h[:, 2, 2] = s(w * x * x) - inv_beta
    step = np.linalg.solve(-h, grad[..., None])[..., 0]

    def values(a1, a2, b):
        e = b[data.item] * x
        return s(_loglik(data, a1[data.item] - e, a2[data.item] - e)) + _item_prior(a1, a2, b)

    old = values(g1, g2, beta)
    t = np.ones(n)
    for _ in range(30):
        trial = [p + t * step[:, i] for i, p in enumerate((g1, g2, beta))]
        bad = ~(values(*trial) >= old - 1e-12 * (1.0 + np.abs(old)))
        if not bad.any():
            break
        t = np.where(bad, t / 2, t)
    return tuple(np.where(bad, p, q) for p, q in zip((g1, g2, beta), trial))


def _std_errors(data: _Data, theta, params):
    """sqrt of the diagonal of the inverse tridiagonal precision of each path (roll calls fixed)."""
    import numpy as np

    _, diag, off = _theta_derivatives(data, theta, *params)
    se = np.empty(data.n_nodes)
    starts = np.flatnonzero(data.is_first)
    ends = np.append(starts[1:], data.n_nodes)
    for a, b in zip(starts, ends):
        m = np.diag(diag[a:b])
        if b - a > 1:
            m += np.diag(off[a:b - 1], 1) + np.diag(off[a:b - 1], -1)
        se[a:b] = np.sqrt(np.diag(np.linalg.inv(m)))
    return se


def to_table(result: DynamicFit, *, min_votes: int = MIN_VOTES, tau: float = TAU, name_of=None):
    """Rows country, name, year, ideal_point, std_error, n_votes — by country, then year.

    Schema metadata ``unvote.ideal`` (JSON; ``ideal.facts``): by = "dynamic", min_votes, tau, the roll
    calls used and left out as unanimous, the bridges, the anchor, the steps and convergence, and the
    country-years left out with their vote counts."""
    import json

    import numpy as np
    import pyarrow as pa

    from ..model.countries import display_name

    name_of = name_of or display_name
    order = np.lexsort((result.years, np.array(result.countries)))
    names = {c: name_of(c) for c in set(result.countries)}
    cols = {"country": [result.countries[i] for i in order],
            "name": [names[result.countries[i]] for i in order],
            "year": result.years[order].astype(np.int32),
            "ideal_point": result.ideal_point[order], "std_error": result.std_error[order],
            "n_votes": result.n_votes[order].astype(np.int32)}
    meta = {"by": "dynamic", "min_votes": min_votes, "tau": tau, "rollcalls": result.rollcalls,
            "unanimous": result.unanimous, "bridged_families": result.bridged_families,
            "bridged_rollcalls": result.bridged_rollcalls, "parameter_sets": result.items,
            "anchor": result.anchor, "iterations": result.iterations, "converged": result.converged,
            "left_out": result.dropped, "rollcalls_by_year": {str(y): n for y, n in result.rollcalls_by_year.items()}}
    schema = pa.schema([("country", pa.string()), ("name", pa.string()), ("year", pa.int32()),
                        ("ideal_point", pa.float64()), ("std_error", pa.float64()), ("n_votes", pa.int32())],
                       metadata={"unvote.ideal": json.dumps(meta)})
    return pa.Table.from_pydict(cols, schema=schema)
