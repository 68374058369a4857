import pytest

from unvote.core.errors import Ambiguous, UnknownResolution
from unvote.model.symbols import SymbolIndex, canonical, parse

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


# ---- hostile input: never an exception other than the domain errors ---------------------------
@pytest.mark.parametrize("text", ["²", "²³", "٧٧/٧", "1" * 4301, "9" * 19, "0" * 5000 + "100", " 101 "])
def test_digit_lookalikes_and_huge_numbers_are_unknown_not_a_crash(index, text):
    if text.strip() == "101":
        assert index.find(text) == [1]  # an ordinary record id still works
        return
    with pytest.raises(UnknownResolution) as err:
        index.find(text)
    message = str(err.value)
    assert "\n" not in message and len(message) < 300  # a 4,301-digit input is not echoed whole


def test_record_id_accepts_ascii_digits_only():
    from unvote.model.symbols import record_id

    assert record_id("4060887") == 4060887 and record_id(" 12 ") == 12
    assert record_id("²") is None and record_id("٧") is None and record_id("1" * 19) is None
    assert record_id("") is None and record_id("-1") is None


def test_old_resolution_number_alone_still_suggests_its_sessions(index):
    with pytest.raises(UnknownResolution, match=r"no roll call with record id 2758.*did you mean A/RES/2758\(XXVI\)"):
        index.find("2758")


def test_any_text_gives_rows_or_a_domain_error(index):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from unvote.model.symbols import canonical, parse
    from unvote.sources.undl_records import _digits, _iso_date, _session_code, session_of
    from unvote.sources.voeten import normalise_unres

    pieces = st.sampled_from(["A/RES/", "S/RES/", "ES-", "S-", "/", "(", ")", "[", "]", "XXVI", "²", "٧",
                              "1" * 4301, "77", "7", " ", "-", "R/", "SS/", "ESS/", "emsp", "sp"])
    texts = st.one_of(st.text(max_size=40), st.lists(st.one_of(pieces, st.text(max_size=3)), max_size=8)
                      .map("".join))

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(texts)
    def check(text):
        try:
            hits = index.find(text)
            assert hits and all(0 <= i < len(STORED) for i in hits)
        except (UnknownResolution, Ambiguous) as exc:
            assert "\n" not in str(exc)
        parse(text)
        canonical(text)
        session_of(text)
        _session_code(text)
        _digits(text)
        _iso_date(text)
        normalise_unres(text, text)

    check()


def test_tally_of_a_superscript_or_a_huge_number_is_exit_3(ga_store):
    from cli_runner import invoke

    for text in ("²", "1" * 4301):
        out = invoke("tally", text)
        assert out.returncode == 3, out.stderr[-500:]
        assert out.stderr.count("\n") == 1 and "internal error" not in out.stderr


def test_roman_numerals_both_ways():
    from unvote.model.symbols import from_roman, to_roman

    assert [to_roman(n) for n in (1, 4, 9, 14, 26, 40, 49, 90)] == ["I", "IV", "IX", "XIV", "XXVI", "XL", "XLIX", "XC"]
    assert [from_roman(t) for t in ("II", "XXVI", "XLIX", "LXXIV")] == [2, 26, 49, 74]
    assert all(from_roman(to_roman(n)) == n for n in range(1, 200))
