"""Dynamic ideal points (``ideal --dynamic``): the model on a simulated random walk (recovery,
derivatives, the flat directions, bridges, data rules), then a short real span against Voeten's
published estimates and straight SQL, then the command and its chart."""

import csv
import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest
from cli_runner import invoke

from unvote.analysis import dynamic, ideal
from unvote.core.errors import NoData, UsageError

ROOT = Path(__file__).resolve().parents[1]
VOETEN = Path("voeten-idealpoints-2020") / "IdealpointestimatesAll_Apr2020.csv"


def simulate(n_countries=40, n_years=12, per_year=25, n_families=15, tau=0.3, seed=0):
    """Votes from the model itself: a random walk per country; the first ``n_families`` roll calls of
    every year are one text each, voted on every year with the same parameters; the rest are new.
    Returns codes (roll calls × countries), names, years, families and the true θ (years × countries)."""
    rng = np.random.default_rng(seed)
    theta = np.cumsum(np.vstack([rng.normal(size=(1, n_countries)),
                                 rng.normal(scale=tau, size=(n_years - 1, n_countries))]), axis=0)
    f_beta = rng.normal(scale=2, size=n_families)
    f_g1 = rng.normal(-0.5, 1, n_families)
    f_g2 = f_g1 + rng.uniform(0.3, 1.5, n_families)
    codes, years, families = [], [], []
    for t in range(n_years):
        for j in range(per_year):
            if j < n_families:
                beta, g1, g2, family = f_beta[j], f_g1[j], f_g2[j], f"text {j}"
            else:
                beta, g1 = rng.normal(scale=2), rng.normal(-0.5, 1)
                g2, family = g1 + rng.uniform(0.3, 1.5), None
            eta = beta * theta[t]
            u = rng.uniform(size=n_countries)
            vote = np.where(u < 1 / (1 + np.exp(eta - g1)), 3, np.where(u < 1 / (1 + np.exp(eta - g2)), 2, 1))
            vote[rng.uniform(size=n_countries) < 0.05] = 8  # not voting: missing
            codes.append(vote.astype(np.int8))
            years.append(2000 + t)
            families.append(family)
    names = [f"C{i:02d}" for i in range(n_countries)]
    names[int(np.argmax(theta.mean(axis=0)))] = "USA"
    return np.array(codes), names, np.array(years), families, theta


@pytest.fixture(scope="module")
def simulated():
    codes, names, years, families, theta = simulate()
    # the simulation's own τ, and bridges over every year (the defaults suit the real data)
    return codes, names, years, families, theta, dynamic.fit(codes, names, years, families, tau=0.3,
                                                              bridge_years=None)


def test_recovers_a_simulated_random_walk(simulated):
    codes, names, years, _, theta, fit = simulated
    assert fit.converged
    truth = np.array([theta[y - 2000, names.index(c)] for c, y in zip(fit.countries, fit.years)])
    assert np.corrcoef(fit.ideal_point, truth)[0, 1] >= 0.95  # pooled over country-years: one scale
    # and the moves: each country's change from the first year to the last
    first, last = (np.array([p for c, y, p in zip(fit.countries, fit.years, v) if y == year])
                   for year, v in ((2000, fit.ideal_point), (2011, fit.ideal_point)))
    assert np.corrcoef(last - first, theta[-1] - theta[0])[0, 1] >= 0.9
    # identification: mean 0, sd 1 over all country-years, the USA positive
    assert abs(fit.ideal_point.mean()) < 1e-12 and abs(fit.ideal_point.std() - 1) < 1e-12
    assert fit.anchor == "USA" and fit.ideal_point[np.array(fit.countries) == "USA"].mean() > 0
    assert np.all(fit.std_error > 0) and np.all(fit.std_error < 1)
    # n_votes: the Y/A/N votes each country cast each year, counted here from the codes
    cast = {(names[c], int(years[j])): 0 for j, c in zip(*np.nonzero(np.isin(codes, (1, 2, 3))))}
    for j, c in zip(*np.nonzero(np.isin(codes, (1, 2, 3)))):
        cast[(names[c], int(years[j]))] += 1
    assert {(c, int(y)): int(n) for c, y, n in zip(fit.countries, fit.years, fit.n_votes)} == cast
    # every text voted on each year is one bridge; the other roll calls have their own parameters
    assert fit.bridged_families == 15 and fit.bridged_rollcalls == 15 * 12
    assert fit.items == 15 + 10 * 12


def test_bridges_beat_no_bridges_across_years():
    codes, names, years, families, theta = simulate(tau=0.5, seed=4)
    truth = None
    scores = []
    for fams in (families, None):
        fit = dynamic.fit(codes, names, years, fams, tau=0.5, bridge_years=None)
        truth = np.array([theta[y - 2000, names.index(c)] for c, y in zip(fit.countries, fit.years)])
        scores.append(np.corrcoef(fit.ideal_point, truth)[0, 1])
    assert scores[0] > scores[1]


