"""``--about WORDS``: a filter of the Selection matching words as ``search`` does, on every analysis
command. Each expectation is computed independently: DuckDB reads the Parquet files, Python folds
the text and looks for each word at the start of a word."""

from __future__ import annotations

import re
import unicodedata

import pytest
from cli_runner import invoke

import unvote
from unvote.core.errors import NoData, UsageError

TEXT = ("resolution", "draft", "title", "agenda_title", "subjects")  # the GA store's text columns


def duck(sql: str, params=()):
    import duckdb

    return duckdb.connect().execute(sql, list(params)).fetchall()


def parquet(store, table: str) -> str:
    return str(store.version("ga") / f"{table}.parquet").replace("'", "''")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def matching(store, words: list[str], since: str, until: str = "2100-01-01") -> list[int]:
    """Roll calls (whole resolutions) in the span whose text holds every word or phrase at the start
    of a word (a phrase's words parted by anything but letters and digits), oldest first."""
    rows = duck(f"SELECT rollcall_id, {', '.join(TEXT)} FROM read_parquet('{parquet(store, 'rollcalls')}') "
                "WHERE date BETWEEN ?::DATE AND ?::DATE AND coalesce(kind, 'resolution') = 'resolution' "
                "ORDER BY date, rollcall_id", [since, until])
    patterns = [re.compile(r"(?:^|[^a-z0-9])" + r"[^a-z0-9]+".join(map(re.escape, fold(w).split())))
                for w in words]
    return [r[0] for r in rows if all(p.search(fold(" ".join(t for t in r[1:] if t))) for p in patterns)]


@pytest.fixture(scope="module")
def store(ga_store_dir):
    from unvote.store import Store

    return Store(ga_store_dir)


@pytest.mark.parametrize("words", [["Ukraine"], ["territorial integrity"], ["nuclear", "Middle East"]])
def test_about_selects_the_roll_calls_whose_text_holds_the_words(store, words):
    wanted = matching(store, words, "2015-01-01")
    assert wanted, words  # the check means something only if some roll calls match
    got = unvote.rollcalls(since="2015", about=words, kind="resolution", store=store).column("rollcall_id").to_pylist()
    assert got == wanted
    # search's rule, shared: search finds the same roll calls
    assert sorted(unvote.search(*words, since="2015", store=store).column_values("rollcall_id")) == sorted(wanted)


def test_align_counts_only_those_roll_calls(store):
    """align KHM RUS --since 2022 --about Ukraine: n is the roll calls about Ukraine both voted Y/A/N on,
    and same/opposite are counted off the votes file."""
    ids = matching(store, ["Ukraine"], "2022-01-01")
    votes = duck(f"SELECT rollcall_id, ms_code, vote FROM read_parquet('{parquet(store, 'votes')}') "
                 "WHERE ms_code IN ('KHM', 'RUS') AND rollcall_id IN (SELECT unnest(?::BIGINT[]))", [ids])
    by = {}
    for rid, code, vote in votes:
        by.setdefault(rid, {})[code] = vote
    both = [v for v in by.values() if v.get("KHM") in ("Y", "N", "A") and v.get("RUS") in ("Y", "N", "A")]
    (row,) = unvote.align("KHM", "RUS", since=2022, about="Ukraine", by="all", store=store).to_pylist()
    assert row["n"] == len(both) > 5
    assert row["same"] == sum(v["KHM"] == v["RUS"] for v in both)
    assert row["opposite"] == sum({v["KHM"], v["RUS"]} == {"Y", "N"} for v in both)


def test_every_analysis_command_takes_about(store, monkeypatch):
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(store.root))
    ids = matching(store, ["Ukraine"], "2022-01-01", "2022-12-31")
    resolutions = {r[0] for r in duck(f"SELECT resolution FROM read_parquet('{parquet(store, 'rollcalls')}') "
                                      "WHERE rollcall_id IN (SELECT unnest(?::BIGINT[]))", [ids])}
    record = invoke("votes", "KHM", "--year", "2022", "--about", "Ukraine", "--format", "json")
    assert record.returncode == 0, record.stderr
    import json

    assert {r["resolution"] for r in json.loads(record.stdout)} == resolutions
    for args in (["neighbors", "KHM"], ["matrix", "--limit", "3"], ["cohesion", "ASEAN"], ["ideal", "--min-votes", "3"],
                 ["align", "KHM", "RUS"]):
        out = invoke(*args, "--year", "2022", "--about", "Ukraine", "--format", "csv")
        assert out.returncode == 0, (args, out.stderr)
    cohesion = invoke("cohesion", "ASEAN", "--year", "2022", "--about", "Ukraine", "--format", "json")
    assert json.loads(cohesion.stdout)[0]["rollcalls"] == len(ids)
    # tally --by-group: only the symbols named that are about the words
    grouped = invoke("tally", "ES-11/1", "--by-group", "EU", "--about", "Ukraine", "--format", "json")
    assert grouped.returncode == 0 and {r["resolution"] for r in json.loads(grouped.stdout)} == {"A/RES/ES-11/1"}
    alone = invoke("tally", "ES-11/1", "--about", "Ukraine")
    assert alone.returncode == 2 and "--about goes with --by-group" in alone.stderr


