"""Ideal points: the model on simulated votes (recovery, derivatives, data rules, identification),
then on the real UNDL data against Voeten's published estimates, then the command."""

import csv
import importlib.util
import io
import json
from pathlib import Path

import numpy as np
import pytest
from cli_runner import invoke

from unvote.analysis import ideal
from unvote.core.errors import NoData, UsageError

ROOT = Path(__file__).resolve().parents[1]
VOETEN = Path("voeten-idealpoints-2020") / "IdealpointestimatesAll_Apr2020.csv"


def simulate(n_countries=60, n_items=80, seed=1, missing=0.05):
    """Votes drawn from the model itself: codes 1 yes / 2 abstain / 3 no, some 8/9/0 (missing)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n_countries)
    beta = rng.normal(scale=2.0, size=n_items)
    g1 = rng.normal(-0.5, 1.0, size=n_items)
    g2 = g1 + rng.uniform(0.3, 1.5, size=n_items)
    eta = beta[:, None] * x[None, :]
    p_no = 1 / (1 + np.exp(-(g1[:, None] - eta)))
    p_no_or_abstain = 1 / (1 + np.exp(-(g2[:, None] - eta)))
    u = rng.uniform(size=eta.shape)
    codes = np.where(u < p_no, 3, np.where(u < p_no_or_abstain, 2, 1)).astype(np.int8)
    gone = rng.uniform(size=eta.shape) < missing
    codes[gone] = rng.choice(np.array([8, 9, 0], dtype=np.int8), size=gone.sum())
    names = [f"C{i:02d}" for i in range(n_countries)]
    names[int(np.argmax(x))] = "USA"  # the most "positive" country is the anchor
    return codes, names, x


def test_recovers_simulated_ideal_points():
    codes, names, truth = simulate()
    fit = ideal.fit(codes, names)
    assert fit.converged and fit.iterations < 50
    assert fit.countries == names  # nobody dropped: every country cast ~76 votes
    assert ideal.rank_correlation(fit.ideal_point, truth) > 0.95
    assert np.corrcoef(fit.ideal_point, truth)[0, 1] > 0.95  # and the sign: the USA is positive
    assert fit.ideal_point[names.index("USA")] > 0 and fit.anchor == "USA"
    # identification: mean 0, sd 1 across the countries of the period
    assert abs(fit.ideal_point.mean()) < 1e-12 and abs(fit.ideal_point.std() - 1) < 1e-12
    assert np.all(fit.std_error > 0) and np.all(fit.std_error < 1)
    assert fit.n_votes.tolist() == (np.isin(codes, (1, 2, 3))).sum(axis=0).tolist()


def test_derivatives_match_finite_differences():
    codes, _, _ = simulate(n_countries=7, n_items=5, seed=3, missing=0.1)
    cat = ideal.categories(codes)
    model = ideal._Model(cat)
    rng = np.random.default_rng(0)
    x, beta = rng.normal(size=7), rng.normal(size=5)
    g1 = rng.normal(-0.3, 0.5, size=5)
    g2 = g1 + rng.uniform(0.2, 1.0, size=5)
    d = model.derivatives(x, g1, g2, beta)

    theta = np.concatenate([x, np.stack([g1, g2, beta], axis=1).ravel()])

    def f(t):
        items = t[7:].reshape(5, 3)
        return model.log_posterior(t[:7], items[:, 0], items[:, 1], items[:, 2])

    h = 1e-5
    eye = np.eye(len(theta))
    grad = np.array([(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in eye])
    hess = np.array([[(f(theta + h * a + h * b) - f(theta + h * a - h * b) - f(theta - h * a + h * b)
                       + f(theta - h * a - h * b)) / (4 * h * h) for b in eye] for a in eye])
    assert np.allclose(grad[:7], d["g_x"], atol=1e-6)
    assert np.allclose(grad[7:], d["g_item"].ravel(), atol=1e-6)
    assert np.allclose(np.diag(hess)[:7], d["h_xx"], atol=1e-4)
    assert np.allclose(hess[:7, :7] - np.diag(np.diag(hess[:7, :7])), 0, atol=1e-4)  # x's are independent
    for j in range(5):
        block = hess[7 + 3 * j: 10 + 3 * j, 7 + 3 * j: 10 + 3 * j]
        assert np.allclose(block, d["h_item"][j], atol=1e-4)
        assert np.allclose(hess[7 + 3 * j: 10 + 3 * j, :7], d["h_cross"][j], atol=1e-4)


def test_non_votes_are_missing_not_abstentions():
    codes, names, _ = simulate(seed=4)
    base = ideal.fit(codes, names)
    shuffled = codes.copy()
    shuffled[codes == 8], shuffled[codes == 9] = 9, 0  # one kind of missing for another
    shuffled[codes == 0] = 8
    again = ideal.fit(shuffled, names)
    assert np.array_equal(base.ideal_point, again.ideal_point)
    as_abstain = codes.copy()
    as_abstain[codes == 8] = 2
    assert not np.allclose(ideal.fit(as_abstain, names).ideal_point, base.ideal_point)


def test_unanimous_rollcalls_and_thin_countries_are_left_out_and_reported():
    codes, names, _ = simulate(seed=5)
    unanimous = np.full((1, codes.shape[1]), 1, dtype=np.int8)
    unanimous[0, :5] = 8  # non-voting does not break unanimity
    thin = np.full((codes.shape[0] + 1, 1), 9, dtype=np.int8)
    thin[:3, 0] = 1
    thin[3:5, 0] = 8
    more = np.hstack([np.vstack([codes, unanimous]), thin])
    ids = np.arange(100, 100 + more.shape[0])
    fit = ideal.fit(more, names + ["THIN"], ids)
    assert fit.unanimous_ids.tolist() == [100 + codes.shape[0]]
    assert fit.dropped == {"THIN": 3} and "THIN" not in fit.countries
    assert len(fit.rollcall_ids) == codes.shape[0]
    plain = ideal.fit(codes, names)
    assert np.allclose(fit.ideal_point, plain.ideal_point, atol=1e-9)


def test_orientation_is_the_usa_positive_whatever_the_coding_and_falls_back_to_gbr():
    codes, names, _ = simulate(seed=6)
    fit = ideal.fit(codes, names)
    mirrored = codes.copy()  # Yes ↔ No everywhere: the same scale after orientation
    mirrored[codes == 1], mirrored[codes == 3] = 3, 1
    assert np.allclose(ideal.fit(mirrored, names).ideal_point, fit.ideal_point, atol=1e-6)
    usa = names.index("USA")
    renamed = names.copy()
    renamed[usa] = "GBR"
    other = ideal.fit(mirrored, renamed)
    assert other.anchor == "GBR" and other.ideal_point[usa] > 0
    nobody = ideal.fit(codes, [f"Z{i}" for i in range(len(names))])
    assert nobody.anchor is None


def test_deterministic():
    codes, names, _ = simulate(seed=7)
    a, b = ideal.fit(codes, names), ideal.fit(codes, names)
    assert np.array_equal(a.ideal_point, b.ideal_point) and np.array_equal(a.std_error, b.std_error)


def test_too_little_to_scale():
    codes = np.array([[1, 1, 3], [1, 3, 3]], dtype=np.int8)
    with pytest.raises(NoData, match="too little to scale"):
        ideal.fit(codes, ["A", "B", "C"])
    assert ideal.fit(*simulate(n_countries=4, n_items=12, seed=8)[:2], min_votes=3).countries


def test_rank_correlation():
    assert ideal.rank_correlation([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert ideal.rank_correlation([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(4.5 / np.sqrt(4.5 * 5))
    assert ideal.rank_correlation([5, 1, 3], [50, 10, 30]) == pytest.approx(1.0)


def test_table_is_sorted_with_facts():
    codes, names, _ = simulate(seed=9)
    fit = ideal.fit(codes, names)
    table = ideal.to_table([("2019", fit)], by="year", min_votes=10, name_of=str.lower)
    assert table.column_names == ["country", "name", "period", "ideal_point", "std_error", "n_votes"]
    points = table["ideal_point"].to_pylist()
    assert points == sorted(points, reverse=True) and table["name"][0].as_py() == table["country"][0].as_py().lower()
    facts = ideal.facts(table)
    assert facts["by"] == "year" and facts["periods"]["2019"]["rollcalls"] == len(fit.rollcall_ids)
    assert facts["periods"]["2019"]["anchor"] == "USA" and facts["periods"]["2019"]["converged"]


# ---- real data -----------------------------------------------------------------------------------

def _validator():
    spec = importlib.util.spec_from_file_location("validate_ideal", ROOT / "scripts" / "validate_ideal.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def voeten(shared_data):
    return _validator().reference(shared_data / VOETEN)


@pytest.mark.parametrize("session,floor", [(70, 0.99), (71, 0.96), (72, 0.98), (73, 0.98), (74, 0.99),
                                           (40, 0.99), (55, 0.99)])
def test_rank_correlation_with_voeten(ga_store, voeten, session, floor):
    import unvote

    points = unvote.ideal(session=session, store=ga_store)
    n, rho = _validator().compare(points, voeten[str(session)])
    assert n >= points.num_rows - 1  # (almost) every country we scale is in Voeten's file
    assert rho >= floor


def test_year_2019(ga_store):
    import unvote

    table = unvote.ideal(year=2019, store=ga_store)
    rows = table.to_pylist()
    facts = ideal.facts(table)["periods"]["2019"]
    assert facts["rollcalls"] == 100 and facts["unanimous"] == 0 and facts["countries"] == 192
    assert facts["left_out"] == {"DMA": 9} and facts["anchor"] == "USA" and facts["converged"]
    assert [r["country"] for r in rows[:2]] == ["USA", "ISR"] and rows[-1]["country"] == "SYR"
    assert rows[0]["n_votes"] == 100 and rows[0]["name"] == "United States"
    points = np.array([r["ideal_point"] for r in rows])
    assert abs(points.mean()) < 1e-9 and abs(points.std() - 1) < 1e-9
    assert {r["period"] for r in rows} == {"2019"}


def test_continuity_and_several_periods(ga_store):
    import unvote

    merged = unvote.ideal(session=[40, "41"], store=ga_store)
    assert ideal.facts(merged)["by"] == "session" and set(merged["period"].to_pylist()) == {"40", "41"}
    codes = set(merged["country"].to_pylist())
    assert "RUS" in codes and "SUN" not in codes
    apart = set(unvote.ideal(session=40, continuity=False, store=ga_store)["country"].to_pylist())
    assert "SUN" in apart and "RUS" not in apart
    with pytest.raises(UsageError):  # no period is the latest complete year (test_shell.py); both is an error
        unvote.ideal(year=2019, session=74, store=ga_store)
    with pytest.raises(UsageError):
        unvote.ideal(year="19", store=ga_store)
    with pytest.raises(NoData, match="session 10: too little to scale"):
        unvote.ideal(session=10, store=ga_store)


def test_cli(ga_store):
    out = invoke("ideal", "--year", "2019")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows[0]["country"] == "USA" and rows[0]["period"] == "2019" and rows[0]["n_votes"] == "100"
    assert len(rows) == 192
    assert out.stderr == "note: year 2019: left out for fewer than 10 votes: DMA (9)\n"
    table = invoke("ideal", "--session", "74", "--format", "table")
    assert table.returncode == 0
    assert "Ideal points · session 74 · 96 roll calls, 193 countries" in table.stdout
    assert "United States" in table.stdout and "●" in table.stdout and table.stderr == ""
    data = json.loads(invoke("ideal", "--session", "74", "-f", "json").stdout)
    assert data[0]["country"] == "USA" and data[0]["ideal_point"] > 0
    assert invoke("ideal", "--year", "2019", "--session", "74").returncode == 2
    empty = invoke("ideal", "--session", "10")
    assert empty.returncode == 4 and empty.stdout == "" and "too little to scale" in empty.stderr
