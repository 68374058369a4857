"""Publication-ready charts of command results (``--chart FILE``: .png, .svg or .pdf).

Each chart is a pure function of the result table a library function returns (``unvote.align``,
``neighbors``, ``tally``, ``tally_by_group``, ``cohesion``, ``ideal``, ``matrix``) plus labels, and
writes one file of 1200×675 px (12×6.75 in at 100 dpi): a title, a subtitle naming every filter of
the ``Selection`` and the command's parameters (``output.labels.label``), axis labels, a source line, the Okabe–Ito colour-blind-safe palette. Output is deterministic
(no dates, fixed SVG ids), and SVG keeps its text as text.

matplotlib is imported only inside these functions (``unvote --help`` stays fast); without it a
chart raises ``MissingDependency``. The ``Figure`` API is used directly: no pyplot, no global state.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..core.errors import MissingDependency, NotFound, UsageError
from ..query.selection import Selection
from .files import check_target, write_atomically
from .labels import BODIES, Label, label

SUFFIXES = (".png", ".svg", ".pdf")
CHART_HELP = "Also draw the result as a chart into FILE (.png, .svg or .pdf; needs matplotlib: pip install matplotlib)."
WIDTH, HEIGHT, DPI = 12.0, 6.75, 100  # 1200 × 675 px

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "orange": "#E69F00",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
SERIES = ("blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue", "black")
VOTES = (  # column, legend label, fill, text colour on the fill
    ("yes", "Yes", OKABE_ITO["blue"], "white"),
    ("no", "No", OKABE_ITO["vermillion"], "white"),
    ("abstain", "Abstain", OKABE_ITO["yellow"], "black"),
    ("non_voting", "Non-voting", "#BBBBBB", "black"),
)
GREY = "#8C8C8C"
SIGNED = ("s", "kappa", "kappa-linear", "kappa-quadratic", "pi")  # scores in [-1, 1]; the rest in [0, 1]


# ---------------------------------------------------------------- the option and its checks

def chart_file(value: str | None) -> Path | None:
    """Check a ``--chart`` value before any work is done: a known suffix and an existing folder."""
    if value is None:
        return None
    path = Path(value)
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"--chart {value}: the file name must end in .png, .svg or .pdf")
    if not path.parent.is_dir():
        raise UsageError(f"--chart {value}: folder {str(path.parent)!r} does not exist")
    return check_target(path, "--chart")


def _matplotlib():
    """matplotlib and its Figure class, or MissingDependency naming the install command."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        # unvote is installed from its checkout, not PyPI: never hint a name on PyPI someone else could take
        raise MissingDependency("--chart needs matplotlib: pip install matplotlib "
                                "(or, in unvote's checkout: pip install '.[charts]')") from None
    return matplotlib, Figure


RC = {
    "svg.fonttype": "none",  # text stays text in SVG
    "svg.hashsalt": "unvote",  # fixed ids: the same chart gives the same bytes
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs everywhere
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.grid": False,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "image.cmap": "viridis",
}
METADATA = {
    ".png": {"Software": "unvote"},
    ".svg": {"Date": None, "Creator": "unvote"},
    ".pdf": {"CreationDate": None, "ModDate": None, "Creator": "unvote", "Producer": "unvote"},
}


class _Chart:
    """One figure with the house frame (title, subtitle, source line), drawn inside the house style;
    used as ``with _Chart(...) as chart:``, it writes the file when the block ends without error
    (with ``path`` None it writes nothing: ``chart.fig`` is the figure, as ``output.maps`` uses it)."""

    def __init__(self, path, title: str, subtitle: str, source_line: str):
        self.path = chart_file(str(path)) if path is not None else None
        self.title, self.subtitle, self.source_line = title, subtitle, source_line

    def __enter__(self):
        matplotlib, Figure = _matplotlib()
        self._rc = matplotlib.rc_context(RC)
        self._rc.__enter__()
        try:
            fig = self.fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor="white")
            fig.text(0.03, 0.955, self.title, fontsize=17, fontweight="bold", ha="left", va="top",
                     wrap=True)
            fig.text(0.03, 0.895, _lines(self.subtitle), fontsize=11.5, color="#333333", ha="left", va="top")
            fig.text(0.03, 0.02, self.source_line, fontsize=9, color="#555555", ha="left", va="bottom")
            fig.subplots_adjust(left=0.08, right=0.97, top=0.82, bottom=0.13)
        except BaseException:
            self._rc.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind, value, trace):
        try:
            if kind is None and self.path is not None:
                suffix = self.path.suffix.lower()
                write_atomically(self.path, lambda out: self.fig.savefig(
                    out, format=suffix[1:], dpi=DPI, metadata=METADATA[suffix], facecolor="white"), "--chart")
        finally:
            self._rc.__exit__(None, None, None)
        return False


