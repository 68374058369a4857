"""All votes as one dense int8 matrix (roll calls × countries), for vectorised analysis.

Codes as in ``codes.py``: 1 yes, 2 abstain, 3 no, 8 non-voting, 9 not listed, 0 unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class VoteMatrix:
    rollcall_ids: object  # numpy int64, aligned with the rows
    countries: list[str]  # column codes
    votes: object  # numpy int8, shape (len(rollcall_ids), len(countries))

    def column(self, code: str):
        return self.votes[:, self.countries.index(code)]


def vote_matrix(rollcalls, votes, *, merge: dict[str, str] | None = None) -> VoteMatrix:
    """Build the matrix for the roll calls in ``rollcalls`` (row order kept).

    ``merge`` maps a code to the code whose column it joins (e.g. the continuity policy
    ``{"SUN": "RUS"}``); a record never lists both, so no vote is overwritten.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from .codes import NOT_LISTED, encode, locate

    ids = rollcalls["rollcall_id"].to_numpy()
    at_clipped, keep = locate(ids, votes["rollcall_id"].to_numpy())

    codes_col = votes["ms_code"].combine_chunks()
    encoded = codes_col if pa.types.is_dictionary(codes_col.type) else pc.dictionary_encode(codes_col)
    merge = merge or {}
    names = [merge.get(n, n) for n in encoded.dictionary.to_pylist()]
    columns = sorted(set(names))
    lookup = np.array([columns.index(n) for n in names] or [0], dtype=np.int64)
    col = lookup[encoded.indices.to_numpy(zero_copy_only=False)]

    matrix = np.full((len(ids), len(columns)), NOT_LISTED, dtype=np.int8)
    matrix[at_clipped[keep], col[keep]] = encode(votes["vote"])[keep]
    return VoteMatrix(ids, columns, matrix)
