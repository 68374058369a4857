"""Topics: the reference (codes, names, lookup), the rule classifier, assignment in the store with the
release each code comes from, the held-out agreement with Voeten's newest codes (against
docs/topics.md) and the counts per decade."""

import csv
import datetime as dt
import re
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from fake_undl import undl  # noqa: F401  (the loopback UNDL fixture)

from unvote.analysis import topics as rules
from unvote.core.errors import ExitStatus, NotFound, UnknownTopic
from unvote.ingest import topics as ingest_topics
from unvote.model import topics

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "docs" / "topics.md").read_text("utf-8")
GOAL = 0.85
# documented in docs/topics.md: colonialism and economic development fall short of the goal on
# sessions 69–74 (session 74's co and ec codes in the newest release sit on every disarmament vote)
FLOORS = {"co": 0.63, "ec": 0.76}
NEWEST, OLDER = "unvotes-2021", "voeten-2016"


# ---- the reference ---------------------------------------------------------------------------

def test_six_codes_in_voeten_order():
    assert topics.CODES == ("me", "nu", "di", "hr", "co", "ec")
    assert [topics.name(c) for c in topics.CODES] == [
        "Palestinian conflict", "Nuclear weapons and nuclear material", "Arms control and disarmament",
        "Human rights", "Colonialism", "Economic development"]


@pytest.mark.parametrize("text, code", [
    ("hr", "hr"), ("HR", "hr"), ("human rights", "hr"), ("Human Rights", "hr"), ("human-rights", "hr"),
    ("Palestinian conflict", "me"), ("palestine", "me"), ("nuclear", "nu"), ("disarmament", "di"),
    ("arms control and disarmament", "di"), ("décolonisation", "co"), ("colonialism", "co"),
    ("Économic development", "ec"), (" ec ", "ec"),
])
def test_lookup(text, code):
    assert topics.lookup(text) == code


def test_lookup_several():
    assert topics.lookup_all(["hr", "me,nuclear"]) == ("me", "nu", "hr")
    assert topics.lookup_all("ec; co") == ("co", "ec")


def test_unknown_topic_is_not_found_with_suggestions():
    with pytest.raises(UnknownTopic) as err:
        topics.lookup("humen rihgts")
    assert isinstance(err.value, NotFound)
    assert err.value.exit_code == ExitStatus.NOT_FOUND == 3
    assert err.value.suggestions[0] == "hr (Human rights)"
    assert "did you mean hr (Human rights)" in str(err.value)
    with pytest.raises(UnknownTopic):
        topics.lookup_all(["me", "sports"])


def test_unknown_topic_is_one_line_and_exit_3_in_the_cli_handler(capsys):
    from unvote.cli import _fail

    try:
        topics.lookup("sport")
    except UnknownTopic as err:
        with pytest.raises(SystemExit) as stop:
            _fail(err, str(err), err.exit_code)
    assert stop.value.code == 3
    err_text = capsys.readouterr().err
    assert err_text.count("\n") == 1 and err_text.startswith("unvote: error: unknown topic 'sport'")