# ---------------------------------------------------------------- helpers

SUBTITLE_CHARACTERS = 125  # DejaVu Sans at 11.5 pt across the figure


def _lines(text: str, width: int = SUBTITLE_CHARACTERS) -> str:
    """A subtitle broken between its facts ("; "), never inside one, into lines of about ``width``."""
    lines: list[str] = []
    for part in text.split("; "):
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += "; " + part
        else:
            if lines:
                lines[-1] += ";"
            lines.append(part)
    return "\n".join(lines)


def _frame(sel: Selection | None, **params) -> Label:
    """The chart's label: the selection (everything, by default) and the command's parameters."""
    return label(sel if sel is not None else Selection.of(), **params)


def _score_limits(metric: str, values) -> tuple[float, float]:
    lo = -1.0 if metric in SIGNED or any(v < 0 for v in values) else 0.0
    return lo - 0.03, 1.03


def _side(text: str) -> tuple[str, str]:
    """(code, display name) of a country or group the user typed."""
    from ..model.sides import side

    found = side(text)
    return found.code, found.name


def _periods_axis(ax, periods: list[str], by: str):
    """x positions for period labels: years as numbers, sessions as ordered categories."""
    if by == "year" and all(p.isdigit() for p in periods):
        return {p: int(p) for p in periods}
    order = {p: i for i, p in enumerate(periods)}
    step = max(1, math.ceil(len(periods) / 24))
    ticks = list(range(0, len(periods), step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([periods[i] for i in ticks], rotation=0 if step > 1 or len(periods) < 16 else 90)
    return order


def _ordered_periods(rows) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        seen.setdefault(r["period"], None)
    periods = list(seen)
    if all(p.isdigit() for p in periods):
        periods.sort(key=int)
    return periods


def _clean_title(title: str | None) -> str:
    """UNDL titles end in ' : resolution / adopted by the General Assembly'; keep the subject."""
    text = re.sub(r"\s*:\s*resolution\s*/.*$", "", title or "", flags=re.I).strip()
    return text[:1].upper() + text[1:]


def _label_margin(labels, fontsize: float) -> float:
    """The figure fraction left of the axes that fits the longest tick label (DejaVu Sans ≈ 0.6 em a character)."""
    longest = max((len(t) for t in labels), default=0)
    return min(0.45, 0.03 + longest * fontsize * 0.6 / 72 / WIDTH + 0.01)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _short(symbol: str) -> str:
    return re.sub(r"^[AS]/RES/", "", symbol)


# ---------------------------------------------------------------- the charts

def align_chart(path, periods, pooled=None, *, a: str, b: str, sel: Selection | None = None, metric: str = "agree",
                by: str = "year") -> Path:
    """One line per partner over the periods (``partner`` column when there are several; else ``b``),
    with each partner's pooled score (``pooled``: the same call with ``by="all"``) as a dashed line."""
    rows = periods.to_pylist()
    if not rows:
        raise UsageError("nothing to chart: no periods")
    _, a_name = _side(a)
    partners = list(dict.fromkeys(r["partner"] for r in rows)) if "partner" in periods.column_names else [b]
    names = {p: _side(p) for p in partners}
    label = {p: names[p][1] for p in partners}
    order = _ordered_periods(rows)
    scores = [r["score"] for r in rows if r["score"] is not None and not math.isnan(r["score"])]
    who = label[partners[0]] if len(partners) == 1 else ", ".join(label[p] for p in partners)
    title = f"How often {a_name} votes with {who}"
    frame = _frame(sel, periods=order, by=by, metric=metric)
    with _Chart(path, title, frame.line(), frame.source_line) as chart:
        ax = chart.fig.add_subplot()
        x = _periods_axis(ax, order, by)
        pooled_rows = pooled.to_pylist() if pooled is not None else []
        for i, p in enumerate(partners):
            colour = OKABE_ITO[SERIES[i % len(SERIES)]]
            mine = [r for r in rows if r.get("partner", b) == p] if len(partners) > 1 else rows
            xs = [x[r["period"]] for r in mine]
            ys = [math.nan if r["score"] is None else r["score"] for r in mine]
            ax.plot(xs, ys, color=colour, linewidth=2.2, marker="o", markersize=3.5, label=label[p])
            pool = [r for r in pooled_rows if r.get("partner", b) == p] if len(partners) > 1 else pooled_rows
            if pool and pool[0]["score"] is not None and not math.isnan(pool[0]["score"]) and by != "all":
                ax.axhline(pool[0]["score"], color=colour, linestyle=(0, (5, 3)), linewidth=1.3, alpha=0.9,
                           label=f"{label[p]}, whole span: {pool[0]['score']:.2f}")
        ax.set_ylim(*_score_limits(metric, scores))
        ax.set_ylabel(f"Score ({metric})")
        ax.set_xlabel({"year": "Year", "session": "Session"}.get(by, ""))
        ax.grid(axis="y")
        ax.legend(loc="lower left", ncols=min(4, 2 * len(partners)), fontsize=10)
    return chart.path


def neighbors_chart(path, table, *, country: str, sel: Selection | None = None, metric: str = "agree",
                    min_votes: int | None = None, dates=None, top: int = 15) -> Path:
    """Ranked dots: every ranked country's score with ``country`` (those under ``--min-votes`` have a
    score but no rank, and stay out); when long, the closest and farthest ``top``."""
    rows = [r for r in table.to_pylist() if r["score"] is not None and not math.isnan(r["score"])]
    if any(r["rank"] for r in rows):
        rows = [r for r in rows if r["rank"]]
    if not rows:
        raise UsageError("nothing to chart: no country has a score")
    rows.sort(key=lambda r: (-r["score"], r["rank"] or 0))
    _, name = _side(country)
    title = f"Who votes with {name}?"
    panels = [("Closest", rows[:top]), ("Farthest", rows[-top:])] if len(rows) > 2 * top else [("All", rows)]
    frame = _frame(sel, dates=dates, metric=metric, min_votes=min_votes)
    subtitle = frame.line() + "; " + (f"the {top} closest and {top} farthest of {len(rows)} countries"
                                      if len(panels) == 2 else f"all {len(rows)} countries")
    with _Chart(path, title, subtitle, frame.source_line) as chart:
        lo, hi = _score_limits(metric, [r["score"] for r in rows])
        # each panel: its labels' width, then the plot; the plots share the room left
        widths = [_label_margin([f"{r['rank']}. {r['name']}" for r in mine], 9.5) - 0.02 for _, mine in panels]
        plot = (0.95 - 0.03 - sum(widths) - 0.05 * (len(panels) - 1)) / len(panels)
        axes, x0 = [], 0.03
        for width in widths:
            axes.append(chart.fig.add_axes((x0 + width, 0.13, plot, 0.66)))
            x0 += width + plot + 0.05
        for ax, (heading, mine), colour in zip(axes, panels, (OKABE_ITO["blue"], OKABE_ITO["vermillion"])):
            ys = list(range(len(mine)))[::-1]
            ax.hlines(ys, lo, [r["score"] for r in mine], color="#DDDDDD", linewidth=1)
            ax.plot([r["score"] for r in mine], ys, "o", color=colour, markersize=7)
            for k, (y, r) in enumerate(zip(ys, mine)):
                voted = r["same"] + r["partial"] + r["opposite"]  # few shared votes: say so
                ax.text(r["score"] + 0.03 * (hi - lo), y, f"{r['score']:.2f}" + (f" ({voted} votes)" if voted < 10 else ""),
                        va="center", fontsize=9, gid=f"score-{heading.lower()}-{k + 1}")
            ax.set_yticks(ys)
            ax.set_yticklabels([f"{r['rank']}. {r['name']}" if r["rank"] else r["name"] for r in mine], fontsize=9.5)
            ax.set_ylim(-0.7, len(mine) - 0.3)
            ax.set_xlim(lo, hi + 0.12 * (hi - lo))
            ax.set_xlabel(f"Score ({metric})")
            ax.set_title(heading, loc="left", fontweight="bold")
            ax.spines["left"].set_visible(False)
            ax.tick_params(axis="y", length=0)
    return chart.path


def tally_chart(path, counts, *, by_group=None, sel: Selection | None = None) -> Path:
    """Horizontal stacked bars Yes/No/Abstain/Non-voting with the counts: one per roll call
    (``counts`` from ``tally``), or with ``by_group`` (from ``tally_by_group``) one per group."""
    calls = counts.to_pylist()
    if not calls:
        raise UsageError("nothing to chart: no roll call")
    first = calls[0]
    body = "sc" if first["resolution"].startswith("S/") else "ga"
    sel = (sel if sel is not None else Selection.of()).replace(body=body)
    dates = sorted(c["date"] for c in calls)  # the roll calls' own span, earliest first
    frame = _frame(sel, dates=dates)
    if len(calls) == 1:
        title = f"{_clean_title(first['title']) or first['resolution']} ({first['resolution']})"
        subtitle = (f"{BODIES[body]} recorded vote of {first['date'].day} {first['date']:%B %Y}: {first['yes']} yes, "
                    f"{first['no']} no, {first['abstain']} abstaining; {first['voting']} of "
                    f"{first['members']} members voted")
    else:
        title = f"Recorded votes on {', '.join(_short(c['resolution']) for c in calls[:6])}" + \
            (" …" if len(calls) > 6 else "")
        subtitle = f"{frame.line()}: votes cast by member states"
    if by_group is not None:
        bars = by_group.to_pylist()
        several = len({r["resolution"] for r in bars}) > 1
        labels = [(f"{_short(r['resolution'])} · " if several else "")
                  + (r["name"] if r["group"] != "-" else (r["name"] or "no group")) for r in bars]
        subtitle += "; by group" + "".join(f"; {frame[f]}" for f in ("topic", "about") if frame.get(f))
    else:
        bars = calls
        labels = [_short(r["resolution"]) for r in bars]
    if len(calls) == 1 and sel.source != "undl":
        subtitle += f"; {frame['kind']}"
    with _Chart(path, title, subtitle, frame.source_line) as chart:
        ax = chart.fig.add_subplot()
        left_edge = _label_margin(labels, 11)
        chart.fig.subplots_adjust(left=left_edge, top=0.76)
        ys = list(range(len(bars)))[::-1]
        widest = max(sum(r[c] for c, *_ in VOTES) for r in bars)
        px_per_member = (0.97 - left_edge) * WIDTH * DPI / max(widest, 1)
        for column, word, fill, ink in VOTES:
            left = [sum(r[c] for c, *_ in VOTES[:[v[0] for v in VOTES].index(column)]) for r in bars]
            widths = [r[column] for r in bars]
            ax.barh(ys, widths, left=left, color=fill, edgecolor="white", linewidth=0.8, height=0.62, label=word)
            for y, x0, w in zip(ys, left, widths):
                if w and w * px_per_member >= 8 * len(str(w)) + 6:  # the count fits inside
                    ax.text(x0 + w / 2, y, str(w), ha="center", va="center", color=ink, fontsize=10.5,
                            fontweight="bold")
        ax.set_yticks(ys)
        ax.set_yticklabels(labels)
        ax.set_xlim(0, widest)
        ax.set_ylim(-0.5 - max(0.0, (4 - len(bars)) / 4), len(bars) - 0.5 + max(0.0, (4 - len(bars)) / 4))
        ax.set_xlabel("Member states")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4, fontsize=10.5)
    return chart.path


def cohesion_chart(path, table, *, group: str, sel: Selection | None = None, by: str = "year") -> Path:
    """A group's cohesion over time: share voting with the group's plurality, and the agreement index.
    ``group`` is read as a group first (``NAM`` is the Non-Aligned Movement), as ``cohesion`` reads it."""
    from ..model import groups

    rows = table.to_pylist()
    if not rows:
        raise UsageError("nothing to chart: no periods")
    name = groups.lookup(group).name
    order = _ordered_periods(rows)
    title = f"How united the {name} votes" if not name.startswith("the ") else f"How united {name} votes"
    frame = _frame(sel, periods=order, by=by, group=group)
    subtitle = (f"{frame.line(without=('source', 'metric_definition', 'group'))}: share voting with the group's "
                "plurality, and the Hix–Noury–Roland agreement index")
    with _Chart(path, title, subtitle, frame.source_line) as chart:
        ax = chart.fig.add_subplot()
        x = _periods_axis(ax, order, by)
        xs = [x[r["period"]] for r in rows]
        for column, word, colour, style in (("score", "With the group's plurality", OKABE_ITO["blue"], "-"),
                                            ("ai", "Agreement index", OKABE_ITO["orange"], "--")):
            if column in table.column_names:
                ax.plot(xs, [math.nan if r[column] is None else r[column] for r in rows], color=colour,
                        linestyle=style, linewidth=2.2, marker="o", markersize=3.5, label=word)
        ax.set_ylim(-0.03, 1.03)
        ax.set_ylabel("Cohesion (1 = all voted alike)")
        ax.set_xlabel({"year": "Year", "session": "Session"}.get(by, ""))
        ax.grid(axis="y")
        ax.legend(loc="lower left", ncols=2)
    return chart.path


def ideal_chart(path, table, *, highlight=(), sel: Selection | None = None, max_panels: int = 4) -> Path:
    """Ideal points sorted, with 95 % intervals (±1.96 standard errors); ``highlight`` (codes or
    names) coloured and labelled. One panel per period (at most ``max_panels``)."""
    from ..model import countries

    highlight = [h.strip() for h in highlight if h and h.strip()]
    if path is None:
        raise UsageError("--highlight colours countries in a chart: add --chart FILE")
    rows = table.to_pylist()
    if not rows:
        raise UsageError("nothing to chart: no estimates")
    periods = list(dict.fromkeys(r["period"] for r in rows))
    if len(periods) > max_panels:
        raise UsageError(f"a chart shows at most {max_panels} periods; this has {len(periods)}")
    marked = [countries.lookup(h).code for h in highlight]
    present = {r["country"] for r in rows}
    missing = [c for c in marked if c not in present]
    if missing:
        raise NotFound(f"--highlight: no estimate for {', '.join(missing)} in this period")
    by = "session" if _facts(table).get("by") == "session" else "year"
    title = "Where countries stand: ideal points" + (f", {by} {periods[0]}" if len(periods) == 1 else "")
    frame = _frame(sel, periods=periods, by=by, min_votes=_facts(table).get("min_votes"))
    subtitle = (f"{frame.line()}; one-dimensional ordered-logit IRT "
                "on Yes > Abstain > No (mean 0, sd 1, USA positive); dots sorted, bars = 95 % interval")
    with _Chart(path, title, subtitle, frame.source_line) as chart:
        axes = chart.fig.subplots(1, len(periods), sharey=True, squeeze=False)[0]
        chart.fig.subplots_adjust(wspace=0.08)
        colours = {c: OKABE_ITO[SERIES[1 + i % (len(SERIES) - 1)]] for i, c in enumerate(marked)}
        for ax, period in zip(axes, periods):
            mine = sorted((r for r in rows if r["period"] == period), key=lambda r: r["ideal_point"])
            xs = range(len(mine))
            ys = [r["ideal_point"] for r in mine]
            err = [1.96 * (r["std_error"] or 0.0) for r in mine]
            ax.errorbar(xs, ys, yerr=err, fmt="o", color=GREY, ecolor="#CCCCCC", markersize=2.8, elinewidth=1)
            for i, r in enumerate(mine):
                if r["country"] in colours:
                    colour = colours[r["country"]]
                    ax.errorbar([i], [r["ideal_point"]], yerr=[err[i]], fmt="o", color=colour, ecolor=colour,
                                markersize=6, elinewidth=2)
                    above = r["ideal_point"] + err[i] + 0.12
                    ha = "left" if i < 0.12 * len(mine) else "right" if i > 0.88 * len(mine) else "center"
                    ax.annotate(r["name"], (i, above), ha=ha, va="bottom", fontsize=10, color=colour,
                                fontweight="bold", bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1})
            for r, i, ha in ((mine[0], 0, "left"), (mine[-1], len(mine) - 1, "right")):
                if r["country"] not in colours:
                    ax.annotate(r["name"], (i, r["ideal_point"]), xytext=(6 if ha == "left" else -6, 0),
                                textcoords="offset points", ha=ha, va="center", fontsize=9, color="#444444")
            ax.axhline(0, color="#DDDDDD", linewidth=0.8, zorder=0)
            ax.set_xticks([])
            ax.set_xlim(-2, len(mine) + 1)
            ax.set_xlabel(f"{len(mine)} countries, lowest to highest")
            if len(periods) > 1:
                ax.set_title(f"{by.capitalize()} {period}", loc="left", fontweight="bold")
        axes[0].set_ylabel("Ideal point")
    return chart.path


