"""Charts (``--chart FILE``): real files of the right type and size, the real figures in them, three
compared with committed baselines, and matplotlib imported only on the chart path.

Regenerate the baselines (after a deliberate change of look) with
    UNVOTE_UPDATE_BASELINES=1 python -m pytest tests/test_charts.py -k baseline
and look at them before committing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_runner import invoke as run  # the one in-process harness (tests/cli_runner.py)

BASELINES = Path(__file__).resolve().parent / "baselines"
SVG = "{http://www.w3.org/2000/svg}"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_texts(path: Path) -> list[str]:
    """Every <text> element's text, in document order (svg.fonttype none keeps text as text)."""
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


# ---------------------------------------------------------------- independent figures from the store

def _votes_by_call(store, calls):
    """{rollcall_id: {ms_code: vote letter, upper-cased}} read straight from the store's votes."""
    ids = [c["rollcall_id"] for c in calls]
    table = store.votes("ga", columns=["rollcall_id", "ms_code", "vote"], filters=[("rollcall_id", "in", ids)])
    out: dict[int, dict[str, str]] = {i: {} for i in ids}
    for r in table.to_pylist():
        out[r["rollcall_id"]][r["ms_code"]] = (r["vote"] or "X").upper()
    return out


def _calls_in_year(store, year: int):
    rows = store.rollcalls("ga", columns=["rollcall_id", "date", "kind"]).to_pylist()
    return [r for r in rows if r["date"].year == year and r["kind"] == "resolution"]


def _agreement_with(store, focal: str, year: int) -> dict[str, tuple[float, int]]:
    """Voeten's agreement of ``focal`` with every other country in ``year``: (score, roll calls both voted)."""
    calls = _calls_in_year(store, year)
    votes = _votes_by_call(store, calls)
    tallies: dict[str, list[float]] = {}
    for by_code in votes.values():
        mine = by_code.get(focal)
        if mine not in ("Y", "N", "A"):
            continue
        for code, theirs in by_code.items():
            if code == focal or theirs not in ("Y", "N", "A"):
                continue
            t = tallies.setdefault(code, [0.0, 0])
            t[0] += 1.0 if theirs == mine else 0.5 if "A" in (mine, theirs) else 0.0
            t[1] += 1
    return {code: (points / n, n) for code, (points, n) in tallies.items()}


# ---------------------------------------------------------------- import discipline and errors

