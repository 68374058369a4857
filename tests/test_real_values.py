"""Real values for rules whose earlier tests leaned on a coincidence or on toy data: the CLI's
continuity default, CSV quoting of a title with commas, and statedept on a real pair — each against
an independent count from the store's Parquet files (read with pyarrow, not through DuckDB)."""

import collections
import csv
import io

import pytest
from cli_runner import invoke


@pytest.fixture(scope="module")
def letters(ga_store_dir):
    """{rollcall_id: {code: letter}} and {rollcall_id: (date, kind)} for every GA roll call."""
    import pyarrow.parquet as pq

    from unvote.store import Store

    folder = Store(ga_store_dir).version("ga")
    calls = pq.read_table(folder / "rollcalls.parquet", columns=["rollcall_id", "date", "kind"]).to_pylist()
    votes = pq.read_table(folder / "votes.parquet", columns=["rollcall_id", "ms_code", "vote"])
    by_call: dict[int, dict[str, str]] = collections.defaultdict(dict)
    for rid, code, vote in zip(votes["rollcall_id"].to_pylist(), votes["ms_code"].to_pylist(),
                               votes["vote"].to_pylist()):
        by_call[rid][code] = vote
    return by_call, {c["rollcall_id"]: c for c in calls}


def counts(by_call, calls, a: set, b: set, year=None):
    """same/partial/opposite/absent of side a against side b (each a set of codes: a lineage)."""
    out = collections.Counter()
    for rid, votes in by_call.items():
        call = calls[rid]
        if call["kind"] != "resolution" or (year and call["date"].year != year):
            continue
        va = [votes[c] for c in a if c in votes]
        vb = [votes[c] for c in b if c in votes]
        if not va or not vb:
            continue
        assert len(va) == len(vb) == 1  # a record never lists two seats of one lineage
        x, y = va[0], vb[0]
        out["n"] += 1
        if x in "YAN" and y in "YAN" and len(x) == len(y) == 1:
            out["same" if x == y else "opposite" if {x, y} == {"Y", "N"} else "partial"] += 1
        else:
            out["absent"] += 1
    return out


def cli_rows(*args):
    result = invoke(*args)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_cli_continuity_default_counts_the_ussr_seat_as_russia(ga_store, letters):
    by_call, calls = letters
    (merged,) = cli_rows("align", "KHM", "RUS", "--by", "all", "--format", "csv")
    (alone,) = cli_rows("align", "KHM", "RUS", "--by", "all", "--format", "csv", "--no-continuity")
    want = counts(by_call, calls, {"KHM"}, {"RUS", "SUN"})
    want_alone = counts(by_call, calls, {"KHM"}, {"RUS"})
    keys = ("n", "same", "partial", "opposite", "absent")
    assert [int(merged[k]) for k in keys] == [want[k] for k in keys]
    assert [int(alone[k]) for k in keys] == [want_alone[k] for k in keys]
    assert want["n"] > want_alone["n"]  # the span reaches back into the USSR's seat
    voted = want["same"] + want["partial"] + want["opposite"]
    assert float(merged["score"]) == pytest.approx((want["same"] + want["partial"] / 2) / voted, abs=1e-6)


def test_csv_quotes_a_title_with_commas_and_keeps_the_columns_after_it(ga_store, letters):
    by_call, calls = letters
    result = invoke("tally", "77/7", "--format", "csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1].count('"') == 4  # the title and its subject are the quoted fields
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["title"].startswith("Necessity of ending the economic, commercial and financial embargo")
    assert row["title"].startswith(row["subject"]) and row["subject"].endswith("against Cuba")
    rid = int(row["rollcall_id"])
    letters_77_7 = collections.Counter(by_call[rid].values())
    assert (row["resolution"], row["session"], row["meeting"], row["unreadable"]) == \
        ("A/RES/77/7", "77", "A/77/PV.28", "0")
    assert [int(row[k]) for k in ("yes", "no", "abstain", "non_voting", "members")] == \
        [letters_77_7["Y"], letters_77_7["N"], letters_77_7["A"], letters_77_7["X"], len(by_call[rid])]


def test_statedept_on_a_real_pair(ga_store, letters):
    """US State Department coincidence (2021+ reports): absences count half, over every roll call both
    were listed in — KHM and RUS in 2022."""
    by_call, calls = letters
    want = counts(by_call, calls, {"KHM"}, {"RUS", "SUN"}, year=2022)
    (row,) = cli_rows("align", "KHM", "RUS", "--since", "2022", "--until", "2022", "--metric", "statedept",
                      "--format", "csv")
    assert int(row["n"]) == want["n"] == 89
    assert float(row["score"]) == pytest.approx(
        (want["same"] + (want["partial"] + want["absent"]) / 2) / want["n"], abs=1e-6)