# ---- the rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("title, agenda, subjects, expected", [
    ("Nuclear disarmament : resolution / adopted by the General Assembly", "Nuclear disarmament",
     "NUCLEAR DISARMAMENT", ("nu", "di")),
    # test bans are nuclear only (the exclusion cancels di's "nuclear weapon")
    ("Comprehensive Nuclear-Test-Ban Treaty", "Comprehensive Nuclear-Test-Ban Treaty", "NUCLEAR WEAPON TESTS", ("nu",)),
    ("Question of Palestine", "Question of Palestine", "PALESTINE QUESTION", ("me",)),
    ("Situation of human rights in Myanmar", "Promotion and protection of human rights", "MYANMAR--HUMAN RIGHTS",
     ("hr",)),
    # accents and case do not matter
    ("QUESTION DE LA DÉCOLONISATION", None, None, ("co",)),
    # the Economic and Social Council's name is not a topic
    ("Report of the Economic and Social Council", None, None, ()),
    # a title phrase beats an exclusion: Israeli practices are excluded from hr unless the title starts with them
    ("Israeli practices affecting the human rights of the Palestinian people", None,
     "TERRITORIES OCCUPIED BY ISRAEL--HUMAN RIGHTS", ("me", "hr", "co")),
    ("Report of the Special Committee to Investigate Israeli Practices Affecting the Human Rights", None, None,
     ("me",)),
    ("Necessity of ending the economic, commercial and financial embargo imposed by the United States of America "
     "against Cuba", None, None, ("ec",)),
    ("Aggression against Ukraine : resolution / adopted by the General Assembly", None, None, ()),
    (None, None, None, ()),
    # the two misfires of the rules tuned on the 2016 codes: "Middle East" in a nuclear-weapon-free-zone or
    # proliferation title is not the Palestinian conflict, and the fissile-material treaty is nu and di
    ("Establishment of a nuclear-weapon-free zone in the region of the Middle East", None, None, ("nu",)),
    ("The risk of nuclear proliferation in the Middle East", None, None, ("nu", "di")),
    ("Treaty banning the production of fissile material for nuclear weapons or other nuclear explosive devices",
     None, "FISSIONABLE MATERIALS|NUCLEAR WEAPONS", ("nu", "di")),
])
def test_classify(title, agenda, subjects, expected):
    assert rules.classify(title, agenda, subjects) == expected


def test_fold():
    assert rules.fold("Côte d'Ivoire -- NON-SELF-GOVERNING") == " cote d ivoire non self governing "
    assert rules.fold(None) == " "


def test_prefix_and_start_phrases():
    p = rules._union(["palestin*", "^israeli practices", "arms"])
    assert p.search(rules.fold("Palestinians"))
    assert not p.search(rules.fold("armaments"))  # "arms" is a whole word
    assert p.search(rules.fold("Israeli practices affecting"))
    assert not p.search(rules.fold("Report on Israeli practices"))


def test_every_rule_phrase_is_in_the_docs():
    for code, rule in rules.RULES.items():
        for kind in ("include", "exclude", "title"):
            for phrase in rule.get(kind, ()):
                assert f"`{phrase}`" in DOCS, f"{code} {kind} phrase {phrase!r} is not in docs/topics.md"
    for phrase in rules.NOISE:
        assert f"`{phrase}`" in DOCS


def test_join_split():
    assert rules.join(["hr", "me", "hr"]) == "me;hr"
    assert rules.join([]) == ""
    assert rules.split("me;hr") == ("me", "hr") and rules.split("") == () and rules.split(None) == ()


def test_scores_against_a_hand_count():
    truth = ["me;hr", "", "hr", "nu;di", "di"]
    pred = [("me",), ("hr",), ("hr",), ("nu",), ("di", "nu")]
    got = {r["topic"]: r for r in rules.scores(truth, pred)}
    # hr: true in rows 0 and 2, predicted in rows 1 and 2 → tp 1, fp 1, fn 1
    assert (got["hr"]["tp"], got["hr"]["fp"], got["hr"]["fn"]) == (1, 1, 1)
    assert got["hr"]["precision"] == got["hr"]["recall"] == got["hr"]["f1"] == 0.5
    # nu: true in row 3, predicted in rows 3 and 4 → precision 1/2, recall 1, F1 2/3
    assert (got["nu"]["precision"], got["nu"]["recall"]) == (0.5, 1.0)
    assert got["nu"]["f1"] == pytest.approx(2 / 3)
    assert got["me"]["f1"] == 1.0 and got["di"]["f1"] == pytest.approx(2 / 3)




# ---- counts per decade -----------------------------------------------------------------------