def test_blank_words_are_a_usage_error_and_no_match_is_no_data(store, monkeypatch):
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(store.root))
    for words in (" ", "", '"'):
        with pytest.raises(UsageError):
            unvote.Selection.of(about=words)
        out = invoke("align", "KHM", "RUS", "--about", words)
        assert out.returncode == 2 and out.stderr.count("\n") == 1, (words, out.stderr)
    with pytest.raises(NoData, match="about Xyzzyq; see what the words match with: unvote search Xyzzyq"):
        unvote.align("KHM", "RUS", about="Xyzzyq", store=store)
    out = invoke("neighbors", "KHM", "--since", "2022", "--about", "Xyzzyq")
    assert out.returncode == int(NoData.exit_code) and "no GA roll calls since 2022-01-01 about Xyzzyq" in out.stderr


def test_a_selection_and_about_keyword_agree(store):
    sel = unvote.Selection.of(year=2022, about=["Ukraine"])
    assert sel.about == ("Ukraine",)
    by_keywords = unvote.neighbors("KHM", year=2022, about="Ukraine", store=store)
    assert repr(unvote.neighbors("KHM", selection=sel, store=store).to_pylist()) == repr(by_keywords.to_pylist())
    with pytest.raises(UsageError, match="about='Syria' disagrees"):
        unvote.neighbors("KHM", about="Syria", selection=sel, store=store)


def test_the_docs_count_of_roll_calls_with_subjects_is_the_stores(store):
    """docs/explore.md states how many GA roll calls carry the UN's subject headings: counted here."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "explore.md").read_text("utf-8")
    m = re.search(r"\*\*([\d,]+) of\s+the ([\d,]+) GA roll calls \(([\d.]+) %\)\*\* have subject headings, "
                  r"([\d,]+) \(([\d.]+) %\) an agenda title", text)
    assert m, "the count is missing from docs/explore.md"
    subjects, agenda = (duck(f"SELECT count(*) FILTER (WHERE coalesce({c}, '') <> '') "
                             f"FROM read_parquet('{parquet(store, 'rollcalls')}')")[0][0] for c in ("subjects", "agenda_title"))
    total = duck(f"SELECT count(*) FROM read_parquet('{parquet(store, 'rollcalls')}')")[0][0]
    assert (int(m[1].replace(",", "")), int(m[2].replace(",", "")), int(m[4].replace(",", ""))) == \
        (subjects, total, agenda)
    assert float(m[3]) == round(100 * subjects / total, 1) and float(m[5]) == round(100 * agenda / total, 1)


def test_words_beyond_the_room_are_a_usage_error_not_a_label_of_60_kb():
    """search and --about share the words' rule, and its size: a label names the words, so at most
    MAX_WORDS_CHARACTERS of them; a long title pasted whole still fits."""
    from unvote.model.text import MAX_WORDS_CHARACTERS, terms

    title = "Territorial integrity of Ukraine : resolution / adopted by the General Assembly"
    assert terms([title]) == ["territorial integrity of ukraine : resolution / adopted by the general assembly"]
    words = "ab " * 20_000
    for args in (("align", "KHM", "RUS", "--about", words), ("search", words)):
        done = invoke(*args)
        assert done.returncode == 2, done.stderr
        assert done.stderr == (f"unvote: error: 60,000 characters of words to look for; give at most "
                               f"{MAX_WORDS_CHARACTERS} (the few words that matter, or a phrase in quotes)\n")
    with pytest.raises(UsageError):
        unvote.align("KHM", "RUS", about=["x" * (MAX_WORDS_CHARACTERS + 1)])