def test_cli_import_does_not_import_matplotlib():
    code = "import sys, unvote.cli; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def test_help_does_not_import_matplotlib():
    code = ("import sys\nsys.argv = ['unvote', 'align', '--help']\nfrom unvote.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nassert 'matplotlib' not in sys.modules\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "--chart" in out.stdout


@pytest.mark.parametrize("name", ["a.jpg", "a", "a.png.txt"])
def test_unknown_suffix_is_a_one_line_usage_error(tmp_path, name):
    out = run("align", "KHM", "RUS", "--chart", str(tmp_path / name))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and ".png, .svg or .pdf" in out.stderr
    assert out.stdout == "" and not (tmp_path / name).exists()


def test_missing_folder_is_a_usage_error(tmp_path):
    out = run("tally", "ES-11/1", "--chart", str(tmp_path / "nowhere" / "t.png"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "does not exist" in out.stderr


def test_without_matplotlib_exit_7_names_the_extra(ga_store, tmp_path):
    target = tmp_path / "t.png"
    code = ("import sys\nsys.modules['matplotlib'] = None  # as if not installed\n"
            f"sys.argv = ['unvote', 'tally', 'ES-11/1', '--chart', {str(target)!r}]\n"
            "from unvote.cli import main\nmain()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 7, out.stderr
    assert out.stderr.count("\n") == 1
    # unvote is not on PyPI: the hint names matplotlib itself and the checkout's extra, never 'unvote[...]'
    assert "pip install matplotlib" in out.stderr and "pip install '.[charts]'" in out.stderr
    assert "unvote[" not in out.stderr
    assert not target.exists()


def test_highlight_needs_chart(ga_store):
    out = run("ideal", "--year", "2022", "--highlight", "KHM")
    assert out.returncode == 2 and "--chart" in out.stderr


# ---------------------------------------------------------------- files: type, size, text, determinism

def test_formats_size_and_determinism(ga_store, tmp_path):
    import unvote
    from unvote.output import charts

    periods, pooled = unvote.align("KHM", "RUS", store=ga_store), unvote.align("KHM", "RUS", by="all", store=ga_store)
    for suffix, magic in ((".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml"), (".pdf", b"%PDF-")):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        for path in (first, second):
            charts.align_chart(path, periods, pooled, a="KHM", b="RUS")
        data = first.read_bytes()
        assert data.startswith(magic)
        assert data == second.read_bytes(), f"{suffix} output is not deterministic"
        assert str(dt.date.today().year).encode() + b"-" not in data  # no creation date in the file
    assert png_size(tmp_path / "a.png") == (1200, 675)


def test_align_svg_shows_labels_and_the_pooled_score(ga_store, tmp_path):
    import unvote

    out = run("align", "KHM", "RUS", "--chart", str(tmp_path / "a.svg"), "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("period,n,")  # the data still goes to stdout
    texts = svg_texts(tmp_path / "a.svg")
    pooled = unvote.align("KHM", "RUS", by="all", store=ga_store).to_pylist()[0]["score"]
    years = [r["period"] for r in unvote.align("KHM", "RUS", store=ga_store).to_pylist()]
    assert "How often Cambodia votes with Russia" in texts  # short names
    subtitle = next(i for i, t in enumerate(texts) if t.startswith("UN General Assembly recorded votes"))
    assert f"{years[0]}–{years[-1]}" in texts[subtitle] and "[agree]" in " ".join(texts[subtitle:subtitle + 2])
    assert "Source: UN Digital Library voting data, via unvote · countries by short names" in texts
    assert "Year" in texts and "Score (agree)" in texts
    assert f"Russia, whole span: {pooled:.2f}" in texts
    assert "Russia (USSR to 1991)" in texts  # the seat named for its years: the line starts in the 1950s


def test_align_with_a_partner_column_draws_one_line_each(ga_store, tmp_path):
    import pyarrow as pa

    import unvote
    from unvote.output import charts

    def with_partner(table, partner):
        return table.append_column("partner", pa.array([partner] * table.num_rows))

    periods = pa.concat_tables([with_partner(unvote.align("KHM", p, since="2015", store=ga_store), p)
                                for p in ("RUS", "USA", "CHN")])
    pooled = pa.concat_tables([with_partner(unvote.align("KHM", p, since="2015", by="all", store=ga_store), p)
                               for p in ("RUS", "USA", "CHN")])
    charts.align_chart(tmp_path / "p.svg", periods, pooled, a="KHM", b="RUS")
    texts = svg_texts(tmp_path / "p.svg")
    for name, row in zip(("Russia", "United States", "China"), pooled.to_pylist()):
        assert name in texts
        assert f"{name}, whole span: {row['score']:.2f}" in texts
    root = ET.parse(tmp_path / "p.svg").getroot()
    lines = [g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("line2d_")
             and any("stroke-width: 2.2" in (p.get("style") or "") for p in g.iter(f"{SVG}path"))]
    assert len(lines) >= 3 * 2  # three partners, each drawn in the plot and in the legend


def test_tally_chart_counts_match_the_votes(ga_store, tmp_path):
    calls = [r for r in ga_store.rollcalls("ga", columns=["rollcall_id", "resolution"]).to_pylist()
             if r["resolution"] == "A/RES/ES-11/1"]
    assert len(calls) == 1
    letters = list(_votes_by_call(ga_store, calls)[calls[0]["rollcall_id"]].values())
    counts = {v: letters.count(v) for v in "YNAX"}
    out = run("tally", "ES-11/1", "--chart", str(tmp_path / "t.svg"))
    assert out.returncode == 0, out.stderr
    texts = svg_texts(tmp_path / "t.svg")
    assert "Aggression against Ukraine (A/RES/ES-11/1)" in texts
    voting = counts["Y"] + counts["N"] + counts["A"]
    assert (f"UN General Assembly recorded vote of 2 March 2022: {counts['Y']} yes, {counts['N']} no, "
            f"{counts['A']} abstaining; {voting} of {len(letters)} members voted") in texts
    for v in "YNAX":  # each count printed in its segment
        assert str(counts[v]) in texts
    for word in ("Yes", "No", "Abstain", "Non-voting", "Member states"):
        assert word in texts


def test_source_line_names_voeten(ga_store, tmp_path):
    import unvote
    from unvote.output import charts

    charts.tally_chart(tmp_path / "v.svg", unvote.tally("ES-11/1", store=ga_store),
                       sel=unvote.Selection.of(source="voeten"))
    texts = svg_texts(tmp_path / "v.svg")
    assert "Source: Erik Voeten's UNGA roll-call data (Harvard Dataverse), via unvote" in texts
    assert not any("UN Digital Library" in t for t in texts)


def test_tally_by_group_one_bar_per_group(ga_store, tmp_path):
    from unvote.model import groups

    out = run("tally", "ES-11/1", "--by-group", "regional", "--chart", str(tmp_path / "g.svg"))
    assert out.returncode == 0, out.stderr
    texts = svg_texts(tmp_path / "g.svg")
    for group in groups.regional():
        assert group.name in texts
    # the African Group's Yes count, counted from the votes of its members that day
    calls = [r for r in ga_store.rollcalls("ga", columns=["rollcall_id", "resolution"]).to_pylist()
             if r["resolution"] == "A/RES/ES-11/1"]
    votes = _votes_by_call(ga_store, calls)[calls[0]["rollcall_id"]]
    african = groups.members("AFRICAN", dt.date(2022, 3, 2))
    assert str(sum(votes.get(c) == "Y" for c in african)) in texts


def test_neighbors_chart_shows_the_real_ranking(ga_store, tmp_path):
    out = run("neighbors", "KHM", "--year", "2022", "--chart", str(tmp_path / "n.svg"), "--format", "csv")
    assert out.returncode == 0, out.stderr
    texts = svg_texts(tmp_path / "n.svg")
    # ranked: those that voted Y/A/N on at least half the roll calls Cambodia voted on (neighbors' default)
    by_call = _votes_by_call(ga_store, _calls_in_year(ga_store, 2022)).values()
    least = -(-sum(votes.get("KHM") in ("Y", "N", "A") for votes in by_call) // 2)
    scores = {c: sn for c, sn in _agreement_with(ga_store, "KHM", 2022).items() if sn[1] >= least}
    ranked = sorted((s for s, _ in scores.values()), reverse=True)
    assert any(f"the 15 closest and 15 farthest of {len(scores)} countries" in t for t in texts)
    root = ET.parse(tmp_path / "n.svg").getroot()
    shown = ["".join(g.itertext()).strip() for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("score-")]
    assert all(re.fullmatch(r"-?\d\.\d\d( \(\d+ votes\))?", t) for t in shown), shown
    assert len(shown) == 30
    assert [t.split()[0] for t in shown] == [f"{s:.2f}" for s in ranked[:15] + ranked[-15:]]
    # the labels: the top country by name, with its few shared votes said
    best = max(scores, key=lambda c: scores[c][0])
    import unvote.model.countries as countries

    assert f"1. {countries.short_name(best)}" in texts
    top_votes = scores[best][1]
    assert shown[0] == f"{scores[best][0]:.2f}" + (f" ({top_votes} votes)" if top_votes < 10 else "")
    assert "Who votes with Cambodia?" in texts and "Closest" in texts and "Farthest" in texts


def test_cohesion_chart(ga_store, tmp_path):
    import unvote

    out = run("cohesion", "ASEAN", "--chart", str(tmp_path / "c.svg"))
    assert out.returncode == 0, out.stderr
    texts = svg_texts(tmp_path / "c.svg")
    rows = unvote.cohesion("ASEAN", store=ga_store).to_pylist()
    assert "How united the Association of Southeast Asian Nations votes" in texts
    assert any(f"{rows[0]['period']}–{rows[-1]['period']}" in t for t in texts)
    assert "With the group's plurality" in texts and "Agreement index" in texts


def test_ideal_chart_highlights(ga_store, tmp_path):
    out = run("ideal", "--year", "2022", "--chart", str(tmp_path / "i.svg"), "--highlight", "KHM,Russia")
    assert out.returncode == 0, out.stderr
    texts = svg_texts(tmp_path / "i.svg")
    import unvote

    table = unvote.ideal(year=[2022], store=ga_store).to_pylist()
    assert "Cambodia" in texts and "Russia" in texts
    low, high = min(table, key=lambda r: r["ideal_point"]), max(table, key=lambda r: r["ideal_point"])
    import unvote.model.countries as countries

    assert countries.short_name(low["country"]) in texts and countries.short_name(high["country"]) in texts
    assert f"{len(table)} countries, lowest to highest" in texts
    assert "Where countries stand: ideal points, year 2022" in texts
    bad = run("ideal", "--year", "2022", "--chart", str(tmp_path / "j.svg"), "--highlight", "Narnia")
    assert bad.returncode == 3 and not (tmp_path / "j.svg").exists()
    # the countries may follow --highlight as words (the spelling): the same chart, byte for byte
    spaced = run("ideal", "--year", "2022", "--highlight", "KHM", "Russia", "--chart", str(tmp_path / "k.svg"))
    assert spaced.returncode == 0, spaced.stderr
    assert (tmp_path / "k.svg").read_bytes() == (tmp_path / "i.svg").read_bytes()
    stray = run("ideal", "--year", "2022", "KHM")
    assert stray.returncode == 2 and "unexpected extra argument" in stray.stderr


def test_matrix_chart(ga_store, tmp_path):
    import unvote

    out = run("matrix", "--year", "2022", "--chart", str(tmp_path / "m.png"), "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert png_size(tmp_path / "m.png") == (1200, 675)
    table = unvote.matrix(year=2022, store=ga_store)
    scored = {r["a"] for r in table.to_pylist() if r["score"] is not None and r["score"] == r["score"]}
    from unvote.output import charts

    charts.matrix_chart(tmp_path / "m.svg", table, sel=unvote.Selection.of(year=2022))
    texts = svg_texts(tmp_path / "m.svg")
    assert any(f"{len(scored)} countries ordered so that blocs show" in t for t in texts)
    by_year = run("matrix", "--since", "2021", "--until", "2022", "--by", "year", "--chart", str(tmp_path / "y.png"))
    assert by_year.returncode == 2 and "--by all" in by_year.stderr


def test_bloc_order_puts_blocs_together():
    """Two blocs of countries shuffled together come out as two runs."""
    import random

    from unvote.output.charts import bloc_order

    rng = random.Random(7)
    codes = [f"A{i}" for i in range(8)] + [f"B{i}" for i in range(6)] + ["USA"]
    rng.shuffle(codes)
    bloc = {c: (c[0] if c != "USA" else "B") for c in codes}
    scores = [[1.0 if a == b else (0.9 if bloc[a] == bloc[b] else 0.3) + rng.uniform(-0.03, 0.03)
               for b in codes] for a in codes]
    scores = [[(scores[i][j] + scores[j][i]) / 2 for j in range(len(codes))] for i in range(len(codes))]
    order = [bloc[codes[i]] for i in bloc_order(codes, scores)]
    assert sorted(order) == sorted(bloc.values())
    changes = sum(1 for x, y in zip(order, order[1:]) if x != y)
    assert changes == 1, order
    assert order[-1] == "B"  # the United States' bloc at the high end


# ---------------------------------------------------------------- baselines

BASELINE_CASES = {
    "align_KHM_RUS.png": ("align", "KHM", "RUS"),
    "tally_ES-11-1.png": ("tally", "ES-11/1"),
    "neighbors_KHM_2022.png": ("neighbors", "KHM", "--year", "2022"),
}


@pytest.mark.parametrize("name", sorted(BASELINE_CASES))
def test_chart_matches_baseline(ga_store, tmp_path, name):
    from matplotlib.testing.compare import compare_images

    made = tmp_path / name
    out = run(*BASELINE_CASES[name], "--chart", str(made), "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert png_size(made) == ((1200, 340) if name.startswith("tally") else (1200, 675))  # one bar: a short canvas
    baseline = BASELINES / name
    if os.environ.get("UNVOTE_UPDATE_BASELINES"):
        baseline.parent.mkdir(exist_ok=True)
        baseline.write_bytes(made.read_bytes())
    assert baseline.stat().st_size < 150_000
    assert compare_images(str(baseline), str(made), tol=3) is None


# ---------------------------------------------------------------- the docs' examples run

DOC = Path(__file__).resolve().parents[1] / "docs" / "charts.md"
NEWSROOM = DOC.with_name("newsroom.md")  # its map and chart examples (its pages: tests/test_docs.py)


def _doc_commands() -> list[list[str]]:
    import shlex

    lines = [line.strip() for line in DOC.read_text("utf-8").splitlines()]
    lines += [line.strip() for line in NEWSROOM.read_text("utf-8").splitlines()
              if line.startswith("    $ unvote ") and ("--map" in line or "--chart" in line)]
    return [shlex.split(line[2:]) for line in lines if line.startswith("$ unvote ")]


def test_docs_name_every_chart_command():
    commands = {c[1] for c in _doc_commands()}
    assert commands == {"align", "neighbors", "tally", "cohesion", "ideal", "matrix", "series", "votes"}


@pytest.mark.parametrize("args", _doc_commands(), ids=lambda a: " ".join(a[1:]))
def test_docs_command_makes_its_chart(ga_store, tmp_path, args):
    at = args.index("--chart") if "--chart" in args else args.index("--map")  # --map: docs/charts.md, world maps
    target = tmp_path / args[at + 1]
    out = run(*args[1:at + 1], str(target), *args[at + 2:], "--format", "csv")
    assert out.returncode == 0, out.stderr
    data = target.read_bytes()
    magic = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".pdf": b"%PDF-"}[target.suffix]
    assert data.startswith(magic)
    if target.suffix == ".png":
        assert png_size(target) in ((1200, 675), (1200, 340))
    if target.suffix == ".svg":
        assert any(t.startswith("Source: UN Digital Library voting data, via unvote") for t in svg_texts(target))


def test_docs_python_example_runs(ga_store, tmp_path, monkeypatch):
    block = re.search(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, str(DOC), "exec"), {})
    assert (tmp_path / "khm-rus.svg").read_bytes().startswith(b"<?xml")
    assert (tmp_path / "es-11-1.pdf").read_bytes().startswith(b"%PDF-")


# ---------------------------------------------------------------- what an editor needs (issue 16 §3)

EDITED_TITLE = "$5 & \\n <b>"  # mathtext, an escape and markup, all to be drawn as typed
DRAWN = {  # name: the command (each drawn once, as SVG, in one module-scoped pass)
    "align": ["align", "KHM", "RUS", "USA", "CHN", "--since", "2005", "--title", EDITED_TITLE, "--subtitle",
              "Cambodia's friends", "--note", "Editor's note", "--mark", "2022-03-02=ES-11/1"],
    "align_all": ["align", "KHM", "RUS"],
    "neighbors": ["neighbors", "KHM", "--year", "2022"],
    "ideal": ["ideal", "--year", "2022", "--highlight", "KHM,RUS,CHN,IND,BRA,ZAF,USA,GBR,FRA,VNM,LAO,THA"],
    "matrix": ["matrix", "--year", "2022"],
    "cohesion": ["cohesion", "G77", "EU", "--since", "2000"],
    "series": ["series", "80/4", "--since", "2015"],
    "votes": ["votes", "RUS", "--since", "1985", "--until", "2000"],
    "votes_now": ["votes", "KHM", "--since", "2024"],
    "tally": ["tally", "ES-11/1"],
}


@pytest.fixture(scope="module")
def drawn(ga_store_dir, tmp_path_factory):
    """Each chart of ``DRAWN`` made once by the CLI with warnings as errors: {name: (svg texts, figure,
    completed process, svg path)}; the figure is the one written, caught as the frame finishes it."""
    import warnings

    from unvote.output import charts

    folder = tmp_path_factory.mktemp("drawn")
    figures = []
    finish = charts._Chart._finish

    def keep(self):
        finish(self)
        figures.append(self.fig)

    out = {}
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings():
        warnings.simplefilter("error")  # a matplotlib warning fails the command (and shows in stderr)
        mp.setenv("UNVOTE_DATA_DIR", str(ga_store_dir))
        mp.setattr(charts._Chart, "_finish", keep)
        for name, args in DRAWN.items():
            path = folder / f"{name}.svg"
            done = run(*args, "--chart", str(path), "--format", "csv")
            assert done.returncode == 0, (name, done.stderr)
            out[name] = (svg_texts(path), figures[-1], done, path)
    return out


def _boxes(fig, texts):
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts]


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _markers(ax):
    """Display-space boxes of every marker drawn on ``ax`` (lines with a marker)."""
    from matplotlib.transforms import Bbox

    boxes = []
    for line in ax.lines:
        if line.get_marker() in (None, "None", "", " "):
            continue
        half = line.get_markersize() / 2 * line.figure.dpi / 72
        for x, y in ax.transData.transform(line.get_xydata()):
            boxes.append(Bbox([[x - half, y - half], [x + half, y + half]]))
    return boxes


def test_no_warning_and_quiet_stderr(drawn):
    for name, (_, _, done, _) in drawn.items():
        assert not [line for line in done.stderr.splitlines() if not line.startswith("note: ")], (name, done.stderr)


def test_title_is_literal_and_the_filters_stay(drawn):
    texts = drawn["align"][0]
    assert EDITED_TITLE in texts  # $ not mathtext, \n not a newline, <b> not markup (and valid XML)
    assert "How often Cambodia votes with Russia, United States, China" not in texts  # replaced
    assert "Cambodia's friends" in texts
    filters = next(t for t in texts if t.startswith("UN General Assembly recorded votes"))
    assert "2005–2025" in filters and "[agree]" in filters  # the editor's subtitle hides no filter
    assert "Editor's note" in texts and "ES-11/1" in texts


def test_mark_is_drawn_at_its_date(drawn):
    fig = drawn["align"][1]
    ax = fig.axes[0]
    rules = [line for line in ax.lines if line.get_linestyle() != "-" and len(set(line.get_xdata())) == 1]
    day = dt.date(2022, 3, 2)
    want = 2022 - 0.5 + (day - dt.date(2022, 1, 1)).days / 365  # 2022's slot runs 2021.5 … 2022.5
    assert [round(float(line.get_xdata()[0]), 6) for line in rules] == [round(want, 6)]


@pytest.mark.parametrize("args, words", [
    (["neighbors", "KHM", "--title", "X"], "--title is for a chart: add --chart FILE"),
    (["align", "KHM", "RUS", "--mark", "2022-03-02"], "--mark is for a chart: add --chart FILE"),
])
def test_editorial_options_need_a_chart(args, words):
    out = run(*args)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and words in out.stderr, out.stderr
    assert out.stdout == ""


@pytest.mark.parametrize("args", [["neighbors", "KHM"], ["align", "KHM", "RUS", "--by", "all"], ["tally", "ES-11/1"]])
def test_mark_needs_time(tmp_path, args):
    target = tmp_path / "m.png"
    out = run(*args, "--chart", str(target), "--mark", "2022-03-02")
    assert out.returncode == 2 and "--mark needs a chart over time" in out.stderr and out.stderr.count("\n") == 1
    assert not target.exists()


def test_votes_list_has_no_chart(tmp_path):
    out = run("align", "KHM", "RUS", "--votes", "--chart", str(tmp_path / "v.png"))
    assert out.returncode == 2 and "--votes lists roll calls" in out.stderr and not (tmp_path / "v.png").exists()


def test_bad_mark_is_a_usage_error(tmp_path):
    out = run("align", "KHM", "RUS", "--chart", str(tmp_path / "m.png"), "--mark", "March=x")
    assert out.returncode == 2 and "--mark 'March=x': not a date" in out.stderr


@pytest.mark.parametrize("extra, words", [
    (["--title", "W" * 20_000], "--title: 20,000 characters; a chart has room for 160"),
    (["--subtitle", "x " * 1_000], "--subtitle: 2,000 characters"),
    (["--note", "n" * 481], "--note: 481 characters; a chart has room for 480"),
    (["--mark", "2022-03-02=" + "L" * 61], "--mark 2022-03-02: a label of 61 characters; a mark has room for 60"),
    ([arg for i in range(21) for arg in ("--mark", f"2022-01-{i + 1:02d}")], "--mark given 21 times"),
])
def test_editorial_words_beyond_the_room_are_refused_not_drawn_over_the_chart(tmp_path, extra, words):
    """However long the words, a chart is either drawn whole or refused with exit 2 (no file)."""
    out = run("align", "KHM", "RUS", "--chart", str(tmp_path / "long.png"), *extra)
    assert out.returncode == 2 and words in out.stderr and not (tmp_path / "long.png").exists()
    if "--mark" in extra:  # the report's chart takes the same marks, with the same limits
        page = run("report", "KHM", "RUS", "-o", str(tmp_path / "p.html"), *extra)
        assert page.returncode == 2 and words in page.stderr and not (tmp_path / "p.html").exists()


def test_svg_font_falls_back_to_sans_serif(drawn):
    text = drawn["align"][3].read_text("utf-8")
    families = set(re.findall(r"font-family: ([^;\"]+)", text))
    assert families and all(f.startswith("'DejaVu Sans'") and f.endswith("sans-serif") for f in families), families


def test_year_axes_show_whole_years(drawn):
    for name in ("align", "align_all", "cohesion", "series", "votes"):
        ax = drawn[name][1].axes[0]
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert labels and all(re.fullmatch(r"\d{4}", t) for t in labels), (name, labels)


def test_partial_last_year_is_flagged(drawn, ga_store):
    rollcalls = ga_store.rollcalls("ga", columns=["rollcall_id", "date", "kind"]).to_pylist()
    newest = max(r["date"] for r in rollcalls)
    assert (newest.month, newest.day) != (12, 31)  # the test data stops inside a year
    calls = [r for r in rollcalls if r["date"].year == newest.year and r["kind"] == "resolution"]
    listed = {rid for rid, votes in _votes_by_call(ga_store, calls).items() if "KHM" in votes}
    texts = drawn["votes_now"][0]
    assert (f"{newest.year} (shaded) is not complete: {len(listed)} roll calls, to {newest.day} {newest:%b} "
            f"{newest.year}, the data's latest") in texts
    for name in ("align", "cohesion", "series"):
        assert any(t.startswith(f"{newest.year} (shaded) is not complete") for t in drawn[name][0]), name
    assert not any("not complete" in t for t in drawn["votes"][0])  # ends in 2000


def test_votes_chart_counts_each_year(drawn, ga_store):
    """The bars: Russia's seat (the USSR's votes to 1991) per year, read straight from the votes."""
    fig = drawn["votes"][1]
    ax = fig.axes[0]
    rollcalls = [r for r in ga_store.rollcalls("ga", columns=["rollcall_id", "date", "kind"]).to_pylist()
                 if 1985 <= r["date"].year <= 2000 and r["kind"] == "resolution"]
    votes = _votes_by_call(ga_store, rollcalls)
    year = {r["rollcall_id"]: r["date"].year for r in rollcalls}
    want: dict[tuple[str, int], int] = {}
    for rid, by_code in votes.items():
        mine = by_code.get("RUS") or by_code.get("SUN")
        if mine is not None:
            key = ({"Y": "Yes", "N": "No", "A": "Abstain"}.get(mine, "Non-voting"), year[rid])
            want[key] = want.get(key, 0) + 1
    got = {}
    for bars in ax.containers:
        for patch in bars:
            if patch.get_height():
                got[(bars.get_label(), round(patch.get_x() + patch.get_width() / 2))] = round(patch.get_height())
    assert got == want
    assert "Russia: until 24 Dec 1991, the votes of the USSR, whose UN seat it holds (--no-continuity leaves them out)" \
        in drawn["votes"][0]
    texts = drawn["votes"][0]
    assert "How Russia voted, per year" in texts


def test_a_span_before_the_handover_names_the_earlier_holder(ga_store, tmp_path):
    out = run("votes", "RUS", "--since", "1980", "--until", "1990", "--chart", str(tmp_path / "v.svg"))
    assert out.returncode == 0, out.stderr
    texts = svg_texts(tmp_path / "v.svg")
    assert "How the USSR voted, per year" in texts and not any("Russia" in t for t in texts)
    out = run("align", "KHM", "RUS", "CHN", "--until", "1970", "--chart", str(tmp_path / "a.svg"))
    assert out.returncode == 0, out.stderr
    texts = svg_texts(tmp_path / "a.svg")
    assert "How often Cambodia votes with the USSR, the Republic of China" in texts
    assert "USSR" in texts and "Republic of China" in texts  # the legend's lines


def test_no_continuity_names_no_predecessor(ga_store, tmp_path):
    out = run("votes", "RUS", "--since", "1990", "--until", "1993", "--no-continuity", "--chart", str(tmp_path / "v.svg"))
    assert out.returncode == 0, out.stderr
    assert not any("USSR" in t for t in svg_texts(tmp_path / "v.svg"))


def test_neighbors_counts_the_countries_left_out(drawn, ga_store):
    # neighbors' default minimum: half the roll calls Cambodia voted on
    by_call = _votes_by_call(ga_store, _calls_in_year(ga_store, 2022)).values()
    least = -(-sum(votes.get("KHM") in ("Y", "N", "A") for votes in by_call) // 2)
    few = [c for c, (_, n) in _agreement_with(ga_store, "KHM", 2022).items() if n < least]
    assert few  # 2022 has such countries (Sao Tome and Principe: 3 votes)
    assert any(t.startswith(f"{len(few)} {'country' if len(few) == 1 else 'countries'} left out: fewer than "
                            f"{least} roll calls") for t in drawn["neighbors"][0])


def test_series_chart_labels_the_switchers(drawn, ga_store):
    import unvote

    calls = unvote.series("80/4", since="2015", store=ga_store).to_pylist()
    votes = _votes_by_call(ga_store, calls)
    texts = drawn["series"][0]
    root = ET.parse(drawn["series"][3]).getroot()
    shown = {g.get("id")[len("switched-"):]: "".join(g.itertext()).strip() for g in root.iter(f"{SVG}g")
             if (g.get("id") or "").startswith("switched-")}
    want = {}
    for before, after in zip(calls, calls[1:]):
        a, b = votes[before["rollcall_id"]], votes[after["rollcall_id"]]
        n = sum(1 for code in b if a.get(code) in "YNA" and b[code] in "YNA" and a.get(code) != b[code]
                and a.get(code) is not None)
        if n:
            want[after["resolution"].removeprefix("A/RES/")] = str(n)
    assert shown == want and want
    assert any(t.startswith(f"switched on {calls[-1]['resolution'].removeprefix('A/RES/')}") for t in texts) \
        == (calls[-1]["resolution"].removeprefix("A/RES/") in want)
    assert any(t.startswith("Necessity of ending the economic, commercial and financial embargo") for t in texts)


def test_cohesion_of_several_groups(drawn, ga_store):
    import unvote

    both = unvote.cohesion(["G77", "EU"], since="2000", store=ga_store)
    assert both.column_names[0] == "group"
    for code in ("G77", "EU"):
        mine = both.filter(__import__("pyarrow.compute").compute.equal(both["group"], code)).drop_columns("group")
        assert mine.to_pylist() == unvote.cohesion(code, since="2000", store=ga_store).to_pylist()
    ax = drawn["cohesion"][1].axes[0]
    lines = [line for line in ax.lines if line.get_marker() == "o"]
    assert [line.get_label() for line in lines] == ["Group of 77", "EU"]
    assert list(lines[1].get_ydata()) == pytest.approx(
        [r["score"] for r in both.to_pylist() if r["group"] == "EU"])
    assert drawn["cohesion"][2].stdout.startswith("group,period,")


def test_labels_never_overprint(drawn):
    """No two labels' boxes overlap and no label lies on a marker (ideal, neighbors); tick labels, the
    header and the footer never touch each other or the axes; a legend never covers the plot."""
    ideal = drawn["ideal"][1]
    for ax in ideal.axes:
        labels = [t for t in ax.texts if (t.get_gid() or "").startswith("label-")]
        assert len(labels) >= 12
        boxes, marks = _boxes(ideal, labels), _markers(ax)
        for i, a in enumerate(boxes):
            assert not any(_overlap(a, b) for b in boxes[i + 1:]), labels[i].get_text()
            assert not any(_overlap(a, m) for m in marks), labels[i].get_text()
    neighbors = drawn["neighbors"][1]
    for ax in neighbors.axes:
        scores = [t for t in ax.texts if (t.get_gid() or "").startswith("score-")]
        ticks = [t for t in ax.get_yticklabels() if t.get_text()]
        for group in (scores, ticks):
            boxes = _boxes(neighbors, group)
            assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
        assert not any(_overlap(a, m) for a in _boxes(neighbors, scores) for m in _markers(ax))
        others = [t for other in neighbors.axes if other is not ax for t in other.get_yticklabels() if t.get_text()]
        assert not any(_overlap(a, b) for a in _boxes(neighbors, scores) for b in _boxes(neighbors, others))
    align = drawn["align"][1]
    marks = [t for t in align.axes[0].texts if t.get_gid() == "mark"]
    assert marks and not any(_overlap(a, m) for a in _boxes(align, marks) for m in _markers(align.axes[0]))
    matrix = drawn["matrix"][1]
    grid = matrix.axes[0]
    for ticks in (grid.get_xticklabels(), grid.get_yticklabels()):
        boxes = _boxes(matrix, [t for t in ticks if t.get_text()])
        assert not any(_overlap(a, b) for a, b in zip(boxes, boxes[1:]))
    for name, (_, fig, _, _) in drawn.items():
        renderer = fig.canvas.get_renderer()
        frame = [t for t in fig.texts]
        for ax in fig.axes:
            room = ax.get_tightbbox(renderer)
            assert not any(_overlap(room, t.get_window_extent(renderer)) for t in frame), name
            legend = ax.get_legend()
            if legend is not None:
                assert not _overlap(legend.get_window_extent(renderer), ax.bbox), name


def test_matrix_names_its_blocs(drawn):
    from unvote.model import groups

    texts = drawn["matrix"][0]
    for g in groups.regional():
        assert g.name in texts
    assert drawn["matrix"][1].axes[0].get_position().width > 0.6  # the canvas's width, not a square


def test_short_canvas_for_one_bar(drawn):
    fig = drawn["tally"][1]
    assert (fig.bbox.width, fig.bbox.height) == (1200, 340)


@pytest.mark.parametrize("args, seat", [
    (["align", "CHN", "USA", "--since", "1960", "--until", "1985"], "CHN"),
    (["align", "USA", "KHM", "--since", "1970", "--until", "2000"], "KHM"),
])
def test_a_change_of_who_held_a_seat_is_marked(ga_store_dir, tmp_path, args, seat):
    """Every change of holder of a charted seat inside the span (data/seats.csv, read here directly) is a
    dated rule labelled with the new holder, at its day; a change within one code is said in a note."""
    import csv
    from importlib import resources

    with resources.files("unvote").joinpath("data/seats.csv").open(encoding="utf-8") as f:
        held = [r for r in csv.DictReader(line for line in f if not line.startswith("#")) if r["code"] == seat]
    first, last = int(args[-3]), int(args[-1])
    later = [r for r in held[1:] if first <= int(r["from"][:4]) <= last]
    assert later  # the span crosses at least one change
    path = tmp_path / "seat.svg"
    done = run(*args, "--chart", str(path), env={"UNVOTE_DATA_DIR": str(ga_store_dir)})
    assert done.returncode == 0, done.stderr
    texts = svg_texts(path)
    from unvote.model import countries

    everything = " ".join(" ".join(texts).split())  # a label wrapped over lines reads on
    note = everything[everything.index("Who held the seat (dotted rules): "):]
    for number, r in enumerate(later, 1):
        assert f"{number} {countries.short_name(seat)}: " in note and r["holder"] in note, r["holder"]
    root = ET.parse(path).getroot()
    numbers = [g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("seat-mark")]
    assert len(numbers) == len(later)
    if seat == "KHM":
        assert "1 Cambodia: the Khmer Republic from 9 Oct 1970" in note
        assert "2 Cambodia: Democratic Kampuchea from about 1975" in note
