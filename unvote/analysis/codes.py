"""Votes as small integers, in Voeten's order, for vectorised work."""

from __future__ import annotations

YES, ABSTAIN, NO = 1, 2, 3
NON_VOTING = 8  # listed in the record, cast no vote ("X"): not an abstention
NOT_LISTED = 9  # not in the record: not a member then (or the record omits it)
OTHER = 0  # a code the source used that we cannot interpret (e.g. one "AN" in 1952)

LETTER_CODE = {"Y": YES, "A": ABSTAIN, "N": NO, "X": NON_VOTING}
CODE_LETTER = {**{code: letter for letter, code in LETTER_CODE.items()}, OTHER: "?"}  # NOT_LISTED: none


def is_unanimous(yes, no, abstain):
    """Voeten's rule for unanimous votes: the Y, A and N votes take at most one value (all alike, or
    none cast) — his DyadicAgreementScores.R keeps a vote only if they take more than one. Works on
    counts, as ints or as numpy arrays (one per roll call)."""
    return (yes > 0) * 1 + (no > 0) * 1 + (abstain > 0) * 1 <= 1


def encode(letters):
    """Vote letters (a pyarrow array, dictionary or not) → numpy int8 codes."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = letters.combine_chunks() if isinstance(letters, pa.ChunkedArray) else letters
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    lookup = np.array([LETTER_CODE.get(v, OTHER) for v in arr.dictionary.to_pylist()] or [OTHER],
                      dtype=np.int8)
    return lookup[arr.indices.to_numpy(zero_copy_only=False)]


def encode_letters(letters: list[str | None]):
    """Vote letters as Python values (None: not listed) → numpy int8 codes."""
    import numpy as np

    return np.array([NOT_LISTED if v is None else LETTER_CODE.get(v, OTHER) for v in letters], dtype=np.int8)


def locate(ids, wanted):
    """Row of each of ``wanted`` in ``ids`` (unsorted, unique): (rows, found), numpy arrays.

    ``rows`` is only meaningful where ``found``; used to place votes on their roll call.
    """
    import numpy as np

    if len(ids) == 0:
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    order = np.argsort(ids, kind="stable")
    at = np.searchsorted(ids, wanted, sorter=order)
    rows = order[np.minimum(at, len(ids) - 1)]
    return rows, (at < len(ids)) & (ids[rows] == wanted)
