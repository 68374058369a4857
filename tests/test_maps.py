"""World maps (``--map FILE``): the converter of scripts/build_world.py on a hand-written TopoJSON,
the packaged outlines, the Equal Earth projection, and real maps whose colours are checked member by
member against straight DuckDB counts on the store's Parquet files, plus one baseline image.

Regenerate the baseline (after a deliberate change of look) with
    UNVOTE_UPDATE_BASELINES=1 python -m pytest tests/test_maps.py -k baseline
and look at it before committing.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_runner import invoke as run

ROOT = Path(__file__).resolve().parents[1]
BASELINES = Path(__file__).resolve().parent / "baselines"
SVG = "{http://www.w3.org/2000/svg}"


def _script():
    spec = importlib.util.spec_from_file_location("build_world", ROOT / "scripts" / "build_world.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- the converter, offline

# Two squares sharing an edge (arc 1, walked backwards by the second), quantised with a transform
# (x = qx·0.5 − 10, y = qy·0.25 + 20), and a square that crosses the antimeridian as world-atlas
# writes it (178 → -178).
TINY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [-10, 20]},
    "arcs": [
        [[0, 0], [0, 40], [20, 0]],                 # (-10,20) → (-10,30) → (0,30)
        [[20, 40], [0, -40]],                       # (0,30) → (0,20): the shared edge
        [[20, 0], [-20, 0]],                        # (0,20) → (-10,20)
        [[20, 40], [20, 0], [0, -40], [-20, 0]],    # (0,30) → (10,30) → (10,20) → (0,20)
        [[376, 40], [-712, 0], [0, -40], [712, 0], [0, 40]],  # (178,30) → (-178,30) → … → (178,30)
    ],
    "objects": {"countries": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1, 2]], "id": "004"},          # AFG
        {"type": "MultiPolygon", "arcs": [[[3, -2]]], "id": "008"},    # ALB: arc 1 reversed (~1 = -2)
        {"type": "Polygon", "arcs": [[4]], "id": "242"},              # FJI
    ]}},
}


def _decode(encoded):
    x = y = 0
    out = []
    for dx, dy in zip(encoded[::2], encoded[1::2]):
        x, y = x + dx, y + dy
        out.append((x / 100, y / 100))
    return out


def test_decoder_on_a_hand_written_topology():
    script = _script()
    arcs = script.decode_arcs(TINY)
    assert arcs[0] == [(-10.0, 20.0), (-10.0, 30.0), (0.0, 30.0)]
    assert arcs[4][1] == (-178.0, 30.0)
    ring = script.ring(arcs, [3, ~1])  # arc 1 backwards closes the second square
    assert ring == [(0.0, 30.0), (10.0, 30.0), (10.0, 20.0), (0.0, 20.0), (0.0, 30.0)]
    world = script.build(TINY, {"AFG", "ALB", "FJI"}, "hand-written")
    assert _decode(world["shapes"]["AFG"][0]) == [(-10, 20), (-10, 30), (0, 30), (0, 20), (-10, 20)]
    assert _decode(world["shapes"]["ALB"][0]) == [(0, 30), (10, 30), (10, 20), (0, 20), (0, 30)]
    # the antimeridian: one ring cut in two, both inside -180…180
    fiji = [_decode(r) for r in world["shapes"]["FJI"]]
    assert len(fiji) == 2
    assert all(-180 <= x <= 180 for r in fiji for x, _ in r)
    assert sorted((min(x for x, _ in r), max(x for x, _ in r)) for r in fiji) == [(-180, -178), (178, 180)]
    # the same input gives the same bytes
    assert script.dumps(world) == script.dumps(script.build(TINY, {"AFG", "ALB", "FJI"}, "hand-written"))
    assert json.loads(script.dumps(world)) == world
    assert "AFG" not in world["dots"]  # about a million km²: no dot
    script.TINY_KM2 = 2_000_000  # now it is "tiny": a dot at its centroid
    assert script.build(TINY, {"AFG", "ALB", "FJI"}, "hand-written")["dots"]["AFG"] == [-5.0, 25.0]


def test_converter_refuses_a_member_it_cannot_draw():
    script = _script()
    with pytest.raises(SystemExit, match="XYZ"):
        script.build(TINY, {"AFG", "XYZ"}, "hand-written")


def test_area_of_a_degree_square_at_the_equator():
    """1° × 1° at the equator on a 6371 km sphere: (π/180)² R² · (sin 1°)/(π/180) ≈ 12,363 km²."""
    script = _script()
    want = (math.pi / 180) * 6371.0 ** 2 * math.sin(math.radians(1))
    assert script.area_km2([(0, 0), (1, 0), (1, 1), (0, 1)]) == pytest.approx(want, rel=1e-3)


# ---------------------------------------------------------------- the packaged data and the projection

def test_packaged_outlines_are_small_sourced_and_draw_every_seat():
    from unvote.output import maps

    path = ROOT / "unvote" / "data" / "world.json"
    assert path.stat().st_size <= 200_000
    data = maps.world()
    assert "Natural Earth" in data["about"]["source"] and "world-atlas 2.0.2" in data["about"]["source"]
    assert "public domain" in data["about"]["licence"]
    with open(ROOT / "unvote" / "data" / "countries.csv", encoding="utf-8") as fh:
        seats = [row["code"] for row in csv.DictReader(fh)]
    # every seat ever held has a polygon, a dot, or a territory of its successors
    undrawn = [c for c in seats if c not in data["shapes"] and c not in data["dots"] and c not in data["seats"]]
    assert undrawn == []
    for code, seat in data["seats"].items():
        assert all(k in data["shapes"] for k in seat["over"]), code


def test_equal_earth_is_equal_area():
    """The Jacobian of an equal-area map of the unit sphere is cos φ everywhere (φ in radians)."""
    import numpy as np

    from unvote.output.maps import equal_earth

    h = 1e-4
    for lon, lat in ((0, 0), (37, 55), (-120, -33), (170, 70)):
        x0, y0 = equal_earth(lon, lat)
        xl, yl = equal_earth(lon + h, lat)
        xp, yp = equal_earth(lon, lat + h)
        d = math.radians(h)
        det = ((xl - x0) * (yp - y0) - (xp - x0) * (yl - y0)) / (d * d)
        assert float(det) == pytest.approx(math.cos(math.radians(lat)), rel=1e-3)
    x, y = equal_earth(np.array([180.0, 0.0]), np.array([0.0, 90.0]))
    assert x[1] == 0 and y[0] == 0


# ---------------------------------------------------------------- real maps, checked member by member

def _duck(sql: str, params=()):
    import duckdb

    return duckdb.connect().execute(sql, list(params)).fetchall()


def _votes_on(store, resolution: str) -> dict[str, str]:
    """{member code: Y/N/A/X} of a roll call, straight from the Parquet files."""
    folder = str(store.version("ga")).replace("'", "''")
    return dict(_duck(
        f"SELECT v.ms_code, coalesce(upper(v.vote), 'X') FROM '{folder}/votes.parquet' v "
        f"JOIN '{folder}/rollcalls.parquet' r USING (rollcall_id) WHERE r.resolution = ? AND r.kind = 'resolution'",
        [resolution]))


def _fills(svg: Path) -> dict[str, str]:
    """{SVG id: fill colour} of every map artist (map-…, dot-…, blank-…): a dot's <use>, a polygon's
    <path> (matplotlib leaves out ``fill`` when it is black, SVG's default)."""
    out = {}
    for g in ET.parse(svg).getroot().iter(f"{SVG}g"):
        gid = g.get("id", "")
        if re.match(r"(map|dot|blank)-", gid):
            shape = next(g.iter(f"{SVG}use" if gid.startswith("dot-") else f"{SVG}path"))
            found = re.search(r"fill: (#[0-9a-f]{6}|url\(#[^)]+\))", shape.get("style", ""))
            out[gid] = found.group(1) if found else "#000000"
    return out


@pytest.fixture(scope="module")
def real_maps(ga_store_dir, tmp_path_factory):
    """ES-11/1 and 2758 (XXVI) drawn once as SVG, through the library, from the cached real store."""
    import unvote
    from unvote.output import maps
    from unvote.store import Store

    store = Store(ga_store_dir)
    folder = tmp_path_factory.mktemp("maps")
    made = {}
    for symbol in ("ES-11/1", "2758(XXVI)"):
        path = folder / (re.sub(r"\W", "_", symbol) + ".svg")
        maps.tally_map(path, unvote.tally(symbol, store=store), unvote.country_votes(symbol, store=store))
        made[symbol] = path
    return store, made


def _colour_of(letter: str) -> str:
    from unvote.output.maps import CATEGORIES

    return {v: fill.lower() for v, _, fill in CATEGORIES}[letter]


def test_es_11_1_every_member_drawn_in_its_vote_colour(real_maps):
    store, made = real_maps
    want = _votes_on(store, "A/RES/ES-11/1")
    counts = {v: sum(1 for x in want.values() if x == v) for v in "YNAX"}
    assert counts == {"Y": 141, "N": 5, "A": 35, "X": 12}  # the published tally
    fills = _fills(made["ES-11/1"])
    drawn: dict[str, set[str]] = {}
    for gid, fill in fills.items():
        kind, code = gid.split("-")[0], gid.split("-")[1]
        if kind != "blank":
            drawn.setdefault(code, set()).add(fill)
    assert set(drawn) == set(want), "members missing or extra"  # 0 missing
    for code, vote in want.items():
        assert drawn[code] == {_colour_of(vote)}, code
    by_colour = {v: sum(1 for c in drawn.values() if c == {_colour_of(v)}) for v in "YNAX"}
    assert by_colour == counts
    # every territory without a seat is hatched (a pattern, not a colour)
    assert all(f.startswith("url(") for g, f in fills.items() if g.startswith("blank-"))
    assert {"blank-PSE", "blank-TWN", "blank-ESH", "blank-XKX"} <= set(fills)
    # small members are dots: Singapore, Malta, Tuvalu
    assert {"dot-SGP", "dot-MLT", "dot-TUV"} <= set(fills)
    text = "".join(ET.parse(made["ES-11/1"]).getroot().itertext())
    for word, letter in (("Yes", "Y"), ("No", "N"), ("Abstain", "A"), ("Non-voting", "X")):
        assert f"{word} {counts[letter]}" in text
    assert "(A/RES/ES-11/1)" in text and "Source: UN Digital Library" in text


def test_2758_colours_the_ussr_territory_with_the_ussr_vote(real_maps):
    store, made = real_maps
    want = _votes_on(store, "A/RES/2758(XXVI)")
    fills = _fills(made["2758(XXVI)"])
    assert want["SUN"] == "Y" and "RUS" not in want
    ussr = {g for g in fills if g.startswith("map-SUN-over-")}
    assert ussr == {f"map-SUN-over-{c}" for c in ("RUS", "EST", "LVA", "LTU", "MDA", "GEO", "ARM", "AZE", "KAZ",
                                                  "UZB", "TKM", "KGZ", "TJK")}
    assert {fills[g] for g in ussr} == {_colour_of("Y")}
    # the Ukrainian and Byelorussian SSRs had seats of their own
    assert fills["map-UKR"] == _colour_of(want["UKR"]) and fills["map-BLR"] == _colour_of(want["BLR"])
    assert fills["map-YUG-over-SRB"] == _colour_of(want["YUG"])
    assert fills["map-CSK-over-CZE"] == _colour_of(want["CSK"])
    assert fills["dot-YMD"] == _colour_of(want["YMD"])
    assert fills["map-CHN-over-TWN"] == _colour_of(want["CHN"])
    codes = {g.split("-")[1] for g in fills if not g.startswith("blank-")}
    assert codes == set(want)  # every member drawn, none missing
    assert fills["blank-DEU"].startswith("url(")  # neither German state was a member in 1971


def test_neighbors_map_colours_by_score(ga_store, tmp_path):
    import matplotlib as mpl

    path = tmp_path / "khm.svg"
    out = run("neighbors", "KHM", "--since", "2021", "--until", "2022", "--exclude-unanimous", "--map", str(path),
              "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(out.stdout.splitlines()))
    fills = _fills(path)
    viridis = mpl.colormaps["viridis"]
    for row in rows:
        fill = fills.get(f"map-{row['country']}") or fills.get(f"dot-{row['country']}")
        if not row["score"]:  # never both voted: no score, hatched like a territory with no seat
            assert fill is None and fills[f"blank-{row['country']}"].startswith("url("), row["country"]
        elif row["rank"]:
            assert fill == mpl.colors.to_hex(viridis(float(row["score"]))), row["country"]
        else:
            assert fill == "#bbbbbb", row["country"]  # under --min-votes: grey
    assert fills["map-KHM"] == "#000000"
    text = "".join(ET.parse(path).getroot().itertext())  # the subtitle names every filter
    # neighbors' default minimum: half the roll calls Cambodia voted on, as its note says
    least, voted = map(int, re.search(r"fewer than (\d+) of the (\d+) roll calls KHM voted on", out.stderr).groups())
    assert least == -(-voted // 2) and sum(1 for r in rows if r["score"] and not r["rank"]) > 0
    assert "2021–2022" in text and "unanimous roll calls excluded" in text and f"min-votes {least}" in text


def test_align_map_outlines_the_partners(ga_store, tmp_path):
    path = tmp_path / "khm.svg"
    out = run("align", "KHM", "RUS", "USA", "--year", "2022", "--map", str(path), "--format", "csv")
    assert out.returncode == 0, out.stderr
    strokes = {g.get("id"): next(g.iter(f"{SVG}path")).get("style", "")
               for g in ET.parse(path).getroot().iter(f"{SVG}g") if g.get("id", "").startswith("map-")}
    for code in ("RUS", "USA"):
        assert "stroke: #000000" in strokes[f"map-{code}"], code
    assert "stroke: #000000" not in strokes["map-CHN"]


def test_map_errors_are_one_line(ga_store, tmp_path):
    out = run("tally", "ES-11/1", "ES-11/4", "--map", str(tmp_path / "m.svg"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "one roll call" in out.stderr
    out = run("tally", "ES-11/1", "--map", str(tmp_path / "m.jpg"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and ".svg, .png or .pdf" in out.stderr
    out = run("align", "KHM", "RUS", "--votes", "--map", str(tmp_path / "m.svg"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert not list(tmp_path.glob("m.*"))


def test_svg_text_for_the_report(real_maps):
    import unvote
    from unvote.output import maps

    store, _ = real_maps
    votes = unvote.country_votes("ES-11/1", store=store)
    fig = maps.tally_figure(unvote.tally("ES-11/1", store=store), votes)  # what the HTML report embeds
    text = maps.svg_text(fig)
    assert text.startswith("<svg") and text.count('id="map-UKR"') == 1
    assert maps.svg_text(fig) == text  # deterministic


def test_map_matches_baseline(ga_store, tmp_path):
    from matplotlib.testing.compare import compare_images

    made = tmp_path / "map_ES-11-1.png"
    out = run("tally", "ES-11/1", "--map", str(made), "--format", "csv")
    assert out.returncode == 0, out.stderr
    baseline = BASELINES / made.name
    if os.environ.get("UNVOTE_UPDATE_BASELINES"):
        baseline.write_bytes(made.read_bytes())
    assert baseline.stat().st_size < 250_000
    assert compare_images(str(baseline), str(made), tol=3) is None


def test_docs_python_example_runs(ga_store, tmp_path, monkeypatch):
    """docs/charts.md's world-map snippet, as written."""
    text = (ROOT / "docs" / "charts.md").read_text("utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "maps.vote_map" in b)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "docs/charts.md", "exec"), {})
    assert (tmp_path / "es-11-1.svg").read_bytes().startswith(b"<?xml")


def test_layout_of_historic_seats_by_date():
    """Where a seat is drawn depends on who else held a seat that day (pure: the packaged outlines only)."""
    import datetime as dt

    from unvote.output.maps import layout

    ussr = layout(["SUN", "UKR", "BLR"], dt.date(1971, 10, 25))
    assert set(ussr.over["SUN"]) == {"RUS", "EST", "LVA", "LTU", "MDA", "GEO", "ARM", "AZE", "KAZ", "UZB", "TKM",
                                     "KGZ", "TJK"}
    assert ussr.shapes["UKR"] == "UKR" and ussr.missing == []
    assert layout(["EGY"], dt.date(1959, 9, 22)).shapes.get("SYR") == "EGY"  # the United Arab Republic
    assert "SYR" not in layout(["EGY"], dt.date(1962, 1, 1)).shapes
    assert layout(["CHN"], dt.date(1971, 10, 25)).shapes.get("TWN") == "CHN"
    assert "TWN" not in layout(["CHN"], dt.date(1971, 10, 26)).shapes
    germany = layout(["GER", "DDR"], dt.date(1980, 1, 1))
    assert germany.shapes["DEU"] == "GER" and "DDR" in germany.dots and germany.missing == []
    assert layout(["XYZ"]).missing == ["XYZ"]


def test_every_member_of_every_ga_roll_call_is_drawn(ga_store_dir):
    """Every day with a roll call, 1946–2025: no member without a polygon, a dot or a seat's territory."""
    from unvote.output.maps import layout
    from unvote.store import Store

    folder = str(Store(ga_store_dir).version("ga")).replace("'", "''")
    days = _duck(f"SELECT r.date, list(DISTINCT v.ms_code) FROM '{folder}/votes.parquet' v "
                 f"JOIN '{folder}/rollcalls.parquet' r USING (rollcall_id) GROUP BY r.date")  # each sitting day's members
    assert len(days) > 1000
    missing = {(str(date), code) for date, codes in days for code in layout(codes, date).missing}
    assert sorted(missing)[:5] == []


def test_without_matplotlib_exit_7(ga_store, tmp_path):
    import subprocess
    import sys

    target = tmp_path / "m.svg"
    code = ("import sys\nsys.modules['matplotlib'] = None  # as if not installed\n"
            f"sys.argv = ['unvote', 'tally', 'ES-11/1', '--map', {str(target)!r}]\n"
            "from unvote.cli import main\nmain()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 7 and out.stderr.count("\n") == 1, out.stderr
    assert "--map needs matplotlib" in out.stderr and "pip install matplotlib" in out.stderr and not target.exists()
