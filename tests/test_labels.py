"""Every label names every filter: each chart type drawn once under a set of filters (real GA data)
must carry each filter's words in its SVG text, and so must the xlsx provenance sheet, Parquet's
metadata and the note under a terminal table. The library takes one ``Selection`` or the keywords,
built and validated once."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from cli_runner import invoke

SVG = "{http://www.w3.org/2000/svg}"


def svg_text(path) -> str:
    """Every <text> element's text, one per line (a chart's text stays text: svg.fonttype none)."""
    root = ET.parse(path).getroot()
    return "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


# each chart type once, under several filters at a time: (command, words its chart must show)
CHARTS = {
    "align": (["align", "KHM", "RUS", "--topic", "hr", "--since", "2015", "--until", "2024", "--exclude-unanimous",
               "--no-continuity", "--metric", "kappa", "--kind", "all"],
              ["Human rights", "2015–2024", "unanimous roll calls excluded", "continuity off", "Cohen's kappa [kappa]",
               "all roll calls", "per year"]),
    "align-session": (["align", "KHM", "RUS", "--session", "77", "--by", "session", "--topic", "co,me"],
                      ["session 77", "per session (77)", "topics: Palestinian conflict (me) or Colonialism (co)"]),
    "neighbors": (["neighbors", "BRA", "--topic", "hr", "--since", "2015", "--until", "2024", "--min-votes", "20",
                   "--metric", "identical", "--exclude-unanimous", "--kind", "all"],
                  ["Human rights", "2015–2024", "min-votes 20", "identical votes [identical]",
                   "unanimous roll calls excluded", "all roll calls"]),
    "cohesion": (["cohesion", "NAM", "--topic", "di", "--since", "2000", "--session", "78", "--no-continuity"],
                 ["Arms control and disarmament", "session 78", "continuity off", "per year"]),
    "matrix": (["matrix", "--year", "2022", "--topic", "me", "--exclude-unanimous", "--metric", "s", "--no-continuity",
                "--about", "Palestine"],
               ["2022", "Palestinian conflict", "unanimous roll calls excluded", "Signorino–Ritter S [s]",
                "continuity off", "about: Palestine"]),
    "ideal": (["ideal", "--year", "2022", "--topic", "hr", "--no-continuity", "--min-votes", "15"],
              ["2022", "Human rights", "continuity off", "min-votes 15"]),
    "tally": (["tally", "68/262", "2758(XXVI)", "--kind", "all"], ["all roll calls"]),
    "tally-groups": (["tally", "77/200", "--by-group", "regional", "--topic", "hr", "--about", "human rights"],
                     ["Human rights (hr)", "by group", 'about: "human rights"']),
}


@pytest.fixture(scope="module")
def charts(ga_store_dir, tmp_path_factory):
    """Each chart of ``CHARTS`` drawn once (as SVG) by the CLI: {name: svg text}."""
    folder = tmp_path_factory.mktemp("charts")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNVOTE_DATA_DIR", str(ga_store_dir))
        drawn = {}
        for name, (args, _) in CHARTS.items():
            path = folder / f"{name}.svg"
            out = invoke(*args, "--chart", str(path), "--format", "csv")
            assert out.returncode == 0, (name, out.stderr)
            drawn[name] = svg_text(path)
    return drawn


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_chart_names_each_filter(charts, name):
    text = charts[name]
    for words in CHARTS[name][1]:
        assert words in text, f"{name}: {words!r} missing from the chart's text:\n{text}"
    assert "UN General Assembly" in text and "Source: UN Digital Library voting data, via unvote" in text


def test_a_group_is_named_as_a_group(charts):
    """cohesion reads NAM as the Non-Aligned Movement (a group first); its chart says so, not Namibia."""
    from unvote.model import groups

    assert groups.lookup("NAM").name == "Non-Aligned Movement"
    assert "How united the Non-Aligned Movement votes" in charts["cohesion"]
    assert "Namibia" not in charts["cohesion"]


def test_tally_span_runs_earliest_first(ga_store, charts):
    """The roll calls' own dates, read off the store, earliest → latest, whatever order they were named in."""
    wanted = {"A/RES/68/262", "A/RES/2758(XXVI)"}
    dates = sorted(r["date"] for r in ga_store.rollcalls("ga", columns=["resolution", "date"]).to_pylist()
                   if r["resolution"] in wanted)
    assert len(dates) == 2 and dates[0] < dates[1]
    assert f"{dates[0]} → {dates[1]}" in charts["tally"]
    assert f"{dates[1]} → {dates[0]}" not in charts["tally"] and " to " not in charts["tally"].split("\n")[1]