def test_count_by_decade_small():
    table = pa.table({"date": pa.array([dt.date(1948, 1, 1), dt.date(1975, 5, 5), dt.date(1979, 1, 1), None,
                                        dt.date(1971, 1, 1)], pa.date32()),
                      "topics": ["me;hr", "hr", "", "hr", None]})
    got = rules.count_by_decade(table)
    assert got.column_names == ["topic", "name", "1940s", "1950s", "1960s", "1970s"]
    rows = {r["topic"]: r for r in got.to_pylist()}
    assert rows["hr"] == {"topic": "hr", "name": "Human rights", "1940s": 1, "1950s": 0, "1960s": 0, "1970s": 1}
    assert rows["me"]["1940s"] == 1 and rows["nu"]["1970s"] == 0
    assert rows["none"] == {"topic": "none", "name": "No topic", "1940s": 0, "1950s": 0, "1960s": 0, "1970s": 1}


# ---- assignment --------------------------------------------------------------------------------

def test_assign_sc_is_null_and_flags_win():
    table = pa.table({"rollcall_id": [1, 2], "resolution": ["S/RES/1(1946)", "S/RES/2(1946)"],
                      "title": ["Human rights", "Nuclear weapons"]})
    sc = ingest_topics.assign(table, "sc")
    assert sc["topics"].null_count == 2 and sc["topics_from"].null_count == 2
    # rcids no packaged release lists: the roll call's own flags, else the rules
    flagged = pa.table({"rollcall_id": [99_007, 99_008], "resolution": ["R/1/1", "R/1/2"],
                        "title": ["Human rights", "x"], "source": ["voeten", "voeten"],
                        **{c: pa.array(v, pa.int8()) for c, v in zip(topics.CODES, ([0, None], [1, None], [0, None],
                                                                                    [0, None], [1, None], [0, None]))}})
    got = ingest_topics.assign(flagged)
    assert got["topics"].to_pylist() == ["nu;co", ""]  # row 2: no flags, so the rules read its title "x"
    assert got["topics_from"].to_pylist() == ["voeten", "rules"]
    # a packaged rcid: the packaged release wins over the flags the roll call carries
    _, by_rcid, _ = ingest_topics.reference()
    rcid = next(r for r, (t, _) in by_rcid.items() if t != "nu;co")
    packaged = flagged.set_column(0, "rollcall_id", pa.array([rcid, 99_008], pa.int64()))
    got_packaged = ingest_topics.assign(packaged)
    assert (got_packaged["topics"][0].as_py(), got_packaged["topics_from"][0].as_py()) == by_rcid[rcid]
    again = ingest_topics.assign(got)  # assigning twice replaces, never duplicates, the columns
    assert again.column_names.count("topics") == 1 and again["topics"].equals(got["topics"])


def test_symbol_fallback_for_a_future_record():
    """A UNDL record id the packaged file lacks finds Voeten's code by symbol and date."""
    *_, by_key = ingest_topics.reference()
    rows = [r for r in _reference_rows() if not r["undl_id"] and r["kind"] == "resolution"]
    from unvote.ingest.history import key

    once = [r for r in rows if len(by_key.get(key(r["resolution"]), ())) == 1]
    row = once[0]
    day = dt.date.fromisoformat(row["date"])
    table = pa.table({"rollcall_id": pa.array([999_999_999], pa.int64()), "resolution": [row["resolution"]],
                      "date": pa.array([day + dt.timedelta(days=20)], pa.date32()), "title": ["nothing"],
                      "source": ["undl-records"]})
    got = ingest_topics.assign(table).to_pylist()[0]
    assert (got["topics"], got["topics_from"]) == (row["topics"], row["release"])
    far = table.set_column(2, "date", pa.array([day + dt.timedelta(days=60)], pa.date32()))
    assert ingest_topics.assign(far)["topics_from"].to_pylist() == ["rules"]


@pytest.fixture(scope="module")
def voeten_flags(voeten_raw_frame):
    """rcid → Voeten's six flags as numbers, from his first row per rcid (read by pyreadr). The file
    stores ``ec`` as text, once as ``0\\"`` (a transcription slip the reader takes as 0, as we do here)."""
    import pandas as pd

    x = voeten_raw_frame.drop_duplicates("rcid").set_index("rcid")
    return pd.DataFrame({c: pd.to_numeric(x[c].astype("string").str.extract(r"^\s*([01])", expand=False))
                         for c in topics.CODES}, index=x.index)


