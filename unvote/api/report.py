"""The data behind ``unvote report``'s pages, gathered from the store as plain values (dicts, lists,
dates): ``country_report`` and ``vote_report``. Rendering them is ``unvote.output.report``'s job;
nothing here formats or prints.

Every figure comes from the library functions a command would call for the same selection
(``voting_record``, ``align``, ``align_votes``, ``neighbors``, ``tally``, ``tally_by_group``,
``country_votes``), so a page's numbers are the CSV's numbers.
"""

from __future__ import annotations

import datetime as dt

from ..core.errors import NoData, UsageError
from ..model import countries
from ..model.sides import side
from ..model.topics import NONE
from ..query.selection import Query, Selection
from .records import linker
from .selecting import selecting

CAST = ("Y", "N", "A")
MAX_PARTNERS = 7
FIRST_STATEDEPT_YEAR = 2017  # the country page's State Department section: the rules of the reports since 2017


@selecting
def country_report(country: str, partners=(), *, metric: str = "agree", year=None, since=None, until=None,
                   session=None, topic=None, continuity: bool = True, exclude_unanimous: bool = False,
                   body: str = "ga", source: str = "undl", kind: str = "resolution", contested: int = 25,
                   neighbours: int = 10, min_votes: int | None = None, selection: Selection | None = None,
                   store=None) -> dict:
    """Everything a country page shows, for ``country`` over the selection (default: every recorded vote).

    Keys: ``country`` (code, name, short), ``partners`` (codes), ``metric``, ``dates`` (first and last
    roll call), ``newest`` (the dataset's newest roll call: a chart flags a partial last year), ``headline`` (roll calls, Y/N/A/X counts, cast, with_plurality and with_outcome shares
    of the votes cast), ``by_topic`` (per issue area: the country's counts and each partner's
    agreement), ``partner`` (per partner: ``periods`` by year, ``pooled``, ``differ`` — the split roll
    calls most contested first, the first ``contested`` — and ``differ_total``), ``neighbours``
    (``closest`` and ``farthest``: ``neighbours`` each, ranked, with the votes both cast), ``switches``
    (recurring texts on which the vote changed), ``seat`` (who held the seat) and ``statedept`` (its
    coincidence with the US by the State Department's rule, per complete year ≥ 2017: ``statedept_years``)."""
    from .agreement import neighbors, neighbors_facts
    from .explore import voting_record

    me = side(country)
    if me.kind != "country":
        raise UsageError(f"{me.label} is a group; a report is about one country (see unvote cohesion)")
    partners = list(dict.fromkeys(side(p).code for p in partners))
    if len(partners) > MAX_PARTNERS:  # one colour each on the chart (Okabe–Ito has seven), one table each
        raise UsageError(f"a page compares with at most {MAX_PARTNERS} partners; {len(partners)} were named")
    if me.code in partners:
        raise UsageError(f"{me.code} is the country of the report; name other partners")
    sel = selection
    query = Query(sel, store=store)
    # the whole record unless the selection says otherwise (voting_record alone would default to a year)
    spanned = sel if (sel.since or sel.until or sel.session) else sel.replace(since=dt.date(1900, 1, 1))
    try:
        record = voting_record(me.code, selection=spanned, store=query.reader.store).to_pylist()
    except NoData:  # said with the page's own span (the stand-in start above is not the reader's)
        from ..model.seats import SPLIT

        seat = next((code for code, alone in SPLIT.items() if alone == me.code), None)
        hint = (f"; with continuity its votes are the {seat} seat's (--no-continuity reads them as {me.code})"
                if seat and sel.continuity else "")
        raise NoData(f"no {sel.body.upper()} votes of {me.code} ({me.name}){sel.describe()}{hint}") from None
    dates = (record[0]["date"], record[-1]["date"])
    newest = query.reader.rows(f"SELECT max(date) FROM {query.table('rollcalls')}").rows[0][0]
    out = {"country": _who(me.code), "partners": [_who_side(p) for p in partners], "metric": metric,
           "dates": dates, "newest": newest, "headline": headline(record), "by_topic": None, "partner": [],
           "neighbours": None, "switches": None, "seat": seat_notes([me.code, *partners], sel.continuity)}
    by_topic = topic_counts(record)
    record_url = linker(query)
    for p in partners:
        found = partner_rows(query, me.code, p, metric)
        for row in found["topic"]:
            if row["period"] in by_topic:
                by_topic[row["period"]]["partners"][p] = row
        out["partner"].append({"code": p, "who": _who_side(p), "periods": found["year"],
                               "pooled": found["all"][0] if found["all"] else None,
                               "differ": [dict(r, url=record_url(r["rollcall_id"])) for r in found["differ"][:contested]],
                               "differ_total": len(found["differ"])})
    out["by_topic"] = list(by_topic.values())
    found = neighbors(me.code, metric=metric, min_votes=min_votes, selection=sel, store=query.reader.store)
    table = found.to_pylist()
    ranked = [dict(r, cast=r["same"] + r["partial"] + r["opposite"], short=countries.short_name(r["country"]))
              for r in table if r["rank"]]
    out["neighbours"] = {"closest": ranked[:neighbours], "farthest": ranked[::-1][:neighbours],
                         "ranked": len(ranked), "unranked": len(table) - len(ranked),
                         "min_votes": neighbors_facts(found)["min_votes"]}  # neighbors' (default: half)
    out["switches"] = switches(query, me.code, sel)
    out["statedept"] = statedept_years(query, me.code, sel)
    return out


