"""Voeten's issue codes from his two releases, in one Voeten-layout table that ``history`` matches to
UN Digital Library records (for scripts/build_topic_codes.py, scripts/topic_report.py and the tests).

* ``unvotes-2021`` (``NEWEST``): the R package *unvotes* (David Robinson, MIT; github.com/dgrtwo/unvotes
  commit 7eb7034, 2021-03-08), built from Voeten's newer roll-call descriptions: ``un_roll_calls.rda``
  (6,203 roll calls, sessions 1–74) and ``un_roll_call_issues.rda`` (one row per roll call and code;
  a roll call the first lists and the second does not is coded none: the package keeps only the
  flags equal to 1).
* ``voeten-2016`` (``OLDER``): Voeten's ``UNVotesPublished.RData`` (2017-01-17 version, sessions 1–70),
  used only for a roll call the newer release does not list.

``read`` gives every roll call of the 2016 file (with its votes, read as ``fetch --source voeten``
reads them) plus the roll calls only the 2021 release has (votes from the package's ``un_votes``,
ISO2 country codes mapped to ccode), with the six flags of the release that codes it and a column
``topic_release`` naming that release.
"""

from __future__ import annotations

from pathlib import Path

from ..model import countries
from ..model.topics import CODES
from ..sources import voeten

NEWEST = "unvotes-2021"
OLDER = "voeten-2016"
VOETEN_2016 = Path("voeten-unvotespublished-2016") / "UNVotesPublished.RData"
UNVOTES = Path("dgrtwo-unvotes")
VOTE_CODES = {"yes": 1, "abstain": 2, "no": 3}  # un_votes' words → Voeten's codes


def files(data: Path) -> dict[str, Path]:
    data = Path(data)
    return {"votes_2016": data / VOETEN_2016, "rollcalls": data / UNVOTES / "un_roll_calls.rda",
            "issues": data / UNVOTES / "un_roll_call_issues.rda", "votes": data / UNVOTES / "un_votes.rda"}


def _frame(path: Path):
    (_, frame), = voeten._load_r(path, path.name)
    return frame


def newest_codes(issues, listed) -> dict[int, str]:
    """{rcid: "me;hr"} of the 2021 release for every rcid in ``listed`` (empty string: coded none)."""
    have: dict[int, set] = {}
    for rcid, code in zip(issues["rcid"].astype(int), issues["short_name"].astype(str)):
        have.setdefault(int(rcid), set()).add(code)
    return {int(r): ";".join(c for c in CODES if c in have.get(int(r), ())) for r in listed}


def read(data: Path, older=None):
    """(Voeten-layout Ingest of both releases, {rcid: the 2016 codes or None where his flags are missing}).

    ``older``: the 2016 file already read with the R package's roll-call table (``voeten.read``), if at hand."""
    import pyarrow as pa
    import pyarrow.compute as pc

    paths = files(data)
    older = older or voeten.read([paths["votes_2016"], paths["rollcalls"]])
    calls = _frame(paths["rollcalls"])
    issues = _frame(paths["issues"])
    codes = newest_codes(issues, calls["rcid"])

    rc = older.rollcalls
    ids = rc["rollcall_id"].to_pylist()
    flags = {c: rc[c].to_pylist() for c in CODES}
    old_codes = {i: (";".join(c for c in CODES if flags[c][n] == 1) if all(flags[c][n] is not None for c in CODES)
                     else None) for n, i in enumerate(ids)}
    release = [NEWEST if i in codes else (OLDER if old_codes[i] is not None else None) for i in ids]
    for c in CODES:
        new = [(int(c in codes[i].split(";")) if i in codes else f) for i, f in zip(ids, flags[c])]
        rc = rc.set_column(rc.column_names.index(c), c, pa.array(new, pa.int8()))
    parts = [(rc.append_column("topic_release", pa.array(release, pa.string())), older.votes)]

    known = set(ids)
    extra = calls[~calls["rcid"].astype(int).isin(known)]
    if len(extra):
        votes = _frame(paths["votes"])
        votes = votes[votes["rcid"].astype(int).isin(set(extra["rcid"].astype(int)))]
        ccode = {c.iso2: c.ccode for c in sorted(countries.all_countries(), key=lambda c: c.member_to is None)
                 if c.iso2 and c.ccode}  # a current member's ccode wins over a former one's
        frame = votes.assign(ccode=votes["country_code"].map(ccode), vote=votes["vote"].astype(str).map(VOTE_CODES))
        frame = frame.dropna(subset=["ccode", "vote"])[["rcid", "ccode", "vote"]]
        new = voeten.from_frames(frame, extra, issues, name="unvotes-2021")
        table = new.rollcalls.append_column("topic_release", pa.array([NEWEST] * new.rollcalls.num_rows, pa.string()))
        parts.append((table, new.votes))
    rollcalls = pa.concat_tables([p[0] for p in parts], promote_options="permissive")
    rollcalls = rollcalls.take(pc.sort_indices(rollcalls["rollcall_id"]))
    votes = pa.concat_tables([p[1] for p in parts]).unify_dictionaries().combine_chunks()
    return voeten.Ingest(rollcalls, votes, {"newest_rollcalls": len(codes)}), old_codes
