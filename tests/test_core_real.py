"""The core questions answered from the real UNDL data (read in place from ../shared/data)."""

import pyarrow.compute as pc
import pytest

import unvote
from unvote.core.errors import NoData, UnknownCountry, UsageError


def row(table, i=0):
    return table.to_pylist()[i]


def test_es_11_1_tally(ga_store):
    t = row(unvote.tally("ES-11/1", store=ga_store))
    assert (t["yes"], t["no"], t["abstain"], t["non_voting"]) == (141, 5, 35, 12)
    assert (t["voting"], t["members"]) == (181, 193)
    assert t["resolution"] == "A/RES/ES-11/1" and str(t["date"]) == "2022-03-02"
    assert t["rollcall_id"] == 3959039 and t["meeting"] == "A/ES-11/PV.5"


@pytest.mark.parametrize("query,expected", [
    ("A/RES/2758(XXVI)", (76, 35, 17)), ("2758 (XXVI)", (76, 35, 17)), ("68/262", (100, 11, 58)),
    ("ES-10/21", (120, 14, 45)), ("A/RES/ES-10/22", (153, 10, 23)), ("80/4", (165, 7, 12)),
    ("es-11/3", (93, 24, 58)), ("3990400", (143, 5, 35)),
])
def test_spot_tallies(ga_store, query, expected):
    t = row(unvote.tally(query, store=ga_store))
    assert (t["yes"], t["no"], t["abstain"]) == expected


def test_77_7_exactly(ga_store):
    assert row(unvote.tally("77/7", store=ga_store))["resolution"] == "A/RES/77/7"


def test_only_voted_part(ga_store):
    assert row(unvote.tally("181(II)", store=ga_store))["resolution"] == "A/RES/181(II)[A]"


def test_several_in_order(ga_store):
    t = unvote.tally("ES-11/4", "ES-11/1", store=ga_store)
    assert t["resolution"].to_pylist() == ["A/RES/ES-11/4", "A/RES/ES-11/1"]
    assert t["yes"].to_pylist() == [143, 141]


def test_country_votes_es_11_1(ga_store):
    votes = unvote.country_votes("ES-11/1", store=ga_store)
    by = dict(zip(votes["country"].to_pylist(), votes["vote"].to_pylist()))
    assert by["KHM"] == "Y" and by["RUS"] == "N" and by["CHN"] == "A" and by["NAM"] == "A"
    assert len(by) == 193
    counts = {c["values"]: c["counts"] for c in pc.value_counts(votes["vote"]).to_pylist()}
    assert counts == {"Y": 141, "N": 5, "A": 35, "X": 12}


def test_align_khm_rus_counts_add_up(ga_store):
    t = unvote.align("KHM", "RUS", store=ga_store)
    for r in t.to_pylist():
        assert r["n"] == r["same"] + r["partial"] + r["opposite"] + r["absent"]
    by = {r["period"]: r for r in t.to_pylist()}
    # ES-11/1 (2022): Cambodia Y, Russia N — one of 2022's opposite votes
    assert by["2022"]["opposite"] >= 1
    # both listed in every 2022 GA record that has a breakdown (89 in 2022)
    assert by["2022"]["n"] == 89
    # Cambodia joined in Dec 1955; before 1991 Russia's seat is the USSR's (continuity)
    assert t["period"].to_pylist()[0] == "1955" and "1990" in by
    for r in t.to_pylist():
        denom = r["same"] + r["partial"] + r["opposite"]
        if denom:
            assert r["score"] == pytest.approx((r["same"] + 0.5 * r["partial"]) / denom)


def test_align_without_continuity_starts_in_1991(ga_store):
    t = unvote.align("KHM", "RUS", continuity=False, store=ga_store)
    assert int(t["period"].to_pylist()[0]) >= 1991


def test_align_pooled_equals_sum_of_years(ga_store):
    years = unvote.align("Cambodia", "Russia", since="2015", until="2024", store=ga_store)
    pooled = row(unvote.align("KHM", "RUS", by="all", since="2015", until="2024", store=ga_store))
    for c in ("n", "same", "partial", "opposite", "absent"):
        assert pooled[c] == pc.sum(years[c]).as_py()
    assert years["period"].to_pylist() == [str(y) for y in range(2015, 2025)]


def test_align_by_session_and_metrics(ga_store):
    # --session ES-11 selects the emergency session; --by session folds it into regular sessions (Voeten)
    s = unvote.align("KHM", "RUS", by="session", session="ES-11", store=ga_store)
    assert s["period"].to_pylist() == ["77", "78", "80"]
    r = row(unvote.align("KHM", "RUS", by="all", session="ES-11", store=ga_store))
    assert r["n"] == 8  # ES-11/1 … ES-11/8
    st = row(unvote.align("KHM", "RUS", by="all", session="ES-11", metric="statedept", store=ga_store))
    assert st["score"] == pytest.approx((r["same"] + 0.5 * (r["partial"] + r["absent"])) / r["n"])


def test_align_errors(ga_store):
    with pytest.raises(UnknownCountry, match="did you mean KHM"):
        unvote.align("Cambodja", "RUS", store=ga_store)
    with pytest.raises(UsageError):
        unvote.align("KHM", "KHM", store=ga_store)
    with pytest.raises(UsageError):
        unvote.align("KHM", "RUS", since="last year", store=ga_store)
    with pytest.raises(NoData):
        unvote.align("KHM", "RUS", since="2030", store=ga_store)
    with pytest.raises(NoData, match="SUN"):  # the USSR cast no vote after 1991
        unvote.align("USSR", "KHM", since="2000", store=ga_store)


def test_unreadable_code_is_counted_not_guessed(ga_store):
    t = row(unvote.tally("620(VII)[A]", store=ga_store))
    assert t["unreadable"] == 1  # Pakistan's "AN", 1952
    assert t["yes"] + t["no"] + t["abstain"] + t["non_voting"] + t["unreadable"] == t["members"]