def statedept_years(query: Query, code: str, sel: Selection) -> list[dict] | None:
    """``code``'s row of the State Department tables (``api.statedept``, the year's own rule) for each
    complete calendar year ≥ 2017 inside the selection's span, with the year's rule, its rank among how
    many ranked and the members' average; None where the page's roll calls are not the report's (a
    topic, words, a session, unanimous ones left out, another kind or body: the report counts every
    plenary recorded vote on a whole resolution) or no such year is in the span (nor for the US)."""
    from ..analysis.statedept import US, rule_for
    from .statedept import statedept

    if code == US or sel.body != "ga" or sel.kind != "resolution" or sel.session or sel.topics or sel.about \
            or sel.exclude_unanimous:
        return None
    first = FIRST_STATEDEPT_YEAR if sel.since is None else sel.since.year + ((sel.since.month, sel.since.day) != (1, 1))
    last = query.latest_complete_year()
    if sel.until is not None:
        last = min(last, sel.until.year - ((sel.until.month, sel.until.day) != (12, 31)))
    out = []
    for year in range(max(first, FIRST_STATEDEPT_YEAR), last + 1):
        found = statedept(year, source=sel.source, store=query.reader.store)
        mine = [r for r in found["coincidence"].to_pylist() if r["country"] == code]
        if not mine:  # not a member that year
            continue
        everyone = next(g for g in found["groups"].to_pylist() if g["group"] == "ALL")
        out.append({**mine[0], "year": year, "rule": rule_for(year).name, "rollcalls": found["rollcalls"],
                    "ranked": sum(r is not None for r in found["coincidence"].column("rank").to_pylist()),
                    "average": everyone["percent"]})
    return out or None


def partner_rows(query: Query, a: str, b: str, metric: str) -> dict:
    """``align``'s rows of ``a`` with ``b`` by ``year``, ``all`` and ``topic``, and ``differ``: the
    rows of ``align_votes(differ=True)``, all from one read of the pair's votes — the
    rules of ``align``'s Python path (``analysis.align``: ``groups_of`` → ``align``) and
    ``align_votes``' order (smallest |yes − no| first, then newest)."""
    from ..analysis import align as alignment
    from ..model.topics import CODES
    from .agreement import PAIR_COLUMNS, _pair_calls, groups_of

    calls = _pair_calls(query, side(a), side(b), (*PAIR_COLUMNS, "topics"))
    for c in calls:  # a list column (some stores) reads as the text groups_of expects
        if isinstance(c["topics"], list):
            c["topics"] = ";".join(c["topics"])
    out = {}
    for by in ("year", "all", "topic"):
        counted = [(g, c["a_vote"], c["b_vote"]) for c in calls for g in groups_of(c, by)]
        out[by] = alignment.align(*zip(*counted), metric=metric) if counted else []
    out["topic"].sort(key=lambda r: (*CODES, NONE).index(r["period"]) if r["period"] in (*CODES, NONE) else 99)
    differ = []
    for c in calls:
        rel = alignment.relation(c["a_vote"], c["b_vote"])
        if rel in ("partial", "opposite"):
            differ.append({"resolution": c["resolution"], "date": c["date"], "session": c["session"],
                           "a_vote": c["a_vote"], "b_vote": c["b_vote"], "relation": rel, "yes": c["counted_yes"],
                           "no": c["counted_no"], "abstain": c["counted_abstain"],
                           "non_voting": c["counted_non_voting"], "title": c["title"],
                           "rollcall_id": c["rollcall_id"]})
    differ.sort(key=lambda r: (abs((r["yes"] or 0) - (r["no"] or 0)), -r["date"].toordinal(), -r["rollcall_id"]))
    out["differ"] = differ
    return out