def _facts(table) -> dict:
    from ..analysis.ideal import facts

    return facts(table)


def bloc_order(codes: list[str], scores) -> list[int]:
    """An order of ``codes`` that puts countries voting alike next to each other: average-linkage
    hierarchical clustering (scipy, optimal leaf order) when scipy is installed, else the first
    principal component of the agreement matrix (numpy), with the United States at the high end."""
    import numpy as np

    m = np.array(scores, dtype=float)
    n = len(codes)
    if n < 3:
        return list(range(n))
    fill = np.nanmean(m) if np.isfinite(m).any() else 0.0
    m = np.where(np.isfinite(m), m, fill)
    try:
        from scipy.cluster.hierarchy import leaves_list, linkage
        from scipy.spatial.distance import squareform
    except ImportError:
        centred = m - m.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        pc1 = centred @ vt[0]
        if "USA" in codes and pc1[codes.index("USA")] < np.median(pc1):
            pc1 = -pc1
        return [int(i) for i in np.lexsort((np.array(codes), pc1))]
    dist = m.max() - m
    dist = (dist + dist.T) / 2
    np.fill_diagonal(dist, 0.0)
    order = leaves_list(linkage(squareform(dist, checks=False), method="average", optimal_ordering=True))
    return [int(i) for i in order]


