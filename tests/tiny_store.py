"""A hand-made GA store of three roll calls and four members (the ``tiny_store`` fixture in
conftest.py writes it with ``Store.write``): every figure the fast tier asserts is counted by hand
from this table or by the few lines of plain Python below, never by unvote."""

from __future__ import annotations

import datetime as dt

MEMBERS = {"USA": "United States", "RUS": "Russian Federation", "FRA": "France", "KHM": "Cambodia"}

# resolution -> (date, {member: vote}); Y yes, N no, A abstain, X did not vote
ROLLCALLS = {
    "A/RES/77/1": (dt.date(2022, 10, 3), {"USA": "Y", "RUS": "Y", "FRA": "N", "KHM": "A"}),
    "A/RES/77/2": (dt.date(2022, 11, 14), {"USA": "Y", "RUS": "N", "FRA": "N", "KHM": "X"}),
    "A/RES/78/1": (dt.date(2023, 10, 2), {"USA": "A", "RUS": "A", "FRA": "Y", "KHM": "Y"}),
}


def tables():
    """(rollcalls, votes) as pyarrow tables, in the store's columns."""
    import pyarrow as pa

    calls, votes = [], []
    for rid, (symbol, (date, ballot)) in enumerate(ROLLCALLS.items(), start=1):
        count = {v: sum(1 for x in ballot.values() if x == v) for v in "YNAX"}
        calls.append({"rollcall_id": rid, "resolution": symbol, "date": date, "session": symbol.split("/")[2],
                      "title": f"Tiny resolution {symbol}", "members": len(ballot), "kind": "resolution",
                      "source": "undl-csv", "total_yes": count["Y"], "total_no": count["N"],
                      "total_abstentions": count["A"], "total_non_voting": count["X"], "total_ms": len(ballot),
                      "topics": "", "topics_from": "rules"})
        votes += [{"rollcall_id": rid, "ms_code": m, "ms_name": MEMBERS[m], "vote": v} for m, v in ballot.items()]
    return pa.Table.from_pylist(calls), pa.Table.from_pylist(votes)


def pair_counts(a: str, b: str, year: int | None = None) -> dict:
    """n, same, partial, opposite, absent of two members (docs/metrics.md's definitions)."""
    out = dict.fromkeys(("n", "same", "partial", "opposite", "absent"), 0)
    for date, ballot in ROLLCALLS.values():
        if year is not None and date.year != year:
            continue
        x, y = ballot[a], ballot[b]
        kind = ("absent" if "X" in (x, y) else "same" if x == y else "partial" if "A" in (x, y) else "opposite")
        out[kind] += 1
        out["n"] += 1
    return out
