"""The merged General Assembly history: UN Digital Library records first, Voeten where they are silent.

UNDL records are the authority wherever both sources have a roll call (adopted resolutions with a
recorded vote). Voeten's data adds what UNDL lacks: country-by-country votes for the 1946–1982
roll calls whose UNDL records carry no breakdown, amendment and paragraph votes, procedural votes,
issue codes and important-vote flags.

Matching (a UNDL record and a Voeten roll call are the same vote) runs in three passes:

1. *symbol*: the same resolution symbol (``symbols.canonical``: base and part; ``[SectionII]``
   and ``[II]`` count as one) on a Voeten whole-resolution vote (kind ``resolution``), dated at
   most ``DATE_WINDOW`` days apart. Voeten's dates are approximate — before 2000 their day of the
   month never exceeds 7, and later ones are off by up to four weeks — so the window is a month,
   not a day. A symbol pair further apart still matches when the votes are identical (≥ 98 %).
2. *symbol base*: where one UNDL record and one Voeten whole-resolution vote are all that is left
   of a resolution (``57/228A`` vs ``57/228``), within the window.
3. *votes*: Voeten's early ``unres`` often cites a page or meeting, not the resolution
   (``R/4/302B`` is A/RES/289(IV)[A]). A remaining UNDL record and a remaining Voeten roll call
   of any kind, within the window, are the same vote when the countries both list overlap by
   ≥ 90 % of each, ≥ 98 % of those votes are identical, and the vote was not unanimous; pairs are
   taken best first, each roll call once.

The agreement reported is over pass 1 and 2 pairs only (pass 3 selects on agreement).
The merged dataset holds every UNDL record (with Voeten's rcid, issue flags and important-vote
flag where matched) and every unmatched Voeten roll call with its votes. Ids are kept: UNDL
record ids and Voeten rcids must not overlap, which is checked.
"""

from __future__ import annotations

from ..analysis.codes import ABSTAIN, CODE_LETTER, NO, NOT_LISTED, YES, is_unanimous
from ..analysis.topics import join
from ..analysis.votematrix import vote_matrix
from ..core.errors import StoreError
from ..model.symbols import matching_key, parse
from ..model.topics import CODES
from ..sources import undl_csv, voeten
from ..store import ORIGIN
from ..store import summary as origin_of
from .matching import DATE_WINDOW, OVERLAP, SAME_VOTES  # noqa: F401  (the matching rules, shared with topics)
from .topics import assign as assign_topics

MERGED = "merged"

VOETEN_COLUMNS = ("importantvote", *CODES)


def key(symbol: str | None) -> str | None:
    """The matching key of a GA resolution symbol (``symbols.matching_key``)."""
    return matching_key(symbol)


def base(symbol: str | None) -> str | None:
    parsed = parse(symbol) if symbol else None
    return parsed.base if parsed else None


