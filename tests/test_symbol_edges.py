"""Symbols as people type them: an SC number without its year, a malformed stored symbol shortened like
any other, several symbols in one argument, and one symbol on two roll calls."""

from __future__ import annotations

import pytest
from cli_runner import invoke

from unvote.core.errors import Ambiguous, UnknownResolution
from unvote.model.symbols import SymbolIndex, parse

SC = SymbolIndex(["S/RES/2623(2022)", "S/RES/2624(2022)", "S/RES/262(1968)"], [1, 2, 3])


def test_an_sc_number_without_its_year_finds_the_resolution():
    assert parse("S/RES/2623").body == "sc"
    assert [SC.symbols[i] for i in SC.find("S/RES/2623")] == ["S/RES/2623(2022)"]
    assert [SC.symbols[i] for i in SC.find("S/RES/262")] == ["S/RES/262(1968)"]  # never 2623 or 2624
    with pytest.raises(UnknownResolution):
        SC.find("S/RES/9999")


def test_several_symbols_in_one_argument_are_named_as_such():
    index = SymbolIndex(["A/RES/ES-11/1", "A/RES/ES-11/2"], [10, 11])
    with pytest.raises(UnknownResolution, match="names 2 symbols; give each as its own argument: ES-11/1 ES-11/2"):
        index.find("ES-11/1;ES-11/2")


def test_one_symbol_on_two_roll_calls_lists_each_with_what_tells_them_apart():
    details = ["1962-06-01, TO ADOPT A GENERAL COMMITTEE RECOMMENDATION", "1962-07-05, TO ADOPT GHANA MOTION"]
    index = SymbolIndex(["A/RES/1398(XVI)", "A/RES/1398(XVI)"], [795, 804], None, details.__getitem__)
    with pytest.raises(Ambiguous) as err:
        index.find("1398(XVI)")
    assert err.value.candidates == ["795 (A/RES/1398(XVI), 1962-06-01, TO ADOPT A GENERAL COMMITTEE RECOMMENDATION)",
                                    "804 (A/RES/1398(XVI), 1962-07-05, TO ADOPT GHANA MOTION)"]
    assert index.find("804") == [1]  # the record id each candidate names finds it


def test_a_malformed_stored_symbol_is_found_shortened(ga_store):
    long, short = invoke("tally", "A/RES/79/XX", "--format", "csv"), invoke("tally", "79/XX", "--format", "csv")
    assert long.returncode == 0, long.stderr
    assert short.returncode == 0, short.stderr
    assert short.stdout == long.stdout and short.stdout.splitlines()[1].startswith("A/RES/79/XX,")
