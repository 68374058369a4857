"""``unvote report``'s pages in a real browser: the system's headless Chromium, driven by Playwright.

The pages load with no console error and ask for nothing over the network (only the file:// page
itself is requested), every SVG chart renders as a non-blank picture, the numbers the browser shows
equal the CSV of the same selection, the page reads the same with JavaScript off, and it prints to
PDF. One browser per module.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from cli_runner import invoke

pytestmark = pytest.mark.system  # starts a browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PAGES = {"khm": ("report", "KHM", "RUS", "USA", "--since", "2022"), "vote": ("report", "vote", "ES-11/1"),
         "sd": ("report", "statedept", "--year", "2023")}
CHARTED = ("khm", "vote")  # the State Department page is tables only


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("no Chromium at /usr/bin/chromium (.ci/run installs the distribution's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (dev extra)")
    with sync_api.sync_playwright() as p:
        found = p.chromium.launch(executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
                                  args=ARGS)
        yield found
        found.close()


@pytest.fixture(scope="module")
def files(ga_store_dir, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for name, args in PAGES.items():
        out[name] = folder / f"{name}.html"
        done = invoke(*args, "-o", str(out[name]), env={"UNVOTE_DATA_DIR": str(ga_store_dir)})
        assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def loaded(browser, files):
    """Each page opened once: {name: (page, requests made, console errors)}."""
    out = {}
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    for name, path in files.items():
        page = context.new_page()
        requests, errors = [], []
        page.on("request", lambda r, seen=requests: seen.append(r.url))
        page.on("console", lambda m, seen=errors: seen.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e, seen=errors: seen.append(str(e)))
        page.goto(path.as_uri(), wait_until="load")
        out[name] = (page, requests, errors)
    yield out
    context.close()


def csv_rows(store, *args: str) -> list[dict]:
    done = invoke(*args, "--format", "csv", env={"UNVOTE_DATA_DIR": str(store)})
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


@pytest.mark.parametrize("name", PAGES)
def test_loads_without_errors_or_network(loaded, files, name):
    page, requests, errors = loaded[name]
    assert requests == [files[name].as_uri()]
    assert errors == []
    hrefs = page.eval_on_selector_all("a[href]", "nodes => nodes.map(n => n.href)")
    records = [h for h in hrefs if not h.startswith(files[name].as_uri() + "#")]
    assert records and all(h.startswith("https://digitallibrary.un.org/record/") for h in records)


@pytest.mark.parametrize("name", CHARTED)
def test_every_svg_renders(loaded, name):
    from PIL import Image, ImageStat

    page, _, _ = loaded[name]
    charts = page.locator("svg")
    assert charts.count() >= 1
    for i in range(charts.count()):
        chart = charts.nth(i)
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] > 150, box
        image = Image.open(io.BytesIO(chart.screenshot())).convert("L")
        stat = ImageStat.Stat(image)
        dark = sum(image.histogram()[:128]) / (image.width * image.height)
        assert stat.stddev[0] > 20 and 0.005 < dark < 0.6, (stat.stddev, dark)


def test_dom_numbers_equal_the_csv(loaded, ga_store_dir):
    page, _, _ = loaded["khm"]
    shown = page.eval_on_selector_all(
        "#pooled tbody tr",
        "rows => rows.map(r => [r.dataset.partner, r.querySelector('[data-col=score]').innerText, "
        "r.querySelector('[data-col=n]').innerText, r.querySelector('[data-col=opposite]').innerText])")
    expected = csv_rows(ga_store_dir, "align", "KHM", "RUS", "USA", "--since", "2022", "--by", "all")
    assert shown == [[r["partner"], f"{float(r['score']):.2f}", r["n"], r["opposite"]] for r in expected]
    vote, _, _ = loaded["vote"]
    tally = csv_rows(ga_store_dir, "tally", "ES-11/1")[0]
    figures = vote.eval_on_selector_all("#tally [data-field]", "n => n.map(x => [x.dataset.field, x.innerText])")
    assert dict(figures) == {k: tally[k] for k in ("yes", "no", "abstain", "non_voting", "members")}
    sd, _, _ = loaded["sd"]
    shown = sd.eval_on_selector_all(
        "#coincidence-table tbody tr",
        "rows => rows.map(r => [r.dataset.country, r.querySelector('[data-col=same]').innerText, "
        "r.querySelector('[data-col=absent]').innerText, r.querySelector('[data-col=percent]').innerText])")
    expected = csv_rows(ga_store_dir, "report", "statedept", "--year", "2023", "--names", "short")  # the page's names
    assert shown == [[r["country"], r["same"], r["absent"], f"{float(r['percent']):.1f}%"] for r in expected]


def test_sorting_the_statedept_table_by_coincidence(loaded):
    page, _, errors = loaded["sd"]
    before = page.eval_on_selector_all("#coincidence-table tbody tr", "rows => rows.map(r => r.dataset.country)")
    page.click("#coincidence-table thead th:nth-child(9) button")  # coincidence, ascending
    after = page.eval_on_selector_all("#coincidence-table tbody [data-col=percent]",
                                      "cells => cells.map(c => Number(c.dataset.value))")
    countries = page.eval_on_selector_all("#coincidence-table tbody tr", "rows => rows.map(r => r.dataset.country)")
    assert sorted(countries) == sorted(before) and after == sorted(after) and len(after) == 192
    assert errors == []


def test_sorting_a_table_keeps_its_rows(loaded):
    page, _, errors = loaded["khm"]
    before = page.eval_on_selector_all("#closest tbody tr", "rows => rows.map(r => r.dataset.country)")
    page.click("#closest thead th:nth-child(4) button")  # votes both cast, ascending
    after = page.eval_on_selector_all("#closest tbody tr", "rows => rows.map(r => r.dataset.country)")
    cast = page.eval_on_selector_all("#closest tbody [data-col=cast]", "cells => cells.map(c => Number(c.dataset.value))")
    assert sorted(after) == sorted(before) and cast == sorted(cast)
    assert page.get_attribute("#closest thead th:nth-child(4)", "aria-sort") == "ascending"
    assert errors == []


def test_reads_with_javascript_off(browser, files):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(files["khm"].as_uri())
    assert page.locator("#closest tbody tr").count() == 10
    assert page.locator("svg").first.is_visible()
    assert "Headline numbers" in page.inner_text("#headline h2")
    page.goto(files["sd"].as_uri())
    assert page.locator("#coincidence-table tbody tr").count() == 192
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_prints_to_pdf(loaded, name):
    page, _, _ = loaded[name]
    page.emulate_media(media="print")
    try:
        assert page.locator("nav").count() == 0 or not page.locator("nav").first.is_visible()  # the print stylesheet
        pdf = page.pdf(format="A4")
    finally:
        page.emulate_media(media="screen")
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= (1 if name == "vote" else 3)