def _reference_rows():
    with open(ROOT / "unvote" / "data" / "voeten_topics.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def test_reference_file_says_cc0():
    head = (ROOT / "unvote" / "data" / "voeten_topics.csv").read_text("utf-8").splitlines()[:9]
    assert any("CC0" in line for line in head) and any("Voeten" in line for line in head)
    assert any(NEWEST in line and "dgrtwo/unvotes" in line for line in head) and any(OLDER in line for line in head)


# ---- real data ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def newest_codes(shared_data):
    """rcid → "me;hr" of the 2021 release for every roll call it lists (empty: coded none), read
    independently with pyreadr from the R package's two tables."""
    pyreadr = pytest.importorskip("pyreadr")
    folder = shared_data / "dgrtwo-unvotes"
    calls = pyreadr.read_r(str(folder / "un_roll_calls.rda"))["un_roll_calls"]
    issues = pyreadr.read_r(str(folder / "un_roll_call_issues.rda"))["un_roll_call_issues"]
    have: dict[int, set] = {}
    for rcid, code in zip(issues["rcid"], issues["short_name"]):
        have.setdefault(int(rcid), set()).add(str(code))
    return {int(r): ";".join(c for c in topics.CODES if c in have.get(int(r), ())) for r in calls["rcid"]}


@pytest.fixture(scope="module")
def real_pairs(undl_ingest, release_ingest, release_pairs):
    """(UNDL ingest, (releases' Ingest, 2016 codes), history.matched_pairs of the two): conftest's, once per run."""
    return undl_ingest, release_ingest, release_pairs


def _docs_block() -> str:
    return re.search(r"<!-- topic-report:held-out -->\n(.*?)<!-- /topic-report:held-out -->", DOCS, re.S).group(1)


def _docs_table() -> dict[str, dict]:
    """The first table of the report block: sessions 69–74."""
    first = _docs_block().split("\n\n")[1]
    rows = {}
    for line in first.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 9 and cells[0] in topics.CODES:
            rows[cells[0]] = {"support": int(cells[2]), "tp": int(cells[3]), "fp": int(cells[4]), "fn": int(cells[5]),
                              "precision": cells[6], "recall": cells[7], "f1": cells[8]}
    return rows


def test_held_out_agreement_matches_the_docs_and_the_goal(real_pairs):
    """Recompute P/R/F1 on sessions ≥ 69 against the newest coding from the real data, independently
    of ``scores``, and check them against docs/topics.md and the goal (or the documented floor)."""
    *_, pairs = real_pairs
    documented = _docs_table()
    assert set(documented) == set(topics.CODES)
    truth, pred = [], []
    for r in pairs.to_pylist():
        if r["voeten_kind"] != "resolution" or r["voeten_topics"] is None or r["voeten_release"] != NEWEST:
            continue
        # special sessions count in the regular session opening in their year, as Voeten folds them
        session = int(r["voeten_session"]) if r["voeten_session"].isdigit() else r["date"].year - 1945
        if session >= 69:
            truth.append(set(filter(None, r["voeten_topics"].split(";"))))
            pred.append(set(rules.classify(r["title"], r["agenda_title"], r["subjects"])))
    assert len(truth) == int(re.search(r"Held out: sessions 69–74, ([\d,]+) roll calls", DOCS).group(1).replace(",", ""))
    for code in topics.CODES:
        tp = sum(code in t and code in p for t, p in zip(truth, pred))
        fp = sum(code not in t and code in p for t, p in zip(truth, pred))
        fn = sum(code in t and code not in p for t, p in zip(truth, pred))
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall)
        doc = documented[code]
        assert (doc["support"], doc["tp"], doc["fp"], doc["fn"]) == (tp + fn, tp, fp, fn), code
        assert (doc["precision"], doc["recall"], doc["f1"]) == (f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}"), code
        assert f1 >= FLOORS.get(code, GOAL), f"{code}: F1 {f1:.3f}"
    for code, floor in FLOORS.items():
        assert f"{code} F1 ≥ {floor}" in DOCS  # a floor below the goal is documented, with the reason