def test_source_and_body_are_named(ga_store, tmp_path):
    """The chart shows the Selection it is given: its source line and its body."""
    import unvote
    from unvote.output import charts

    sel = unvote.Selection.of(source="merged", year=2022)
    periods = unvote.align("KHM", "RUS", selection=sel.replace(source="undl"), store=ga_store)
    charts.align_chart(tmp_path / "m.svg", periods, a="KHM", b="RUS", sel=sel)
    text = svg_text(tmp_path / "m.svg")
    assert "Source: UN Digital Library voting data, with Voeten's roll calls where it has none, via unvote" in text
    from unvote.output.labels import label

    assert label(unvote.Selection.of(body="sc")).line().startswith("UN Security Council recorded votes")
    assert "source: voeten — Voeten's UNGA" in label(unvote.Selection.of(source="voeten")).note()


# ---------------------------------------------------------------- the label itself

def test_span_words_earliest_first():
    from unvote.output.labels import span_words

    assert span_words(dt.date(2022, 3, 2), dt.date(1971, 10, 25)) == "1971-10-25 → 2022-03-02"
    assert span_words(dt.date(2015, 1, 1), dt.date(2024, 12, 31)) == "2015–2024"
    assert span_words(dt.date(2022, 1, 1), dt.date(2022, 12, 31)) == "2022"
    assert span_words(dt.date(2010, 1, 1), None) == "since 2010"
    assert span_words(None, None) == "all recorded votes"


def test_label_names_every_filter_once():
    from unvote import Selection
    from unvote.output.labels import label

    sel = Selection.of(topic=["hr", "di"], session="ES-11", kind="amendment", source="voeten",
                       exclude_unanimous=True, continuity=False, about=["Ukraine", "territorial  integrity"])
    facts = label(sel, metric="pi", min_votes=5, group="EU", by="session", periods=["1", "70"]).facts
    names = [name for name, _ in facts]
    assert len(names) == len(set(names))
    text = " | ".join(words for _, words in facts)
    for words in ("session ES-11", "Arms control and disarmament (di) or Human rights (hr)", "votes on amendments",
                  "source: voeten", "unanimous roll calls excluded", "continuity off", "Scott's pi [pi]",
                  "min-votes 5", "group: European Union", "per session (1–70)",
                  'about: Ukraine and "territorial integrity"'):
        assert words in text, words
    assert "all recorded votes" not in text  # a session is its own span


# ---------------------------------------------------------------- files and the terminal

FILTERED = ("align", "KHM", "RUS", "--topic", "hr", "--since", "2015", "--until", "2024", "--exclude-unanimous",
            "--no-continuity", "--metric", "kappa", "--about", "Iran")
FILTER_WORDS = ("Human rights", "2015–2024", "unanimous roll calls excluded", "continuity off", "kappa", "about: Iran")


def test_xlsx_provenance_names_every_filter(ga_store, tmp_path):
    import openpyxl

    path = tmp_path / "a.xlsx"
    out = invoke(*FILTERED, "-o", str(path))
    assert out.returncode == 0, out.stderr
    facts = {r[0].value: r[1].value for r in openpyxl.load_workbook(path)["provenance"].iter_rows(min_row=2)}
    assert facts["topic"] == "topic: Human rights (hr)" and facts["span"] == "2015–2024"
    assert facts["unanimous"] == "unanimous roll calls excluded" and facts["continuity"] == "continuity off"
    assert facts["about"] == "about: Iran"
    assert facts["metric"] == "kappa" and "p_e" in facts["metric definition"]
    assert facts["ga file"] == "ga_voting.csv.gz"


