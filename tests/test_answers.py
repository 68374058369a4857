"""The newsroom's small answers (issue 16 §4–5): short names, subjects, record links, votes --alone,
--wide and --summary, and neighbors' participation — each checked against an independent count made
with DuckDB SQL straight on the store's Parquet files (never against the code under test)."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import duckdb
import pytest
from cli_runner import invoke

import unvote
from unvote.core.errors import ExitStatus

ROOT = Path(__file__).resolve().parents[1]
RECORD = "https://digitallibrary.un.org/record/"


@pytest.fixture(scope="module")
def ga(ga_store_dir):
    """A DuckDB connection with the GA store's roll calls and votes as views ``r`` and ``v``."""
    from unvote.store import Store

    folder = Store(ga_store_dir).version("ga")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW r AS SELECT * FROM read_parquet('{folder / 'rollcalls.parquet'}')")
    con.execute(f"CREATE VIEW v AS SELECT * FROM read_parquet('{folder / 'votes.parquet'}')")
    yield con
    con.close()


def _csv(out) -> list[dict]:
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout)))


# ---- subject: the title without the catalogue's tail ------------------------------------------------------
# Each tail form found in the data (a scan of every title's last " : " part); each must occur, and go.
TAILS = (" : resolution / adopted by the General Assembly", " : resolution / adopted by the General Assemly",
         " : resolution / adopted by the General Assembly.", " : resolutions / adopted by the General Assembly.",
         " : resolutions / adopted by the General Assembly", " : resolution / by the General Assembly",
         " : resolution adopted by the General Assembly", " : resolultion / adopted by the General Assembly",
         " : resoultion / adopted by the General Assembly", " : resolution / adopted by the General",
         " : resolution / adopted by the United Nations", " : resolution / submitted by the General Assembly",
         " : resolution / addopted by the General Assembly", " : resolution / adoped by the General Assembly",
         " :resolution / adopted by the General Assembly", " resolution / adopted by the General Assembly",
         " resolutio / adopted by the General Assembly")


def test_subject_of_every_title(merged_store_dir):
    """Every title held (the UN's, Voeten's, the merged history's) keeps a non-empty subject, which
    starts the title; each tail form of the data is removed whole, and nothing that is a subtitle."""
    from unvote.model.text import subject
    from unvote.store import Store

    store = Store(merged_store_dir)
    titles = []
    for dataset in ("ga", "voeten", "merged"):
        path = store.version(dataset) / "rollcalls.parquet"
        titles += [t for (t,) in duckdb.execute(f"SELECT title FROM read_parquet('{path}')").fetchall()]
    assert len(titles) > 17000 and all(titles)
    for title in titles:
        got = subject(title)
        assert got and title.startswith(got), title
        assert not re.search(r"(?i)(\s:\s*res(ol|ou)\w*(\s*/.*|\s+adopted.*)?|\sres(ol|ou)\w*\s*/.*)$", got), title
    for tail in TAILS:  # (a tail without a colon: the titles that have none before it)
        having = [t for t in titles if t.endswith(tail) and not t[: -len(tail)].rstrip().endswith(":")]
        assert having, tail
        assert all(subject(t) == t[: -len(tail)].rstrip() for t in having), tail
    # a subtitle that names a resolution stays, and so does a last word that only starts like one
    assert subject("Permanent sovereignty over natural resources") == "Permanent sovereignty over natural resources"
    assert subject("Namibia : implementation of Security Council resolution 435 (1978) : resolution / adopted "
                   "by the General Assembly") == "Namibia : implementation of Security Council resolution 435 (1978)"


# ---- url: the UN Digital Library record ---------------------------------------------------------------------
def test_url_is_the_record_and_empty_without_one(ga, merged_store_dir, monkeypatch):
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(merged_store_dir))
    (rid,) = ga.execute("SELECT rollcall_id FROM r WHERE resolution = 'A/RES/ES-11/1'").fetchone()
    rows = _csv(invoke("tally", "ES-11/1", "--format", "csv"))
    assert rows[0]["url"] == f"{RECORD}{rid}" and rows[0]["subject"] == "Aggression against Ukraine"
    # the merged history: the UN's roll calls link to their record, Voeten's own have none
    from unvote.store import Store

    path = Store(merged_store_dir).version("merged") / "rollcalls.parquet"
    source = dict(duckdb.execute(f"SELECT rollcall_id, source FROM read_parquet('{path}') "
                                 "WHERE year(date) = 1958").fetchall())
    record = unvote.voting_record("USA", year=1958, source="merged").to_pylist()
    assert {r["rollcall_id"] for r in record} <= set(source)
    assert {source[r["rollcall_id"]] for r in record} == {"undl-csv", "voeten"}  # both kinds are checked
    for r in record:
        assert r["url"] == (None if source[r["rollcall_id"]] == "voeten" else f"{RECORD}{r['rollcall_id']}")
    for command in (("search", "Ukraine", "--year", "2022"), ("series", "80/4", "--since", "2024"),
                    ("align", "KHM", "RUS", "--year", "2022", "--votes"), ("votes", "KHM", "--year", "2022")):
        for row in _csv(invoke(*command, "--format", "csv")):
            assert row["url"] == f"{RECORD}{row['rollcall_id']}", command