def build(undl_rc, undl_votes, voeten_rc, voeten_votes):
    """(rollcalls, votes, report) of the merged history."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    overlap = set(undl_rc["rollcall_id"].to_pylist()) & set(voeten_rc["rollcall_id"].to_pylist())
    if overlap:
        raise StoreError(f"UNDL record ids and Voeten rcids overlap ({sorted(overlap)[:5]}); "
                         "the merged dataset needs them apart")
    u_ids = undl_rc["rollcall_id"].to_numpy()
    v_ids = voeten_rc["rollcall_id"].to_numpy()
    u_day = _days(undl_rc["date"])
    v_day = _days(voeten_rc["date"])
    u_sym = undl_rc["resolution"].to_pylist()
    v_sym = voeten_rc["resolution"].to_pylist()
    v_kind = voeten_rc["kind"].to_pylist()
    whole = np.array([k == "resolution" for k in v_kind])

    columns = sorted({str(c) for c in _codes(undl_votes)} | {str(c) for c in _codes(voeten_votes)})
    um = vote_matrix(u_ids, undl_votes, columns=columns).votes
    vm = vote_matrix(v_ids, voeten_votes, columns=columns).votes

    pairs: list[tuple[int, int, str]] = []  # (undl row, voeten row, how)
    u_free = np.ones(len(u_ids), bool)
    v_free = np.ones(len(v_ids), bool)
    report: dict = {}

    # pass 1: the same symbol
    u_by_key: dict[str, list[int]] = {}
    for i, s in enumerate(u_sym):
        k = key(s)
        if k:
            u_by_key.setdefault(k, []).append(i)
    cand = [(i, j) for j, s in enumerate(v_sym) if whole[j] and (k := key(s)) for i in u_by_key.get(k, ())]
    far_rejected = []
    if cand:
        iu, iv = map(np.array, zip(*cand))
        gap = np.abs(u_day[iu] - v_day[iv])
        stats = _pair_stats(um, vm, iu, iv)
        ok = (gap <= DATE_WINDOW) | (stats["same_share"] >= SAME_VOTES)
        far_rejected = [(int(a), int(b)) for a, b, good in zip(iu, iv, ok) if not good]
        for n in np.lexsort((gap, ~ok)):  # accepted first, nearest dates first
            a, b = int(iu[n]), int(iv[n])
            if ok[n] and u_free[a] and v_free[b]:
                pairs.append((a, b, "symbol"))
                u_free[a] = v_free[b] = False

    # pass 2: the last record of a resolution on each side
    u_base: dict[str, list[int]] = {}
    v_base: dict[str, list[int]] = {}
    for i in np.flatnonzero(u_free):
        if (b := base(u_sym[i])) and u_sym[i].upper().startswith("A/RES/"):
            u_base.setdefault(b, []).append(int(i))
    for j in np.flatnonzero(v_free & whole):
        if v_sym[j].upper().startswith("A/RES/") and (b := base(v_sym[j])):
            v_base.setdefault(b, []).append(int(j))
    for b, us in u_base.items():
        vs = v_base.get(b, [])
        if len(us) == 1 and len(vs) == 1 and abs(u_day[us[0]] - v_day[vs[0]]) <= DATE_WINDOW:
            pairs.append((us[0], vs[0], "symbol base"))
            u_free[us[0]] = v_free[vs[0]] = False

    # pass 3: the same votes, within the window
    iu, iv = _window_pairs(u_day, v_day, u_free, v_free)
    by_votes = 0
    if len(iu):
        stats = _pair_stats(um, vm, iu, iv)
        good = ((stats["both"] >= OVERLAP * stats["listed_u"]) & (stats["both"] >= OVERLAP * stats["listed_v"])
                & (stats["same_share"] >= SAME_VOTES) & ~stats["unanimous"])
        gap = np.abs(u_day[iu] - v_day[iv])
        for n in np.lexsort((gap, -stats["same_share"])):
            a, b = int(iu[n]), int(iv[n])
            if good[n] and u_free[a] and v_free[b]:
                pairs.append((a, b, "votes"))
                u_free[a] = v_free[b] = False
                by_votes += 1

    pu = np.array([p[0] for p in pairs], dtype=np.int64)
    pv = np.array([p[1] for p in pairs], dtype=np.int64)
    how = np.array([p[2] for p in pairs], dtype=object)
    report.update(_report(undl_rc, voeten_rc, um, vm, columns, pu, pv, how, u_free, v_free, u_day, v_day,
                          far_rejected))

    # ---- the merged tables ---------------------------------------------------------------
    n_u = len(u_ids)
    extra = {"voeten_rcid": pa.nulls(n_u, pa.int64()), "match": pa.nulls(n_u, pa.string())}
    if len(pu):
        rcid = np.full(n_u, -1, dtype=np.int64)
        rcid[pu] = v_ids[pv]
        matched = np.zeros(n_u, bool)
        matched[pu] = True
        extra["voeten_rcid"] = pa.array(rcid, pa.int64(), mask=~matched)
        labels = np.full(n_u, None, dtype=object)
        labels[pu] = how
        extra["match"] = pa.array(labels.tolist(), pa.string())
    undl_part = undl_rc
    for name, col in extra.items():
        undl_part = _set_column(undl_part, name, col)
    for name in VOETEN_COLUMNS:
        if name in voeten_rc.column_names:
            values = np.full(n_u, 0, dtype=np.int64)
            have = np.zeros(n_u, bool)
            if len(pu):
                src = voeten_rc[name].take(pa.array(pv))
                ok = pc.is_valid(src).to_numpy(zero_copy_only=False)
                values[pu[ok]] = pc.fill_null(src, 0).to_numpy(zero_copy_only=False)[ok]
                have[pu[ok]] = True
            undl_part = _set_column(undl_part, name, pa.array(values, pa.int8(), mask=~have))

    rest = pa.array(np.flatnonzero(v_free))
    voeten_part = voeten_rc.take(rest)
    voeten_part = _set_column(voeten_part, "voeten_rcid", voeten_part["rollcall_id"])
    voeten_part = _set_column(voeten_part, "match", pa.nulls(voeten_part.num_rows, pa.string()))
    rollcalls = pa.concat_tables([undl_part, voeten_part], promote_options="permissive")
    keep_votes = voeten_votes.filter(pc.is_in(voeten_votes["rollcall_id"], voeten_part["rollcall_id"]))
    votes = pa.concat_tables([_plain_dicts(undl_votes), _plain_dicts(keep_votes)], promote_options="permissive")
    report["rollcalls"] = rollcalls.num_rows
    report["votes"] = votes.num_rows
    report["voeten_votes_added"] = keep_votes.num_rows
    return rollcalls, votes, report


# ---- store plumbing --------------------------------------------------------------------------

def refresh(store) -> list[str]:
    """Rebuild the merged dataset from the store's ``ga`` and ``voeten`` (caller holds the lock).

    Returns notes for the user; nothing is written unless both sources are present.
    """
    import time

    if not (store.has("ga") and store.has("voeten")):
        return []
    start = time.perf_counter()

    rollcalls, votes, report = build(store.rollcalls("ga"), store.votes("ga"),
                                     store.rollcalls("voeten"), store.votes("voeten"))
    rollcalls = assign_topics(rollcalls)  # the packaged releases' codes first, then the roll calls' own flags
    ga, vo = store.manifest("ga") or {}, store.manifest("voeten") or {}
    manifest = {
        "source": "UN Digital Library records (the authority) + Voeten's roll calls where UNDL has none",
        "terms": f"UNDL: {ga.get('terms', '')}; Voeten: {vo.get('terms', '')}",
        "file": f"{ga.get('file')} + {vo.get('file')}",
        "sha256": None,
        "sources": {"ga": origin_of(ga, ORIGIN), "voeten": origin_of(vo, ORIGIN)},
        "built_from": store.merged_sources(),
        "fetched_at": max(filter(None, (ga.get("fetched_at"), vo.get("fetched_at"))), default=None),
        "match": report,
        "rules": {"date_window_days": DATE_WINDOW, "same_votes": SAME_VOTES, "overlap": OVERLAP},
    }
    store.write(MERGED, rollcalls, votes, manifest)
    return [f"merged history: {summary(report)} (built in {time.perf_counter() - start:.1f} s)"]


# ---- helpers ---------------------------------------------------------------------------------

def _days(dates):
    """date32 → int64 days; missing dates far away so they never fall in a window."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    days = pc.cast(dates, pa.int32()).to_numpy(zero_copy_only=False).astype(np.float64)
    return np.where(np.isnan(days), -1e9, days).astype(np.int64)


