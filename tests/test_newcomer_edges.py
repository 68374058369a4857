"""Rough edges a newcomer hits first, on the real store."""

from __future__ import annotations

import csv
import io

import pytest
from cli_runner import invoke


def rows(result):
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.parametrize("name", ["USSR", "SUN", "Soviet Union"])
def test_neighbors_of_the_ussr_are_its_seats_neighbors(ga_store, name):
    ussr = rows(invoke("neighbors", name, "--year", "1980", "--format", "csv"))
    assert ussr == rows(invoke("neighbors", "RUS", "--year", "1980", "--format", "csv"))
    # and the same figures as the old seat alone, without continuity (in 1980 only SUN held it; others'
    # codes differ there: West Germany is GER, not DEU)
    alone = rows(invoke("neighbors", "SUN", "--year", "1980", "--no-continuity", "--format", "csv"))
    figures = ("rank", "n", "same", "partial", "opposite", "absent", "score")
    assert [[r[k] for k in figures] for r in ussr] == [[r[k] for k in figures] for r in alone]
    usa = next(r for r in ussr if r["country"] == "USA")
    pair = rows(invoke("align", name, "USA", "--year", "1980", "--by", "all", "--format", "csv"))[0]
    assert {k: usa[k] for k in ("n", "same", "partial", "opposite", "absent")} == \
        {k: pair[k] for k in ("n", "same", "partial", "opposite", "absent")}
    assert int(pair["n"]) == 108
