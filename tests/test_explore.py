"""search, votes, align --votes, series, several partners, neighbors/matrix limits — on the real GA data,
each checked against an independent reading of the raw bulk CSV (DuckDB over the .csv.gz, Python logic)."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import re
import shlex
import sys
import unicodedata
from pathlib import Path

import pytest
from cli_runner import invoke

import unvote
from unvote.core.errors import NoData, UsageError


# ---- the raw CSV, read independently ---------------------------------------------------------------
@pytest.fixture(scope="module")
def raw(shared_data):
    """{record id: call dict} and {record id: {code: letter}} straight from the bulk CSV."""
    import duckdb

    con = duckdb.connect()
    rows = con.sql(
        "SELECT CAST(undl_id AS BIGINT), ms_code, upper(ms_vote), date, session, resolution, title, agenda_title, "
        f"subjects FROM read_csv('{shared_data / 'undl' / 'ga_voting.csv.gz'}', all_varchar = true)").fetchall()
    calls, votes = {}, collections.defaultdict(dict)
    for rid, code, vote, date, session, resolution, title, agenda, subjects in rows:
        calls.setdefault(rid, {"id": rid, "date": dt.date.fromisoformat(date), "session": session,
                               "resolution": resolution, "title": title or "", "agenda_title": agenda or "",
                               "subjects": subjects or ""})
        votes[rid][code] = vote
    return calls, votes


def tally_of(votes: dict) -> tuple:
    c = collections.Counter(votes.values())
    return c["Y"], c["N"], c["A"], c["X"]


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def mentions(call: dict, *terms: str) -> bool:
    hay = fold(" ".join([call["resolution"], call["title"], call["agenda_title"], call["subjects"]]))
    return all(re.search(r"(?<![0-9a-z])" + r"[^0-9a-z]+".join(map(re.escape, fold(t).split())), hay) for t in terms)


def cli(monkeypatch, capsys, *args):
    """Run the unvote command in this process (the shared harness): (exit code, stdout, stderr)."""
    import pandas  # noqa: F401  (loaded already, so without_pandas() leaves it alone for later tests)

    done = invoke(*args, env={"COLUMNS": "140"})
    return done.returncode, done.stdout, done.stderr


# ---- search ------------------------------------------------------------------------------------------
def test_search_ukraine_matches_an_independent_scan(ga_store, raw):
    calls, votes = raw
    found = unvote.search("Ukraine", store=ga_store)
    want = sorted((c for c in calls.values() if mentions(c, "ukraine")), key=lambda c: (c["date"], c["id"]),
                  reverse=True)
    assert found.column_values("rollcall_id") == [c["id"] for c in want]
    assert len(want) == 23
    for row in found.to_pylist():
        assert (row["yes"], row["no"], row["abstain"], row["non_voting"]) == tally_of(votes[row["rollcall_id"]])
    assert found.column_names[:9] == ["resolution", "date", "session", "yes", "no", "abstain", "non_voting",
                                      "topics", "title"]


def test_search_phrases_accents_and_apostrophes(ga_store, raw):
    calls, _ = raw
    phrase = unvote.search("territorial integrity", "Ukraine", store=ga_store).column_values("resolution")
    assert phrase == ["A/RES/ES-11/4", "A/RES/68/262"]
    assert unvote.search('"territorial integrity" ukraine', store=ga_store).column_values("resolution") == phrase
    # "régime" in the data; typed without the accent. The curly apostrophe of "People’s" matches a straight one.
    regime = unvote.search("colonialist regime", store=ga_store).column_values("rollcall_id")
    assert set(regime) == {c["id"] for c in calls.values() if mentions(c, "colonialist", "regime")} and regime
    korea = unvote.search("Democratic People's Republic of Korea", store=ga_store).column_values("rollcall_id")
    assert set(korea) == {c["id"] for c in calls.values() if mentions(c, "democratic people's republic of korea")}
    assert any("\u2019" in calls[i]["title"] for i in korea) and any("'" in calls[i]["title"] for i in korea)
    assert any("régime" in calls[i]["title"] for i in regime)


def test_search_span_and_limit(ga_store, raw):
    calls, _ = raw
    recent = unvote.search("nuclear", since="2020", store=ga_store)
    want = [c for c in calls.values() if c["date"] >= dt.date(2020, 1, 1) and mentions(c, "nuclear")]
    assert recent.num_rows == len(want) > 50
    top = unvote.search("nuclear", since="2020", limit=5, store=ga_store)
    assert top.rows == recent.rows[:5]
    assert unvote.search("nuclear", year=2022, session="77", store=ga_store).num_rows == \
        sum(1 for c in want if c["date"].year == 2022 and c["session"] == "77")


def test_search_nothing_found_suggests_titles(ga_store, monkeypatch, capsys):
    with pytest.raises(NoData, match="close titles: .*Ukraine"):
        unvote.search("Ukriane", store=ga_store)
    code, out, err = cli(monkeypatch, capsys, "search", "nucler", "wepons")
    assert code == 4 and out == "" and "nuclear weapons" in err.lower()


def test_search_terminal_shows_50_and_says_how_to_get_the_rest(ga_store, monkeypatch, capsys):
    total = unvote.search("nuclear", store=ga_store).num_rows
    code, out, _ = cli(monkeypatch, capsys, "search", "nuclear", "--format", "table")
    assert code == 0
    assert f"{total - 50} more ({total} in all): add --limit {total}, or --format csv" in out
    code, out, _ = cli(monkeypatch, capsys, "search", "nuclear")  # not a terminal: CSV, every row
    assert code == 0 and len(list(csv.reader(io.StringIO(out)))) == total + 1


# ---- a country's record ----------------------------------------------------------------------------------
def with_plurality(vote: str, counts: tuple):
    if vote not in "YNA":
        return None
    by = dict(zip("YNA", counts[:3]))
    return by[vote] == max(by.values())


def with_outcome(vote: str, counts: tuple):
    if vote not in "YNA":
        return None
    return vote == ("Y" if counts[0] > counts[1] else "N")


def test_votes_khm_2022(ga_store, raw):
    calls, votes = raw
    record = unvote.voting_record("KHM", year=2022, store=ga_store).to_pylist()
    want = sorted((c for c in calls.values() if c["date"].year == 2022 and "KHM" in votes[c["id"]]),
                  key=lambda c: (c["date"], c["id"]))
    assert [r["rollcall_id"] for r in record] == [c["id"] for c in want] and len(want) == 89
    for r in record:
        mine = votes[r["rollcall_id"]]
        assert r["vote"] == mine["KHM"] and r["country"] == "KHM"
        assert (r["yes"], r["no"], r["abstain"], r["non_voting"]) == tally_of(mine)
        assert r["with_plurality"] == with_plurality(mine["KHM"], tally_of(mine))
        assert r["with_outcome"] == with_outcome(mine["KHM"], tally_of(mine))
    assert {r["with_plurality"] for r in record} == {True, False, None}
    assert {r["with_outcome"] for r in record} == {True, False, None}


def test_votes_default_is_the_latest_complete_year(ga_store, raw):
    calls, votes = raw
    newest = max(c["date"] for c in calls.values())
    assert newest == dt.date(2025, 10, 29)  # so 2025 is not complete: the default is 2024
    record = unvote.voting_record("KHM", store=ga_store)
    assert {d.year for d in record.column_values("date")} == {2024}
    assert record.num_rows == sum(1 for c in calls.values() if c["date"].year == 2024 and "KHM" in votes[c["id"]])


def test_votes_search_and_vote_filters(ga_store, raw):
    calls, votes = raw
    ukraine = unvote.voting_record("Cambodia", year=2022, search=["Ukraine"], store=ga_store)
    assert ukraine.column_values("rollcall_id") == sorted(
        (c["id"] for c in calls.values() if c["date"].year == 2022 and mentions(c, "ukraine")),
        key=lambda i: (calls[i]["date"], i))
    assert ukraine.column_values("vote") == ["Y", "Y", "A", "Y", "A", "A"]
    against = unvote.voting_record("RUS", since="2020", until="2024", vote="N,A", store=ga_store)
    assert against.num_rows == sum(1 for c in calls.values() if 2020 <= c["date"].year <= 2024
                                   and votes[c["id"]].get("RUS") in ("N", "A"))
    with pytest.raises(UsageError):
        unvote.voting_record("RUS", vote="Q", store=ga_store)


def test_votes_of_a_group_is_its_plurality(ga_store, raw):
    calls, votes = raw
    asean = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")  # members all 2022
    record = unvote.voting_record("ASEAN", year=2022, store=ga_store).to_pylist()
    assert len(record) == 89
    for r in record:
        counts = collections.Counter(votes[r["rollcall_id"]][m] for m in asean if m in votes[r["rollcall_id"]])
        cast = {k: counts[k] for k in "YAN" if counts[k]}
        top = max(cast.values()) if cast else 0
        leaders = [k for k, n in cast.items() if n == top]
        assert r["vote"] == (leaders[0] if len(leaders) == 1 else "X"), r["resolution"]


def test_votes_cli(ga_store, monkeypatch, capsys):
    code, out, _ = cli(monkeypatch, capsys, "votes", "KHM", "--year", "2022", "--search", "Ukraine")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["resolution"] for r in rows][:2] == ["A/RES/ES-11/1", "A/RES/ES-11/2"]
    assert set(rows[0]) >= {"resolution", "date", "country", "vote", "yes", "no", "abstain", "non_voting",
                            "with_plurality", "with_outcome", "topics", "title"}
    assert rows[0]["with_plurality"] == "True" and rows[2]["with_plurality"] == "False"


# ---- the votes behind a score -------------------------------------------------------------------------------
def relation(a, b):
    if a is None or b is None:
        return None
    if a in "YAN" and b in "YAN" and len(a) == len(b) == 1:
        return "same" if a == b else "partial" if "A" in (a, b) else "opposite"
    return "absent"


@pytest.mark.parametrize("a,b,year", [("KHM", "RUS", 2022), ("USA", "ISR", 2010), ("CHN", "IND", 1995),
                                      ("FRA", "GBR", 2024)])
def test_align_votes_add_up_to_align(ga_store, raw, a, b, year):
    calls, votes = raw
    rows = unvote.align_votes(a, b, year=year, store=ga_store).to_pylist()
    counted = collections.Counter(r["relation"] for r in rows)
    pooled = unvote.align(a, b, year=year, by="all", store=ga_store).to_pylist()[0]
    assert {k: counted[k] for k in ("same", "partial", "opposite", "absent")} == \
        {k: pooled[k] for k in ("same", "partial", "opposite", "absent")} and len(rows) == pooled["n"]
    want = {c["id"]: relation(votes[c["id"]].get(a), votes[c["id"]].get(b))
            for c in calls.values() if c["date"].year == year}
    assert {r["rollcall_id"]: r["relation"] for r in rows} == {k: v for k, v in want.items() if v}
    for r in rows:
        assert (r["a_vote"], r["b_vote"]) == (votes[r["rollcall_id"]][a], votes[r["rollcall_id"]][b])


def test_align_votes_differ_most_contested_first(ga_store):
    rows = unvote.align_votes("KHM", "RUS", year=2022, differ=True, store=ga_store).to_pylist()
    assert {r["relation"] for r in rows} == {"partial", "opposite"} and len(rows) == 21 + 15
    gaps = [abs(r["yes"] - r["no"]) for r in rows]
    assert gaps == sorted(gaps)


def test_align_several_partners_and_year(ga_store, monkeypatch, capsys):
    many = unvote.align("KHM", ["RUS", "USA", "CHN"], year=2022, by="all", store=ga_store).to_pylist()
    assert [r["partner"] for r in many] == ["RUS", "USA", "CHN"]
    for r in many:
        one = unvote.align("KHM", r["partner"], year=2022, by="all", store=ga_store).to_pylist()[0]
        assert {k: r[k] for k in one} == one
    code, out, _ = cli(monkeypatch, capsys, "align", "KHM", "RUS", "USA", "CHN", "--year", "2022", "--by", "all")
    assert code == 0 and out.splitlines()[0].startswith("partner,period,n,")
    code, out, _ = cli(monkeypatch, capsys, "align", "KHM", "RUS", "--year", "2022", "--format", "table")
    assert code == 0 and "KHM (rows) × RUS (columns)" in out and "not voting" in out


# ---- recurring resolutions ----------------------------------------------------------------------------------
CUBA = "Necessity of ending the economic, commercial and financial embargo imposed by the United States of America against Cuba"


def test_cuba_series_one_roll_call_a_year_with_the_raw_tallies(ga_store, raw):
    calls, votes = raw
    found = unvote.series("80/4", store=ga_store).to_pylist()
    want = sorted((c for c in calls.values() if c["agenda_title"] == CUBA), key=lambda c: c["date"])
    assert [r["rollcall_id"] for r in found] == [c["id"] for c in want]
    years = [r["date"].year for r in found]
    assert years == [y for y in range(1992, 2026) if y != 2020]  # no recorded vote in 2020 (COVID-19)
    for r in found:
        assert (r["yes"], r["no"], r["abstain"], r["non_voting"]) == tally_of(votes[r["rollcall_id"]])
    assert found[-1]["resolution"] == "A/RES/80/4" and (found[-1]["yes"], found[-1]["no"]) == (165, 7)
    assert [r["rollcall_id"] for r in unvote.series("embargo Cuba", store=ga_store).to_pylist()] == \
        [r["rollcall_id"] for r in found]


def test_cuba_series_changes(ga_store, raw):
    calls, votes = raw
    series = [c for c in sorted(calls.values(), key=lambda c: c["date"]) if c["agenda_title"] == CUBA]
    last: dict = {}
    want = []
    for c in series:
        for code, vote in sorted(votes[c["id"]].items()):
            code = {"SUN": "RUS", "GER": "DEU", "SCG": "SRB"}.get(code, code)
            if code in last and last[code] != vote:
                want.append((c["resolution"], code, last[code], vote))
            last[code] = vote
    got = unvote.series_changes("80/4", store=ga_store).to_pylist()
    assert [(r["resolution"], r["country"], r["previous"], r["vote"]) for r in got] == want
    latest = {(r["country"], r["previous"], r["vote"]) for r in got if r["resolution"] == "A/RES/80/4"}
    assert ("ARG", "Y", "N") in latest and ("HUN", "Y", "N") in latest


def test_series_long_form(ga_store, raw):
    _, votes = raw
    long = unvote.series_votes("80/4", since="2024", store=ga_store).to_pylist()
    assert {r["resolution"] for r in long} == {"A/RES/79/7", "A/RES/80/4"}
    by = {(r["resolution"], r["country"]): r["vote"] for r in long}
    rid = unvote.find("80/4", store=ga_store).column_values("rollcall_id")[0]
    assert {c: v for (res, c), v in by.items() if res == "A/RES/80/4"} == votes[rid]


# ---- neighbors and matrix limits ---------------------------------------------------------------------------------
def test_neighbors_min_votes_and_limit(ga_store):
    rows = unvote.neighbors("KHM", year=2022, min_votes=10, store=ga_store).to_pylist()
    few = [r for r in rows if r["same"] + r["partial"] + r["opposite"] < 10]
    assert {r["country"] for r in few} == {"STP", "TON", "VEN"}
    assert all(r["rank"] is None for r in few) and rows[-3:] == few
    everyone = unvote.neighbors("KHM", year=2022, min_votes=0, store=ga_store).to_pylist()
    assert everyone[0]["country"] == "STP" and everyone[0]["rank"] == 1
    assert unvote.neighbors("KHM", year=2022, min_votes=10, limit=5, store=ga_store).to_pylist() == rows[:5]


def test_matrix_limit_top_pairs(ga_store):
    full = unvote.matrix(year=2022, store=ga_store).to_pylist()
    top = unvote.matrix(year=2022, limit=10, store=ga_store).to_pylist()
    assert len(top) == 10 and all(r["a"] < r["b"] for r in top)
    eligible = sorted((r for r in full if r["a"] < r["b"] and r["same"] + r["partial"] + r["opposite"] >= 10),
                      key=lambda r: (-r["score"], -r["n"], r["a"], r["b"]))
    assert top == eligible[:10]


# ---- docs/explore.md: every example is real -------------------------------------------------------------
DOC = Path(__file__).resolve().parents[1] / "docs" / "explore.md"


def doc_examples():
    text = DOC.read_text("utf-8")
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        for example in re.split(r"^(?=\$ )", block, flags=re.M):
            if example.strip():
                command, *output = example.rstrip("\n").split("\n")
                yield command[2:], output


def pipe(lines: list[str], stage: str) -> list[str]:
    head = re.fullmatch(r"head -(\d+)", stage)
    if head:
        return lines[:int(head.group(1))]
    cut = re.fullmatch(r"cut -d, -f(\d+)-(\d+)", stage)
    assert cut, f"docs use a pipe the test cannot run: {stage}"
    first, last = int(cut.group(1)), int(cut.group(2))
    return [",".join(line.split(",")[first - 1:last]) for line in lines]  # as cut does: no CSV quoting


def test_docs_examples_are_real(ga_store, monkeypatch, capsys):
    examples = list(doc_examples())
    assert len(examples) >= 10
    for command, output in examples:
        if "--source voeten" in command:
            continue
        stages = [s.strip() for s in command.split("|")]
        args = shlex.split(stages[0])[1:]
        code, out, err = cli(monkeypatch, capsys, *args)
        assert code == 0, (command, err)
        lines = out.splitlines()
        for stage in stages[1:]:
            lines = pipe(lines, stage)
        assert err.splitlines() + lines == output, command  # as a terminal shows them: stderr (notes) first


def test_quick_explore_commands_load_no_numeric_engines(ga_store):
    """search, votes (of a country), align --votes and series answer from DuckDB rows alone."""
    import json
    import os
    import subprocess

    probe = ("import sys, json\n"
             "from unvote.cli import app\n"
             "for args in (['search', 'Ukraine'], ['votes', 'KHM', '--year', '2022'], "
             "['align', 'KHM', 'RUS', '--year', '2022', '--votes'], ['series', '80/4'], "
             "['series', '80/4', '--changes']):\n"
             "    app(args + ['--format', 'csv'], standalone_mode=False)\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pandas', 'pyarrow'})),"
             " file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "UNVOTE_DATA_DIR": str(ga_store.root)})
    assert out.returncode == 0, out.stderr
    assert "A/RES/ES-11/4,2022-10-12,ES-11,143,5,35,10" in out.stdout
    assert json.loads(out.stderr.strip().splitlines()[-1]) == []
