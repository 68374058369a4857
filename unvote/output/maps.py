"""World maps (``tally SYMBOL --map FILE``, ``neighbors COUNTRY --map FILE``, ``align A --map FILE``).

Pure drawing: a table of (country, vote) or (country, score) plus the words of the frame in, a
matplotlib ``Figure`` out, in the house frame of ``output.charts`` (title, subtitle, source line).

* ``vote_map(votes, title=…, subtitle=…, source_line=…, date=…) -> Figure``: a choropleth of one roll
  call in five categories (Yes, No, Abstain, Non-voting, not a member on that date).
* ``score_map(scores, title=…, …) -> Figure``: every country by its score on a sequential scale, those
  under ``min_votes`` shared votes in grey.
* ``tally_figure(counts, votes, sel=…)`` and ``neighbors_figure(table, country=…, …)``: those two with
  the commands' own titles and subtitles (``tally --map``, ``neighbors --map``, ``align --map``).
* ``svg_text(fig) -> str`` (for the HTML report: inline SVG) and ``save(fig, path)`` (a file).

Boundaries: Natural Earth 1:110m (public domain) via world-atlas 2.0.2, packaged as
``unvote/data/world.json`` by ``scripts/build_world.py``; drawn in the Equal Earth projection
(equal-area), Antarctica left out. Member states too small at this scale (or absent from 110m) are
drawn as dots as well. A historic seat is drawn over its successors' territory where they have no
seat of their own on the date (the USSR over Russia and 12 other republics, beside the Ukrainian and
Byelorussian SSRs' own seats; Yugoslavia, Serbia and Montenegro, Czechoslovakia likewise; West
Germany over Germany with the GDR as a dot; Democratic Yemen and Zanzibar as dots; the United Arab
Republic over Syria in 1958–61; the China seat over Taiwan until 25 October 1971): the ``seats`` of
world.json. matplotlib and numpy are imported only inside the functions, on the map path.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..core.errors import MissingDependency, UsageError
from .charts import DPI, METADATA, OKABE_ITO, RC, VOTES, _Chart, _lines, _matplotlib, figure_file
from .files import write_atomically

MAP_HELP = "Also draw a world map of the result into FILE (.svg, .png or .pdf; needs matplotlib)."
SC_ABSENT = "Not on the Council"
NOT_MEMBER = "#F2F2F2"  # very light grey, hatched: no seat on the date
NO_SCORE = "#F2F2F2"
FEW_VOTES = "#BBBBBB"
EDGE = "#FFFFFF"
DOT_EDGE = "#333333"
FOCAL = OKABE_ITO["black"]
# the vote colours are the tally chart's (output.charts.VOTES): Okabe–Ito blue, vermillion, yellow, grey
CATEGORIES = tuple((letter, word, fill) for letter, (_, word, fill, _) in zip("YNAX", VOTES))
NOTE_CHARACTERS = 170  # DejaVu Sans at 9 pt
TITLE_CHARACTERS = 80  # DejaVu Sans Bold at 17 pt across the figure
LEGEND_AT = (0.055, 0.0)  # axes fraction: right of the dots for Samoa and Tonga, left of South America
LAT_RANGE = (-57.0, 84.0)  # Tierra del Fuego to northern Greenland: Antarctica is left out


BOUNDARIES = "; boundaries: Natural Earth"  # the source line credits the map data (public domain)


def map_file(value: str | None) -> Path | None:
    """Check a ``--map`` value before any work is done (the charts' one check of a figure file; also
    Typer's callback: one parameter)."""
    return figure_file(value, "--map", (".svg", ".png", ".pdf"))


def _need_matplotlib():
    """matplotlib and its Figure class, or the charts' MissingDependency, naming --map."""
    try:
        return _matplotlib()
    except MissingDependency as err:
        raise MissingDependency(str(err).replace("--chart", "--map", 1)) from None


# ---------------------------------------------------------------- the projection and the outlines

def equal_earth(lon, lat):
    """Šavrič, Patterson & Jenny (2018), Equal Earth: (x, y) on the unit sphere from degrees (numpy arrays)."""
    import numpy as np

    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    m = math.sqrt(3) / 2
    lam, phi = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    theta = np.arcsin(m * np.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * np.cos(theta) / (m * (a1 + 3 * a2 * t2 + t6 * (7 * a3 + 9 * a4 * t2)))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return x, y


@functools.cache
def world() -> dict:
    """The packaged outlines: ``about``, ``seats``, ``dots`` {code: (lon, lat)} and ``shapes`` {code: rings}."""
    with resources.files("unvote").joinpath("data/world.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def _projected(code: str):
    """A shape's rings, projected: a list of (n, 2) arrays."""
    import numpy as np

    rings = []
    for encoded in world()["shapes"][code]:
        lonlat = np.cumsum(np.asarray(encoded, dtype=float).reshape(-1, 2), axis=0) / 100.0
        x, y = equal_earth(lonlat[:, 0], lonlat[:, 1])
        rings.append(np.column_stack([x, y]))
    return rings


@dataclass
class Layout:
    """Where each code is drawn: ``shapes`` {shape key: code drawn there}, ``dots`` {code: (lon, lat)},
    ``missing`` (codes with neither), ``over`` {historic code: shape keys it is drawn over}."""

    shapes: dict[str, str] = field(default_factory=dict)
    dots: dict[str, tuple[float, float]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    over: dict[str, list[str]] = field(default_factory=dict)


def layout(codes, date: dt.date | None = None) -> Layout:
    """Where ``codes`` (the members on ``date``, or the countries with a score) are drawn. A seat's
    territory: its own shape, else (``seats``) its successors' shapes that no code of ``codes`` holds."""
    data = world()
    codes = list(dict.fromkeys(codes))
    present = set(codes)
    out = Layout()
    for code in codes:
        if code in data["shapes"]:
            out.shapes[code] = code
    for code in codes:
        seat = data["seats"].get(code)
        if seat is None or not _in_force(seat, date):
            continue
        free = [k for k in seat["over"] if k in data["shapes"] and k not in present and k not in out.shapes]
        for key in free:
            out.shapes[key] = code
        if free:
            out.over[code] = free
    drawn = set(out.shapes.values())
    for code in codes:
        if code in data["dots"]:
            out.dots[code] = tuple(data["dots"][code])
        elif code not in drawn:
            out.missing.append(code)
    return out


def _in_force(seat: dict, date: dt.date | None) -> bool:
    """A seat with dates (``since``, ``until``) covers the territory only on a roll call in them."""
    if "since" not in seat and "until" not in seat:
        return True
    if date is None:
        return False
    return (dt.date.fromisoformat(seat.get("since", "1945-10-24")) <= date
            <= dt.date.fromisoformat(seat.get("until", "9999-12-31")))


# ---------------------------------------------------------------- drawing

def _rows(table) -> list[dict]:
    return table.to_pylist() if hasattr(table, "to_pylist") else [dict(r) for r in table]


def _fit(title: str, width: int = TITLE_CHARACTERS) -> str:
    """A title on one line: cut at a word with an ellipsis when longer than ``width`` characters."""
    if len(title) <= width:
        return title
    return title[:width - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _axes(fig, note: str):
    """The map's axes: the whole width under the subtitle, equal aspect, no frame; ``note`` (what the
    dots and the historic seats are) on a line above the source line."""
    note = _lines(note, NOTE_CHARACTERS)
    fig.text(0.03, 0.047, note, fontsize=9, color="#555555", ha="left", va="bottom")
    bottom = 0.065 + 0.022 * (note.count("\n") + 1)
    x0, _ = equal_earth(-180.0, 0.0)
    x1, _ = equal_earth(180.0, 0.0)
    _, y0 = equal_earth(0.0, LAT_RANGE[0])
    _, y1 = equal_earth(0.0, LAT_RANGE[1])
    ax = fig.add_axes((0.02, bottom, 0.96, 0.81 - bottom))
    ax.set_xlim(float(x0) - 0.02, float(x1) + 0.02)
    ax.set_ylim(float(y0), float(y1))
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


def _draw_shape(ax, key: str, gid: str, fill: str, hatch: str | None = None):
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    rings = _projected(key)
    path = MplPath.make_compound_path(*(MplPath(r, closed=True) for r in rings))
    ax.add_patch(PathPatch(path, facecolor=fill, edgecolor="#CCCCCC" if hatch else EDGE, linewidth=0.35,
                           hatch=hatch, gid=gid, zorder=1))


def _draw_dot(ax, code: str, lonlat, fill: str, outlined: bool = False):
    x, y = equal_earth(lonlat[0], lonlat[1])
    ax.plot([float(x)], [float(y)], marker="o", markersize=7 if outlined else 5.2, markerfacecolor=fill,
            markeredgecolor=FOCAL if outlined else DOT_EDGE, markeredgewidth=1.4 if outlined else 0.6,
            linestyle="none", gid=f"dot-{code}", zorder=4 if outlined else 3)


def _blank(ax, taken: set[str], fill: str, hatch: str | None):
    """Every shape no code is drawn on: no seat (vote map) or no score (score map)."""
    for key in world()["shapes"]:
        if key not in taken:
            _draw_shape(ax, key, f"blank-{key}", fill, hatch)


def _gid(key: str, code: str) -> str:
    return f"map-{code}" if key == code else f"map-{code}-over-{key}"


def _notes(out: Layout, names) -> str:
    """The line under the map: the dots, each historic seat drawn over others' territory, anything not drawn."""
    parts = ["Dots: member states too small to see at this scale"] if out.dots else []
    seats = world()["seats"]
    for code, keys in out.over.items():
        why = seats[code].get("why")
        parts.append(f"{names(code)} drawn over {_and([names(k) for k in keys])}" + (f" ({why})" if why else ""))
    if out.missing:
        parts.append(f"not drawn: {_and([names(c) for c in out.missing])}")
    return "; ".join(parts)


def _and(words: list[str]) -> str:
    if len(words) > 3:
        return f"{', '.join(words[:2])} and {len(words) - 2} others"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _name(code: str) -> str:
    from ..model import countries

    return {"XKX": "Kosovo", "TWN": "Taiwan"}.get(code) or countries.short_name(code)


def vote_map(votes, *, title: str, subtitle: str, source_line: str, date: dt.date | None = None,
             absent: str = "Not a member"):
    """A choropleth of one roll call, as a matplotlib ``Figure`` (1200×675 px at 100 dpi).

    ``votes``: a table (``Rows``, pyarrow, or dicts) with columns ``country`` (unvote's code) and ``vote``
    (Y, N, A, X = non-voting), one row per member state on the date — ``api.country_votes`` of one roll
    call. ``date``: the roll call's date (which historic seats cover which territory). Every other
    territory is ``absent`` ("Not a member"; a Security Council map says "Not on the Council"). The
    legend counts members per category; each drawn artist has an
    SVG id: ``map-CODE`` (polygon), ``map-CODE-over-KEY`` (a historic seat over KEY), ``dot-CODE``,
    ``blank-KEY`` (no seat). Write it with ``save`` or ``svg_text``.
    """
    _need_matplotlib()  # before any matplotlib import: exit 7 with the install command, not a traceback
    from matplotlib.patches import Patch

    rows = _rows(votes)
    vote = {r["country"]: (r["vote"] or "X").upper() for r in rows}
    fills = {letter: fill for letter, _, fill in CATEGORIES}
    out = layout(vote, date)
    with _Chart(None, _fit(title), subtitle, source_line + BOUNDARIES) as chart:
        ax = _axes(chart.fig, _notes(out, _name))
        for key, code in out.shapes.items():
            _draw_shape(ax, key, _gid(key, code), fills.get(vote[code], fills["X"]))
        _blank(ax, set(out.shapes), NOT_MEMBER, "/////")
        for code, lonlat in out.dots.items():
            _draw_dot(ax, code, lonlat, fills.get(vote[code], fills["X"]))
        counts = {letter: sum(1 for v in vote.values() if v == letter) for letter in fills}
        handles = [Patch(facecolor=fill, edgecolor="none", label=f"{word} {counts[letter]}")
                   for letter, word, fill in CATEGORIES]
        handles.append(Patch(facecolor=NOT_MEMBER, edgecolor="#CCCCCC", hatch="/////", label=absent))
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=LEGEND_AT, fontsize=10.5,
                  title=f"{len(vote)} members" + (" of the Council" if absent == SC_ABSENT else ""), title_fontsize=10.5, alignment="left")
    return chart.fig


def score_map(scores, *, title: str, subtitle: str, source_line: str, metric: str = "agree",
              focal: str | None = None, min_votes: int | None = None, outline=()):
    """Every country by its score, as a matplotlib ``Figure`` (1200×675 px), with a colour bar.

    ``scores``: a table with ``country``, ``score`` and ``rank`` (``api.neighbors``: rank empty = under
    ``min_votes`` shared votes, drawn grey and said in the legend). ``focal``: the country compared,
    drawn black. ``outline``: codes drawn with a heavy outline (named partners). The scale is fixed:
    0 … 1, or −1 … 1 for signed metrics (kappa, pi, S), so maps of different spans compare.
    """
    _need_matplotlib()  # before any matplotlib import: exit 7 with the install command, not a traceback
    import matplotlib as mpl
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.patches import Patch

    from .charts import SIGNED

    rows = [r for r in _rows(scores) if r["score"] is not None and not math.isnan(r["score"])]
    value = {r["country"]: r["score"] for r in rows}
    ranked = {r["country"] for r in rows if r.get("rank")} if any(r.get("rank") for r in rows) else set(value)
    lo = -1.0 if metric in SIGNED or any(v < 0 for v in value.values()) else 0.0
    norm = Normalize(vmin=lo, vmax=1.0)
    cmap = mpl.colormaps["viridis"]
    codes = list(value) + ([focal] if focal and focal not in value else [])
    out = layout(codes)

    def fill(code):
        if code == focal:
            return FOCAL
        return mpl.colors.to_hex(cmap(norm(value[code]))) if code in ranked else FEW_VOTES

    with _Chart(None, _fit(title), subtitle, source_line + BOUNDARIES) as chart:
        ax = _axes(chart.fig, _notes(out, _name))
        for key, code in out.shapes.items():
            _draw_shape(ax, key, _gid(key, code), fill(code))
        _blank(ax, set(out.shapes), NO_SCORE, "/////")
        for code in outline:
            for patch in ax.patches:
                gid = patch.get_gid() or ""
                if gid == f"map-{code}" or gid.startswith(f"map-{code}-over-"):
                    patch.set_edgecolor(FOCAL)
                    patch.set_linewidth(1.4)
                    patch.set_zorder(2)
        for code, lonlat in out.dots.items():
            _draw_dot(ax, code, lonlat, fill(code), outlined=code in outline)
        handles = []
        if focal:
            handles.append(Patch(facecolor=FOCAL, label=f"{_name(focal)} (compared)"))
        few = len(set(value) - ranked)
        if few:
            handles.append(Patch(facecolor=FEW_VOTES, label=f"fewer than {min_votes} shared votes ({few})"
                                 if min_votes is not None else f"too few shared votes ({few})"))
        handles.append(Patch(facecolor=NO_SCORE, edgecolor="#CCCCCC", hatch="/////", label="no score"))
        legend = ax.legend(handles=handles, loc="lower left", bbox_to_anchor=LEGEND_AT, fontsize=10)
        chart.fig.draw_without_rendering()  # the legend's height, to put the colour bar above it
        top = chart.fig.transFigure.inverted().transform(legend.get_window_extent())[1][1]
        bar_ax = chart.fig.add_axes((0.085, top + 0.06, 0.16, 0.022))
        bar = chart.fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=bar_ax, orientation="horizontal")
        bar.set_label(f"Score ({metric}): {len(ranked)} countries", fontsize=10)
        bar.ax.tick_params(labelsize=9)
    return chart.fig


# ---------------------------------------------------------------- writing

def save(fig, path) -> Path:
    """Write ``fig`` into ``path`` (.svg, .png or .pdf), deterministically, in the house style."""
    matplotlib, _ = _need_matplotlib()
    path = map_file(str(path))
    suffix = path.suffix.lower()
    with matplotlib.rc_context(RC):
        write_atomically(path, lambda out: fig.savefig(out, format=suffix[1:], dpi=DPI, metadata=METADATA[suffix],
                                                       facecolor="white"), "--map")
    return path


def svg_text(fig) -> str:
    """``fig`` as SVG text (no XML header), for inline use in an HTML page."""
    matplotlib, _ = _need_matplotlib()
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata=METADATA[".svg"], facecolor="white")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


# ---------------------------------------------------------------- the commands' maps

def tally_figure(counts, votes, *, sel=None):
    """The figure of ``tally SYMBOL --map``: ``counts`` (``api.tally``, one roll call) and ``votes``
    (``api.country_votes`` of it); the title is the cleaned title and the symbol, as the tally chart's.
    For an HTML page: ``svg_text(tally_figure(counts, votes))``."""
    from ..query.selection import Selection
    from .charts import _clean_title, _frame
    from .labels import BODIES

    calls = counts.to_pylist()
    if len(calls) != 1:
        raise UsageError(f"--map draws one roll call; this tally has {len(calls)}: give one symbol")
    call = calls[0]
    body = "sc" if call["resolution"].startswith("S/") else "ga"
    sel = (sel if sel is not None else Selection.of()).replace(body=body)
    frame = _frame(sel, dates=[call["date"]])
    symbol = call["resolution"]
    title = f"{_fit(_clean_title(call['title']) or symbol, TITLE_CHARACTERS - len(symbol) - 3)} ({symbol})"
    subtitle = (f"{BODIES[body]} recorded vote of {call['date'].day} {call['date']:%B %Y}: {call['yes']} yes, "
                f"{call['no']} no, {call['abstain']} abstaining; {call['voting']} of {call['members']} members "
                "voted; colour: each member's vote")
    if sel.source != "undl":
        subtitle += f"; {frame['kind']}"
    mine = [r for r in votes.to_pylist() if r["resolution"] == call["resolution"] and r["date"] == call["date"]]
    return vote_map(mine, title=title, subtitle=subtitle, source_line=frame.source_line, date=call["date"],
                    absent=SC_ABSENT if body == "sc" else "Not a member")


def tally_map(path, counts, votes, *, sel=None) -> Path:
    """``tally SYMBOL --map FILE``: ``tally_figure`` written into ``path``."""
    return save(tally_figure(counts, votes, sel=sel), path)


def neighbors_figure(table, *, country: str, sel=None, metric: str = "agree", min_votes: int | None = None,
                     partners=(), dates=None):
    """The figure of ``neighbors COUNTRY --map`` and ``align A [B…] --map``: every country by its score
    with ``country`` over the selection (``table`` from ``api.neighbors``); ``partners`` outlined."""
    from ..model.sides import side
    from .charts import _frame

    me = side(country)
    frame = _frame(sel, dates=dates, metric=metric, min_votes=min_votes)
    outline = [side(p).code for p in partners]
    title = f"Who votes with {me.name}?" if not outline else \
        f"How often {me.name} votes with each country" + (f" ({', '.join(side(p).name for p in partners)} outlined)")
    subtitle = f"{frame.line()}; colour: each country's score with {me.name}"
    return score_map(table, title=title, subtitle=subtitle, source_line=frame.source_line, metric=metric,
                     focal=me.code if me.kind == "country" else None, min_votes=min_votes, outline=outline)


def neighbors_map(path, table, **labels) -> Path:
    """``neighbors COUNTRY --map FILE`` and ``align A [B…] --map FILE``: ``neighbors_figure`` into ``path``."""
    return save(neighbors_figure(table, **labels), path)