def test_report_script_prints_the_docs_tables(real_pairs):
    _, (_, older), pairs = real_pairs
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import topic_report
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert topic_report.report(pairs, older) == _docs_block()


def test_packaged_codes_are_current(real_pairs, shared_data):
    """scripts/build_topic_codes.py on the real data gives the packaged file byte for byte (its rows
    from the session's matching: ``rows`` reads the same sources and matches them the same way)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_topic_codes
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    _, (vo, _), pairs = real_pairs
    assert build_topic_codes.render(build_topic_codes.rows_from(pairs, vo.rollcalls)) == \
        (ROOT / "unvote" / "data" / "voeten_topics.csv").read_text("utf-8")


def test_packaged_codes_name_their_release(newest_codes, voeten_flags):
    """Each packaged row's codes are those of the release it names, read independently with pyreadr: the
    2021 release wherever it lists the rcid, the 2016 file only where it alone codes the roll call."""
    # rcid -> its 2016 flags in CODES order (one dict, not a pandas lookup per row: 6,000 rows)
    first = dict(zip(voeten_flags.index, voeten_flags[list(topics.CODES)].itertuples(index=False)))
    rows = _reference_rows()
    by_rcid = {int(r["voeten_rcid"]): r for r in rows}
    assert len(by_rcid) == len(rows)  # one row per roll call
    for r in rows:
        rcid = int(r["voeten_rcid"])
        if rcid in newest_codes:
            assert (r["topics"], r["release"]) == (newest_codes[rcid], NEWEST), r
        else:
            flags = first[rcid]
            assert (r["topics"], r["release"]) == (";".join(c for c, f in zip(topics.CODES, flags) if f == 1), OLDER)
    assert set(newest_codes) <= set(by_rcid)  # every roll call of the newest release
    only_2016 = {r for r, flags in first.items() if r not in newest_codes and all(f == f for f in flags)}
    assert {r for r, row in by_rcid.items() if row["release"] == OLDER} == only_2016
    by_symbol = {r["resolution"]: (r["topics"], r["release"]) for r in rows if r["undl_id"]}
    assert by_symbol["A/RES/63/26"] == ("me;hr", NEWEST)
    # the fissile-material treaty: nu and di in the newest coding; 71/259 and 73/65 come from it alone
    for symbol in FISSILE:
        assert by_symbol[symbol] == ("nu;di", NEWEST), symbol
    assert by_symbol["A/RES/74/32"] == ("di;co;ec", NEWEST)  # session 74: co and ec on every disarmament vote


FISSILE = ("A/RES/67/53", "A/RES/70/39", "A/RES/71/259", "A/RES/73/65")


def test_store_topics_on_the_real_ga_data(ga_store):
    rc = ga_store.rollcalls("ga")
    assert rc["topics"].null_count == 0
    assert set(rc["topics_from"].to_pylist()) == {NEWEST, "rules"}
    valid = set(topics.CODES)
    assert all(set(rules.split(t)) <= valid for t in rc["topics"].to_pylist())
    # the packaged codes, read independently, for every UNDL record they list
    packaged = {int(r["undl_id"]): (r["topics"], r["release"]) for r in _reference_rows() if r["undl_id"]}
    got = dict(zip(rc["rollcall_id"].to_pylist(), zip(rc["topics"].to_pylist(), rc["topics_from"].to_pylist())))
    assert all(got[i] == codes for i, codes in packaged.items())
    assert sum(1 for _, f in got.values() if f != "rules") == len(packaged) == 4_858
    assert rc.num_rows - len(packaged) == 680
    by_symbol = {s: (t, f) for s, t, f in zip(rc["resolution"].to_pylist(), rc["topics"].to_pylist(),
                                               rc["topics_from"].to_pylist())}
    assert by_symbol["A/RES/80/4"] == ("ec", "rules")  # the Cuba embargo, 2025
    assert by_symbol["A/RES/ES-11/1"] == ("", "rules")  # aggression against Ukraine: none of the six
    assert by_symbol["A/RES/63/26"] == ("me;hr", NEWEST)


def test_the_two_misfires_are_fixed_on_the_real_titles(ga_store):
    """The rules on the UNDL text of the fissile-material resolutions give nu;di, as Voeten does; no
    nuclear-weapon-free-zone or proliferation roll call "in the Middle East" gets me from the rules."""
    rc = ga_store.rollcalls("ga").to_pylist()
    by_symbol = {r["resolution"]: r for r in rc}
    for symbol in FISSILE:
        r = by_symbol[symbol]
        assert rules.classify(r["title"], r["agenda_title"], r["subjects"]) == ("nu", "di"), symbol
    middle_east = [r for r in rc if re.search(r"(nuclear proliferation|nuclear-weapon-free zone).*Middle East",
                                              r["title"] or "", re.I)]
    assert len(middle_east) >= 20
    for r in middle_east:
        assert "me" not in rules.classify(r["title"], r["agenda_title"], r["subjects"]), r["resolution"]
    since_2020 = [r for r in middle_east if r["topics_from"] == "rules"]
    assert len(since_2020) >= 10 and all(set(rules.split(r["topics"])) in ({"nu"}, {"nu", "di"}) for r in since_2020)


def test_count_by_decade_real_against_duckdb(ga_store):
    duckdb = pytest.importorskip("duckdb")
    got = rules.count_by_decade(ga_store.rollcalls("ga"))
    path = ga_store.version("ga") / "rollcalls.parquet"
    sql = f"""
        SELECT t AS topic, (year(date) // 10 * 10) AS decade, count(*) AS n
        FROM (SELECT date, unnest(string_split(topics, ';')) AS t FROM read_parquet('{path}'))
        WHERE t <> '' GROUP BY ALL
        UNION ALL SELECT 'none', (year(date) // 10 * 10), count(*) FROM read_parquet('{path}')
        WHERE topics = '' GROUP BY ALL"""
    expected = {(t, f"{d}s"): n for t, d, n in duckdb.sql(sql).fetchall()}
    decades = [c for c in got.column_names if c.endswith("s") and c[:4].isdigit()]
    assert decades[0] == "1940s" and decades[-1] == "2020s"
    for row in got.to_pylist():
        for d in decades:
            assert row[d] == expected.get((row["topic"], d), 0), (row["topic"], d)
    assert sum(expected.values()) == sum(row[d] for row in got.to_pylist() for d in decades)


def test_docs_counts_per_decade_are_real(ga_store):
    block = re.search(r"<!-- topic-counts:ga -->\n(.*?)<!-- /topic-counts:ga -->", DOCS, re.S).group(1)
    lines = [[c.strip() for c in line.strip().strip("|").split("|")] for line in block.strip().splitlines()]
    header, body = lines[0], lines[2:]
    got = rules.count_by_decade(ga_store.rollcalls("ga"))
    assert header == got.column_names
    assert body == [[str(r[c]) for c in header] for r in got.to_pylist()]


def test_voeten_store_topics_come_from_the_newest_release(voeten_store_dir, voeten_flags, newest_codes):
    """fetch --source voeten (the cached store, the 2016 file): each roll call the newest release lists
    gets its codes (checked against pyreadr), any other its own flags or, without them, the rules."""
    from unvote.store import Store

    rc = Store(voeten_store_dir).rollcalls("voeten", columns=["rollcall_id", "topics", "topics_from"])
    got = dict(zip(rc["rollcall_id"].to_pylist(), zip(rc["topics"].to_pylist(), rc["topics_from"].to_pylist())))
    x = voeten_flags
    assert len(got) == len(x)
    listed = [r for r in x.index if r in newest_codes]
    assert len(listed) == 5_429
    for rcid in listed:
        assert got[rcid] == (newest_codes[rcid], NEWEST), rcid
    flagged = x[list(topics.CODES)].notna().all(axis=1)
    for rcid, row in x[~x.index.isin(listed)].iterrows():
        expected = ";".join(c for c in topics.CODES if row[c] == 1) if flagged[rcid] else got[rcid][0]
        assert got[rcid] == (expected, "voeten" if flagged[rcid] else "rules")
    # the 2016 file's own flags differ from the newest release on many roll calls: the store follows the newest
    differ = sum(1 for r in listed if flagged[r] and
                 ";".join(c for c in topics.CODES if x.at[r, c] == 1) != newest_codes[r])
    assert differ == 1_578  # docs/topics.md


def test_merged_history_topics_name_their_release(merged_store_dir):
    """The merged history: its UNDL roll calls get the packaged codes by record id, its roll calls from
    Voeten by rcid, each with the release; the rest the rules."""
    from unvote.store import Store

    rc = Store(merged_store_dir).rollcalls("merged", columns=["rollcall_id", "source", "topics", "topics_from"])
    rows = _reference_rows()
    by_id = {int(r["undl_id"]): (r["topics"], r["release"]) for r in rows if r["undl_id"]}
    by_rcid = {int(r["voeten_rcid"]): (r["topics"], r["release"]) for r in rows}
    seen = {"undl": 0, "voeten": 0}
    for rid, source, t, f in zip(*(rc[c].to_pylist() for c in rc.column_names)):
        packaged = (by_rcid if source == "voeten" else by_id).get(rid)
        if packaged is None:
            assert f == "rules", (rid, source)
        else:
            assert (t, f) == packaged, (rid, source)
            seen["voeten" if source == "voeten" else "undl"] += 1
    assert seen == {"undl": 4_858, "voeten": rc.num_rows - 5_538}  # every roll call from Voeten is packaged


def test_fetch_update_gives_new_records_their_topics(undl, ga_store_dir, isolated_store):
    """`fetch --update` classifies the records it merges exactly as the bulk file's ingest does."""
    from fake_undl import records_from_store

    from unvote.ingest import fetch as pipeline
    from unvote.store import Store

    real = Store(ga_store_dir)
    calls = real.rollcalls("ga")
    cut = dt.date(2025, 6, 1)
    keep = calls.filter(pc.less(calls["date"], cut))
    votes = real.votes("ga")
    manifest = {k: v for k, v in real.manifest("ga").items() if k not in ("dataset", "written_at")}
    manifest.update(records=keep.num_rows, date_max=str(pc.max(keep["date"]).as_py()))
    old = Store(isolated_store)
    old.write("ga", keep.drop_columns(["topics", "topics_from"]),
              votes.filter(pc.is_in(votes["rollcall_id"], keep["rollcall_id"])), manifest)
    recent = calls.filter(pc.greater_equal(calls["date"], dt.date(2025, 5, 1)))
    undl.records = records_from_store(recent, real.votes("ga", filters=[("rollcall_id", "in",
                                                                         recent["rollcall_id"].to_pylist())]))
    assert pipeline.fetch("ga", store=old, update=True, delay=0).changed
    got = old.rollcalls("ga")
    assert got["topics"].null_count == 0  # the held roll calls (written without topics) got theirs too
    expected = dict(zip(calls["rollcall_id"].to_pylist(), zip(calls["topics"].to_pylist(),
                                                               calls["topics_from"].to_pylist())))
    new = got.filter(pc.greater_equal(got["date"], cut))
    assert new.num_rows == 22
    assert {(t, f) for t, f in zip(new["topics"].to_pylist(), new["topics_from"].to_pylist())} != {("", "rules")}
    for rid, t, f in zip(got["rollcall_id"].to_pylist(), got["topics"].to_pylist(), got["topics_from"].to_pylist()):
        assert (t, f) == expected[rid], rid
