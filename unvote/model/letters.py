"""Vote letters and a roll call's per-letter counts: the one definition of ``yes``/``no``/``abstain``/
``non_voting``/``members``, whether counted at ingest (the stored ``counted_*`` columns) or live in SQL
(``tally``, the unanimity rule). A test recounts every stored roll call with the SQL.

Stdlib only at import (numpy is imported inside ``count_letters``).
"""

from __future__ import annotations

# The store's vote letters → the name of their count (stored as ``counted_<name>``). A code that is
# none of these (kept as found, e.g. Voeten's unreadable ones) counts in ``members`` only.
COUNTS = {"Y": "yes", "N": "no", "A": "abstain", "X": "non_voting"}


def count_letters(rc_pos, vote_idx, letters: list[str], n_rc: int) -> dict:
    """Per roll call (numpy int64 arrays of length ``n_rc``): yes, no, abstain, non_voting and members
    (every vote row listed), from each vote row's roll-call position ``rc_pos`` and its index
    ``vote_idx`` into ``letters``. One count per letter, each as long as the roll calls (never roll
    calls × distinct codes, which a hostile file could make quadratic)."""
    import numpy as np

    rc_pos = np.asarray(rc_pos, dtype=np.int64)
    vote_idx = np.asarray(vote_idx)
    out = {name: np.bincount(rc_pos[vote_idx == letters.index(letter)], minlength=n_rc) if letter in letters
           else np.zeros(n_rc, np.int64) for letter, name in COUNTS.items()}
    out["members"] = np.bincount(rc_pos, minlength=n_rc)
    return out


def counts_sql(alias: str = "v") -> str:
    """The same counts as DuckDB aggregates over a votes table (alias ``alias``): yes, no, abstain, non_voting."""
    return ", ".join(f"count(*) FILTER (WHERE {alias}.vote = '{letter}') AS {name}" for letter, name in COUNTS.items())
