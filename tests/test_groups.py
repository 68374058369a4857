"""The dated group table, group lookup, and a group's position and cohesion on toy votes."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from unvote.analysis import blocs
from unvote.analysis.codes import ABSTAIN, NO, NON_VOTING, NOT_LISTED, YES
from unvote.core.errors import UnknownCountry, UnknownGroup
from unvote.model import countries, groups
from unvote.model.sides import side

Y, AB, N, X, NL = YES, ABSTAIN, NO, NON_VOTING, NOT_LISTED


def test_table_is_consistent():
    for g in groups.all_groups():
        rows = groups.memberships(g)
        assert rows, g.code
        spells: dict[str, list] = {}
        for m in rows:
            assert countries.get(m.code), (g.code, m.code)
            assert m.valid_to is None or m.valid_from <= m.valid_to, m
            spells.setdefault(m.code, []).append(m)
        for code, ms in spells.items():  # spells of one member never overlap
            ms.sort(key=lambda m: m.valid_from)
            for x, y in zip(ms, ms[1:]):
                assert x.valid_to is not None and x.valid_to < y.valid_from, (g.code, code)


def test_regional_groups_partition_todays_members_without_the_us():
    day = dt.date(2022, 3, 2)
    members = {c.code for c in countries.all_countries() if c.member_to is None}
    assert len(members) == 193
    seen: dict[str, str] = {}
    for g in groups.regional():
        for code in groups.members(g, day):
            assert code not in seen, (code, seen.get(code), g.code)
            seen[code] = g.code
    assert set(seen) == members - {"USA"}
    sizes = {g.code: len(groups.members(g, day)) for g in groups.regional()}
    assert sizes == {"AFRICAN": 54, "ASIA-PACIFIC": 54, "EEG": 23, "GRULAC": 33, "WEOG": 28}


@pytest.mark.parametrize("code,day,expected", [
    ("USA", "2022-01-01", []),
    ("ISR", "1999-12-31", []), ("ISR", "2000-05-30", ["WEOG"]),
    ("TUR", "2022-01-01", ["WEOG"]), ("KIR", "2022-01-01", ["ASIA-PACIFIC"]), ("CYP", "2022-01-01", ["ASIA-PACIFIC"]),
    ("ZAF", "1990-01-01", []), ("ZAF", "1994-06-23", ["AFRICAN"]),
    ("SUN", "1980-01-01", ["EEG"]), ("RUS", "1980-01-01", []), ("RUS", "1992-01-01", ["EEG"]),
    ("GER", "1980-01-01", ["WEOG"]), ("DEU", "1991-01-01", ["WEOG"]), ("YUG", "2002-12-20", ["EEG"]),
])
def test_regional_special_cases(code, day, expected):
    assert groups.group_of(code, day) == expected


@pytest.mark.parametrize("group,day,expected", [
    ("P5", "1980-01-01", ["CHN", "FRA", "GBR", "SUN", "USA"]),
    ("P5", "2022-01-01", ["CHN", "FRA", "GBR", "RUS", "USA"]),
    ("BRICS", "2023-12-31", ["BRA", "CHN", "IND", "RUS", "ZAF"]),
    ("BRICS", "2024-01-01", ["ARE", "BRA", "CHN", "EGY", "ETH", "IND", "IRN", "RUS", "ZAF"]),
    ("BRICS", "2025-01-06", ["ARE", "BRA", "CHN", "EGY", "ETH", "IDN", "IND", "IRN", "RUS", "ZAF"]),
    ("ASEAN", "1990-01-01", ["BRN", "IDN", "MYS", "PHL", "SGP", "THA"]),
])
def test_bloc_members_on_a_date(group, day, expected):
    assert groups.members(group, day) == expected


def test_eu_and_nato_dates():
    assert "GBR" in groups.members("EU", "2020-01-31") and "GBR" not in groups.members("EU", "2020-02-01")
    assert len(groups.members("EU", "2013-07-01")) == 28 and len(groups.members("EU", "2020-02-01")) == 27
    assert "FIN" not in groups.members("NATO", "2023-04-03") and "FIN" in groups.members("NATO", "2023-04-04")
    assert "SWE" not in groups.members("NATO", "2024-03-06") and "SWE" in groups.members("NATO", "2024-03-07")
    assert len(groups.members("NATO", "2024-03-07")) == 32
    assert "SAU" not in groups.members("BRICS", "2025-06-01")  # invited, never confirmed
    assert len(groups.members("OIC", "2022-01-01")) == 56 and len(groups.members("ARAB", "2022-01-01")) == 21


def test_partial_dates_cover_their_whole_span():
    mex = [m for m in groups.memberships("G77") if m.code == "MEX"][0]
    assert mex.as_written == ("1964-06-15", "1994") and mex.valid_to == dt.date(1994, 12, 31)
    mmr = [m for m in groups.memberships("NAM") if m.code == "MMR"]
    assert [(m.valid_from, m.valid_to) for m in mmr] == [
        (dt.date(1961, 9, 1), dt.date(1979, 12, 31)), (dt.date(1992, 1, 1), None)]
    assert groups._date("1994-02", end=True) == dt.date(1994, 2, 28)


@pytest.mark.parametrize("text,code", [
    ("asean", "ASEAN"), ("ASEAN", "ASEAN"), ("eu", "EU"), ("European Union", "EU"), ("asia pacific", "ASIA-PACIFIC"),
    ("Asia-Pacific Group", "ASIA-PACIFIC"), ("g-77", "G77"), ("Non-Aligned", "NAM"), ("nam", "NAM"), ("weog", "WEOG"),
    ("Arab League", "ARAB"), ("p5", "P5"),
])
def test_lookup_any_case(text, code):
    assert groups.lookup(text).code == code


def test_lookup_unknown():
    with pytest.raises(UnknownGroup):
        groups.lookup("Warsaw Pact")


def test_side_countries_first_for_codes():
    """Where a country may stand, an ISO3 code is the country: NAM is Namibia there."""
    assert side("NAM") == side("Namibia") and side("NAM").kind == "country"
    assert side("Non-Aligned").kind == "group" and side("asean").code == "ASEAN"
    assert side("eu").kind == "group" and side("Cambodia").code == "KHM"
    with pytest.raises(UnknownCountry):
        side("Narnia")


def test_no_group_name_shadows_a_country():
    for g in groups.all_groups():
        for spelling in (g.code, g.name, *g.aliases):
            if spelling == "NAM":
                continue
            with pytest.raises(UnknownCountry):
                countries.lookup(spelling)


# ---- a group's position and cohesion --------------------------------------------------------

def test_position_plurality_ties_and_absence():
    codes = np.array([
        [Y, Y, N, AB],    # Y 2, N 1, A 1 → Y
        [Y, N, AB, X],    # one each → tie
        [Y, N, X, X],     # Y 1, N 1 → tie
        [X, X, NL, NL],   # listed, nobody voted → no position
        [NL, NL, NL, NL],  # no member listed
        [AB, AB, Y, NL],  # A
    ], np.int8)
    mask = np.ones_like(codes, dtype=bool)
    code, tie = blocs.position(blocs.member_counts(codes, mask))
    assert code.tolist() == [Y, X, X, X, NL, AB]
    assert tie.tolist() == [False, True, True, False, False, False]
    # membership decides: without the last column the first roll call is still Y, the second a tie
    mask[:, 3] = False
    code, _ = blocs.position(blocs.member_counts(codes, mask))
    assert code.tolist() == [Y, X, X, X, NL, AB]


def test_membership_mask_dates_and_merge():
    dates = np.array(["1990-01-01", "1995-06-01", "2000-01-01"], dtype="datetime64[D]")
    spells = [("SUN", dt.date(1945, 10, 24), dt.date(1991, 12, 23)), ("RUS", dt.date(1991, 12, 24), None),
              ("FIN", dt.date(1995, 1, 1), dt.date(1999, 12, 31))]
    mask = blocs.membership_mask(dates, ["FIN", "RUS"], spells, {"SUN": "RUS"})
    assert mask.tolist() == [[False, True], [True, True], [False, True]]


def test_cohesion_toy():
    calls = pa.table({"date": pa.array(["2020-01-01", "2020-06-01", "2021-01-01"]).cast(pa.date32()),
                      "session": pa.array(["74", "74", "75"])})
    codes = np.array([[Y, Y, N, X], [Y, N, AB, Y], [AB, AB, AB, AB]], np.int8)
    t = blocs.cohesion(calls, codes, np.ones_like(codes, dtype=bool), by="year",
                       adopted=[True, False, True]).to_pylist()
    # 2020: first roll call Y with 2 of 3 votes (one member did not vote); second Y with 2 of 4.
    # The outcome: the first adopted (2 Yes with it), the second rejected (its one No with it)
    assert t[0] == {"period": "2020", "rollcalls": 2, "ties": 0, "voting": 7, "with_plurality": 4,
                    "with_outcome": 3, "non_voting": 1,
                    "score": 4 / 7, "ai": pytest.approx(((2 - 0.5) / 3 + (2 - 1) / 4) / 2)}
    assert t[1]["with_outcome"] == 0  # adopted, everyone abstained
    assert t[1]["score"] == 1.0 and t[1]["ai"] == 1.0 and t[1]["rollcalls"] == 1
