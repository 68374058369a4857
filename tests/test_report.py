"""``unvote report``: the country, vote and State Department pages, read back as HTML and checked
against the CSV output of the same selection and against the store's files read directly.

The pages are built once per module (in-process, ``cli_runner.invoke``) on the real GA store.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
from cli_runner import invoke
from lxml import html as lhtml

from unvote.model import countries

RECORD = re.compile(r"^https://digitallibrary\.un\.org/record/(\d+)$")
SINCE = "2022"
SD_YEAR = "2023"
SD_IMPORTANT = "ES-11/6,A/RES/ES-10/21"
SD_SECTIONS = ("rule", "coincidence", "groups", "us-votes", "important", "definitions", "provenance")
SECTIONS = ("headline", "over-time", "split", "by-topic", "neighbours", "statedept", "switches", "seat", "definitions",
            "provenance")


def run(store, *args: str):
    done = invoke(*args, env={"UNVOTE_DATA_DIR": str(store)})
    assert done.returncode == 0, done.stderr
    return done


def csv_rows(store, *args: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run(store, *args, "--format", "csv").stdout)))


@pytest.fixture(scope="module")
def pages(ga_store_dir, tmp_path_factory):
    """The country page of Cambodia with Russia and the United States since 2022 (``report KHM …``: the
    country subcommand by default), the vote page of ES-11/1 and the State Department page of 2023 with
    two important votes: {name: (html text, parsed tree)}."""
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for name, args in (("khm", ("report", "KHM", "RUS", "USA", "--since", SINCE, "--mark", "2022-03-02=ES-11/1")),
                       ("vote", ("report", "vote", "ES-11/1")),
                       ("sd", ("report", "statedept", "--year", SD_YEAR, "--important", SD_IMPORTANT))):
        path = folder / f"{name}.html"
        done = run(ga_store_dir, *args, "-o", str(path))
        assert f"wrote {path}" in done.stderr and done.stdout == ""
        text = path.read_text("utf-8")
        out[name] = (text, lhtml.fromstring(text))
    return out


@pytest.fixture(scope="module")
def tables(ga_store_dir):
    """The store's GA tables as Arrow (read straight from its files): calls, votes."""
    from unvote.store import Store

    store = Store(ga_store_dir)
    return store.rollcalls("ga", columns=["rollcall_id", "date", "resolution", "title", "kind"]), \
        store.votes("ga", columns=["rollcall_id", "ms_code", "vote"])


@pytest.fixture(scope="module")
def store_khm(tables):
    """KHM's vote on every resolution roll call since 2022, from the store's files: {rollcall_id:
    (resolution, vote)}."""
    import duckdb

    calls, votes = tables  # noqa: F841 (DuckDB reads the local Arrow tables by name)
    rows = duckdb.sql(
        "SELECT r.rollcall_id, r.resolution, v.vote FROM calls r JOIN votes v USING (rollcall_id) "
        f"WHERE v.ms_code = 'KHM' AND r.date >= DATE '{SINCE}-01-01' AND coalesce(r.kind, 'resolution') = 'resolution'"
    ).fetchall()
    return {rid: (res, vote) for rid, res, vote in rows}


def number(node) -> float:
    return float(node.get("data-value"))


# ---- the page as a document ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["khm", "vote", "sd"])
def test_one_self_contained_accessible_file(pages, name):
    text, tree = pages[name]
    assert len(text.encode("utf-8")) <= 1_500_000
    assert tree.get("lang") == "en" and len(tree.xpath("//h1")) == 1 and tree.xpath("//title")[0].text
    # nothing fetched: no external stylesheet, script, image, frame, font or CSS url()
    assert not tree.xpath("//link[@href] | //script[@src] | //img | //iframe | //object | //embed | //source")
    assert "@import" not in text and not re.search(r"url\((?!#)", text)
    for node in tree.xpath("//*[@src]"):
        pytest.fail(f"an element loads {node.get('src')}")
    # every link is an anchor in the page or a UN Digital Library record
    for href in tree.xpath("//a/@href"):
        assert href.startswith("#") or RECORD.match(href), href
    for anchor in tree.xpath("//a[starts-with(@href, '#')]/@href"):
        assert tree.xpath(f"//*[@id='{anchor[1:]}']"), f"{anchor} points nowhere"
    # headings never skip a level; tables have headers with a scope; charts have a title and a description
    levels = [int(h.tag[1]) for h in tree.iter("h1", "h2", "h3", "h4")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    for th in tree.xpath("//th"):
        assert th.get("scope") in ("col", "row"), lhtml.tostring(th)[:80]
    svgs = tree.xpath("//svg")
    assert svgs or name == "sd"  # the State Department page is tables only
    for svg in svgs:
        assert svg.get("role") == "img"
        ids = svg.get("aria-labelledby").split()
        assert [tree.xpath(f"//*[@id='{i}']")[0].tag for i in ids] == ["title", "desc"]
        assert all(tree.xpath(f"//*[@id='{i}']")[0].text.strip() for i in ids)
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1][:5]
    assert "@media print" in text


