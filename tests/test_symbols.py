import pytest

from unvote.errors import Ambiguous, UnknownResolution
from unvote.symbols import SymbolIndex, canonical, parse

STORED = ["A/RES/ES-11/1", "A/RES/77/7", "A/RES/77/73", "A/RES/2758(XXVI)", "A/RES/181(II)[A]",
          "A/RES/35/206A", "A/RES/35/206Q", "A/RES/68/262", "A/RES/17(I)[RULE-73]",
          "A/RES/36//235IX", "S/RES/2623(2022)"]
IDS = list(range(100, 100 + len(STORED)))


@pytest.fixture
def index():
    return SymbolIndex(STORED, IDS)


@pytest.mark.parametrize("text,base,part", [
    ("ES-11/1", "ES-11/1", ""), ("a/res/es-11/1", "ES-11/1", ""), ("2758 (XXVI)", "2758(XXVI)", ""),
    ("A/RES/181(II)[A]", "181(II)", "A"), ("A/RES/35/206Q", "35/206", "Q"),
    ("A/RES/33/116[C-X]", "33/116", "C-X"), ("A/RES/1001(ES-I)", "1001(ES-I)", ""),
    ("A/RES/107(S-1)", "107(S-1)", ""), ("A/RES/S-14/1", "S-14/1", ""),
    ("S/RES/2623 (2022)", "2623(2022)", ""),
])
def test_parse(text, base, part):
    parsed = parse(text)
    assert (parsed.base, parsed.part) == (base, part)


def test_parse_rejects_words():
    assert parse("Ukraine") is None


@pytest.mark.parametrize("query,expected", [
    ("ES-11/1", "A/RES/ES-11/1"), ("A/RES/ES-11/1", "A/RES/ES-11/1"), ("es-11/1", "A/RES/ES-11/1"),
    ("2758(XXVI)", "A/RES/2758(XXVI)"), ("2758 (XXVI)", "A/RES/2758(XXVI)"),
    ("A/RES/68/262", "A/RES/68/262"), ("77/7", "A/RES/77/7"), ("77/73", "A/RES/77/73"),
    ("181(II)", "A/RES/181(II)[A]"), ("35/206 Q", "A/RES/35/206Q"), ("35/206[Q]", "A/RES/35/206Q"),
    ("103", "A/RES/2758(XXVI)"), ("A/RES/36//235IX", "A/RES/36//235IX"),
    ("S/RES/2623(2022)", "S/RES/2623(2022)"),
])
def test_find(index, query, expected):
    assert [STORED[i] for i in index.find(query)] == [expected]


def test_77_7_is_never_77_73(index):
    assert STORED[index.find("77/7")[0]] != "A/RES/77/73"


def test_ambiguous_lists_candidates(index):
    with pytest.raises(Ambiguous) as err:
        index.find("35/206")
    assert "A/RES/35/206A" in str(err.value) and "A/RES/35/206Q" in str(err.value)


def test_unknown_suggests_close_symbols(index):
    with pytest.raises(UnknownResolution) as err:
        index.find("68/26")
    assert "A/RES/68/262" in str(err.value)


def test_not_a_symbol(index):
    with pytest.raises(UnknownResolution, match="does not look like a resolution symbol"):
        index.find("Ukraine")


def test_canonical():
    assert canonical("A/RES/181 (II) [A]") == "181(II)[A]"


def test_number_without_session_suggests_old_resolution(index):
    with pytest.raises(UnknownResolution, match=r"did you mean A/RES/2758\(XXVI\)"):
        index.find("2758")