# ---- --names short --------------------------------------------------------------------------------------------
def test_names_short_everywhere_a_name_is_printed(ga_store):
    with open(ROOT / "unvote" / "data" / "countries.csv", encoding="utf-8", newline="") as f:
        table = {r["code"]: r for r in csv.DictReader(f)}
    official = _csv(invoke("tally", "ES-11/1", "--countries", "--format", "csv"))
    short = _csv(invoke("tally", "ES-11/1", "--countries", "--names", "short", "--format", "csv"))
    assert len(official) == len(short) == 193
    for o, s in zip(official, short):
        assert o["name"] == table[o["country"]]["name"]
        assert s["name"] == (table[s["country"]]["short"] or table[s["country"]]["name"])
    names = {s["country"]: s["name"] for s in short}
    assert (names["RUS"], names["IRN"], names["SYR"], names["TUR"]) == ("Russia", "Iran", "Syria", "Türkiye")
    # the other commands that print names take the same option and apply the same mapping
    near = _csv(invoke("neighbors", "USA", "--year", "2023", "--names", "short", "--format", "csv"))
    assert {r["name"] for r in near if r["country"] == "RUS"} == {"Russia"}
    group = _csv(invoke("groups", "P5", "--names", "short"))
    assert "Russia" in {r["name"] for r in group}
    summary = _csv(invoke("votes", "IRN", "--year", "2023", "--summary", "--names", "short", "--format", "csv"))
    assert summary[0]["name"] == "Iran"
    bad = invoke("tally", "ES-11/1", "--names", "local")
    assert bad.returncode == ExitStatus.USAGE and bad.stderr.count("\n") == 1


# ---- votes --alone --------------------------------------------------------------------------------------------
LONE = """SELECT r.rollcall_id FROM r JOIN v USING (rollcall_id)
          WHERE v.ms_code = ? AND v.vote IN ('Y', 'N', 'A') AND year(r.date) BETWEEN ? AND ?
            AND (SELECT count(*) FROM v w WHERE w.rollcall_id = r.rollcall_id AND w.vote = v.vote) <= ?"""


def test_alone_usa_lone_no_votes(ga, ga_store):
    by_year = dict(ga.execute(f"SELECT year(r.date), count(*) FROM ({LONE}) q JOIN r USING (rollcall_id) "
                              "JOIN v ON v.rollcall_id = r.rollcall_id AND v.ms_code = 'USA' AND v.vote = 'N' "
                              "GROUP BY 1", ["USA", 2022, 2025, 1]).fetchall())
    assert by_year == {2025: 14}  # 14 lone No votes in 2025, none in 2022–2024
    rows = _csv(invoke("votes", "USA", "--year", "2025", "--alone", "--vote", "N", "--format", "csv"))
    assert len(rows) == 14 and {r["vote"] for r in rows} == {"N"} and {r["on_its_side"] for r in rows} == {"1"}
    none = invoke("votes", "USA", "--since", "2022", "--until", "2024", "--alone", "--vote", "N", "--format", "csv")
    assert none.returncode == ExitStatus.NO_DATA and none.stderr.count("\n") == 1
    # --alone K: every side, K members at most, against the votes themselves
    want = {rid for (rid,) in ga.execute(LONE, ["USA", 2024, 2024, 3]).fetchall()}
    got = _csv(invoke("votes", "USA", "--year", "2024", "--alone", "3", "--format", "csv"))
    assert {int(r["rollcall_id"]) for r in got} == want and want
    assert invoke("votes", "USA", "--alone", "0").returncode == ExitStatus.USAGE


# ---- votes --wide ---------------------------------------------------------------------------------------------
def test_wide_one_column_per_country(ga, ga_store):
    rows = _csv(invoke("votes", "USA", "RUS", "CHN", "--year", "2024", "--wide", "--format", "csv"))
    held = {(rid, code): vote for rid, code, vote in ga.execute(
        "SELECT rollcall_id, ms_code, vote FROM v JOIN r USING (rollcall_id) WHERE year(r.date) = 2024 "
        "AND ms_code IN ('USA', 'RUS', 'CHN')").fetchall()}
    assert len(rows) == len({rid for rid, _ in held})
    for row in rows:
        for code in ("USA", "RUS", "CHN"):
            assert (row[code] or None) == held.get((int(row["rollcall_id"]), code))
    assert any(r["USA"] != r["RUS"] for r in rows)
    assert invoke("votes", "USA", "--wide").returncode == ExitStatus.USAGE  # one country is not side by side