def _codes(votes):
    import pyarrow as pa

    col = votes["ms_code"]
    if pa.types.is_dictionary(col.type):
        col = col.combine_chunks() if hasattr(col, "combine_chunks") else col
        return col.dictionary.to_pylist() if hasattr(col, "dictionary") else col.unique().to_pylist()
    return col.unique().to_pylist()


def _pair_stats(um, vm, iu, iv, chunk: int = 20000) -> dict:
    """Per pair: countries listed by each, by both, identical among both, unanimity."""
    import numpy as np

    out = {k: [] for k in ("listed_u", "listed_v", "both", "same", "cast_both", "cast_same", "unanimous")}
    for s in range(0, len(iu), chunk):
        a, b = um[iu[s:s + chunk]], vm[iv[s:s + chunk]]
        la, lb = a != NOT_LISTED, b != NOT_LISTED
        both = la & lb
        same = both & (a == b)
        cast = both & (a >= 1) & (a <= 3) & (b >= 1) & (b <= 3)
        out["listed_u"].append(la.sum(1))
        out["listed_v"].append(lb.sum(1))
        out["both"].append(both.sum(1))
        out["same"].append(same.sum(1))
        out["cast_both"].append(cast.sum(1))
        out["cast_same"].append((cast & (a == b)).sum(1))
        out["unanimous"].append(is_unanimous(*(((a == v) & cast).sum(1) for v in (YES, NO, ABSTAIN))))
    stats = {k: np.concatenate(v) if v else np.array([]) for k, v in out.items()}
    with np.errstate(invalid="ignore", divide="ignore"):
        stats["same_share"] = np.where(stats["both"] > 0, stats["same"] / np.maximum(stats["both"], 1), 0.0)
    return stats


