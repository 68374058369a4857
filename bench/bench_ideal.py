"""Ideal points for one year (2019): `unvote ideal` beside a plain SVD scaling of the same votes.

The baseline is the usual quick alternative to an IRT model: the first singular vector of the
roll-call-centred vote matrix (Y = 1, A = ½, N = 0, missing = the roll call's mean). It is much
cheaper and answers a cruder question, so the note also gives each method's rank correlation with
Voeten's published estimates for session 74 (autumn 2019), which is what the extra time buys.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import best_cmd, best_of

HERE = Path(__file__).resolve().parent
UNVOTE = [sys.executable, "-m", "unvote"]

# The baseline as a user would write it: read the store, build the matrix, one SVD, print CSV.
SVD_SCRIPT = r"""
import sys, datetime as dt
import numpy as np, pyarrow.compute as pc, pyarrow.parquet as pq
root = sys.argv[1]
root = root + "/" + open(root + "/ga.current").read().strip()  # the current GA version
calls = pq.read_table(f"{root}/rollcalls.parquet", columns=["rollcall_id", "date"])
calls = calls.filter(pc.and_(pc.greater_equal(calls["date"], dt.date(2019, 1, 1)),
                             pc.less_equal(calls["date"], dt.date(2019, 12, 31))))
votes = pq.read_table(f"{root}/votes.parquet", columns=["rollcall_id", "ms_code", "vote"],
                      filters=[("rollcall_id", "in", calls["rollcall_id"].to_pylist())])
ids = {r: i for i, r in enumerate(calls["rollcall_id"].to_pylist())}
codes = sorted(set(votes["ms_code"].to_pylist()))
col = {c: i for i, c in enumerate(codes)}
m = np.full((len(ids), len(codes)), np.nan)
score = {"Y": 1.0, "A": 0.5, "N": 0.0}
for r, c, v in zip(votes["rollcall_id"].to_pylist(), votes["ms_code"].to_pylist(), votes["vote"].to_pylist()):
    if v in score:
        m[ids[r], col[c]] = score[v]
m = np.where(np.isnan(m), 0.0, m - np.nanmean(m, axis=1, keepdims=True))
v = np.linalg.svd(m, full_matrices=False)[2][0]
v = (v - v.mean()) / v.std()
v = -v if v[codes.index("USA")] < 0 else v
print("country,score")
for c, s in sorted(zip(codes, v), key=lambda t: -t[1]):
    print(f"{c},{s:.6f}")
"""


def svd_points(rollcalls, votes):
    """The baseline in process: {code: first singular vector score}, USA positive."""
    import numpy as np

    from unvote.analysis.ideal import _starts, categories
    from unvote.analysis.votematrix import vote_matrix

    m = vote_matrix(rollcalls, votes)
    v = _starts(categories(m.votes), count=1)[0]
    v = -v if v[m.countries.index("USA")] < 0 else v
    return dict(zip(m.countries, np.asarray(v)))


def run(report, ctx) -> None:
    import pyarrow as pa

    import unvote
    from unvote.query.selection import Selection
    from unvote.store import Store

    store_dir = ctx.ga_store()
    # One BLAS thread for both sides, as `ideal` itself uses: multithreaded BLAS on small matrices
    # thrashes on a busy machine, and the baseline should not lose on that.
    env = {"UNVOTE_DATA_DIR": str(store_dir), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    ours, ours_rss = best_cmd(UNVOTE + ["ideal", "--year", "2019", "--format", "csv"], env=env)
    base, base_rss = best_cmd([sys.executable, "-c", SVD_SCRIPT, str(store_dir)], env=env)
    report("ideal --year 2019 (end to end)", ours, base, note="baseline: SVD scaling script on the store")
    report("ideal --year 2019 peak RSS", ours_rss, base_rss, unit="MB", goal="goal ≤ 300 MB")

    store = Store(store_dir)
    calls, found = selected(Selection.of(year=2019), store)
    from threadpoolctl import threadpool_limits

    warm = best_of(lambda: unvote.ideal(year=2019, store=store), 5)
    with threadpool_limits(limits=1, user_api="blas"):
        plain = best_of(lambda: svd_points(calls, found), 5)

    # What the time buys: agreement with Voeten's estimates for session 74 (2019–20).
    sys.path.insert(0, str(HERE.parent / "scripts"))
    import validate_ideal

    voeten = validate_ideal.reference(ctx.data / "voeten-idealpoints-2020" / "IdealpointestimatesAll_Apr2020.csv")
    calls74, found74 = selected(Selection.of(session="74"), store)
    svd74 = svd_points(calls74, found74)
    rho_irt = validate_ideal.compare(unvote.ideal(session=74, store=store), voeten["74"])[1]
    rho_svd = validate_ideal.compare(pa.table({"country": list(svd74), "ideal_point": list(svd74.values())}),
                                     voeten["74"])[1]
    report("ideal --year 2019 (warm, in-process)", warm, plain,
           note=f"baseline: SVD of the same matrix; Spearman ρ with Voeten, session 74: "
                f"IRT {rho_irt:.3f}, SVD {rho_svd:.3f}")


def selected(selection, store):
    """(roll calls, votes) of a selection, as the library reads them."""
    from unvote.query.selection import Query

    query = Query(selection, store=store)
    return query.rollcalls(), query.votes()
