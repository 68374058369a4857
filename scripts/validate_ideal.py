"""Compare `unvote ideal --session N` with Voeten's published ideal points, session by session.

    python scripts/validate_ideal.py                       # sessions 1–74, the default store
    python scripts/validate_ideal.py --sessions 70-74 --min-votes 5

Reference: Bailey, Strezhnev & Voeten's estimates (April 2020 release, MIT licence),
``IdealpointestimatesAll_Apr2020.csv`` (columns ccode, session, IdealPoint, …), read in place.
Their countries are matched to store codes by Correlates of War code as of the session's
December (``countries.by_ccode``), then through the continuity policy (USSR → Russia) when
``unvote ideal`` uses it. Prints CSV on stdout: session, roll calls, countries, countries in both,
Spearman's ρ; then a summary by decade on stderr.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import sys
from pathlib import Path

DEFAULT_REFERENCE = (Path(__file__).resolve().parents[2] / "shared" / "data" / "voeten-idealpoints-2020"
                     / "IdealpointestimatesAll_Apr2020.csv")


def session_date(session: int) -> dt.date:
    """A date inside regular session ``session`` (the 1st met in 1946; the Nth opens in September 1945+N)."""
    return dt.date(1946, 6, 30) if session == 1 else dt.date(1945 + session, 12, 1)


# Voeten codes the Republic of China's seat (held until A/RES/2758(XXVI), 1971) as Taiwan, 713;
# the UN data codes both holders of the seat CHN.
CHINA_SEAT_BEFORE_1971 = 713


def reference(path: Path, *, continuity: bool = True) -> dict[str, dict[str, float]]:
    """{session: {store code: Voeten's IdealPoint}} from the published CSV."""
    from unvote.model import countries

    merge = countries.continuity() if continuity else {}
    out: dict[str, dict[str, float]] = {}
    taiwan: dict[str, float] = {}
    with open(path, newline="", encoding="latin-1") as f:  # its country names are Latin-1
        for row in csv.DictReader(f):
            session, ccode = int(row["session"]), int(row["ccode"])
            if ccode == CHINA_SEAT_BEFORE_1971:
                taiwan[str(session)] = float(row["IdealPoint"])
                continue
            code = countries.by_ccode(ccode, session_date(session))
            if code is not None:
                out.setdefault(str(session), {})[merge.get(code, code)] = float(row["IdealPoint"])
    for session, point in taiwan.items():
        out.setdefault(session, {}).setdefault("CHN", point)  # unless the PRC (710) holds it
    return out


def compare(points, theirs: dict[str, float]) -> tuple[int, float]:
    """(countries in both, Spearman's ρ) between an ``ideal`` table and {code: reference point}.

    A reference code missing from ``points`` is matched to a code of ours that shares its
    Correlates of War code and is missing from the reference: UNDL codes the FR Yugoslavia YUG
    until 2002 where COW's 345 reads as Serbia (and Serbia and Montenegro)."""
    from unvote.analysis.ideal import rank_correlation
    from unvote.model import countries

    ours = dict(zip(points["country"].to_pylist(), points["ideal_point"].to_pylist()))
    theirs = dict(theirs)
    spare = {c: countries.get(c).ccode for c in ours if c not in theirs and countries.get(c)}
    for code in [c for c in theirs if c not in ours]:
        ccode = countries.get(code).ccode if countries.get(code) else None
        twin = next((c for c, cc in spare.items() if cc is not None and cc == ccode), None)
        if twin is not None:
            theirs[twin] = theirs.pop(code)
            del spare[twin]
    both = sorted(set(ours) & set(theirs))
    if len(both) < 3:
        return len(both), float("nan")
    return len(both), rank_correlation([ours[c] for c in both], [theirs[c] for c in both])


def _sessions(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        out.extend(range(int(first), int(last or first) + 1))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--sessions", default="1-74", help="e.g. 70-74 or 1,28,74")
    parser.add_argument("--min-votes", type=int, default=10)
    parser.add_argument("--source", default="undl")
    parser.add_argument("--kind", default="resolution")
    parser.add_argument("--no-continuity", action="store_true")
    args = parser.parse_args(argv)

    import unvote
    from unvote.analysis.ideal import facts
    from unvote.core.errors import NoData

    ref = reference(args.reference, continuity=not args.no_continuity)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["session", "rollcalls", "countries", "in_both", "spearman"])
    by_decade: dict[str, list[float]] = {}
    for session in _sessions(args.sessions):
        try:
            points = unvote.ideal(session=session, min_votes=args.min_votes, source=args.source,
                                  kind=args.kind, continuity=not args.no_continuity)
        except NoData as err:
            writer.writerow([session, "", "", "", ""])
            print(err, file=sys.stderr)
            continue
        f = facts(points)["periods"][str(session)]
        n, rho = compare(points, ref.get(str(session), {}))
        writer.writerow([session, f["rollcalls"], f["countries"], n, f"{rho:.3f}"])
        year = session_date(session).year
        by_decade.setdefault(f"{year // 10 * 10}s", []).append(rho)
    everything = [r for rs in by_decade.values() for r in rs]
    for decade, rs in by_decade.items():
        print(f"{decade}: {len(rs)} sessions, median ρ {statistics.median(rs):.3f}, min {min(rs):.3f}",
              file=sys.stderr)
    if everything:
        print(f"all: {len(everything)} sessions, median ρ {statistics.median(everything):.3f}, "
              f"{sum(r >= 0.9 for r in everything)} at ≥ 0.9", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
