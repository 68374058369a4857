"""All-pairs agreement (`unvote matrix`): one year, and every year, beside a straightforward pandas
implementation (self-merge of the votes on rollcall_id, then groupby) run on the same Parquet store.

Both sides read the store's files, apply the continuity policy and produce the same counts; the
baseline's result is checked against ours before anything is timed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import best_cmd, best_of

HERE = Path(__file__).resolve().parent
UNVOTE = [sys.executable, "-m", "unvote"]
MERGE = {"SUN": "RUS", "GER": "DEU", "SCG": "SRB"}  # unvote's continuity policy


def pandas_matrix(store_dir: Path, year: int | None = None):
    """Counts and agree score for every ordered pair, per year: the obvious pandas way.

    The self-merge runs year by year: merging all 917k votes at once makes ~150M rows, more memory
    than a laptop has. The per-year merge is what a careful analyst would write.
    """
    import numpy as np
    import pandas as pd

    from unvote.store import Store

    folder = Store(store_dir).version("ga")  # the current version's folder (named by ga.current)
    votes = pd.read_parquet(folder / "votes.parquet", columns=["rollcall_id", "ms_code", "vote"])
    calls = pd.read_parquet(folder / "rollcalls.parquet", columns=["rollcall_id", "date"])
    calls["year"] = pd.to_datetime(calls["date"]).dt.year
    votes = votes.merge(calls[["rollcall_id", "year"]], on="rollcall_id")
    if year is not None:
        votes = votes[votes["year"] == year]
    votes["ms_code"] = votes["ms_code"].astype(str).replace(MERGE)
    votes["vote"] = votes["vote"].astype(str)
    out = []
    for y, part in votes.groupby("year"):
        m = part.merge(part, on="rollcall_id", suffixes=("_a", "_b"))
        m = m[m["ms_code_a"] != m["ms_code_b"]]
        a, b = m["vote_a"], m["vote_b"]
        voted = a.isin(["Y", "A", "N"]) & b.isin(["Y", "A", "N"])
        same = voted & (a == b)
        opposite = voted & (((a == "Y") & (b == "N")) | ((a == "N") & (b == "Y")))
        flags = pd.DataFrame({"a": m["ms_code_a"], "b": m["ms_code_b"], "n": 1, "same": same,
                              "partial": voted & ~same & ~opposite, "opposite": opposite, "absent": ~voted})
        g = flags.groupby(["a", "b"], sort=True).sum().reset_index()
        with np.errstate(invalid="ignore", divide="ignore"):
            g["score"] = (g["same"] + 0.5 * g["partial"]) / (g["same"] + g["partial"] + g["opposite"])
        g.insert(0, "period", str(y))
        out.append(g)
    return pd.concat(out, ignore_index=True)


def _check_same(ours, theirs) -> None:
    """The two implementations agree on every pair, count for count."""
    import numpy as np

    ours = ours.to_pandas()
    if "period" not in ours:
        ours.insert(0, "period", theirs["period"].iloc[0])
    key = ["period", "a", "b"]
    joined = ours.merge(theirs, on=key, suffixes=("", "_pd"), how="outer", indicator=True)
    assert (joined["_merge"] == "both").all(), "pair sets differ"
    for c in ("n", "same", "partial", "opposite", "absent"):
        assert (joined[c] == joined[c + "_pd"]).all(), c
    assert np.allclose(joined["score"], joined["score_pd"], equal_nan=True)


def child_peak_rss(args: list[str], env: dict | None = None) -> float:
    """Peak RSS (MB) of ``args``, measured from a small Python in between: a child's ru_maxrss
    starts at its parent's RSS at fork time (Linux keeps it across exec), so measured straight
    from this bench process it would report the bench's own size."""
    import os
    import subprocess

    probe = ("import resource, subprocess, sys; "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})})
    return int(out.stdout.strip()) / 1024


def run(report, ctx) -> None:
    import time

    import unvote
    from unvote.store import Store

    root = ctx.ga_store()
    store = Store(root)
    # end to end first: the command writing CSV vs the pandas script writing CSV
    env = {"UNVOTE_DATA_DIR": str(root)}
    ours_cmd = UNVOTE + ["matrix", "--year", "2022", "--format", "csv"]
    base_cmd = [sys.executable, "-c",
                f"import sys; sys.path.insert(0, {str(HERE)!r}); from pathlib import Path; "
                f"from bench_matrix import pandas_matrix; "
                f"pandas_matrix(Path({str(root)!r}), 2022).drop(columns='period').to_csv(sys.stdout, index=False)"]
    ours, _ = best_cmd(ours_cmd, env=env, repeat=3)
    base, _ = best_cmd(base_cmd, repeat=3)
    report("matrix --year 2022 --format csv (end to end)", ours, base, note="baseline: the pandas script + to_csv")
    report("matrix --year 2022 peak RSS", child_peak_rss(ours_cmd, env), child_peak_rss(base_cmd), unit="MB")

    # one year, in-process (warm): the matrix products vs self-merge + groupby
    _check_same(unvote.matrix(year=2022, store=store), pandas_matrix(root, 2022))
    report("matrix --year 2022 (warm, in-process)", best_of(lambda: unvote.matrix(year=2022, store=store), 10),
           best_of(lambda: pandas_matrix(root, 2022), 3), note="baseline: pandas self-merge + groupby")
    # every year, one matrix per year (the dyad-year table): 1.9M pair rows. The baseline takes
    # about a minute, so it runs once, and that run's result is the one checked against ours.
    start = time.perf_counter()
    theirs = pandas_matrix(root)
    base = time.perf_counter() - start
    _check_same(unvote.matrix(by="year", store=store), theirs)
    del theirs
    report("matrix --by year, 1946-2025 (warm)", best_of(lambda: unvote.matrix(by="year", store=store), 3),
           base, note="baseline: the same, merged year by year (one run)")