def test_theta_gradient_and_hessian_match_finite_differences(simulated):
    codes, names, years, families, _, _ = simulated
    data, theta, params = _setup(codes[:50, :8], names[:8], years[:50], families[:50])

    def value(t):
        return dynamic._log_posterior(data, t, *params)

    grad, diag, off = dynamic._theta_derivatives(data, theta, *params)
    h = 1e-5
    for i in range(data.n_nodes):
        e = np.zeros(data.n_nodes)
        e[i] = h
        assert grad[i] == pytest.approx((value(theta + e) - value(theta - e)) / (2 * h), rel=1e-5, abs=1e-6)
        g_plus = dynamic._theta_derivatives(data, theta + e, *params)[0]
        g_minus = dynamic._theta_derivatives(data, theta - e, *params)[0]
        column = -(g_plus - g_minus) / (2 * h)  # −∂grad/∂θ_i: the negative Hessian's column i
        assert column[i] == pytest.approx(diag[i], rel=1e-5, abs=1e-6)
        if i + 1 < data.n_nodes:
            assert column[i + 1] == pytest.approx(off[i], rel=1e-5, abs=1e-6)
        assert np.allclose(column[np.abs(np.arange(data.n_nodes) - i) > 1], 0, atol=1e-6)  # tridiagonal


def test_rescale_moves_along_the_flat_directions_only(simulated):
    codes, names, years, families, _, _ = simulated
    data, theta, (g1, g2, beta) = _setup(codes, names, years, families)
    theta = 3.0 * theta + 0.7  # far from the best scale and shift
    new = dynamic._rescale(data, theta, g1, g2, beta)
    eta_old, eta_new = beta[data.item] * theta[data.node], new[3][data.item] * new[0][data.node]
    assert np.allclose(g1[data.item] - eta_old, new[1][data.item] - eta_new)  # the likelihood is unchanged
    assert np.allclose(g2[data.item] - eta_old, new[2][data.item] - eta_new)
    before, after = dynamic._log_posterior(data, theta, g1, g2, beta), dynamic._log_posterior(data, *new)
    assert after > before
    again = dynamic._rescale(data, *new)  # at the best scale and shift already: a fixed point
    assert np.allclose(again[0], new[0], atol=1e-6)


def test_a_family_voted_twice_in_a_year_bridges_nothing():
    codes, names, years, families, _ = simulate(n_years=4, seed=2)
    families = list(families)
    families[1] = families[0]  # "text 0" now has two roll calls in 2000: a generic title
    fit = dynamic.fit(codes, names, years, families, bridge_years=None)
    # text 0 (5 roll calls) bridges nothing; text 1 keeps its 3 roll calls of 2001–2003; 13 texts their 4
    assert fit.bridged_families == 14 and fit.bridged_rollcalls == 3 + 13 * 4
    assert fit.items == 14 + 5 + 10 * 4


def test_bridges_are_cut_into_windows(simulated):
    codes, names, years, families, _, _ = simulated
    fit = dynamic.fit(codes, names, years, families, bridge_years=5)
    # 12 years from 2000: windows 2000–04, 2005–09, 2010–11 for each of the 15 texts
    assert fit.bridged_families == 15 * 3 and fit.bridged_rollcalls == 15 * 12
    assert fit.items == 15 * 3 + 10 * 12


def test_thin_country_years_and_unanimous_rollcalls_are_left_out():
    codes, names, years, families, _ = simulate(n_years=4, seed=3)
    codes[years == 2001, 5] = 8  # C05 did not vote in 2001 …
    codes[np.flatnonzero(years == 2001)[:4], 5] = 1  # … but for 4 roll calls: too few
    codes[0] = 1  # a unanimous roll call
    fit = dynamic.fit(codes, names, years, families)
    assert fit.dropped == {"C05 2001": 4} and fit.unanimous == 1
    mine = sorted(y for c, y in zip(fit.countries, fit.years) if c == "C05")
    assert mine == [2000, 2002, 2003]  # 2001 is a node of its path (prior only), not a row
    with pytest.raises(NoData, match="too little to scale"):
        dynamic.fit(np.ones((5, 4), dtype=np.int8), names[:4], years[:5])


def test_table_and_facts(simulated):
    _, _, _, _, _, fit = simulated
    table = dynamic.to_table(fit, min_votes=10, tau=0.2)
    assert table.column_names == ["country", "name", "year", "ideal_point", "std_error", "n_votes"]
    keys = list(zip(table["country"].to_pylist(), table["year"].to_pylist()))
    assert keys == sorted(keys) and table.num_rows == len(fit.countries)
    facts = ideal.facts(table)
    assert facts["by"] == "dynamic" and facts["bridged_families"] == 15 and facts["converged"]


def _setup(codes, names, years, families):
    """The fit's internal data and a point near its mode (for the derivative checks)."""
    captured = {}
    climb = dynamic._climb

    def spy(data, theta, *, max_iter):
        out = climb(data, theta, max_iter=max_iter)
        captured.update(data=data, theta=out[0], params=out[1])
        return out

    dynamic._climb = spy
    try:
        dynamic.fit(codes, names, years, families, min_votes=1)
    finally:
        dynamic._climb = climb
    rng = np.random.default_rng(0)
    theta = captured["theta"] + rng.normal(scale=0.1, size=captured["theta"].shape)
    return captured["data"], theta, captured["params"]