# ---- votes --summary ------------------------------------------------------------------------------------------
SUMMARY = """
WITH c AS (SELECT rollcall_id, count(*) FILTER (WHERE vote = 'Y') AS y, count(*) FILTER (WHERE vote = 'N') AS n,
                  count(*) FILTER (WHERE vote = 'A') AS a
           FROM v JOIN r USING (rollcall_id) WHERE year(r.date) = ? GROUP BY rollcall_id),
m AS (SELECT v.ms_code, count(*) AS listed, count(*) FILTER (WHERE vote = 'Y') AS yes,
             count(*) FILTER (WHERE vote = 'N') AS no, count(*) FILTER (WHERE vote = 'A') AS abstain,
             count(*) FILTER (WHERE vote = 'X') AS non_voting,
             count(*) FILTER (WHERE (vote = 'Y' AND y > n) OR (vote = 'N' AND y <= n)) AS outcome,
             count(*) FILTER (WHERE vote IN ('Y', 'N', 'A')
                              AND CASE vote WHEN 'Y' THEN y WHEN 'N' THEN n ELSE a END = greatest(y, n, a)) AS plural
      FROM v JOIN c USING (rollcall_id) GROUP BY v.ms_code),
s AS (SELECT *, outcome / (yes + no + abstain) AS share FROM m WHERE yes + no + abstain > 0)
SELECT ms_code, listed, yes, no, abstain, non_voting, plural / (yes + no + abstain), share,
       (SELECT 1 + count(*) FROM s t WHERE t.share > s.share), (SELECT count(*) FROM s) FROM s"""


def test_summary_counts_shares_and_rank(ga, ga_store):
    want = {row[0]: row[1:] for row in ga.execute(SUMMARY, [2023]).fetchall()}
    rows = _csv(invoke("votes", "USA", "CHN", "IND", "--year", "2023", "--summary", "--format", "csv"))
    assert [r["country"] for r in rows] == ["USA", "CHN", "IND"] and {r["period"] for r in rows} == {"2023"}
    for r in rows:
        listed, yes, no, abstain, non_voting, plural, outcome, rank, ranked = want[r["country"]]
        assert (int(r["roll_calls"]), int(r["yes"]), int(r["no"]), int(r["abstain"]), int(r["non_voting"])) == \
            (listed, yes, no, abstain, non_voting)
        assert float(r["with_plurality"]) == pytest.approx(plural, abs=1e-6)
        assert float(r["with_outcome"]) == pytest.approx(outcome, abs=1e-6)
        assert (int(r["rank_with_outcome"]), int(r["ranked"])) == (rank, ranked)
    usa = rows[0]
    assert int(usa["rank_with_outcome"]) >= int(usa["ranked"]) - 2  # the US: among the least often on the winning side


# ---- neighbors: cast, the stated minimum, ties -------------------------------------------------------------
def test_neighbors_cast_minimum_and_note(ga, ga_store):
    out = invoke("neighbors", "USA", "--year", "2023", "--format", "csv")
    rows = _csv(out)
    cast = dict(ga.execute("SELECT ms_code, count(*) FROM v JOIN r USING (rollcall_id) WHERE year(r.date) = 2023 "
                           "AND vote IN ('Y', 'N', 'A') GROUP BY ms_code").fetchall())
    joint = dict(ga.execute(
        "SELECT o.ms_code, count(*) FROM v u JOIN v o USING (rollcall_id) JOIN r USING (rollcall_id) "
        "WHERE year(r.date) = 2023 AND u.ms_code = 'USA' AND o.ms_code <> 'USA' AND u.vote IN ('Y', 'N', 'A') "
        "AND o.vote IN ('Y', 'N', 'A') GROUP BY o.ms_code").fetchall())
    least = math.ceil(cast["USA"] / 2)
    few = {c for c, n in joint.items() if n < least}
    assert cast["USA"] == 88 and least == 44
    assert out.stderr == (f"note: not ranked: {len(few)} countries that voted Y/A/N on fewer than {least} of the "
                          f"88 roll calls USA voted on (default: half; see --min-votes)\n")
    by = {r["country"]: r for r in rows}
    for code, r in by.items():
        assert int(r["cast"]) == cast.get(code, 0)
        assert (r["rank"] == "") == (code in few or code not in joint)
    # Liberia voted on 21 of the 88 and agreed on most: listed, not ranked (5th with --min-votes 10)
    assert (by["LBR"]["cast"], by["LBR"]["rank"]) == ("21", "")
    old = {r["country"]: r["rank"] for r in _csv(invoke("neighbors", "USA", "--year", "2023", "--min-votes", "10",
                                                       "--format", "csv"))}
    assert old["LBR"] == "5"
    # ties: the same score ranks the one with more votes both cast first, then by name
    ranked = [r for r in rows if r["rank"]]
    keys = [(-float(r["score"]), -(int(r["same"]) + int(r["partial"]) + int(r["opposite"])), r["name"]) for r in ranked]
    assert keys == sorted(keys) and len(set(k[0] for k in keys)) < len(keys)  # there are ties to break
