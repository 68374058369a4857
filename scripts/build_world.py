"""Generate unvote/data/world.json: country outlines for ``--map``, keyed by unvote's country codes.

    cd /tmp && npm pack world-atlas@2.0.2      # world-atlas-2.0.2.tgz, from the npm registry
    python scripts/build_world.py /tmp/world-atlas-2.0.2.tgz

Reads ``countries-110m.json`` (Natural Earth's 1:110m Admin 0 countries as TopoJSON, built by Mike
Bostock's world-atlas) from the tarball or an unpacked file, decodes its arcs itself (no topojson
library) and writes, per country code:

* ``shapes``: the country's rings as longitude/latitude in hundredths of a degree, each ring
  delta-encoded (x0, y0, dx1, dy1, …) — a few hundred metres, far below a pixel of a 1200 px map;
* ``dots``: a representative point (lon, lat in degrees) for every member state that 110m leaves
  out or draws smaller than ``TINY_KM2`` (so Malta, Singapore, Tuvalu, Luxembourg… stay visible);
* ``seats``: where a historic seat is drawn (the USSR over its successors, …): see ``SEATS``.

Antarctica is left out. Territories Natural Earth draws apart from their sovereign are assigned to
it (``ASSIGNED``); territories with no seat (Western Sahara, Palestine, Kosovo, Taiwan after 1971)
keep their own key and are drawn as "not a member" unless a record names them.
Natural Earth is public domain; world-atlas is ISC-licensed (© Mike Bostock). The output is
deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "unvote" / "data" / "world.json"
MEMBER = "countries-110m.json"
TINY_KM2 = 15_000  # below this (≈ 4×4 px on a 1200 px world map) a member gets a dot as well

# ISO 3166-1 numeric (world-atlas ids) → alpha-3 (unvote's codes), for the ids in countries-110m.json.
# Written out from the iso-codes package's iso_3166-1.json so the script needs nothing installed.
NUMERIC = {
    "004": "AFG", "008": "ALB", "010": "ATA", "012": "DZA", "024": "AGO", "031": "AZE", "032": "ARG",
    "036": "AUS", "040": "AUT", "044": "BHS", "050": "BGD", "051": "ARM", "056": "BEL", "064": "BTN",
    "068": "BOL", "070": "BIH", "072": "BWA", "076": "BRA", "084": "BLZ", "090": "SLB", "096": "BRN",
    "100": "BGR", "104": "MMR", "108": "BDI", "112": "BLR", "116": "KHM", "120": "CMR", "124": "CAN",
    "140": "CAF", "144": "LKA", "148": "TCD", "152": "CHL", "156": "CHN", "158": "TWN", "170": "COL",
    "178": "COG", "180": "COD", "188": "CRI", "191": "HRV", "192": "CUB", "196": "CYP", "203": "CZE",
    "204": "BEN", "208": "DNK", "214": "DOM", "218": "ECU", "222": "SLV", "226": "GNQ", "231": "ETH",
    "232": "ERI", "233": "EST", "238": "FLK", "242": "FJI", "246": "FIN", "250": "FRA", "260": "ATF",
    "262": "DJI", "266": "GAB", "268": "GEO", "270": "GMB", "275": "PSE", "276": "DEU", "288": "GHA",
    "300": "GRC", "304": "GRL", "320": "GTM", "324": "GIN", "328": "GUY", "332": "HTI", "340": "HND",
    "348": "HUN", "352": "ISL", "356": "IND", "360": "IDN", "364": "IRN", "368": "IRQ", "372": "IRL",
    "376": "ISR", "380": "ITA", "384": "CIV", "388": "JAM", "392": "JPN", "398": "KAZ", "400": "JOR",
    "404": "KEN", "408": "PRK", "410": "KOR", "414": "KWT", "417": "KGZ", "418": "LAO", "422": "LBN",
    "426": "LSO", "428": "LVA", "430": "LBR", "434": "LBY", "440": "LTU", "442": "LUX", "450": "MDG",
    "454": "MWI", "458": "MYS", "466": "MLI", "478": "MRT", "484": "MEX", "496": "MNG", "498": "MDA",
    "499": "MNE", "504": "MAR", "508": "MOZ", "512": "OMN", "516": "NAM", "524": "NPL", "528": "NLD",
    "540": "NCL", "548": "VUT", "554": "NZL", "558": "NIC", "562": "NER", "566": "NGA", "578": "NOR",
    "586": "PAK", "591": "PAN", "598": "PNG", "600": "PRY", "604": "PER", "608": "PHL", "616": "POL",
    "620": "PRT", "624": "GNB", "626": "TLS", "630": "PRI", "634": "QAT", "642": "ROU", "643": "RUS",
    "646": "RWA", "682": "SAU", "686": "SEN", "688": "SRB", "694": "SLE", "703": "SVK", "704": "VNM",
    "705": "SVN", "706": "SOM", "710": "ZAF", "716": "ZWE", "724": "ESP", "728": "SSD", "729": "SDN",
    "732": "ESH", "740": "SUR", "748": "SWZ", "752": "SWE", "756": "CHE", "760": "SYR", "762": "TJK",
    "764": "THA", "768": "TGO", "780": "TTO", "784": "ARE", "788": "TUN", "792": "TUR", "795": "TKM",
    "800": "UGA", "804": "UKR", "807": "MKD", "818": "EGY", "826": "GBR", "834": "TZA", "840": "USA",
    "854": "BFA", "858": "URY", "860": "UZB", "862": "VEN", "887": "YEM", "894": "ZMB"
}
# Polygons 110m has with no ISO id, by Natural Earth name: the UN member whose territory they are
# (no member recognises Somaliland; only Türkiye recognises Northern Cyprus), or a key of their own.
UNNUMBERED = {"N. Cyprus": "CYP", "Somaliland": "SOM", "Kosovo": "XKX"}
# Territories Natural Earth draws apart from their sovereign: drawn as that member's territory.
ASSIGNED = {"GRL": "DNK", "NCL": "FRA", "PRI": "USA", "FLK": "GBR", "ATF": "FRA"}
DROPPED = {"ATA"}  # Antarctica: no seat, and a fifth of the map's height

# Members 110m leaves out: (lon, lat) of the capital or main island, from an atlas, to 0.1°.
DOTS = {
    "AND": (1.5, 42.5), "ATG": (-61.8, 17.1), "BHR": (50.6, 26.1), "BRB": (-59.5, 13.2),
    "CPV": (-23.6, 15.1), "COM": (43.3, -11.7), "DMA": (-61.4, 15.4), "GRD": (-61.7, 12.1),
    "KIR": (173.0, 1.4), "LIE": (9.6, 47.2), "MDV": (73.5, 4.2), "MLT": (14.4, 35.9),
    "MHL": (171.2, 7.1), "MUS": (57.6, -20.3), "FSM": (158.2, 6.9), "MCO": (7.4, 43.7),
    "NRU": (166.9, -0.5), "PLW": (134.6, 7.5), "KNA": (-62.8, 17.3), "LCA": (-61.0, 13.9),
    "VCT": (-61.2, 13.3), "WSM": (-172.1, -13.8), "SMR": (12.5, 43.9), "STP": (6.6, 0.3),
    "SYC": (55.5, -4.6), "SGP": (103.8, 1.4), "TON": (-175.2, -21.2), "TUV": (179.2, -8.5),
    # historic seats with no territory of their own in today's map
    "DDR": (12.5, 52.4),  # the middle of the former GDR, over Germany (drawn for West Germany, GER)
    "YMD": (48.5, 15.0),  # Democratic Yemen (the south), over Yemen (drawn for the Yemen Arab Republic)
    "ZAN": (39.3, -6.1),  # Zanzibar, 1963-12-16 → 1964-04-25, before the union with Tanganyika
}
# Historic seats drawn over their successors' territory: on a roll call, each of these polygons is
# coloured with the seat's vote unless its own code also voted (the Ukrainian and Byelorussian SSRs
# had seats of their own beside the USSR's). ``since``/``until``: only on roll calls in those dates.
SEATS = {
    "SUN": {"over": ["RUS", "UKR", "BLR", "EST", "LVA", "LTU", "MDA", "GEO", "ARM", "AZE", "KAZ", "UZB",
                     "TKM", "KGZ", "TJK"]},
    "YUG": {"over": ["SVN", "HRV", "BIH", "SRB", "MNE", "MKD", "XKX"]},
    "SCG": {"over": ["SRB", "MNE", "XKX"]},
    "CSK": {"over": ["CZE", "SVK"]},
    "GER": {"over": ["DEU"], "why": "the German Democratic Republic is the dot"},  # the GDR: DOTS
    # the Republic of China held China's seat until resolution 2758 (XXVI): the UNDL records it as
    # CHN, a source that names it TWN gets the mainland drawn for it in the same way
    "CHN": {"over": ["TWN"], "until": "1971-10-25",
            "why": "the Republic of China held China's seat until 25 October 1971"},
    "TWN": {"over": ["CHN"], "until": "1971-10-25",
            "why": "the Republic of China held China's seat until 25 October 1971"},
    # the United Arab Republic (recorded as EGY) was Egypt and Syria from 1958-02-21 to 1961-09-28;
    # Syria took its own seat back on 1961-10-13
    "EGY": {"over": ["SYR"], "since": "1958-02-21", "until": "1961-10-12",
            "why": "the United Arab Republic of Egypt and Syria"},
}


def read_topology(path: Path) -> tuple[dict, str]:
    """The TopoJSON and a description of where it came from (the tarball's sha256 and version)."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if path.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            meta = json.load(tar.extractfile("package/package.json"))
            topology = json.load(tar.extractfile(f"package/{MEMBER}"))
        return topology, f"world-atlas {meta['version']} (npm), {MEMBER}; tarball sha256 {digest}"
    return json.loads(data), f"{path.name}; sha256 {digest}"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as absolute (lon, lat): quantised arcs are delta-encoded, then scaled and translated."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x, y = x + dx, y + dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(px), float(py)) for px, py, *_ in arc]
        arcs.append(points)
    return arcs


def ring(arcs, indexes: list[int]) -> list[tuple[float, float]]:
    """A ring from its arcs: index ~i is arc i reversed; consecutive arcs share their end point."""
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry: dict, arcs) -> list[list[list[tuple[float, float]]]]:
    """A Polygon or MultiPolygon geometry as a list of polygons, each a list of rings (outer first)."""
    if geometry["type"] == "Polygon":
        return [[ring(arcs, r) for r in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[ring(arcs, r) for r in poly] for poly in geometry["arcs"]]
    return []


def unwrap(points) -> list[tuple[float, float]]:
    """A ring's longitudes made continuous: world-atlas rings may cross the antimeridian (Fiji,
    Chukotka), jumping from 180 to -180; after this they run on past 180 instead."""
    out = [points[0]]
    for x, y in points[1:]:
        px = out[-1][0]
        while x - px > 180:
            x -= 360
        while x - px < -180:
            x += 360
        out.append((x, y))
    return out


def clip(points, edge: float, keep_above: bool) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: the part of a ring on one side of the meridian ``edge``."""
    def inside(p):
        return p[0] >= edge if keep_above else p[0] <= edge

    out = []
    for i, cur in enumerate(points):
        prev = points[i - 1]
        if inside(cur) != inside(prev):
            t = (edge - prev[0]) / (cur[0] - prev[0])
            out.append((edge, prev[1] + t * (cur[1] - prev[1])))
        if inside(cur):
            out.append(cur)
    return out


def split_antimeridian(points) -> list[list[tuple[float, float]]]:
    """A ring as one or more rings inside -180…180 (a ring crossing the antimeridian is cut there)."""
    ring_ = unwrap(points)
    if min(x for x, _ in ring_) >= -180 and max(x for x, _ in ring_) <= 180:
        return [points]
    pieces = []
    for shift in (-360, 0, 360):
        piece = clip(clip([(x + shift, y) for x, y in ring_], -180, True), 180, False)
        if len(piece) >= 3 and area_km2(piece) > 1:
            pieces.append(piece)
    return pieces


def area_km2(points) -> float:
    """A ring's area on the sphere (R = 6371 km), by the trapezoid rule on lon × sin(lat), unsigned."""
    r = 6371.0
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        total += math.radians(x1 - x0) * (2 + math.sin(math.radians(y0)) + math.sin(math.radians(y1)))
    return abs(total) * r * r / 2


def centre(points) -> tuple[float, float]:
    """The area centroid of a ring in lon/lat (good enough for a dot on a small, compact country)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not a:
        return points[0]
    return cx / (3 * a), cy / (3 * a)


def encode(points) -> list[int]:
    """A ring in hundredths of a degree, delta-encoded; repeated points (after rounding) dropped."""
    out: list[int] = []
    last = None
    px = py = 0
    for x, y in points:
        q = (round(x * 100), round(y * 100))
        if q == last:
            continue
        out += [q[0] - px, q[1] - py]
        px, py = last = q
    return out


def build(topology: dict, members: set[str], about: str) -> dict:
    arcs = decode_arcs(topology)
    shapes: dict[str, list[list[int]]] = {}
    areas: dict[str, float] = {}
    biggest: dict[str, tuple[float, list]] = {}
    unknown = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        code = NUMERIC.get(geometry["id"]) if "id" in geometry else UNNUMBERED.get(name)
        if code is None:
            unknown.append(geometry.get("id") or name)
            continue
        if code in DROPPED:
            continue
        code = ASSIGNED.get(code, code)
        for whole in polygons(geometry, arcs):
            pieces = split_antimeridian(whole[0])
            holes = whole[1:] if len(pieces) == 1 else []  # no ring with a hole crosses the antimeridian
            for poly in ([piece, *holes] for piece in pieces):
                outer = area_km2(poly[0]) - sum(area_km2(hole) for hole in poly[1:])
                areas[code] = areas.get(code, 0.0) + outer
                if outer > biggest.get(code, (0.0, None))[0]:
                    biggest[code] = (outer, poly[0])
                shapes.setdefault(code, []).extend(r for r in (encode(points) for points in poly) if len(r) >= 6)
    if unknown:
        raise SystemExit(f"no code for {unknown}: add them to NUMERIC or UNNUMBERED")
    dots = {code: list(xy) for code, xy in DOTS.items()}
    for code, km2 in areas.items():
        if code in members and km2 < TINY_KM2:
            x, y = centre(biggest[code][1])
            dots[code] = [round(x, 1), round(y, 1)]
    missing = sorted(members - set(shapes) - set(dots) - set(SEATS))
    if missing:
        raise SystemExit(f"member states with neither a polygon nor a dot: {missing}")
    return {
        "about": {
            "source": "Natural Earth 1:110m Cultural Vectors, Admin 0 – Countries (naturalearthdata.com), "
                      "as TopoJSON in " + about,
            "licence": "Natural Earth: public domain. world-atlas: ISC licence, © 2013-2019 Michael Bostock.",
            "built_by": "scripts/build_world.py",
            "coordinates": "shapes: per code, rings of longitude/latitude in hundredths of a degree, each ring "
                           "delta-encoded (x0, y0, dx1, dy1, …); dots: (lon, lat) in degrees",
            "assigned": {**ASSIGNED, **{k: v for k, v in UNNUMBERED.items() if v != "XKX"}},
            "dropped": sorted(DROPPED),
            "tiny_km2": TINY_KM2,
        },
        "seats": SEATS,
        "dots": dict(sorted(dots.items())),
        "shapes": dict(sorted(shapes.items())),
    }


def members_in(countries_csv: Path) -> set[str]:
    """Every code that ever held a seat (unvote/data/countries.csv)."""
    with open(countries_csv, newline="", encoding="utf-8") as fh:
        return {row["code"] for row in csv.DictReader(line for line in fh if not line.startswith("#"))}


def dumps(world: dict) -> str:
    """Compact JSON, one code per line (diffs stay readable), the same bytes for the same input."""
    lines = ["{"]
    for i, (key, value) in enumerate(world.items()):
        last = i == len(world) - 1
        if key in ("shapes", "dots"):
            inner = [f" {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in value.items()]
            lines.append(f"{json.dumps(key)}: {{\n" + ",\n".join(inner) + "\n}" + ("" if last else ","))
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" + ("" if last else ","))
    return "\n".join(lines) + "\n}\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    topology, about = read_topology(Path(argv[0]))
    world = build(topology, members_in(ROOT / "unvote" / "data" / "countries.csv"), about)
    OUT.write_text(dumps(world), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes): {len(world['shapes'])} shapes, {len(world['dots'])} dots",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
