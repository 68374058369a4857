"""--topic and align --by topic on the real data, against counts made here from the store's files."""

import collections
import csv
import io

import pytest
from cli_runner import invoke


@pytest.fixture(scope="module")
def real(ga_store_dir):
    """(roll calls by id with date/kind/topics, {rollcall_id: {code: letter}}) from the Parquet files."""
    import pyarrow.parquet as pq

    from unvote.store import Store

    folder = Store(ga_store_dir).version("ga")
    calls = {c["rollcall_id"]: c for c in
             pq.read_table(folder / "rollcalls.parquet", columns=["rollcall_id", "date", "kind", "topics"]).to_pylist()}
    votes = pq.read_table(folder / "votes.parquet", columns=["rollcall_id", "ms_code", "vote"])
    by_call = collections.defaultdict(dict)
    for rid, code, vote in zip(*(votes[c].to_pylist() for c in ("rollcall_id", "ms_code", "vote"))):
        by_call[rid][code] = vote
    return calls, by_call


def expected(real, a, b, keep):
    calls, by_call = real
    out = collections.Counter()
    for rid, call in calls.items():
        votes = by_call[rid]
        if call["kind"] != "resolution" or not keep(call) or a not in votes or b not in votes:
            continue
        x, y = votes[a], votes[b]
        out["n"] += 1
        out["absent" if not (x in "YAN" and y in "YAN") else "same" if x == y
            else "opposite" if {x, y} == {"Y", "N"} else "partial"] += 1
    return out


def rows(*args):
    out = invoke(*args, "--format", "csv")
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout)))


def test_align_by_topic_counts_each_topic_of_a_roll_call(ga_store, real):
    got = {r["period"]: r for r in rows("align", "USA", "ISR", "--by", "topic", "--since", "2010")}
    assert list(got) == ["me", "nu", "di", "hr", "co", "ec", "none"]
    for code, r in got.items():
        want = expected(real, "USA", "ISR",
                        lambda c, code=code: c["date"].year >= 2010 and (
                            code in (c["topics"] or "").split(";") if code != "none" else not c["topics"]))
        assert [int(r[k]) for k in ("n", "same", "partial", "opposite", "absent")] == \
            [want[k] for k in ("n", "same", "partial", "opposite", "absent")], code


def test_topic_filter_takes_names_and_several(ga_store, real):
    (row,) = rows("align", "KHM", "USA", "--by", "all", "--topic", "human rights", "--topic", "nu")
    want = expected(real, "KHM", "USA", lambda c: bool({"hr", "nu"} & set((c["topics"] or "").split(";"))))
    assert int(row["n"]) == want["n"] and int(row["same"]) == want["same"]
    (again,) = rows("align", "KHM", "USA", "--by", "all", "--topic", "hr,nuclear")
    assert again == row


def test_topics_command_counts_per_decade(ga_store, real):
    calls, _ = real
    table = {r["topic"]: r for r in rows("topics")}
    hr_2010s = sum(1 for c in calls.values()
                   if c["kind"] == "resolution" and 2010 <= c["date"].year <= 2019
                   and "hr" in (c["topics"] or "").split(";"))
    assert int(table["hr"]["2010s"]) == hr_2010s and table["hr"]["name"] == "Human rights"


def test_unknown_topic_and_a_store_without_topics(ga_store, tmp_path):
    out = invoke("align", "KHM", "RUS", "--topic", "human rigths")
    assert out.returncode == 3 and "did you mean" in out.stderr and out.stderr.count("\n") == 1
    from unvote.store import Store

    old = Store(tmp_path / "old")
    calls = ga_store.rollcalls("ga")
    old.write("ga", calls.drop_columns(["topics"]), ga_store.votes("ga"), {})
    out = invoke("align", "KHM", "RUS", "--topic", "hr", env={"UNVOTE_DATA_DIR": str(old.root)})
    assert out.returncode == 5 and "has no topics yet; run: unvote fetch" in out.stderr
