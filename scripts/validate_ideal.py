"""Compare `unvote ideal --session N` with Voeten's published ideal points, session by session.

    python scripts/validate_ideal.py                       # sessions 1–74, the default store
    python scripts/validate_ideal.py --sessions 70-74 --min-votes 5
    python scripts/validate_ideal.py --dynamic              # one dynamic fit, 1946–2025, against sessions 1–74
    python scripts/validate_ideal.py --dynamic --since 2000 --until 2010

Reference: Bailey, Strezhnev & Voeten's estimates (April 2020 release, MIT licence),
``IdealpointestimatesAll_Apr2020.csv`` (columns ccode, session, IdealPoint, …), read in place.
Their countries are matched to store codes by Correlates of War code as of the session's
December (``countries.by_ccode``), then through the continuity policy (USSR → Russia) when
``unvote ideal`` uses it. Prints CSV on stdout: session, roll calls, countries, countries in both,
Spearman's ρ; then a summary by decade on stderr.

With ``--dynamic``: one ``unvote ideal --dynamic`` fit over the span, each year Y compared with Voeten's
session Y − 1945 (the session that opens in September of Y and casts most of its votes in its
December). CSV per year: year, session, countries in both, Pearson r, Spearman's ρ; then on stderr the
goals of issue 17: the pooled Pearson r over all country-years, the median per-year Spearman ρ, and
the correlation of the US–Russia and China–US distance series (|ours| vs |Voeten's| per year) with
Voeten's; and the fit's time.
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

    pairs = match(dict(zip(points["country"].to_pylist(), points["ideal_point"].to_pylist())), dict(theirs))
    if len(pairs) < 3:
        return len(pairs), float("nan")
    return len(pairs), rank_correlation([a for a, _ in pairs], [b for _, b in pairs])


def match(ours: dict[str, float], theirs: dict[str, float]) -> list[tuple[float, float]]:
    """(ours, theirs) for the countries in both, with ``compare``'s COW twin rule."""
    from unvote.model import countries

    theirs = dict(theirs)
    spare = {c: countries.get(c).ccode for c in ours if c not in theirs and countries.get(c)}
    for code in [c for c in theirs if c not in ours]:
        ccode = countries.get(code).ccode if countries.get(code) else None
        twin = next((c for c, cc in spare.items() if cc is not None and cc == ccode), None)
        if twin is not None:
            theirs[twin] = theirs.pop(code)
            del spare[twin]
    return [(ours[c], theirs[c]) for c in sorted(set(ours) & set(theirs))]


def dynamic_figures(table, ref: dict[str, dict[str, float]]) -> dict:
    """The validation figures of a dynamic fit (``unvote.ideal_dynamic``) against Voeten's ``ref``:
    per year (year, session, n, pearson, spearman), the pooled Pearson r, the median per-year
    Spearman ρ, and the distance-series correlations (key "USA-RUS", "CHN-USA"), with their lengths."""
    import numpy as np

    from unvote.analysis.ideal import rank_correlation

    by_year: dict[int, dict[str, float]] = {}
    for code, year, point in zip(table["country"].to_pylist(), table["year"].to_pylist(),
                                 table["ideal_point"].to_pylist()):
        by_year.setdefault(year, {})[code] = point
    rows, pooled = [], []
    for year in sorted(by_year):
        session = year - 1945
        pairs = match(by_year[year], ref.get(str(session), {}))
        if len(pairs) < 3:
            continue
        a, b = np.array(pairs).T
        pooled += pairs
        rows.append((year, session, len(pairs), float(np.corrcoef(a, b)[0, 1]), rank_correlation(a, b)))
    a, b = np.array(pooled).T
    out = {"years": rows, "pooled_pearson": float(np.corrcoef(a, b)[0, 1]),
           "median_spearman": float(np.median([r[4] for r in rows])), "n": len(pooled)}
    for x, y in (("USA", "RUS"), ("CHN", "USA")):
        ours, theirs = [], []
        for year in sorted(by_year):
            mine, voeten = by_year[year], ref.get(str(year - 1945), {})
            if x in mine and y in mine and x in voeten and y in voeten:
                ours.append(abs(mine[x] - mine[y]))
                theirs.append(abs(voeten[x] - voeten[y]))
        out[f"{x}-{y}"] = (float(np.corrcoef(ours, theirs)[0, 1]) if len(ours) > 2 else float("nan"), len(ours))
    return out


def main_dynamic(args) -> int:
    import time

    import unvote
    from unvote.analysis.ideal import facts

    ref = reference(args.reference, continuity=not args.no_continuity)
    start, cpu = time.perf_counter(), time.process_time()
    table = unvote.ideal_dynamic(since=args.since, until=args.until, min_votes=args.min_votes, source=args.source,
                                 kind=args.kind, continuity=not args.no_continuity, tau=args.tau)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    found = dynamic_figures(table, ref)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["year", "session", "in_both", "pearson", "spearman"])
    for year, session, n, r, rho in found["years"]:
        writer.writerow([year, session, n, f"{r:.3f}", f"{rho:.3f}"])
    f = facts(table)
    low = min(found["years"], key=lambda row: row[4])
    print(f"fit: {table.num_rows} country-years, {f['rollcalls']} roll calls ({f['bridged_rollcalls']} in "
          f"{f['bridged_families']} bridged windows of a title family), {f['iterations']} steps, converged {f['converged']}, "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU", file=sys.stderr)
    print(f"pooled Pearson r over {found['n']} country-years: {found['pooled_pearson']:.3f} (goal ≥ 0.95)",
          file=sys.stderr)
    print(f"median per-year Spearman ρ over {len(found['years'])} years: {found['median_spearman']:.3f} "
          f"(goal ≥ 0.95); lowest {low[4]:.3f} ({low[0]})", file=sys.stderr)
    for pair in ("USA-RUS", "CHN-USA"):
        r, n = found[pair]
        print(f"{pair} distance series, {n} years: r {r:.3f} (goal ≥ 0.9)", file=sys.stderr)
    return 0


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
    parser.add_argument("--dynamic", action="store_true", help="one dynamic fit over the years (ideal --dynamic)")
    parser.add_argument("--since", help="with --dynamic: first year")
    parser.add_argument("--until", help="with --dynamic: last year")
    parser.add_argument("--tau", type=float, default=None, help="with --dynamic: sd of a yearly step")
    args = parser.parse_args(argv)
    if args.dynamic:
        return main_dynamic(args)

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