def test_parquet_metadata_names_every_filter(ga_store, tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "a.parquet"
    out = invoke(*FILTERED, "-o", str(path))
    assert out.returncode == 0, out.stderr
    facts = json.loads(pq.read_schema(path).metadata[b"unvote.provenance"])
    text = json.dumps(facts, ensure_ascii=False)
    for words in FILTER_WORDS:
        assert words in text, words
    assert facts["command"].startswith("unvote align KHM RUS") and facts["datasets"][0]["dataset"] == "ga"
    # the data is the same as without metadata
    assert pq.read_table(path).num_rows == len(json.loads(invoke(*FILTERED, "--format", "json").stdout))


def test_terminal_note_names_every_filter(ga_store):
    out = invoke(*FILTERED, "--format", "table", env={"COLUMNS": "400"})
    assert out.returncode == 0, out.stderr
    note = out.stdout.strip().splitlines()[-1]
    for words in FILTER_WORDS:
        assert words in note, (words, note)
    assert "source: undl — UN Digital Library voting records" in note


def test_csv_and_json_stay_plain_data(ga_store):
    csv = invoke(*FILTERED, "--format", "csv").stdout
    assert csv.startswith("period,") and "Human rights" not in csv


# ---------------------------------------------------------------- the library: selection= or keywords

def test_selection_equals_the_keywords(ga_store):
    import unvote

    sel = unvote.Selection.of(year=2022, topic="hr", exclude_unanimous=True)
    by_keywords = unvote.align("KHM", "RUS", year=2022, topic="hr", exclude_unanimous=True, store=ga_store)
    assert unvote.align("KHM", "RUS", selection=sel, store=ga_store).rows == by_keywords.rows
    # the same roll calls, counted straight off the store: 2022, topic hr, not unanimous
    n = sum(r["n"] for r in by_keywords.to_pylist())
    assert n == len(_rollcalls(ga_store, 2022, "hr", unanimous=False))
    # a keyword that agrees with the selection is fine; one that disagrees is a usage error
    assert unvote.align("KHM", "RUS", year=2022, selection=sel, store=ga_store).rows == by_keywords.rows
    from unvote.core.errors import UsageError

    with pytest.raises(UsageError, match="year=2021 disagrees"):
        unvote.align("KHM", "RUS", year=2021, selection=sel, store=ga_store)
    with pytest.raises(UsageError, match="unvote.Selection"):
        unvote.align("KHM", "RUS", selection={"year": 2022}, store=ga_store)


def test_every_filtered_function_takes_a_selection(ga_store):
    import unvote

    sel = unvote.Selection.of(year=2022)
    assert _same(unvote.neighbors("KHM", selection=sel, store=ga_store), unvote.neighbors("KHM", year=2022, store=ga_store))
    assert _same(unvote.cohesion("ASEAN", selection=sel, store=ga_store),
                 unvote.cohesion("ASEAN", year=2022, store=ga_store))
    assert unvote.search("Ukraine", selection=sel, store=ga_store).rows == \
        unvote.search("Ukraine", year=2022, store=ga_store).rows
    assert unvote.voting_record("KHM", selection=sel, store=ga_store).rows == \
        unvote.voting_record("KHM", year=2022, store=ga_store).rows
    assert unvote.tally("ES-11/1", selection=unvote.Selection.of(), store=ga_store).rows == \
        unvote.tally("ES-11/1", store=ga_store).rows
    assert unvote.rollcalls(selection=sel.replace(kind="all"), store=ga_store).num_rows == \
        unvote.rollcalls("ga", year=2022, store=ga_store).num_rows == len(_rollcalls(ga_store, 2022, kind="all"))


def test_a_call_builds_its_selection_once(ga_store, monkeypatch):
    import unvote
    from unvote.query import selection

    built = []
    real = selection.Selection.of.__func__
    monkeypatch.setattr(selection.Selection, "of", classmethod(lambda cls, **kw: built.append(kw) or real(cls, **kw)))
    unvote.align("KHM", "RUS", year=2022, topic="hr", store=ga_store)
    assert len(built) == 1
    built.clear()
    out = invoke("neighbors", "KHM", "--year", "2022", "--topic", "hr", "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert len(built) == 1 and built[0]["topic"] == ["hr"]


def test_bad_filters_are_one_line_usage_errors(ga_store):
    for args in (["align", "KHM", "RUS", "--kind", "bogus"], ["neighbors", "KHM", "--since", "2020", "--until", "2010"],
                 ["search", "Ukraine", "--source", "nope"], ["votes", "KHM", "--body", "xx"]):
        out = invoke(*args)
        assert out.returncode == 2 and out.stderr.count("\n") == 1 and out.stderr.startswith("unvote: error:"), args


def _same(a, b) -> bool:
    """Two tables hold the same values (NaN as NaN: repr compares them, == does not)."""
    return a.column_names == b.column_names and repr(a.to_pylist()) == repr(b.to_pylist())


def _rollcalls(store, year: int, topic: str | None = None, *, unanimous: bool = True, kind: str = "resolution"):
    """Roll call ids of ``year`` (and ``topic``), read straight off the store; ``unanimous=False``
    leaves out those where every member voting Y/A/N voted alike."""
    calls = [r for r in store.rollcalls("ga", columns=["rollcall_id", "date", "kind", "topics"]).to_pylist()
             if r["date"].year == year and (kind == "all" or (r["kind"] or "resolution") == kind)
             and (topic is None or topic in _topics(r["topics"]))]
    if unanimous:
        return [c["rollcall_id"] for c in calls]
    ids = [c["rollcall_id"] for c in calls]
    letters: dict[int, set] = {i: set() for i in ids}
    for v in store.votes("ga", columns=["rollcall_id", "vote"], filters=[("rollcall_id", "in", ids)]).to_pylist():
        if v["vote"] in ("Y", "N", "A"):
            letters[v["rollcall_id"]].add(v["vote"])
    return [i for i in ids if len(letters[i]) > 1]


def _topics(value) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else str(value).split(";")