def matrix_chart(path, table, *, sel: Selection | None = None, metric: str = "agree", dates=None) -> Path:
    """A heatmap of every pair's score, countries ordered so blocs show (``bloc_order``).
    ``table``: the long form (a, b, score) or ``wide=True`` form (country, one column per country)."""
    import numpy as np

    names = table.column_names
    if "period" in names and len(set(table.column("period").to_pylist())) > 1:
        raise UsageError("a matrix chart shows one span: use --by all (the default) with --year, --since, --until")
    if "a" in names:
        a, b, s = (table.column(c).to_pylist() for c in ("a", "b", "score"))
        codes = sorted(set(a) | set(b))
        index = {c: i for i, c in enumerate(codes)}
        m = np.full((len(codes), len(codes)), np.nan)
        for x, y, v in zip(a, b, s):
            m[index[x], index[y]] = np.nan if v is None else v
    else:
        codes = table.column("country").to_pylist()
        m = np.array([[np.nan if v is None else v for v in table.column(c).to_pylist()] for c in codes],
                     dtype=float).T
    np.fill_diagonal(m, np.nan)
    keep = [i for i in range(len(codes)) if np.isfinite(m[i]).any()]  # e.g. a member that never voted
    m = m[np.ix_(keep, keep)]
    codes = [codes[i] for i in keep]
    if len(codes) < 2:
        raise UsageError("nothing to chart: fewer than two countries with a score")
    low = float(np.nanmin(m))
    bottom = -1.0 if metric in SIGNED or low < 0 else math.floor(low * 10) / 10
    np.fill_diagonal(m, 1.0)
    order = bloc_order(codes, m)
    m = m[np.ix_(order, order)]
    codes = [codes[i] for i in order]
    title = "Who votes with whom: agreement of every pair of countries"
    step = max(1, math.ceil(len(codes) / 48))
    frame = _frame(sel, dates=dates, metric=metric)
    subtitle = f"{frame.line()}; {len(codes)} countries ordered so that blocs show"
    with _Chart(path, title, subtitle, frame.source_line) as chart:
        ax = chart.fig.add_axes((0.30, 0.10, 0.40, 0.72))
        image = ax.imshow(m, vmin=bottom, vmax=1.0, interpolation="nearest", aspect="equal")
        ticks = list(range(0, len(codes), step))
        for setter in (ax.set_xticks, ax.set_yticks):
            setter(ticks)
        ax.set_xticklabels([codes[i] for i in ticks], rotation=90, fontsize=6.5)
        ax.set_yticklabels([codes[i] for i in ticks], fontsize=6.5)
        ax.tick_params(length=2, pad=1)
        if step > 1:
            ax.set_xlabel(f"every {_ordinal(step)} country named", fontsize=9, color="#555555")
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = chart.fig.colorbar(image, ax=ax, fraction=0.04, pad=0.03)
        bar.set_label(f"Score ({metric})")
    return chart.path