def test_country_page_sections_and_labels(pages):
    _, tree = pages["khm"]
    for section in SECTIONS:
        assert tree.xpath(f"//section[@id='{section}']/h2"), section
    # each section of figures says which roll calls shaped them
    for section in ("headline", "over-time", "split", "by-topic", "neighbours", "switches"):
        line = tree.xpath(f"string(//section[@id='{section}']/p[@class='filters'])")
        assert "2022-01-01 →" in line and "votes on whole resolutions" in line, (section, line)
    assert "2022-01-01 →" in tree.xpath("string(//title)")
    # provenance: version, dataset sha256, fetched-at, and the command line itself
    facts = {dt.text: dt.getnext().text_content() for dt in tree.xpath("//section[@id='provenance']//dt")}
    assert re.fullmatch(r"[0-9a-f]{64}", facts["sha256"]) and facts["fetched_at"] and facts["unvote version"]
    assert facts["command"].startswith("unvote report KHM RUS USA --since 2022")
    assert "(same + ½·partial) / (same + partial + opposite)" in tree.xpath("string(//section[@id='definitions'])")
    # the event asked for is listed under the chart
    assert [li.text_content() for li in tree.xpath("//section[@id='over-time']//ul[@class='events']/li")] == \
        ["2 March 2022: ES-11/1"]


# ---- the numbers equal the CSV of the same selection ----------------------------------------------

def test_headline_equals_the_store_and_the_votes_csv(pages, store_khm, ga_store_dir):
    _, tree = pages["khm"]
    field = {n.get("data-field"): n for n in tree.xpath("//section[@id='headline']//*[@data-field]")}
    letters = Counter(vote for _, vote in store_khm.values())
    assert int(field["rollcalls"].text.replace(",", "")) == len(store_khm)
    assert {k: number(field[k]) for k in ("yes", "no", "abstain", "non_voting")} == \
        {"yes": letters["Y"], "no": letters["N"], "abstain": letters["A"], "non_voting": letters["X"]}
    assert number(field["cast"]) == letters["Y"] + letters["N"] + letters["A"]
    record = csv_rows(ga_store_dir, "votes", "KHM", "--since", SINCE)
    cast = sum(r["vote"] in "YNA" for r in record)
    for key in ("with_plurality", "with_outcome"):
        share = sum(r[key] == "True" for r in record) / cast
        assert number(field[key]) == pytest.approx(share, abs=1e-12)
        assert field[key].text == f"{100 * share:.1f}%"


