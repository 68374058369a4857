"""Agreement counts for every pair of countries at once, as matrix products.

With one-hot masks Y, A, N (roll calls × countries) stacked side by side as O = [Y | A | N], the
Gram matrix OᵀO holds all nine cross-table cells for every pair in one product: its (Y, N) block
counts, for each pair (i, j), the roll calls where i voted Y and j voted N. ``n`` is LᵀL with L the
"listed in the record" mask. No Python loop runs over pairs or roll calls.
"""

from __future__ import annotations

from .align import CELLS, METRICS, output_columns
from .codes import ABSTAIN, NO, NOT_LISTED, YES

_LETTERS = "yan"  # block order in O: Y, A, N


def _onehot(codes):
    import numpy as np

    # float32 is exact for integer counts below 2**24, far above any number of roll calls
    onehot = np.concatenate([(codes == v) for v in (YES, ABSTAIN, NO)], axis=1).astype(np.float32)
    listed = (codes != NOT_LISTED).astype(np.float32)
    return onehot, listed


def _derive(cells: dict, n) -> dict:
    out = dict(cells)
    out["same"] = cells["yy"] + cells["aa"] + cells["nn"]
    out["opposite"] = cells["yn"] + cells["ny"]
    out["partial"] = cells["ya"] + cells["ay"] + cells["an"] + cells["na"]
    out["n"] = n
    out["absent"] = n - out["same"] - out["opposite"] - out["partial"]
    return out


def all_pairs(codes) -> dict:
    """Counts for every ordered pair of columns of ``codes`` (roll calls × countries, int8):
    {name: int64 array (countries × countries)} for n, same, partial, opposite, absent and CELLS."""
    import numpy as np

    with _one_blas_thread():
        return {k: v.astype(np.int64) for k, v in _all_pairs(codes).items()}


def _all_pairs(codes) -> dict:
    """As ``all_pairs``, as float32 (exact: counts stay far below 2**24)."""
    onehot, listed = _onehot(codes)
    c = codes.shape[1]
    gram = onehot.T @ onehot
    n = listed.T @ listed
    cells = {a + b: gram[i * c:(i + 1) * c, j * c:(j + 1) * c]
             for i, a in enumerate(_LETTERS) for j, b in enumerate(_LETTERS)}
    return _derive(cells, n)


def _one_blas_thread():
    """Products this small run several times faster on one BLAS thread than on several, which
    spin-wait for each other (measured: 8 ms vs 0.6 ms for a 570 × 70 × 570 product on a busy
    two-core machine). threadpoolctl limits the threads when it is installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def against(focal, codes) -> dict:
    """Counts of the vote vector ``focal`` (roll calls) against every column of ``codes``:
    {name: int64 array (countries,)}; the cells' first letter is ``focal``'s vote."""
    import numpy as np

    onehot, listed = _onehot(codes)
    f_onehot, f_listed = _onehot(focal.reshape(-1, 1))
    c = codes.shape[1]
    with _one_blas_thread():
        prod = (f_onehot.T @ onehot).astype(np.int64)  # 3 × 3c
        n = (f_listed.T @ listed).astype(np.int64)[0]
    cells = {a + b: prod[i, j * c:(j + 1) * c] for i, a in enumerate(_LETTERS) for j, b in enumerate(_LETTERS)}
    return _derive(cells, n)


def matrix_table(codes, countries: list[str], keys, inverse, *, metric: str = "agree",
                 include_period: bool = True):
    """Long table of all ordered pairs (a ≠ b) with n > 0, one block per period.

    ``keys``/``inverse`` come from ``align.period_index``; columns: [period,] a, b, the counts of
    ``output_columns(metric)``, score. Rows sorted by period, then a, then b.
    """
    import numpy as np
    import pyarrow as pa

    cols = output_columns(metric)
    parts: dict[str, list] = {k: [] for k in ("period", "a", "b", *cols, "score")}
    with _one_blas_thread():
        for p in range(len(keys)):
            block = codes[inverse == p]
            # only the countries listed in this period: early years have a third of today's members
            present = np.flatnonzero((block != NOT_LISTED).any(axis=0))
            counts = _all_pairs(block[:, present])
            keep = counts["n"] > 0
            np.fill_diagonal(keep, False)
            flat = np.flatnonzero(keep)  # row-major: sorted by a, then b
            picked = {k: v.ravel()[flat].astype(np.int64) for k, v in counts.items()}
            parts["period"].append(np.full(len(flat), p, dtype=np.int32))
            parts["a"].append(present[flat // len(present)].astype(np.int32))
            parts["b"].append(present[flat % len(present)].astype(np.int32))
            for k in cols:
                parts[k].append(picked[k])
            parts["score"].append(METRICS[metric](picked))

    def cat(k, dtype):
        return np.concatenate(parts[k]).astype(dtype, copy=False) if parts[k] else np.array([], dtype=dtype)

    def labels(k, dictionary):
        # dictionary-encoded first, then decoded by Arrow: no Python string per row
        return pa.DictionaryArray.from_arrays(pa.array(cat(k, np.int32)),
                                              pa.array(list(dictionary), pa.string())).cast(pa.string())

    table = {}
    if include_period:
        table["period"] = labels("period", [str(k) for k in keys])
    table["a"] = labels("a", countries)
    table["b"] = labels("b", countries)
    for k in cols:
        table[k] = pa.array(cat(k, np.int64), pa.int64())
    table["score"] = pa.array(cat("score", np.float64), pa.float64())
    return pa.table(table)


def wide(long, *, period_column: bool):
    """The score of a long table as a square: one row per ``a`` (``country``), one column per ``b``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = sorted(set(long["a"].to_pylist()) | set(long["b"].to_pylist()))
    at = {c: i for i, c in enumerate(codes)}
    periods = long["period"].to_pylist() if period_column else [None] * long.num_rows
    labels = list(dict.fromkeys(periods))
    out = {"period": [], "country": []} if period_column else {"country": []}
    grid = np.full((len(labels) * len(codes), len(codes)), np.nan)
    p_at = {p: i for i, p in enumerate(labels)}
    pi = np.array([p_at[p] for p in periods], dtype=np.int64)
    ai = np.array([at[c] for c in long["a"].to_pylist()], dtype=np.int64)
    bi = np.array([at[c] for c in long["b"].to_pylist()], dtype=np.int64)
    grid[pi * len(codes) + ai, bi] = pc.fill_null(long["score"], np.nan).to_numpy()
    for p in labels:
        if period_column:
            out["period"] += [p] * len(codes)
        out["country"] += codes
    table = {k: pa.array(v, pa.string()) for k, v in out.items()}
    for j, c in enumerate(codes):
        table[c] = pa.array(grid[:, j], pa.float64(), from_pandas=True)
    return pa.table(table)


__all__ = ["CELLS", "all_pairs", "against", "matrix_table", "wide"]