def headline(record: list[dict]) -> dict:
    """A record's totals: roll calls, each vote letter, votes cast (Y/N/A), and the shares of the
    votes cast with the plurality and with the outcome."""
    counts = {letter: sum(1 for r in record if r["vote"] == letter) for letter in (*CAST, "X")}
    cast = sum(counts[v] for v in CAST)
    plural = sum(1 for r in record if r["with_plurality"])
    outcome = sum(1 for r in record if r["with_outcome"])
    return {"rollcalls": len(record), "yes": counts["Y"], "no": counts["N"], "abstain": counts["A"],
            "non_voting": counts["X"], "cast": cast, "with_plurality": plural, "with_outcome": outcome,
            "with_plurality_share": plural / cast if cast else None,
            "with_outcome_share": outcome / cast if cast else None}


def topic_counts(record: list[dict]) -> dict:
    """Per issue area (the six, then ``none``): the roll calls of the record on it and the country's
    votes there (``headline``), and a place for each partner's agreement. A roll call on two areas
    counts in both, as ``align --by topic`` counts it."""
    from ..model import topics

    out = {}
    codes = [_topic_codes(r["topics"]) for r in record]
    for code in (*topics.CODES, topics.NONE):
        mine = [r for r, on in zip(record, codes) if code in on]
        out[code] = {"topic": code, "name": topics.NONE_NAME if code == topics.NONE else topics.name(code),
                     **headline(mine), "partners": {}}
    return out


def _topic_codes(text: str | None) -> tuple[str, ...]:
    codes = tuple(t for t in (text or "").split(";") if t)
    return codes or (NONE,)


def switches(query: Query, code: str, sel: Selection) -> dict:
    """Recurring texts on which ``code`` changed its vote inside the selection's span.

    A recurring text is a title family of ``analysis.series`` (the same normalised title; renamed texts,
    which ``unvote series`` follows, are not joined here). Only votes cast count (Y/N/A): a switch is a
    vote that differs from the country's last vote cast on the family, that one possibly from before
    the span (``analysis.series.changes`` over the cast votes). Newest first."""
    from ..analysis.series import changes, words_sql
    from .explore import _calls

    whole = Query(sel.replace(since=None, until=None, session=None), reader=query.reader)
    base, params = _calls(whole)
    present = set(query.reader.columns(query.dataset, "rollcalls"))
    title = "coalesce(r.title, r.short)" if "short" in present else "r.title"
    rows = query.reader.rows(
        f"WITH c AS (SELECT r.rollcall_id, r.resolution, r.date, r.session, {title} AS title, "
        f"array_to_string({words_sql(title)}, ' ') AS tkey FROM ({base}) r), "
        f"v AS (SELECT rollcall_id, any_value(vote) AS vote FROM {query.table('votes')} "
        "WHERE ms_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY rollcall_id) "
        "SELECT c.*, v.vote FROM c JOIN v USING (rollcall_id) WHERE c.tkey <> '' AND v.vote IN ('Y', 'N', 'A') "
        "ORDER BY c.date, c.rollcall_id", [*params, sel.codes(code)]).to_pylist()
    families: dict[str, list[dict]] = {}
    for r in rows:
        families.setdefault(r["tkey"], []).append(r)
    inside = _inside(query, sel)
    record_url = linker(query)
    found = []
    for calls in families.values():
        if len(calls) < 2:
            continue
        by_id = {c["rollcall_id"]: c for c in calls}
        for ch in changes(calls, [(c["rollcall_id"], code, c["vote"]) for c in calls]):
            if ch["rollcall_id"] in inside:
                call = by_id[ch["rollcall_id"]]
                found.append({"resolution": ch["resolution"], "date": ch["date"], "previous": ch["previous"],
                              "previous_resolution": ch["previous_resolution"], "vote": ch["vote"],
                              "title": call["title"], "rollcall_id": call["rollcall_id"],
                              "url": record_url(call["rollcall_id"]), "family_size": len(calls)})
    found.sort(key=lambda r: (r["date"], r["rollcall_id"]), reverse=True)
    return {"rows": found, "families": sum(1 for c in families.values() if len(c) > 1)}