def test_agreement_tables_equal_align_csv(pages, ga_store_dir):
    _, tree = pages["khm"]
    pooled = csv_rows(ga_store_dir, "align", "KHM", "RUS", "USA", "--since", SINCE, "--by", "all")
    for row in pooled:
        cells = {td.get("data-col"): td for td in tree.xpath(f"//table[@id='pooled']//tr[@data-partner='{row['partner']}']/td")}
        assert {k: number(cells[k]) for k in ("n", "same", "partial", "opposite", "absent")} == \
            {k: float(row[k]) for k in ("n", "same", "partial", "opposite", "absent")}
        assert round(number(cells["score"]), 6) == float(row["score"])
        assert cells["score"].text == f"{float(row['score']):.2f}"
    for partner in ("RUS", "USA"):
        per_year = csv_rows(ga_store_dir, "align", "KHM", partner, "--since", SINCE)
        shown = tree.xpath(f"//table[@id='periods-{partner}']/tbody/tr")
        assert [tr.get("data-period") for tr in shown] == [r["period"] for r in per_year]
        for tr, row in zip(shown, per_year):
            cells = {td.get("data-col"): td for td in tr.xpath("td")}
            assert [number(cells[k]) for k in ("n", "same", "opposite")] == [float(row[k]) for k in ("n", "same", "opposite")]
            assert round(number(cells["score"]), 6) == float(row["score"])
        topics = csv_rows(ga_store_dir, "align", "KHM", partner, "--since", SINCE, "--by", "topic")
        assert "none" in {r["period"] for r in topics}
        for row in topics:
            cell = tree.xpath(f"//table[@id='topics']//tr[@data-topic='{row['period']}']/td[@data-partner='{partner}']")[0]
            assert round(number(cell), 6) == float(row["score"])
            assert f"({int(row['n']):,})" in cell.text_content()


def test_topic_counts_equal_the_votes_csv(pages, ga_store_dir):
    _, tree = pages["khm"]
    record = csv_rows(ga_store_dir, "votes", "KHM", "--since", SINCE)
    for tr in tree.xpath("//table[@id='topics']/tbody/tr"):
        topic = tr.get("data-topic")
        mine = [r for r in record if (topic in r["topics"].split(";") if topic != "none" else not r["topics"])]
        assert number(tr.xpath("td[@data-col='rollcalls']")[0]) == len(mine), topic


def test_split_roll_calls_are_the_differ_csv_most_contested_first(pages, ga_store_dir):
    _, tree = pages["khm"]
    for partner in ("RUS", "USA"):
        differ = csv_rows(ga_store_dir, "align", "KHM", partner, "--since", SINCE, "--votes", "--differ")
        total = tree.xpath(f"//h3[@id='split-{partner}']//*[@data-field='differ_total']")[0]
        assert number(total) == len(differ)
        rows = tree.xpath(f"//table[@data-partner='{partner}']/tbody/tr")
        assert 0 < len(rows) <= len(differ)
        margins = []
        for tr, row in zip(rows, differ):
            link = tr.xpath(".//a")[0]
            assert link.text == row["resolution"]
            assert RECORD.match(link.get("href")).group(1) == row["rollcall_id"]
            margins.append(number(tr.xpath("td[last()]")[0]))
            assert margins[-1] == abs(int(row["yes"]) - int(row["no"]))
        assert margins == sorted(margins)


def test_neighbours_equal_the_neighbors_csv(pages, ga_store_dir):
    _, tree = pages["khm"]
    ranked = [r for r in csv_rows(ga_store_dir, "neighbors", "KHM", "--since", SINCE) if r["rank"]]
    for table, expected in (("closest", ranked[:10]), ("farthest", ranked[::-1][:10])):
        rows = tree.xpath(f"//table[@id='{table}']/tbody/tr")
        assert [tr.get("data-country") for tr in rows] == [r["country"] for r in expected]
        for tr, row in zip(rows, expected):
            cells = {td.get("data-col"): td for td in tr.xpath("td")}
            assert number(cells["rank"]) == int(row["rank"])
            assert number(cells["cast"]) == int(row["same"]) + int(row["partial"]) + int(row["opposite"])
            assert round(number(cells["score"]), 6) == float(row["score"])
            assert tr.xpath("string(th)") == countries.short_name(row["country"])


def test_switches_are_real_changes_on_one_recurring_text(pages, tables):
    """Each listed switch: KHM's vote there and on the earlier text are the ones shown (the store),
    the two titles are one text's, and the earlier text is KHM's last vote cast on it."""
    import duckdb

    _, tree = pages["khm"]
    rows = tree.xpath("//table[@id='switch-table']/tbody/tr")
    assert rows
    calls, votes = tables  # noqa: F841 (DuckDB reads the local Arrow tables by name)
    words = {"Y": "Yes", "N": "No", "A": "Abstain"}

    def norm(title):
        title = re.sub(r"\s*:?\s*resolutions?\s*/.*$", "", title, flags=re.I).lower()
        return [w for w in re.findall(r"[a-z0-9]+", title) if w not in ("the", "and", "of", "on", "in", "a", "to")]

    for tr in rows:
        resolution = tr.xpath("string(th)")
        cells = [td.text_content().strip() for td in tr.xpath("td")]
        before, then, earlier = cells[2], cells[3], cells[4]
        found = dict(duckdb.sql(
            "SELECT r.resolution, v.vote FROM calls r JOIN votes v USING (rollcall_id) "
            f"WHERE v.ms_code = 'KHM' AND r.resolution IN ('{resolution}', '{earlier}')").fetchall())
        assert words[found[resolution]] == then and words[found[earlier]] == before and then != before
        titles = dict(duckdb.sql("SELECT resolution, title FROM calls "
                                 f"WHERE resolution IN ('{resolution}', '{earlier}')").fetchall())
        assert norm(titles[resolution]) == norm(titles[earlier]), titles