# ---- real data -----------------------------------------------------------------------------------

def _validator():
    spec = importlib.util.spec_from_file_location("validate_ideal", ROOT / "scripts" / "validate_ideal.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SPAN = ("2005", "2010")


@pytest.fixture(scope="module")
def span_fit(ga_store_dir):
    import unvote
    from unvote.store import Store

    return unvote.ideal_dynamic(since=SPAN[0], until=SPAN[1], store=Store(ga_store_dir))


def test_short_span_against_voeten(span_fit, shared_data):
    validator = _validator()
    found = validator.dynamic_figures(span_fit, validator.reference(shared_data / VOETEN))
    assert [row[0] for row in found["years"]] == list(range(2005, 2011))
    assert found["pooled_pearson"] >= 0.97
    assert found["median_spearman"] >= 0.97
    assert min(row[4] for row in found["years"]) >= 0.95
    assert found["USA-RUS"][0] >= 0.7  # six points only: the full-span figure is in docs/ideal.md


def test_short_span_counts_match_sql(span_fit, ga_store_dir):
    """n_votes per country-year against DuckDB on the store's Parquet files: Y/A/N votes on the roll
    calls of the span where the votes cast were not all alike, a predecessor's counted as its
    successor's (continuity: Serbia and Montenegro → Serbia in 2006)."""
    import duckdb

    from unvote.model.countries import continuity
    from unvote.store import Store

    store = Store(ga_store_dir)
    rollcalls, votes = (str(store.version("ga") / f"{name}.parquet").replace("'", "''")
                        for name in ("rollcalls", "votes"))
    found = duckdb.sql(f"""
        WITH r AS (SELECT rollcall_id, year(date) AS year FROM '{rollcalls}'
                   WHERE date BETWEEN DATE '2005-01-01' AND DATE '2010-12-31'),
        v AS (SELECT v.rollcall_id, v.ms_code, v.vote, r.year FROM '{votes}' v JOIN r USING (rollcall_id)
              WHERE upper(v.vote) IN ('Y', 'A', 'N')),
        contested AS (SELECT rollcall_id FROM v GROUP BY rollcall_id HAVING count(DISTINCT upper(vote)) > 1)
        SELECT ms_code, year, count(*) FROM v WHERE rollcall_id IN (SELECT rollcall_id FROM contested)
        GROUP BY ms_code, year""").fetchall()
    merge, cast = continuity(), {}
    for code, year, n in found:
        key = (merge.get(code, code), year)
        cast[key] = cast.get(key, 0) + n
    expected = {key: n for key, n in cast.items() if n >= 10}
    got = dict(zip(zip(span_fit["country"].to_pylist(), span_fit["year"].to_pylist()),
                   span_fit["n_votes"].to_pylist()))
    assert got == expected


def svg_texts(path: Path) -> list[str]:
    """Every <text> element's text (the charts keep text as text in SVG)."""
    import xml.etree.ElementTree as ET

    return ["".join(t.itertext()) for t in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text")]


def test_cli_and_chart(ga_store, tmp_path):
    chart = tmp_path / "dynamic.svg"
    out = invoke("ideal", "--dynamic", "--since", "2009", "--until", "2010", "--highlight", "KHM,RUS,USA,CHN",
                 "--chart", str(chart), "-f", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["country", "name", "year", "ideal_point", "std_error", "n_votes"]
    assert {r["year"] for r in rows} == {"2009", "2010"}
    usa = [float(r["ideal_point"]) for r in rows if r["country"] == "USA"]
    assert len(usa) == 2 and min(usa) > 2  # the far end of the one scale
    points = np.array([float(r["ideal_point"]) for r in rows])
    assert abs(points.mean()) < 1e-5 and abs(points.std() - 1) < 1e-4
    assert "note: " in out.stderr and "left out for fewer than 10 votes" in out.stderr
    texts = svg_texts(chart)
    assert "Where countries stand, year by year: dynamic ideal points" in texts
    assert {"Cambodia", "Russia", "United States", "China"} <= set(texts)  # the lines, by short name
    assert "Middle 80 % of countries" in texts and any("2009–2010" in t for t in texts)
    bad = invoke("ideal", "--dynamic", "--since", "2009", "--until", "2010", "--chart", str(tmp_path / "x.svg"),
                 "--highlight", "Narnia")
    assert bad.returncode == 3 and not (tmp_path / "x.svg").exists()
    assert invoke("ideal", "--dynamic", "--year", "2019").returncode == 2
    assert invoke("ideal", "--since", "2019").returncode == 2  # --since belongs to --dynamic
    import unvote

    with pytest.raises(UsageError, match="min_votes"):
        unvote.ideal_dynamic(min_votes=0)
    with pytest.raises(UsageError, match="tau"):
        unvote.ideal_dynamic(tau=0)
