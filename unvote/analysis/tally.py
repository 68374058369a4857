"""How a roll call went: counts per vote, and who voted how (pure Python over plain rows)."""

from __future__ import annotations

from ..model import countries

# Column → DuckDB type name, in output order.
TALLY_TYPES = {
    "resolution": "VARCHAR", "date": "DATE", "yes": "INTEGER", "no": "INTEGER", "abstain": "INTEGER",
    "non_voting": "INTEGER", "voting": "INTEGER", "members": "INTEGER", "title": "VARCHAR",
    "unreadable": "INTEGER", "meeting": "VARCHAR", "session": "VARCHAR", "rollcall_id": "BIGINT",
    "topics": "VARCHAR", "source": "VARCHAR",
}
VOTE_ROW_TYPES = {
    "resolution": "VARCHAR", "date": "DATE", "country": "VARCHAR", "name": "VARCHAR", "vote": "VARCHAR",
    "name_in_record": "VARCHAR", "permanent_member": "BOOLEAN",
}


# ---- the outcome, and who voted with it ----------------------------------------------------------
# A roll call's outcome: adopted when more members voted Yes than No (Article 18 of the Charter: a
# majority of the members present and voting; abstaining is not voting). The store has no outcome
# column: every UN Digital Library record is an adopted resolution and has more Yes than No (tested),
# while Voeten's data also holds rejected drafts, amendments and motions (some still carry a symbol).
# A text that needed two-thirds (an "important question", Article 18(2)) and got more Yes than No
# but under two-thirds reads as adopted.
def adopted(yes: int, no: int) -> bool:
    return yes > no


def with_outcome(vote: str | None, yes: int, no: int) -> bool | None:
    """Yes on an adopted text or No on a rejected one; an abstention never is; None for no Y/N/A vote."""
    if vote not in ("Y", "N", "A"):
        return None
    return vote == ("Y" if adopted(yes, no) else "N")


def with_plurality(vote: str | None, yes: int, no: int, abstain: int) -> bool | None:
    """The vote is the most common of Y/N/A on the roll call (on a tie, each tied vote is); None for
    no Y/N/A vote."""
    counts = {"Y": yes, "N": no, "A": abstain}
    if vote not in counts:
        return None
    return counts[vote] == max(counts.values())


def tally_rows(calls: list[dict], counts: dict[int, tuple]) -> list[dict]:
    """One row per roll call (in ``calls`` order) from its per-letter counts.

    ``counts[rollcall_id]`` is (yes, no, abstain, non_voting, members listed in the record).
    ``voting`` = yes + no + abstain; ``unreadable`` counts codes the source used that are none of
    Y/N/A/X (normally 0). Non-voting is not abstention: the UN counts it apart.
    """
    rows = []
    for call in calls:
        yes, no, abstain, non_voting, members = counts.get(call["rollcall_id"], (0, 0, 0, 0, 0))
        rows.append({**call, "yes": yes, "no": no, "abstain": abstain, "non_voting": non_voting,
                     "voting": yes + no + abstain, "members": members,
                     "unreadable": members - yes - no - abstain - non_voting})
    return rows


def country_vote_rows(calls: list[dict], votes: list[dict]) -> list[dict]:
    """One row per (roll call, member state), from the votes (rollcall_id, ms_code, ms_name, vote)."""
    by_id = {c["rollcall_id"]: c for c in calls}
    return [{"resolution": by_id[v["rollcall_id"]]["resolution"], "date": by_id[v["rollcall_id"]]["date"],
             "country": v["ms_code"], "name": countries.display_name(v["ms_code"]), "vote": v["vote"],
             "name_in_record": v["ms_name"], "permanent_member": v.get("permanent_member")}
            for v in votes]