def test_country_page_statedept_section_equals_the_statedept_csv(pages, tables, ga_store_dir):
    """The country page's coincidence with the US by the State Department's rule: one row per complete
    calendar year of the span (the store's newest roll call says which are complete), each KHM's row of
    ``report statedept --year Y``, with its rank among the ranked and the members' average."""
    import duckdb

    calls, _ = tables  # noqa: F841 (DuckDB reads the local Arrow table by name)
    newest = duckdb.sql("SELECT max(date) FROM calls").fetchall()[0][0]
    complete = newest.year if (newest.month, newest.day) == (12, 31) else newest.year - 1
    _, tree = pages["khm"]
    shown = tree.xpath("//table[@id='statedept-table']/tbody/tr")
    assert [int(tr.get("data-year")) for tr in shown] == list(range(int(SINCE), complete + 1))
    for tr in shown:
        year = tr.get("data-year")
        rows = csv_rows(ga_store_dir, "report", "statedept", "--year", year)
        (row,) = [r for r in rows if r["country"] == "KHM"]
        cells = {td.get("data-col"): td for td in tr.xpath("td[@data-col]")}
        assert {k: cells[k].get("data-value") for k in ("same", "opposite", "partial", "absent", "votes", "rank")} == \
            {k: row[k] for k in ("same", "opposite", "partial", "absent", "votes", "rank")}, year
        assert number(cells["percent"]) == pytest.approx(float(row["percent"]), abs=1e-6)
        assert cells["rank"].text_content().endswith(f"of {sum(bool(r['rank']) for r in rows)}")
        assert cells["rule"].text == ("2021" if int(year) >= 2021 else "2017")
    groups = csv_rows(ga_store_dir, "report", "statedept", "--year", SINCE, "--table", "groups")
    assert number(shown[0].xpath("td[@data-col='average']")[0]) == \
        pytest.approx(float(next(g for g in groups if g["group"] == "ALL")["percent"]), abs=1e-6)


# ---- the vote page ---------------------------------------------------------------------------------

def test_vote_page_equals_the_tally_csv(pages, ga_store_dir):
    _, tree = pages["vote"]
    tally = csv_rows(ga_store_dir, "tally", "ES-11/1")[0]
    field = {n.get("data-field"): n for n in tree.xpath("//section[@id='tally']//*[@data-field]")}
    assert {k: number(field[k]) for k in ("yes", "no", "abstain", "non_voting", "members")} == \
        {k: float(tally[k]) for k in ("yes", "no", "abstain", "non_voting", "members")} == \
        {"yes": 141, "no": 5, "abstain": 35, "non_voting": 12, "members": 193}
    link = tree.xpath("//section[@id='tally']//a")[0].get("href")
    assert link == f"https://digitallibrary.un.org/record/{tally['rollcall_id']}"
    groups = csv_rows(ga_store_dir, "tally", "ES-11/1", "--by-group", "regional")
    shown = tree.xpath("//table[@id='group-table']/tbody/tr")
    assert [tr.get("data-group") for tr in shown] == [g["group"] for g in groups]
    for tr, g in zip(shown, groups):
        cells = {td.get("data-col"): number(td) for td in tr.xpath("td[@data-col]")}
        assert cells == {k: float(g[k]) for k in ("yes", "no", "abstain", "non_voting", "members")}


