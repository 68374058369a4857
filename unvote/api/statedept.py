"""The State Department's *Voting Practices in the United Nations* tables for one calendar year, the day
after the session (``unvote report statedept --year Y``; the rules in ``analysis/statedept.py``)."""

from __future__ import annotations

from ..core.errors import NoData, UsageError
from ..model import countries, groups
from ..model.dates import latest_complete_year
from ..model.text import fold
from ..query.selection import Query, Selection

# the reports' groups: the five UN regional groups (all the reports since 2017 average), then those the
# older reports also printed that data/groups.csv holds (not their Nordic group, nor 2016's African Union)
REGIONAL = ("AFRICAN", "ASIA-PACIFIC", "EEG", "GRULAC", "WEOG")
OTHERS = ("ARAB", "ASEAN", "EU", "NAM", "NATO", "OIC")
TABLES = ("coincidence", "groups", "us-votes", "important", "important-groups")
IMPORTANT_NOTE = ("the report's important votes are chosen by the State Department and are not in the data: "
                  "name them with --important to get their table")


def statedept(year: int, *, rule: str | None = None, important=(), source: str = "undl", store=None) -> dict:
    """The report's tables for the plenary recorded votes of calendar ``year`` (the GA roll calls the
    store holds; with the UN Digital Library's records, adopted resolutions).

    ``rule``: ``2021`` (an absence counts half), ``2017`` (absences left out) or ``1983`` (votes only), or
    their metric names; by default the rule of that year's report (none before 1983: give one).
    ``important``: symbols of the year's roll calls to tabulate the same way as the report's important votes.

    Returns plain tables (pyarrow) and facts: ``rule`` (name, metric, years, words, chosen: "year" or
    "given"), ``rollcalls`` (how many), ``coincidence`` (one row per member: rank, country, name,
    regional group, same, opposite, partial, absent, votes, percent), ``groups`` (one row per
    group, then ALL for every member: its members' counts summed, ``percent`` the mean of their
    percentages as the report averages them, ``pooled_percent`` the rule applied to the sums),
    ``us_votes`` (each roll call with the US vote and the tally), ``important`` and ``important_groups``
    (the same two tables over the ``important`` roll calls; None without them) and ``notes``.
    """
    import numpy as np

    from ..analysis import statedept as sd
    from ..analysis.pairwise import against

    try:
        year = int(year)
    except (TypeError, ValueError):
        raise UsageError(f"--year must be a calendar year (2023), not {year!r}") from None
    chosen = "given" if rule is not None else "year"
    found = sd.find_rule(rule) if rule is not None else sd.rule_for(year)
    if found is None:
        if rule is not None:
            raise UsageError(f"unknown rule {rule!r}; use 2021 (an absence counts half), 2017 (absences left out) "
                             "or 1983 (votes only)")
        raise UsageError(f"no State Department report covers {year} (the first covers {sd.FIRST_REPORT}); "
                         "give --rule 2021, 2017 or 1983 to apply one anyway")
    query = Query(Selection.of(year=year, source=source, body="ga"), store=store)
    calls, vm = query.matrix(extra=("title", "counted_yes", "counted_no", "counted_abstain", "counted_non_voting"))
    if sd.US not in vm.countries:
        raise NoData(f"the United States cast no recorded GA vote in {year}")
    us = vm.column(sd.US)
    marked = _important_rows(query, calls, important, year)

    def tables(rows):
        counts = against(us[rows], vm.votes[rows])
        last = max(d for d, r in zip(calls["date"].to_pylist(), rows) if r)  # whose groups: as on this day
        return _coincidence(counts, vm.countries, found, last), _groups(counts, vm.countries, found, last)

    coincidence, group_table = tables(np.ones(calls.num_rows, dtype=bool))
    important_table = important_groups = None
    if marked is not None:
        important_table, important_groups = tables(marked)
    notes = [f"rule {found.name} ({found.years} reports{'' if chosen == 'year' else ', chosen'}): {found.words}"]
    if chosen == "given" and sd.rule_for(year) is not None and sd.rule_for(year).name != found.name:
        notes.append(f"the report for {year} used rule {sd.rule_for(year).name}")
    if year < sd.FIRST_REPORT:
        notes.append(f"no State Department report covers {year}: the first covers {sd.FIRST_REPORT}")
    newest = query.newest()
    if newest is not None and year > latest_complete_year(newest):  # the report covers the whole year
        notes.append(f"{year} is not complete in the data: {calls.num_rows} roll calls, to "
                     f"{newest.day} {newest:%b %Y}, the data's latest; the report counts the whole year")
    if marked is None:
        notes.append(IMPORTANT_NOTE)
    return {"year": year, "rule": {"name": found.name, "metric": found.metric, "years": found.years,
                                   "words": found.words, "chosen": chosen},
            "rollcalls": calls.num_rows, "coincidence": coincidence, "groups": group_table,
            "us_votes": _us_votes(calls, us, marked), "important": important_table,
            "important_groups": important_groups, "notes": notes}


