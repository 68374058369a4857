"""The figures of docs/statedept.md: ``report statedept`` against the State Department's own tables.

    python scripts/statedept_report.py          # the default store ($UNVOTE_DATA_DIR), GA data fetched

Prints, for the 2022 and 2023 reports (tests/fixtures/statedept_*.csv, overall and on the reports'
important votes), how many members' Same, Oppose, Partial and Absent equal the report's and how many
percentages round to the one printed; then the Global average of every year 1992–2023 against the
2023 report's Table 1 (its 30-year series), under the 2017 and 2021 rules.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# Voting Practices of UN Members 2023, Table 1: Annual Trends (global average coincidence, %)
TABLE_1 = {1992: 33, 1993: 37, 1994: 41, 1995: 38, 1996: 45, 1997: 37, 1998: 35, 1999: 35, 2000: 38, 2001: 32,
           2002: 29, 2003: 29, 2004: 28, 2005: 26, 2006: 28, 2007: 23, 2008: 25, 2009: 34, 2010: 34, 2011: 38,
           2012: 36, 2013: 35, 2014: 38, 2015: 37, 2016: 41, 2017: 31, 2018: 31, 2019: 31, 2020: 33, 2021: 41,
           2022: 48, 2023: 46}
COUNTS = ("same", "opposite", "partial", "absent")


def published(name: str) -> tuple[dict, list[str]]:
    lines = (FIXTURES / f"{name}.csv").read_text("utf-8").splitlines()
    symbols = [w.rstrip(".") for line in lines if line.startswith("# The report's important votes")
               for w in line.split(": ", 1)[1].split()]
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return {r["country"]: {k: int(v) for k, v in r.items() if k != "country"} for r in rows}, symbols


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import unvote

    print("report  table      members  counts equal  percent as printed")
    for year in (2022, 2023):
        found = unvote.statedept(year, important=published(f"statedept_{year}_important")[1])
        for table, name in (("coincidence", f"statedept_{year}"), ("important", f"statedept_{year}_important")):
            rows, _ = published(name)
            ours = {r["country"]: r for r in found[table].to_pylist()}
            equal = sum(all(ours[c][k] == r[k] for k in COUNTS) for c, r in rows.items() if c in ours)
            # a percentage ending in exactly .5 may be printed either way
            printed = sum(c in ours and abs(ours[c]["percent"] - r["percent"]) <= 0.5 + 1e-9 for c, r in rows.items())
            print(f"{year}    {table:<11}{len(rows):>7}  {equal:>12}  {printed:>18}")
    print("\nyear  Table 1  rule 2017  rule 2021  (Global: mean of the members' percentages)")
    for year, pct in TABLE_1.items():
        means = []
        for rule in ("2017", "2021"):
            groups = unvote.statedept(year, rule=rule)["groups"].to_pylist()
            means.append(next(g["percent"] for g in groups if g["group"] == "ALL"))
        print(f"{year}  {pct:>7}  {means[0]:>9.1f}  {means[1]:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