def test_vote_page_has_the_world_map(pages):
    """The map (output.maps) inline, described for a screen reader by each member's vote."""
    _, tree = pages["vote"]
    svg = tree.xpath("//section[@id='map']//svg")
    assert len(svg) == 1
    desc = svg[0].xpath("string(.//desc[@id='map-desc'])")
    assert "No: Belarus, Eritrea, North Korea, Russia, Syria" in desc


def test_vote_page_lists_every_member_a_to_z_in_common_names(pages, ga_store_dir):
    from unvote.model.text import fold

    _, tree = pages["vote"]
    members = csv_rows(ga_store_dir, "tally", "ES-11/1", "--countries")
    for letter in "YNAX":
        listed = tree.xpath(f"//ul[@data-vote='{letter}']/li")
        expected = sorted((r for r in members if r["vote"] == letter), key=lambda r: fold(countries.short_name(r["country"])))
        assert [li.get("data-country") for li in listed] == [r["country"] for r in expected]
        assert [li.text for li in listed] == [countries.short_name(r["country"]) for r in expected]
        assert tree.xpath(f"string(//*[@data-field='count-{letter}'])") == str(len(expected))
    assert {li.text for li in tree.xpath("//ul[@data-vote='N']/li")} == \
        {"Belarus", "Eritrea", "North Korea", "Russia", "Syria"}


# ---- the State Department page ----------------------------------------------------------------------

def test_statedept_page_names_its_rule_and_provenance(pages):
    _, tree = pages["sd"]
    for section in SD_SECTIONS:
        assert tree.xpath(f"//section[@id='{section}']/h2"), section
    rule = tree.xpath("string(//section[@id='rule'])")
    assert "rule 2021" in rule and "an absence counts half" in rule and "It is the rule of the report for 2023" in rule
    assert "(same + ½·(partial + absent)) / all roll calls" in tree.xpath("string(//section[@id='definitions'])")
    facts = {dt.text: dt.getnext().text_content() for dt in tree.xpath("//section[@id='provenance']//dt")}
    assert re.fullmatch(r"[0-9a-f]{64}", facts["sha256"]) and facts["unvote version"]
    assert facts["command"].startswith(f"unvote report statedept --year {SD_YEAR} --important")
    important = tree.xpath("string(//section[@id='important'])")
    assert "A/RES/ES-11/6, A/RES/ES-10/21" in important and "not in the data" in important


@pytest.mark.parametrize(("table", "key"), [("coincidence", "country"), ("groups", "group"), ("important", "country"),
                                            ("important-groups", "group")])
def test_statedept_tables_equal_the_csv(pages, ga_store_dir, table, key):
    """Every row of each table, in the CSV's order: the counts, the rank and the percentage (exact in
    data-value, one decimal as shown)."""
    _, tree = pages["sd"]
    expected = csv_rows(ga_store_dir, "report", "statedept", "--year", SD_YEAR, "--important", SD_IMPORTANT,
                        "--table", table, "--names", "short")  # a page's names are the short ones, A–Z
    shown = tree.xpath(f"//table[@id='{table}-table']/tbody/tr")
    assert [tr.get(f"data-{key}") for tr in shown] == [r[key] for r in expected]
    assert len(shown) == (192 if key == "country" else 12)
    for tr, row in zip(shown, expected):
        cells = {td.get("data-col"): td for td in tr.xpath("td[@data-col]")}
        columns = ("same", "opposite", "partial", "absent", "votes", *(("rank",) if key == "country" else ("members",)))
        assert {k: cells[k].get("data-value") for k in columns} == {k: row[k] for k in columns}, row[key]
        for k in ("percent", *(("pooled_percent",) if key == "group" else ())):
            assert number(cells[k]) == pytest.approx(float(row[k]), abs=1e-6)
            assert cells[k].text == f"{float(row[k]):.1f}%"