def _inside(query: Query, sel: Selection) -> set[int]:
    """The ids of the selection's roll calls."""
    sql, params = Query(sel, reader=query.reader).rollcalls_sql(("rollcall_id",))
    return {r[0] for r in query.reader.rows(sql, params).rows}


def seat_notes(codes: list[str], continuity: bool) -> list[dict]:
    """Who held each seat, as far as ``model.countries`` records it: each country's membership and the
    predecessor seats whose votes count as its own under continuity (USSR → Russia).

    ``history``: who held the seat and when, one line per holder (``model.seats``), where more than one did."""
    from ..model import seats
    from ..query.selection import roc_until

    notes = []
    for code in codes:
        c = countries.get(code)
        if c is None:  # a group
            continue
        before = [countries.get(old) for old in countries.lineage(code)[1:]]
        notes.append({"code": code, "name": c.name, "short": c.short, "member_from": c.member_from,
                      "member_to": c.member_to, "continuity": continuity,
                      "predecessors": [{"code": p.code, "name": p.name, "member_from": p.member_from,
                                        "member_to": p.member_to} for p in before],
                      "roc_until": roc_until() if code == "CHN" else None,
                      "history": [h.words() for h in held] if len(held := seats.history(code)) > 1 else []})
    return notes


def _who(code: str) -> dict:
    c = countries.get(code)
    return {"code": code, "name": c.name if c else code, "short": countries.short_name(code)}


def _who_side(code: str) -> dict:
    s = side(code)
    return {"code": s.code, "name": s.name, "short": countries.short_name(s.code) if s.kind == "country" else s.name,
            "kind": s.kind}


@selecting
def vote_report(symbol: str, *, body: str = "ga", source: str = "undl", kind: str = "resolution",
                selection: Selection | None = None, store=None) -> dict:
    """Everything a vote page shows for the roll call ``symbol`` names: ``call`` (the tally row, with
    ``url``), ``groups`` (``tally_by_group``'s regional rows), ``votes`` (each member's vote, A–Z by
    short name, with ``short``) and ``by_vote`` (the short names under each vote letter)."""
    from .agreement import tally_by_group
    from .records import country_votes, tally

    calls = tally(symbol, selection=selection, store=store).to_pylist()
    if len(calls) != 1:
        raise UsageError(f"{symbol!r} names {len(calls)} roll calls; name one: "
                         + ", ".join(c["resolution"] for c in calls))
    call = calls[0]  # with its url (tally's: empty for one of Voeten's own roll calls)
    groups = tally_by_group(call["resolution"], selection=selection, store=store).to_pylist()
    votes = [dict(v, short=countries.short_name(v["country"]))
             for v in country_votes(call["resolution"], selection=selection, store=store).to_pylist()]
    votes.sort(key=lambda v: _sort_key(v["short"]))
    by_vote = {letter: [v for v in votes if v["vote"] == letter] for letter in (*CAST, "X")}
    return {"call": call, "groups": groups, "votes": votes, "by_vote": by_vote}


def _sort_key(name: str) -> str:
    """A–Z as a reader expects: accents and case folded (Côte d'Ivoire among the Cs, Türkiye after Tunisia)."""
    from ..model.text import fold

    return fold(name)
