"""All votes as one dense int8 matrix (roll calls × countries), for vectorised analysis.

Codes as in ``codes.py``: 1 yes, 2 abstain, 3 no, 8 non-voting, 9 not listed, 0 unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codes import NOT_LISTED, encode, locate


@dataclass
class VoteMatrix:
    rollcall_ids: object  # numpy int64, aligned with the rows
    countries: list[str]  # column codes
    votes: object  # numpy int8, shape (len(rollcall_ids), len(countries))

    def column(self, code: str):
        return self.votes[:, self.countries.index(code)]


def vote_matrix(rollcalls, votes, *, merge: dict[str, str] | None = None,
                columns: list[str] | None = None) -> VoteMatrix:
    """Build the matrix for the roll calls in ``rollcalls`` (a table, or its rollcall_id array;
    row order kept).

    ``merge`` maps a code to the code whose column it joins (e.g. the continuity policy
    ``{"SUN": "RUS"}``); a record never lists both, so no vote is overwritten. ``columns`` fixes
    the column list (votes of other codes are left out); by default every code voting, sorted.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = np.asarray(rollcalls) if isinstance(rollcalls, np.ndarray) else rollcalls["rollcall_id"].to_numpy()
    at_clipped, keep = locate(ids, votes["rollcall_id"].to_numpy())

    codes_col = votes["ms_code"].combine_chunks()
    encoded = codes_col if pa.types.is_dictionary(codes_col.type) else pc.dictionary_encode(codes_col)
    merge = merge or {}
    names = [merge.get(n, n) for n in encoded.dictionary.to_pylist()]
    columns = sorted(set(names)) if columns is None else list(columns)
    at = {c: i for i, c in enumerate(columns)}
    lookup = np.array([at.get(n, -1) for n in names] or [-1], dtype=np.int64)
    col = lookup[encoded.indices.to_numpy(zero_copy_only=False)]
    keep = keep & (col >= 0)

    matrix = np.full((len(ids), len(columns)), NOT_LISTED, dtype=np.int8)
    matrix[at_clipped[keep], col[keep]] = encode(votes["vote"])[keep]
    return VoteMatrix(ids, columns, matrix)