def test_statedept_us_votes_are_the_store_s_records(pages, tables):
    """The US votes table is the year's resolution roll calls read straight from the store: each links
    its UN Digital Library record, with the US vote and the counts of the votes; the figures agree."""
    import duckdb

    calls, votes = tables  # noqa: F841 (DuckDB reads the local Arrow tables by name)
    rows = duckdb.sql(
        "SELECT r.rollcall_id, r.resolution, r.date, any_value(v.vote) FILTER (v.ms_code = 'USA'), "
        "count(*) FILTER (v.vote = 'Y'), count(*) FILTER (v.vote = 'N'), count(*) FILTER (v.vote = 'A') "
        "FROM calls r JOIN votes v USING (rollcall_id) "
        f"WHERE year(r.date) = {SD_YEAR} AND coalesce(r.kind, 'resolution') = 'resolution' "
        "GROUP BY ALL ORDER BY r.date, r.rollcall_id").fetchall()
    _, tree = pages["sd"]
    shown = []
    for tr in tree.xpath("//table[@id='us-votes-table']/tbody/tr"):
        link = tr.xpath("th/a")[0]
        cells = {td.get("data-col"): td.get("data-value") for td in tr.xpath("td[@data-col]")}
        shown.append((int(RECORD.match(link.get("href")).group(1)), link.text, tr.xpath("string(td[@class='date'])"),
                      cells["us_vote"], int(cells["yes"]), int(cells["no"]), int(cells["abstain"])))
        assert link.get("data-record") == str(shown[-1][0])
    assert sorted(shown) == sorted((rid, res, day.isoformat(), *rest) for rid, res, day, *rest in rows)
    assert [d for _, _, d, *_ in shown] == sorted(d for _, _, d, *_ in shown)  # oldest first
    field = {n.get("data-field"): number(n) for n in tree.xpath("//section[@id='rule']//*[@data-field][@data-value]")}
    assert field["rollcalls"] == len(rows) == 88
    assert [field[f"us-{v}"] for v in "YNA"] == [sum(r[3] == v for r in rows) for v in "YNA"]
    marked = [tr.get("data-resolution") for tr in tree.xpath("//table[@id='us-votes-table']/tbody/tr")
              if tr.xpath("string(td[@data-col='important'])") == "important"]
    assert sorted(marked) == ["A/RES/ES-10/21", "A/RES/ES-11/6"]


def test_statedept_page_by_format_without_important_votes(ga_store_dir):
    """``--format html`` writes the page to stdout; without --important the section says the report's
    list is not in the data, and how to name them, and has no tables."""
    tree = lhtml.fromstring(run(ga_store_dir, "report", "statedept", "--year", "2022", "--rule", "2017",
                                "--format", "html").stdout)
    section = tree.xpath("//section[@id='important']")[0]
    assert "not in the data" in section.text_content() and not section.xpath(".//table")
    rule = tree.xpath("string(//section[@id='rule'])")
    assert "rule 2017" in rule and "chosen with --rule" in rule and "the report for 2022 used rule 2021" in rule
    assert len(tree.xpath("//table[@id='coincidence-table']/tbody/tr")) == 192


# ---- the command ---------------------------------------------------------------------------------

def test_html_goes_to_stdout_when_it_is_not_a_terminal(ga_store_dir):
    done = run(ga_store_dir, "report", "vote", "ES-11/1")
    assert done.stdout.startswith("<!DOCTYPE html>") and done.stdout.rstrip().endswith("</html>")


def test_a_page_without_partners_has_no_agreement_sections(ga_store_dir, tmp_path):
    path = tmp_path / "p.html"
    run(ga_store_dir, "report", "country", "KHM", "--year", "2023", "-o", str(path))
    tree = lhtml.fromstring(path.read_text("utf-8"))
    assert not tree.xpath("//section[@id='over-time'] | //section[@id='split'] | //svg")
    assert tree.xpath("//section[@id='neighbours']") and tree.xpath("//section[@id='by-topic']")
    assert [tr.get("data-year") for tr in tree.xpath("//table[@id='statedept-table']/tbody/tr")] == ["2023"]