def statedept_page_data(found: dict, *, source: str = "undl", store=None) -> dict:
    """``statedept``'s result (for ``source``) as the plain values a page shows
    (``output.report.statedept_page``): each table as a list of dicts (None where absent), ``us_votes``
    with each record's ``url`` (None for a roll call the UN's records lack), and ``notes`` without the
    rule's (the page says it in words) and the important votes' (it has its section)."""
    from .records import linker

    url = linker(Query(Selection.of(year=found["year"], source=source, body="ga"), store=store))
    out = {k: (v.to_pylist() if hasattr(v, "to_pylist") else v) for k, v in found.items()}
    out["us_votes"] = [dict(r, url=url(r["rollcall_id"])) for r in out["us_votes"]]
    out["notes"] = [n for n in found["notes"][1:] if n != IMPORTANT_NOTE]
    return out


def _important_rows(query: Query, calls, important, year: int):
    """A bool mask of the roll calls named by ``important`` (symbols, repeated or comma-separated); None
    without any. A symbol voted in another year is a UsageError: the table is the year's."""
    import numpy as np

    from .records import _find

    symbols = [s.strip() for item in ([important] if isinstance(important, str) else important or ())
               for s in str(item).split(",") if s.strip()]
    if not symbols:
        return None
    everywhere = Query(query.sel.replace(since=None, until=None), reader=query.reader)
    found = _find(everywhere, list(dict.fromkeys(symbols)))
    ids = calls["rollcall_id"].to_pylist()
    elsewhere = [f"{r['resolution']} ({r['date']})" for r in found.to_pylist() if r["rollcall_id"] not in ids]
    if elsewhere:
        raise UsageError(f"not voted in {year}: {', '.join(elsewhere)}; important votes are the year's roll calls")
    wanted = set(found.column_values("rollcall_id"))
    return np.array([i in wanted for i in ids], dtype=bool)


def _coincidence(counts: dict, codes: list[str], rule, day):
    """One row per member listed in the roll calls counted (the US left out), by name (accents folded, as
    the report sorts Côte d'Ivoire before Croatia), with its rank and its regional group on ``day``."""
    import numpy as np
    import pyarrow as pa

    from ..analysis import statedept as sd

    names = np.array(codes, dtype=object)
    keep = (counts["n"] > 0) & (names != sd.US)
    picked = {k: v[keep] for k, v in counts.items()}
    score = sd.percent(picked, rule)
    kept = names[keep]
    # rank: highest percentage first, ties sharing the better rank (as 1, 2, 2, 4); no percentage, no rank
    valid = ~np.isnan(score)
    rank = np.array([1 + int((score[valid] > s).sum()) if ok else 0 for s, ok in zip(score, valid)], dtype=np.int64)
    display = [countries.display_name(c) for c in kept]
    order = sorted(range(len(kept)), key=lambda i: fold(display[i]))
    region = [next(iter(groups.group_of(c, day)), None) for c in kept]
    report = sd.report_counts(picked)
    table = {"rank": pa.array(rank[order], pa.int64(), mask=~valid[order]),
             "country": pa.array([kept[i] for i in order], pa.string()),
             "name": pa.array([display[i] for i in order], pa.string()),
             "group": pa.array([region[i] for i in order], pa.string())}
    for k in sd.COUNTS:
        table[k] = pa.array(np.asarray(report[k])[order], pa.int64())
    table["percent"] = pa.array(score[order], pa.float64())
    return pa.table(table)


def _groups(counts: dict, codes: list[str], rule, last):
    """One row per group, and a last one (ALL) for every member: members on the last counted roll call's
    date (the US left out of NATO), their counts summed, the mean of their own percentages (``percent``:
    the report's group average) and the rule applied to the summed counts (``pooled_percent``)."""
    import numpy as np
    import pyarrow as pa

    from ..analysis import statedept as sd

    names = np.array(codes, dtype=object)
    each = sd.percent(counts, rule)
    out = []
    everyone = groups.Group("ALL", "all", "All members (the US left out)", (), "")
    for code in (*REGIONAL, *OTHERS, everyone):
        g = code if isinstance(code, groups.Group) else groups.lookup(code)
        members = set(names) if g.code == "ALL" else set(groups.members(g, last))
        keep = np.array([c in members and c != sd.US for c in names]) & (counts["n"] > 0)
        summed = sd.pooled(counts, keep)
        mine = each[keep]
        out.append({"group": g.code, "name": g.name, "kind": g.kind, "members": int(keep.sum()),
                    **sd.report_counts(summed),
                    "percent": float(np.nanmean(mine)) if np.any(~np.isnan(mine)) else None,
                    "pooled_percent": float(sd.percent(summed, rule))})
    types = {"group": pa.string(), "name": pa.string(), "kind": pa.string(), "members": pa.int64(),
             **dict.fromkeys(sd.COUNTS, pa.int64()), "percent": pa.float64(), "pooled_percent": pa.float64()}
    return pa.table({k: pa.array([r[k] for r in out], t) for k, t in types.items()})


def _us_votes(calls, us, marked):
    """The year's roll calls, oldest first, with the US vote (Y, N, A, X non-voting) and the tally."""
    import pyarrow as pa

    from ..analysis.codes import CODE_LETTER

    table = {"resolution": calls["resolution"], "date": calls["date"],
             "us_vote": pa.array([CODE_LETTER.get(int(v)) for v in us], pa.string()),
             "yes": calls["counted_yes"], "no": calls["counted_no"], "abstain": calls["counted_abstain"],
             "non_voting": calls["counted_non_voting"]}
    if marked is not None:
        table["important"] = pa.array(marked.tolist(), pa.bool_())
    table["title"] = calls["title"]
    table["rollcall_id"] = calls["rollcall_id"]
    return pa.table(table)