def _window_pairs(u_day, v_day, u_free, v_free):
    """All (free UNDL, free Voeten) pairs dated within the window."""
    import numpy as np

    us = np.flatnonzero(u_free)
    vs = np.flatnonzero(v_free)
    order = vs[np.argsort(v_day[vs], kind="stable")]
    vd = v_day[order]
    lo = np.searchsorted(vd, u_day[us] - DATE_WINDOW, side="left")
    hi = np.searchsorted(vd, u_day[us] + DATE_WINDOW, side="right")
    counts = hi - lo
    iu = np.repeat(us, counts)
    iv = np.concatenate([order[a:b] for a, b in zip(lo, hi)]) if len(us) else np.array([], np.int64)
    return iu.astype(np.int64), iv.astype(np.int64)


def _report(undl_rc, voeten_rc, um, vm, columns, pu, pv, how, u_free, v_free, u_day, v_day, far_rejected):
    import numpy as np

    kinds = voeten_rc["kind"].to_pylist()
    only_v = np.flatnonzero(v_free)
    by_kind: dict[str, int] = {}
    for j in only_v:
        by_kind[kinds[j]] = by_kind.get(kinds[j], 0) + 1
    years_u = _years(u_day)
    years_v = _years(v_day)
    report = {
        "undl_rollcalls": int(len(u_free)), "voeten_rollcalls": int(len(v_free)),
        "matched": int(len(pu)),
        "matched_by": {h: int((how == h).sum()) for h in ("symbol", "symbol base", "votes")},
        "undl_only": int(u_free.sum()), "voeten_only": int(v_free.sum()),
        "voeten_only_by_kind": dict(sorted(by_kind.items())),
        "voeten_only_1946_1982": int(((years_v >= 1946) & (years_v <= 1982) & v_free).sum()),
        "undl_only_1946_1982": int(((years_u >= 1946) & (years_u <= 1982) & u_free).sum()),
        "symbol_pairs_too_far_apart": [
            {"undl": undl_rc["resolution"][a].as_py(), "undl_date": str(undl_rc["date"][a].as_py()),
             "voeten_rcid": int(voeten_rc["rollcall_id"][b].as_py()), "voeten_date": str(voeten_rc["date"][b].as_py())}
            for a, b in far_rejected[:20]],
    }
    sym = np.isin(how, ["symbol", "symbol base"]) if len(how) else np.zeros(0, bool)
    iu, iv = pu[sym], pv[sym]
    gaps = np.abs(u_day[iu] - v_day[iv]) if len(iu) else np.array([], np.int64)
    report["date_gap_days"] = {"0": int((gaps == 0).sum()), "1": int((gaps == 1).sum()),
                               "2-31": int(((gaps >= 2) & (gaps <= DATE_WINDOW)).sum()),
                               "over 31": int((gaps > DATE_WINDOW).sum())}
    stats = _pair_stats(um, vm, iu, iv) if len(iu) else None
    if stats is None:
        report["agreement"] = {"rollcalls": 0, "pairs": 0, "identical": 0, "identical_share": float("nan"),
                               "cast_pairs": 0, "cast_identical": 0, "cast_identical_share": float("nan")}
        return report
    pairs, same = int(stats["both"].sum()), int(stats["same"].sum())
    cast_pairs, cast_same = int(stats["cast_both"].sum()), int(stats["cast_same"].sum())
    report["agreement"] = {
        "rollcalls": int(len(iu)),
        "pairs": pairs, "identical": same, "identical_share": same / pairs if pairs else float("nan"),
        "cast_pairs": cast_pairs, "cast_identical": cast_same,
        "cast_identical_share": cast_same / cast_pairs if cast_pairs else float("nan"),
        "listed_by_undl_only": int((stats["listed_u"] - stats["both"]).sum()),
        "listed_by_voeten_only": int((stats["listed_v"] - stats["both"]).sum()),
        "rollcalls_all_identical": int((stats["same"] == stats["both"]).sum()),
    }
    a, b = um[iu], vm[iv]
    differ = (a != NOT_LISTED) & (b != NOT_LISTED) & (a != b)
    per_country = differ.sum(0)
    top = np.argsort(-per_country, kind="stable")[:10]
    report["agreement"]["most_disagreeing_countries"] = {columns[c]: int(per_country[c]) for c in top
                                                         if per_country[c]}
    flips: dict[str, int] = {}
    for x, y in zip(a[differ], b[differ]):
        k = f"{CODE_LETTER.get(int(x), '?')}→{CODE_LETTER.get(int(y), '?')}"
        flips[k] = flips.get(k, 0) + 1
    report["agreement"]["differences_undl_to_voeten"] = dict(sorted(flips.items(), key=lambda kv: -kv[1]))
    share = stats["same_share"]
    worst = np.argsort(share, kind="stable")[:20]
    report["agreement"]["least_agreeing_rollcalls"] = [
        {"resolution": undl_rc["resolution"][int(iu[n])].as_py(), "date": str(undl_rc["date"][int(iu[n])].as_py()),
         "undl_id": int(undl_rc["rollcall_id"][int(iu[n])].as_py()),
         "voeten_rcid": int(voeten_rc["rollcall_id"][int(iv[n])].as_py()),
         "identical": int(stats["same"][n]), "pairs": int(stats["both"][n]), "share": round(float(share[n]), 4)}
        for n in worst if share[n] < 1]
    return report