def test_about_narrows_the_page_and_says_so(ga_store_dir, tmp_path):
    """``report … --about WORDS`` is the same filter as ``align … --about``: the page's pooled counts equal
    align's CSV, and every filter line names the words."""
    path = tmp_path / "about.html"
    run(ga_store_dir, "report", "KHM", "RUS", "--since", SINCE, "--about", "Ukraine", "-o", str(path))
    text = path.read_text("utf-8")
    tree = lhtml.fromstring(text)
    (row,) = csv_rows(ga_store_dir, "align", "KHM", "RUS", "--since", SINCE, "--about", "Ukraine", "--by", "all")
    cells = {td.get("data-col"): td for td in tree.xpath("//table[@id='pooled']//tr[@data-partner='RUS']/td")}
    assert {k: number(cells[k]) for k in ("n", "same", "opposite")} == {k: float(row[k]) for k in ("n", "same", "opposite")}
    everything = csv_rows(ga_store_dir, "align", "KHM", "RUS", "--since", SINCE, "--by", "all")
    assert int(row["n"]) < int(everything[0]["n"])  # the words did narrow the selection
    filters = [p.text_content() for p in tree.xpath("//*[contains(@class, 'filters')]")]
    assert filters and all("about: Ukraine" in line for line in filters)
    assert not tree.xpath("//section[@id='statedept']")  # the report counts every resolution, not these


def test_a_seat_holder_with_no_votes_of_its_own_says_whose_they_are(ga_store_dir, tmp_path):
    """TWN's votes are the China seat's under continuity: no data (4), said with the page's span, and how to
    read them as TWN; with --no-continuity the page is built."""
    done = invoke("report", "TWN", "-o", str(tmp_path / "twn.html"), env={"UNVOTE_DATA_DIR": str(ga_store_dir)})
    assert done.returncode == 4 and not (tmp_path / "twn.html").exists()
    assert done.stderr == ("unvote: error: no GA votes of TWN (Republic of China (Taiwan)); with continuity its "
                           "votes are the CHN seat's (--no-continuity reads them as TWN)\n")
    run(ga_store_dir, "report", "TWN", "--no-continuity", "-o", str(tmp_path / "twn.html"))
    assert "Republic of China" in (tmp_path / "twn.html").read_text("utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (("report", "KHM", "-o", "page.txt"), "must end in .html"),
    (("report", "KHM", "-o", "no/such/folder/page.html"), "does not exist"),
    (("report", "ASEAN", "-o", "page.html"), "is a group"),
    (("report", "KHM", "KHM", "-o", "page.html"), "country of the report"),
    (("report", "KHM", *"RUS USA CHN GBR FRA IND BRA ZAF".split(), "-o", "page.html"), "at most 7 partners"),
    (("report", "KHM", "--mark", "yesterday", "-o", "page.html"), "--mark 'yesterday'"),
    (("report", "KHM", "--metric", "agreement", "-o", "page.html"), "unknown metric"),
    (("report", "vote", "35/206", "-o", "page.html"), "matches 15 roll calls"),
    (("report", "statedept", "--year", "2023", "--format", "html", "-o", "page.txt"), "must end in .html"),
    (("report", "statedept", "--year", "2023", "--bom", "-o", "page.html"), "html has no byte-order mark"),
    (("report", "statedept", "--year", "2023", "-o", "page.txt"), ".xlsx, .parquet, .html or give --format"),
])
def test_bad_input_is_one_line_and_a_usage_error(ga_store_dir, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    done = invoke(*args, env={"UNVOTE_DATA_DIR": str(ga_store_dir)})
    assert done.returncode == (3 if "roll calls" in message else 2), done.stderr  # Ambiguous: not found (3)
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert not (tmp_path / "page.html").exists() and not (tmp_path / "page.txt").exists()


def test_the_statedept_page_prints_short_names_unless_told(pages, ga_store_dir, tmp_path):
    """A page, like a chart, names countries as newsrooms do (and says so); --names official gives the
    UN's names, A–Z by them; the CSV keeps the UN's names by default."""
    text, tree = pages["sd"]
    names = {tr.get("data-country"): tr.xpath("string(td[@data-col='name'] | th)").strip()
             for tr in tree.xpath("//table[@id='coincidence-table']/tbody/tr")}
    assert names["BOL"] == countries.short_name("BOL") == "Bolivia"
    assert "countries by the names newsrooms print" in text
    path = tmp_path / "official.html"
    run(ga_store_dir, "report", "statedept", "--year", SD_YEAR, "--names", "official", "-o", str(path))
    official = path.read_text("utf-8")
    assert "Bolivia (Plurinational State of)" in official and "countries by their UN names" in official
    (row,) = [r for r in csv_rows(ga_store_dir, "report", "statedept", "--year", SD_YEAR) if r["country"] == "BOL"]
    assert row["name"] == "Bolivia (Plurinational State of)"
