"""The fast tier's command tests: the real ``main()`` in-process on a hand-made three-roll-call store
(tests/tiny_store.py). Expected figures are counted by hand (the literals) and by tiny_store's plain
Python (the loops); unvote computes neither."""

import csv
import io
import itertools
import json

import pytest
import tiny_store as tiny
from cli_runner import invoke


def rows(*args):
    out = invoke(*args, "--format", "csv")
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout.lstrip("\ufeff"))))


def test_tally_counts_by_hand(tiny_store):
    (row,) = rows("tally", "77/1")
    # A/RES/77/1: USA Y, RUS Y, FRA N, KHM A
    assert (row["resolution"], row["date"]) == ("A/RES/77/1", "2022-10-03")
    assert [int(row[k]) for k in ("yes", "no", "abstain", "non_voting", "voting", "members")] == [2, 1, 1, 0, 4, 4]


@pytest.mark.parametrize("symbol", list(tiny.ROLLCALLS))
def test_tally_of_every_roll_call_and_its_countries(tiny_store, symbol):
    date, ballot = tiny.ROLLCALLS[symbol]
    (row,) = rows("tally", symbol)
    want = [sum(1 for v in ballot.values() if v == code) for code in "YNAX"]
    assert [int(row[k]) for k in ("yes", "no", "abstain", "non_voting")] == want
    assert int(row["voting"]) == len(ballot) - want[3]
    got = {r["country"]: (r["vote"], r["name"]) for r in rows("tally", symbol, "--countries")}
    assert got == {m: (v, tiny.MEMBERS[m]) for m, v in ballot.items()}


def test_tally_json_and_several_symbols_in_order(tiny_store):
    out = invoke("tally", "78/1", "77/2", "--format", "json")
    assert out.returncode == 0, out.stderr
    got = [(r["resolution"], r["yes"], r["no"], r["abstain"], r["non_voting"]) for r in json.loads(out.stdout)]
    assert got == [("A/RES/78/1", 2, 0, 2, 0), ("A/RES/77/2", 1, 2, 0, 1)]


def test_align_by_hand(tiny_store):
    # USA/RUS: Y/Y same, Y/N opposite, A/A same
    (row,) = rows("align", "USA", "RUS", "--by", "all")
    assert [row[k] for k in ("n", "same", "partial", "opposite", "absent")] == ["3", "2", "0", "1", "0"]
    assert float(row["score"]) == pytest.approx(2 / 3, abs=1e-6)  # (same + ½·partial) / (n − absent)
    # FRA/KHM: N/A partial, N/X absent, Y/Y same
    (row,) = rows("align", "FRA", "KHM", "--by", "all")
    assert [row[k] for k in ("n", "same", "partial", "opposite", "absent")] == ["3", "1", "1", "0", "1"]
    assert float(row["score"]) == pytest.approx(0.75, abs=1e-6)
    (row,) = rows("align", "FRA", "KHM", "--by", "all", "--metric", "statedept")
    assert float(row["score"]) == pytest.approx((1 + 0.5 * (1 + 1)) / 3, abs=1e-6)  # (same + ½·(partial + absent)) / n


def test_align_every_pair_and_year(tiny_store):
    for a, b in itertools.combinations(tiny.MEMBERS, 2):
        by_year = {r["period"]: r for r in rows("align", a, b)}
        assert sorted(by_year) == ["2022", "2023"], (a, b)
        for year, row in by_year.items():
            want = tiny.pair_counts(a, b, int(year))
            assert {k: int(row[k]) for k in want} == want, (a, b, year)
            voted = want["same"] + want["partial"] + want["opposite"]
            score = (want["same"] + want["partial"] / 2) / voted if voted else None
            assert (float(row["score"]) if row["score"] else None) == pytest.approx(score, abs=1e-6), (a, b, year)


def test_info_counts_the_store(tiny_store):
    (row,) = rows("info")
    assert (row["dataset"], row["records"], row["votes"]) == ("ga", "3", "12")


@pytest.mark.parametrize("args, code, words", [
    (("tally", "99/1"), 3, "99/1"),
    (("align", "USA", "ZZZ"), 3, "ZZZ"),
    (("tally", "77/1", "--format", "yaml"), 2, "yaml"),
])
def test_bad_input_is_one_line_with_its_exit_code(tiny_store, args, code, words):
    out = invoke(*args)
    assert out.returncode == code, out.stderr
    assert out.stderr.startswith("unvote: error:") and words in out.stderr and out.stderr.count("\n") == 1
    assert out.stdout == ""


def test_library_reads_the_same_store(tiny_store):
    import unvote

    (row,) = unvote.tally("A/RES/77/2", store=tiny_store).to_pylist()
    assert (row["yes"], row["no"], row["abstain"], row["non_voting"]) == (1, 2, 0, 1)  # USA Y, RUS N, FRA N, KHM X
    (row,) = unvote.align("RUS", "FRA", by="all", store=tiny_store).to_pylist()
    assert {k: row[k] for k in ("n", "same", "partial", "opposite", "absent")} == tiny.pair_counts("RUS", "FRA")
