"""Neighbours, matrices, groups and the new metrics on the real UNDL data, each checked against an
independent computation from the raw vote letters (read in place from ../shared/data)."""

import collections
import csv
import io
import math

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from cli_runner import invoke

import unvote
from unvote.core.errors import NoData, UnknownGroup, UsageError
from unvote.model import groups

ASEAN_2022 = ["BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM"]


@pytest.fixture(scope="module")
def ballots(ga_store_dir):
    """{rollcall_id: {code: letter}} and {rollcall_id: date} for 2022, straight from the store's files."""
    from unvote.store import Store

    store = Store(ga_store_dir)
    calls = store.rollcalls("ga", columns=["rollcall_id", "date", "counted_yes", "counted_no", "counted_abstain"])
    votes = store.votes("ga", columns=["rollcall_id", "ms_code", "vote"])
    in_2022 = pc.equal(pc.year(calls["date"]), 2022)
    ids = set(calls.filter(in_2022)["rollcall_id"].to_pylist())
    by_call: dict[int, dict[str, str]] = collections.defaultdict(dict)
    for rid, code, vote in zip(votes["rollcall_id"].to_pylist(), votes["ms_code"].to_pylist(),
                               votes["vote"].to_pylist()):
        if rid in ids:
            by_call[rid][code] = vote
    return by_call, calls


def classify(x, y):
    if x in "YAN" and y in "YAN":
        return "same" if x == y else "opposite" if {x, y} == {"Y", "N"} else "partial"
    return "absent"


def pair_counts(by_call, a, b):
    out = collections.Counter()
    for votes in by_call.values():
        if a in votes and b in votes:
            out["n"] += 1
            out[classify(votes[a], votes[b])] += 1
            if votes[a] in "YAN" and votes[b] in "YAN":
                out[(votes[a] + votes[b]).lower()] += 1
    return out


def test_neighbors_khm_2022_counts(ga_store, ballots):
    by_call, _ = ballots
    table = unvote.neighbors("KHM", year=2022, store=ga_store)
    rows = table.to_pylist()
    assert table.column_names == ["rank", "country", "name", "cast", "n", "same", "partial", "opposite", "absent",
                                  "score"]
    khm_calls = {rid for rid, votes in by_call.items() if "KHM" in votes}
    assert len(khm_calls) == 89
    others = {code for votes in by_call.values() for code in votes} - {"KHM"}
    assert {r["country"] for r in rows} == others and len(rows) == 192
    for r in rows:  # n = the number of 2022 roll calls both were listed in, and the rest by hand
        want = pair_counts(by_call, "KHM", r["country"])
        assert [r[k] for k in ("n", "same", "partial", "opposite", "absent")] == \
            [want[k] for k in ("n", "same", "partial", "opposite", "absent")], r["country"]
        assert r["cast"] == sum(votes.get(r["country"]) in ("Y", "A", "N") for votes in by_call.values())
    ranked = [r for r in rows if r["rank"] is not None]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(x["score"] >= y["score"] for x, y in zip(ranked, ranked[1:]))
    by = {r["country"]: r for r in rows}
    assert (by["RUS"]["n"], by["RUS"]["same"], by["RUS"]["partial"], by["RUS"]["opposite"]) == (89, 50, 21, 15)
    # Venezuela, in arrears all 2022, was listed on every roll call but never voted: no score, last
    assert rows[-1]["country"] == "VEN" and rows[-1]["rank"] is None and by["VEN"]["absent"] == 89


@pytest.fixture(scope="module")
def matrix_2022(ga_store_dir):
    from unvote.store import Store

    return unvote.matrix(year=2022, metric="kappa", store=Store(ga_store_dir))


def test_matrix_symmetric(matrix_2022):
    rows = {(r["a"], r["b"]): r for r in matrix_2022.to_pylist()}
    assert len(rows) == matrix_2022.num_rows == 193 * 192  # every ordered pair of 2022's members
    undefined = 0
    for (a, b), r in rows.items():
        t = rows[(b, a)]
        assert [r[k] for k in ("n", "same", "partial", "opposite", "absent")] == \
            [t[k] for k in ("n", "same", "partial", "opposite", "absent")]
        assert r["score"] == t["score"] or (math.isnan(r["score"]) and math.isnan(t["score"]))
        if math.isnan(r["score"]):
            undefined += 1
            assert sorted(r[k] for k in ("yy", "ya", "yn", "ay", "aa", "an", "ny", "na", "nn"))[:-1] == [0] * 8
        assert r["yn"] == t["ny"] and r["ya"] == t["ay"] and r["an"] == t["na"]
    # kappa is undefined exactly where a pair cast one and the same vote throughout (e.g. two states
    # that both voted only Yes whenever both voted in 2022): chance explains all of that agreement
    assert 0 < undefined < len(rows) // 20


