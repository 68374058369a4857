"""How a roll call went: counts per vote, and who voted how."""

from __future__ import annotations

from .. import countries


def tally(rollcalls, votes):
    """One row per roll call (in ``rollcalls`` order) with counts from the country votes.

    ``voting`` = yes + no + abstain; ``members`` = member states listed in the record;
    ``unreadable`` counts codes the source used that are none of Y/N/A/X (normally 0).
    """
    import numpy as np
    import pyarrow as pa

    from .codes import ABSTAIN, NO, NON_VOTING, YES, encode, locate

    ids = rollcalls["rollcall_id"].to_numpy()
    pos, _ = locate(ids, votes["rollcall_id"].to_numpy())  # the votes are those of ``rollcalls``
    codes = encode(votes["vote"])
    n = len(ids)

    def count(code):
        return np.bincount(pos[codes == code], minlength=n)

    yes, no, abstain, non_voting = count(YES), count(NO), count(ABSTAIN), count(NON_VOTING)
    members = np.bincount(pos, minlength=n)
    cols = {"resolution": rollcalls["resolution"], "date": rollcalls["date"],
            "yes": yes, "no": no, "abstain": abstain, "non_voting": non_voting,
            "voting": yes + no + abstain, "members": members}
    cols["title"] = rollcalls["title"] if "title" in rollcalls.column_names else pa.nulls(n, pa.string())
    cols["unreadable"] = members - yes - no - abstain - non_voting
    for c in ("meeting", "session", "rollcall_id"):
        cols[c] = rollcalls[c] if c in rollcalls.column_names else pa.nulls(n, pa.string())
    return pa.table({k: (pa.array(v, pa.int32()) if isinstance(v, np.ndarray) else v)
                     for k, v in cols.items()})


def country_votes(rollcalls, votes):
    """One row per (roll call, member state): resolution, date, country, name, vote, name_in_record
    (and ``permanent_member`` when the votes carry it: Security Council data)."""
    import pyarrow as pa

    from .codes import locate

    ids = rollcalls["rollcall_id"].to_numpy()
    pos, _ = locate(ids, votes["rollcall_id"].to_numpy())  # the votes are those of ``rollcalls``
    codes = votes["ms_code"].to_pylist()
    cols = {
        "resolution": rollcalls["resolution"].take(pos),
        "date": rollcalls["date"].take(pos),
        "country": pa.array(codes, pa.string()),
        "name": pa.array([countries.display_name(c) for c in codes], pa.string()),
        "vote": votes["vote"].cast(pa.string()),
        "name_in_record": votes["ms_name"].cast(pa.string()),
    }
    if "permanent_member" in votes.column_names:
        cols["permanent_member"] = votes["permanent_member"]
    return pa.table(cols)