def _years(days):
    import numpy as np

    return (np.asarray(days, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)


def _set_column(table, name, values):
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, values)
    return table.append_column(name, values)


def _plain_dicts(votes):
    """Dictionary columns as plain strings, so two sources' tables concatenate."""
    import pyarrow as pa

    cols = {}
    for name in votes.column_names:
        col = votes[name]
        cols[name] = col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col
    return pa.table(cols)


def summary(report: dict) -> str:
    """One line: how the sources matched, and how often their votes agree."""
    m = report
    by_kind = ", ".join(f"{k} {n:,}" for k, n in m["voeten_only_by_kind"].items())
    ag = m["agreement"]
    return (f"{m['matched']:,} roll calls in both sources ({m['matched_by']['symbol']:,} by symbol, "
            f"{m['matched_by']['symbol base']:,} by symbol base, {m['matched_by']['votes']:,} by votes), "
            f"UNDL only {m['undl_only']:,}, Voeten only {m['voeten_only']:,} ({by_kind}); "
            f"identical votes {ag['identical_share']:.2%} of {ag['pairs']:,} (roll call, country) pairs")


def matched_pairs(undl_rc, undl_votes, voeten_rc, voeten_votes):
    """The UNDL roll calls ``build`` matches to one of Voeten's, with his issue codes (for the
    topic classifier's report and the packaged codes: scripts/topic_report.py, build_topic_codes.py).

    One row per matched UNDL roll call: undl_id, resolution, date, session (UNDL's), title,
    agenda_title, subjects, voeten_rcid, voeten_session (his symbol's), voeten_regular_session (his
    session column: model.sessions), voeten_kind, voeten_topics (``"me;hr"``;
    null where Voeten's flags are missing), match (how ``history`` matched them), voeten_release
    (the release the codes come from, where ``voeten_rc`` says: ``ingest.releases``).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    merged, _, _ = build(undl_rc, undl_votes, voeten_rc, voeten_votes)
    undl = merged.filter(pc.is_valid(merged["match"]))
    v_index = {rc: i for i, rc in enumerate(voeten_rc["rollcall_id"].to_pylist())}
    pos = [v_index[rc] for rc in undl["voeten_rcid"].to_pylist()]
    take = pa.array(pos, pa.int64())
    v = voeten_rc.take(take)
    flags = [v[c].to_pylist() for c in CODES]
    codes = [join(c for c, f in zip(CODES, row) if f == 1) if all(f is not None for f in row) else None
             for row in zip(*flags)]
    empty = pa.nulls(undl.num_rows, pa.string())
    return pa.table({
        "undl_id": undl["rollcall_id"], "resolution": undl["resolution"], "date": undl["date"],
        "session": undl["session"], "title": undl["title"],
        "agenda_title": undl["agenda_title"] if "agenda_title" in undl.column_names else empty,
        "subjects": undl["subjects"] if "subjects" in undl.column_names else empty,
        "voeten_rcid": undl["voeten_rcid"], "voeten_session": v["session"],
        "voeten_regular_session": v["regular_session"] if "regular_session" in v.column_names else empty,
        "voeten_kind": v["kind"], "voeten_topics": pa.array(codes, pa.string()), "match": undl["match"],
        "voeten_release": v["topic_release"] if "topic_release" in v.column_names else empty,
    })


def read_sources(ga_file, voeten_files):
    """(UNDL Ingest, Voeten Ingest) read from a bulk GA file and Voeten's files (for the scripts and tests)."""
    return undl_csv.read(ga_file), voeten.read(voeten_files)