@pytest.mark.parametrize("a,b", [("KHM", "RUS"), ("USA", "ISR"), ("CHN", "IND")])
@pytest.mark.parametrize("metric", ["agree", "kappa", "pi", "s"])
def test_matrix_equals_align(ga_store, a, b, metric):
    pair = unvote.matrix(year=2022, metric=metric, store=ga_store)
    row = pair.filter(pc.and_(pc.equal(pair["a"], a), pc.equal(pair["b"], b))).to_pylist()[0]
    aligned = unvote.align(a, b, since="2022", until="2022", metric=metric, store=ga_store).to_pylist()[0]
    assert {k: row[k] for k in aligned if k != "period"} == {k: v for k, v in aligned.items() if k != "period"}


def test_matrix_equals_pandas_self_merge(matrix_2022, ga_store):
    """The vectorised counts equal a straightforward pandas self-merge + groupby, pair by pair."""
    import pandas as pd

    calls = unvote.rollcalls(store=ga_store, columns=["rollcall_id", "date"]).to_pandas()
    votes = unvote.votes(store=ga_store, columns=["rollcall_id", "ms_code", "vote"]).to_pandas()
    votes = votes[votes.rollcall_id.isin(calls[pd.to_datetime(calls.date).dt.year == 2022].rollcall_id)]
    votes = votes.assign(ms_code=votes.ms_code.astype(str), vote=votes.vote.astype(str))
    pairs = votes.merge(votes, on="rollcall_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs.ms_code_a != pairs.ms_code_b]
    pairs["kind"] = [classify(x, y) for x, y in zip(pairs.vote_a, pairs.vote_b)]
    want = pairs.groupby(["ms_code_a", "ms_code_b", "kind"]).size().unstack(fill_value=0)
    got = matrix_2022.to_pandas().set_index(["a", "b"])
    want = want.reindex(got.index)
    for k in ("same", "partial", "opposite", "absent"):
        assert (got[k] == want[k]).all(), k
    assert (got["n"] == want.sum(axis=1)).all()


def test_matrix_by_year_and_wide(ga_store):
    by_year = unvote.matrix(since="2021", until="2022", by="year", store=ga_store)
    assert by_year.column_names[:3] == ["period", "a", "b"]
    assert set(by_year["period"].to_pylist()) == {"2021", "2022"}
    wide = unvote.matrix(year=2022, wide=True, store=ga_store)
    assert wide.num_rows == 193 and wide.num_columns == 194
    rows = {r["country"]: r for r in wide.to_pylist()}
    assert rows["KHM"]["KHM"] is None
    assert rows["KHM"]["RUS"] == rows["RUS"]["KHM"] == pytest.approx((50 + 21 / 2) / 86)


def test_matrix_continuity(ga_store):
    merged = unvote.matrix(year=1985, store=ga_store)
    split = unvote.matrix(year=1985, continuity=False, store=ga_store)
    assert "RUS" in merged["a"].to_pylist() and "SUN" not in merged["a"].to_pylist()
    assert "SUN" in split["a"].to_pylist() and "DEU" not in split["a"].to_pylist()


def test_es_11_1_by_regional_group(ga_store):
    rows = unvote.tally_by_group("ES-11/1", store=ga_store).to_pylist()
    assert [r["group"] for r in rows] == ["AFRICAN", "ASIA-PACIFIC", "EEG", "GRULAC", "WEOG", "-"]
    totals = [sum(r[k] for r in rows) for k in ("yes", "no", "abstain", "non_voting", "members")]
    assert totals == [141, 5, 35, 12, 193]
    outside = rows[-1]
    assert (outside["members"], outside["yes"]) == (1, 1)  # the United States, in no regional group
    by = {r["group"]: r for r in rows}
    assert (by["WEOG"]["yes"], by["WEOG"]["members"]) == (28, 28)
    assert (by["EEG"]["yes"], by["EEG"]["no"], by["EEG"]["abstain"], by["EEG"]["non_voting"]) == (19, 2, 1, 1)
    assert all(r["position"] == "Y" for r in rows)


def test_es_11_1_by_bloc(ga_store):
    rows = unvote.tally_by_group("ES-11/1", by="BRICS", store=ga_store).to_pylist()
    brics = rows[0]
    # 2022: Brazil Y; Russia N; India, China, South Africa abstained
    assert (brics["yes"], brics["no"], brics["abstain"], brics["members"], brics["position"]) == (1, 1, 3, 5, "A")
    assert rows[1]["members"] == 188 and sum(r["yes"] for r in rows) == 141
    with pytest.raises(UnknownGroup):
        unvote.tally_by_group("ES-11/1", by="Warsaw Pact", store=ga_store)


def group_vote(votes, members):
    letters = collections.Counter(votes[c] for c in members if c in votes and votes[c] in "YAN")
    if not letters:
        return "X" if any(c in votes for c in members) else None
    (top, n), *rest = letters.most_common()
    return "X" if rest and rest[0][1] == n else top


def test_align_with_group_by_hand(ga_store, ballots):
    by_call, _ = ballots
    assert groups.members("ASEAN", "2022-06-01") == ASEAN_2022
    want = collections.Counter()
    for votes in by_call.values():
        g = group_vote(votes, ASEAN_2022)
        if "KHM" in votes and g is not None:
            want["n"] += 1
            want[classify(votes["KHM"], g)] += 1
    got = unvote.align("KHM", "asean", since="2022", until="2022", store=ga_store).to_pylist()[0]
    assert [got[k] for k in ("n", "same", "partial", "opposite", "absent")] == \
        [want[k] for k in ("n", "same", "partial", "opposite", "absent")]
    # a group may stand on either side
    flipped = unvote.align("ASEAN", "KHM", since="2022", until="2022", store=ga_store).to_pylist()[0]
    assert flipped["score"] == got["score"]


def test_cohesion_by_hand(ga_store, ballots):
    by_call, _ = ballots
    rollcalls = ties = voting = with_plurality = with_outcome = 0
    for votes in by_call.values():
        cast = [votes[c] for c in ASEAN_2022 if c in votes and votes[c] in "YAN"]
        if not cast:
            continue
        rollcalls += 1
        g = group_vote(votes, ASEAN_2022)
        if g == "X":
            ties += 1
            continue
        voting += len(cast)
        with_plurality += cast.count(g)
        everyone = list(votes.values())
        with_outcome += cast.count("Y" if everyone.count("Y") > everyone.count("N") else "N")
    row = unvote.cohesion("ASEAN", since="2022", until="2022", store=ga_store).to_pylist()[0]
    assert (row["rollcalls"], row["ties"], row["voting"], row["with_plurality"], row["with_outcome"]) == \
        (rollcalls, ties, voting, with_plurality, with_outcome)
    assert row["score"] == pytest.approx(with_plurality / voting)


def test_exclude_unanimous_drops_exactly_the_unanimous_calls(ga_store, ballots):
    """Checked against the store's own per-record Y/N/A totals (independent of the vote reading)."""
    _, calls = ballots
    one_kind = [(y > 0) + (n > 0) + (a > 0) <= 1 for y, n, a in zip(
        calls["counted_yes"].to_pylist(), calls["counted_no"].to_pylist(), calls["counted_abstain"].to_pylist())]
    assert sum(one_kind) == 69  # in the UNDL file, 1946–2017: 66 all-Yes, 3 with no Y/A/N vote read
    unanimous_ids = set(pc.filter(calls["rollcall_id"], pa.array(one_kind)).to_pylist())
    everyone = unvote.align("USA", "GBR", by="all", store=ga_store).to_pylist()[0]
    contested = unvote.align("USA", "GBR", by="all", exclude_unanimous=True, store=ga_store).to_pylist()[0]
    votes = unvote.votes(store=ga_store, columns=["rollcall_id", "ms_code"])
    usa = set(pc.filter(votes["rollcall_id"], pc.equal(votes["ms_code"].cast(pa.string()), "USA")).to_pylist())
    gbr = set(pc.filter(votes["rollcall_id"], pc.equal(votes["ms_code"].cast(pa.string()), "GBR")).to_pylist())
    assert everyone["n"] - contested["n"] == len(unanimous_ids & usa & gbr)
    assert contested["score"] < everyone["score"]
    matrix = unvote.matrix(exclude_unanimous=True, store=ga_store)
    row = matrix.filter(pc.and_(pc.equal(matrix["a"], "USA"), pc.equal(matrix["b"], "GBR"))).to_pylist()[0]
    assert row["n"] == contested["n"] and row["score"] == contested["score"]


def test_usage_errors(ga_store):
    with pytest.raises(UsageError):
        unvote.neighbors("KHM", year=2022, since="2020", store=ga_store)
    with pytest.raises(UsageError):
        unvote.matrix(year=2022, metric="cosine", store=ga_store)
    with pytest.raises(NoData):
        unvote.neighbors("SSD", year=2005, store=ga_store)


# ---- the CLI ------------------------------------------------------------------------------

def test_cli_matrix_csv(ga_store):
    out = invoke("matrix", "--year", "2022", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["a", "b", "n", "same", "partial", "opposite", "absent", "score"]
    assert len(rows) == 193 * 192
    khm_rus = next(r for r in rows if r["a"] == "KHM" and r["b"] == "RUS")
    assert (khm_rus["n"], khm_rus["same"], khm_rus["score"]) == ("89", "50", "0.703488")


def test_cli_neighbors_and_groups(ga_store):
    out = invoke("neighbors", "KHM", "--year", "2022")
    assert out.returncode == 0 and out.stdout.splitlines()[0] == "rank,country,name,cast,n,same,partial,opposite,absent,score"
    table = invoke("neighbors", "KHM", "--year", "2022", "--format", "table")
    assert "Neighbours of KHM (Cambodia)" in table.stdout and "Venezuela" in table.stdout
    listing = list(csv.DictReader(io.StringIO(invoke("groups").stdout)))
    assert [r["group"] for r in listing][:5] == ["AFRICAN", "ASIA-PACIFIC", "EEG", "GRULAC", "WEOG"]
    asean = list(csv.DictReader(io.StringIO(invoke("groups", "asean", "--date", "2022-03-02").stdout)))
    assert [r["code"] for r in asean] == ASEAN_2022
    by_group = list(csv.DictReader(io.StringIO(invoke("tally", "ES-11/1", "--by-group", "regional").stdout)))
    assert sum(int(r["yes"]) for r in by_group) == 141


def test_cli_align_metrics_and_groups(ga_store):
    out = invoke("align", "KHM", "ASEAN", "--since", "2022", "--metric", "kappa")
    assert out.returncode == 0, out.stderr
    header = out.stdout.splitlines()[0].split(",")
    assert header == ["period", "n", "same", "partial", "opposite", "absent",
                      "yy", "ya", "yn", "ay", "aa", "an", "ny", "na", "nn", "score"]
    table = invoke("align", "KHM", "RUS", "--metric", "kappa", "--since", "2022", "--format", "table")
    assert "KHM (rows) × RUS" in table.stdout and "│ Y │ 170 │ 37 │ 65 │" in table.stdout
    # NAM is Namibia where a country may stand; the movement is Non-Aligned (or NAM in cohesion)
    namibia = invoke("align", "NAM", "KHM", "--since", "2024", "--by", "all").stdout
    movement = invoke("align", "Non-Aligned", "KHM", "--since", "2024", "--by", "all").stdout
    assert namibia != movement
    assert invoke("cohesion", "NAM", "--since", "2024").returncode == 0


@pytest.mark.parametrize("args,code,message", [
    (["cohesion", "Warsaw Pact"], 3, "unknown group 'Warsaw Pact'"),
    (["neighbors", "KHM", "--year", "2022", "--since", "2020"], 2, "give --year, or --since/--until, not both"),
    (["matrix", "--metric", "cosine"], 2, "unknown metric 'cosine'"),
    (["groups", "--date", "2020"], 2, "--date needs a group"),
    (["align", "KHM", "RUS", "--since", "1950", "--until", "1950", "--exclude-unanimous"], 4, "KHM (Cambodia) has no recorded GA votes"),
])
def test_cli_errors(ga_store, args, code, message):
    out = invoke(*args)
    assert out.returncode == code and out.stdout == ""
    assert message in out.stderr and out.stderr.count("\n") == 1


# ---- Voeten's unanimity rule on the real data (the docs' examples themselves run in test_docs.py) -------

def test_exclude_unanimous_drops_69_rollcalls(ga_store):
    everyone = unvote.align("USA", "GBR", by="all", store=ga_store).to_pylist()[0]["n"]
    contested = unvote.align("USA", "GBR", by="all", exclude_unanimous=True, store=ga_store).to_pylist()[0]["n"]
    assert (everyone, contested) == (5538, 5469)
