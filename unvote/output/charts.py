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

import datetime as dt
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import MissingDependency, NotFound, UsageError
from ..model.dates import latest_complete_year, parse_when
from ..model.sessions import FIRST_YEAR as FIRST_SESSION_YEAR
from ..query.selection import Selection
from .files import check_target, write_atomically
from .labels import BODIES, Label, label

SUFFIXES = (".png", ".svg", ".pdf")
CHART_HELP = "Also draw the result as a chart into FILE (.png, .svg or .pdf; needs matplotlib: pip install matplotlib)."
WIDTH, HEIGHT, DPI = 12.0, 6.75, 100  # 1200 × 675 px
SHORT_HEIGHT = 3.4  # a single tally bar: 1200 × 340 px
SUBTITLE_CHARACTERS = 125  # DejaVu Sans at 11.5 pt across the figure
TITLE_CHARACTERS = 80  # bold at 17 pt
NOTE_CHARACTERS = 160  # 9.5 pt DejaVu Sans: a line of wide letters still ends inside the 1200-px canvas
MARK_CHARACTERS = 16  # a --mark label's line, along its rule

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
    """Check a ``--chart`` value before any work is done (also Typer's callback: one parameter)."""
    return figure_file(value, "--chart")


def figure_file(value: str | None, option: str, suffixes: tuple[str, ...] = SUFFIXES) -> Path | None:
    """Check a figure file given to ``option`` (``--chart``, ``--map``) before any work is done: one of
    ``suffixes`` (named in their order in the message) and an existing folder."""
    if value is None:
        return None
    path = Path(value)
    if path.suffix.lower() not in suffixes:
        raise UsageError(f"{option} {value}: the file name must end in {', '.join(suffixes[:-1])} or {suffixes[-1]}")
    if not path.parent.is_dir():
        raise UsageError(f"{option} {value}: folder {str(path.parent)!r} does not exist")
    return check_target(path, option)


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
    "font.family": ["DejaVu Sans", "sans-serif"],  # ships with matplotlib; an SVG viewer without it falls back
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


SHORT_NAMES = " · countries by short names"  # said wherever a chart names countries


def literal(text: str | None) -> str | None:
    """An editor's text as typed, on one line: newlines folded; drawn with math parsing off, so ``$`` is a dollar."""
    if text is None:
        return None
    return " ".join(str(text).split()) or None


# What an editor's words may take: two title lines, three of subtitle or note, a mark label that
# stays a few short lines along its rule, and marks that still leave the data readable. Longer is
# a usage error, never text drawn over the chart.
EDITORIAL_LIMITS = {"title": 2 * TITLE_CHARACTERS, "subtitle": 3 * SUBTITLE_CHARACTERS, "note": 3 * NOTE_CHARACTERS,
                    "mark": 60, "marks": 20}


def parse_mark(text: str) -> tuple[dt.date, str]:
    """``--mark 2022-03-02=ES-11/1`` → (date, label); without a label the date names itself (2 Mar 2022)."""
    when, _, words = str(text).partition("=")
    if len(words) > EDITORIAL_LIMITS["mark"]:
        raise UsageError(f"--mark {when}: a label of {len(words):,} characters; a mark has room for "
                         f"{EDITORIAL_LIMITS['mark']}")
    try:
        day = parse_when(when.strip())
    except UsageError:
        raise UsageError(f"--mark {text!r}: not a date (use 2022-03-02 or 2022-03-02=LABEL)") from None
    return day, literal(words) or f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class ChartOptions:
    """What an editor sets on a chart, one object for every chart function: the file (``--chart``),
    ``title`` and ``subtitle`` (replacing the drawn ones; the filters stay under the subtitle),
    ``note`` (a line above the source line) and ``marks`` (``--mark``: a dated rule on a time axis)."""

    path: Path | None = None
    title: str | None = None
    subtitle: str | None = None
    note: str | None = None
    marks: tuple[tuple[dt.date, str], ...] = ()

    @classmethod
    def of(cls, path=None, title=None, subtitle=None, note=None, mark=None) -> ChartOptions:
        """Checked before any work: the editorial options need ``--chart``, each mark is a date."""
        given = [name for name, value in (("--title", title), ("--subtitle", subtitle), ("--note", note),
                                          ("--mark", mark)) if value]
        if path is None:
            if given:
                raise UsageError(f"{given[0]} is for a chart: add --chart FILE")
            return cls()
        for name, value, most in (("--title", title, EDITORIAL_LIMITS["title"]),
                                  ("--subtitle", subtitle, EDITORIAL_LIMITS["subtitle"]),
                                  ("--note", note, EDITORIAL_LIMITS["note"])):
            if value and len(value) > most:
                raise UsageError(f"{name}: {len(value):,} characters; a chart has room for {most}")
        if len(mark or ()) > EDITORIAL_LIMITS["marks"]:
            raise UsageError(f"--mark given {len(mark)} times; a chart has room for {EDITORIAL_LIMITS['marks']}")
        return cls(chart_file(str(path)), literal(title), literal(subtitle), literal(note),
                   tuple(parse_mark(m) for m in mark or ()))

    def __bool__(self) -> bool:
        return self.path is not None

    def over_time(self, yes: bool) -> None:
        """Refuse ``--mark`` before any work when the chart has no time axis."""
        if self.marks and not yes:
            raise UsageError("--mark needs a chart over time (align, cohesion --by year or session; series; votes)")


def _options(target) -> ChartOptions:
    if isinstance(target, ChartOptions):
        if target.path is None:
            raise UsageError("a chart needs a file: --chart FILE")
        return target
    return ChartOptions(path=target)


def _point(height: float) -> float:
    """One typographic point as a fraction of a figure ``height`` inches tall."""
    return 1 / (72 * height)


class _Chart:
    """One figure with the house frame (title, subtitle, notes, source line), drawn inside the house
    style; used as ``with _Chart(...) as chart:``, it lays the axes out between the header and the
    footer, draws the editor's marks, and writes the file when the block ends without error.
    ``target``: a path or a ``ChartOptions``; ``names``: the chart names countries (short names).
    With ``target`` None it is the frame alone (title as given, no layout, no file): ``chart.fig`` is
    the figure, as ``output.maps`` uses it."""

    def __init__(self, target, title: str, subtitle: str, source_line: str, *, height: float = HEIGHT,
                 names: bool = False):
        self.frame_only = target is None
        self.options = _options(target) if target is not None else ChartOptions()
        self.path = chart_file(str(self.options.path)) if target is not None else None
        self.title = self.options.title or (title if self.frame_only else literal(title)) or ""
        self.subtitle, self.height = subtitle, height
        self.source_line = source_line + (SHORT_NAMES if names else "")
        self.notes: list[str] = []  # what a reader must know, above the source line
        self.timeline = None  # (axes, date → x) of a chart over time: where --mark draws
        self.seat_marks: list[tuple[dt.date, str]] = []  # changes of who held a charted seat (model.seats)
        self._untangle: list = []  # (axes, labels, their points, marker xs, ys): labels moved off the data

    def __enter__(self):
        matplotlib, Figure = _matplotlib()
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self._rc = matplotlib.rc_context(RC)
        self._rc.__enter__()
        try:
            fig = self.fig = Figure(figsize=(WIDTH, self.height), dpi=DPI, facecolor="white")
            FigureCanvasAgg(fig)  # a renderer to measure text with (layout, adjustText)
            pt = _point(self.height)
            y = 1 - 0.30375 / self.height  # inches from the top: at 6.75 in, the title at 0.955, the subtitle at 0.895
            title = self.title if self.frame_only else textwrap.fill(self.title, TITLE_CHARACTERS)
            self._header = [self._text(0.03, y, title, fontsize=17, fontweight="bold", wrap=self.frame_only)]
            y -= 0.405 / self.height + title.count("\n") * 17 * 1.2 * pt
            if self.options.subtitle:  # the editor's subtitle, then the filters: a chart never hides them
                own = textwrap.fill(self.options.subtitle, SUBTITLE_CHARACTERS)
                self._header.append(self._text(0.03, y, own, fontsize=11.5, color="#222222"))
                y -= (own.count("\n") + 1) * 11.5 * 1.2 * pt + 3 * pt
                self._header.append(self._text(0.03, y, _lines(self.subtitle, 140), fontsize=10, color="#555555"))
            else:
                self._header.append(self._text(0.03, y, _lines(self.subtitle), fontsize=11.5, color="#333333"))
            self._footer = [self._text(0.03, 0.135 / self.height, self.source_line, fontsize=9, color="#555555",
                                       va="bottom")]
            fig.subplots_adjust(left=0.08, right=0.97, top=0.82, bottom=0.13)
        except BaseException:
            self._rc.__exit__(None, None, None)
            raise
        return self

    def _text(self, x, y, text, va="top", **style):
        return self.fig.text(x, y, text, ha="left", va=va, parse_math=False, usetex=False, **style)

    def over_time(self, ax, by: str, periods=()) -> None:
        """``ax``'s x axis is time: years (a year's slot centred on its number) or the ``periods`` as sessions."""
        if by == "year":
            self.timeline = (ax, _year_x)
        elif by == "session":
            self.timeline = (ax, _session_x(list(periods)))

    def untangle(self, ax, texts, anchors, xs, ys) -> None:
        """Move ``texts`` (labels of the points ``anchors``) so that none overprints another or a marker
        at (``xs``, ``ys``), once the layout is final (``_finish``, ``_adjust``)."""
        self._untangle.append((ax, texts, anchors, xs, ys))

    def partial_year(self, ax, year, count: int, newest, what: str = "roll calls") -> None:
        """Shade and say the chart's last year when the data stops inside it (``model.dates.latest_complete_year``)."""
        if newest is None or not str(year).isdigit():
            return
        year = int(year)
        if year != newest.year or latest_complete_year(newest) >= year:
            return
        ax.axvspan(year - 0.5, year + 0.5, color="#EBEBEB", linewidth=0, zorder=0)
        what = what if count != 1 else what.replace("calls", "call")
        self.notes.append(f"{year} (shaded) is not complete: {count} {what}, to {newest.day} {newest:%b} {year}, "
                          "the data's latest")

    def __exit__(self, kind, value, trace):
        try:
            if kind is None and self.path is not None:
                self._finish()
                suffix = self.path.suffix.lower()
                write_atomically(self.path, lambda out: self.fig.savefig(
                    out, format=suffix[1:], dpi=DPI, metadata=METADATA[suffix], facecolor="white"), "--chart")
        finally:
            self._rc.__exit__(None, None, None)
        return False

    def _visible_seat_marks(self) -> list[tuple[dt.date, str]]:
        """The seat changes a chart over time can draw: inside its x range, oldest first, once each."""
        if self.timeline is None:
            return []
        ax, to_x = self.timeline
        lo, hi = sorted(ax.get_xlim())
        return sorted({m for m in self.seat_marks if (x := to_x(m[0])) is not None and lo <= x <= hi})

    def _finish(self) -> None:
        if self.options.marks and self.timeline is None:
            self._marks()  # the usage error, before anything is drawn
        visible = self._visible_seat_marks()
        if visible:
            self.notes.append("Who held the seat (dotted rules): " + "; ".join(
                f"{i} {words}" for i, (_, words) in enumerate(visible, 1)))
        pt = _point(self.height)
        y = 0.135 / self.height + 9 * 1.2 * pt + 4 * pt
        for note in reversed([n for n in (self.options.note, *self.notes) if n]):
            text = textwrap.fill(note, NOTE_CHARACTERS)
            self._footer.append(self._text(0.03, y, text, fontsize=9.5, color="#333333", va="bottom"))
            y += (text.count("\n") + 1) * 9.5 * 1.2 * pt + 2 * pt
        self._fit()
        if self.options.marks or visible:
            self._marks(visible)
        for ax, texts, anchors, xs, ys in self._untangle:
            _adjust(ax, texts, anchors, xs, ys)

    def _marks(self, seat_marks=()) -> None:
        """Each --mark: a dashed rule at its date, its label along the rule in room made above the data
        (the y axis grows by the longest label; its ticks stay on the data's range), so no label covers data;
        and each of ``seat_marks`` (``_visible_seat_marks``, the ones the note numbers) as a numbered dotted rule."""
        if self.timeline is None:
            raise UsageError("--mark needs a chart over time (align, cohesion --by year or session; series; votes)")
        ax, to_x = self.timeline
        lo, hi = sorted(ax.get_xlim())
        texts = []
        for day, words in self.options.marks:
            x = to_x(day)
            if x is None or not lo <= x <= hi:
                raise UsageError(f"--mark {day}: outside the chart's span")
            ax.axvline(x, color="#333333", linewidth=1, linestyle=(0, (3, 2)), zorder=1.5)
            words = textwrap.fill(words, MARK_CHARACTERS)  # a long label in short lines: the room above stays small
            texts.append(ax.text(x, 1.0, words, transform=ax.get_xaxis_transform(), rotation=90, ha="right",
                                 va="top", fontsize=9, color="#222222", parse_math=False, gid="mark"))
        # Seat changes: a dotted rule with a number (the note says who), a number stepped down a line where it
        # would touch the one before, so none overprints another however close the changes.
        placed: list[tuple[float, int]] = []  # (display x, line) of the numbers drawn
        for number, (day, _) in enumerate(seat_marks, 1):
            x = to_x(day)
            ax.axvline(x, color="#555555", linewidth=1, linestyle=(0, (1, 2)), zorder=1.5)
            px = ax.transData.transform((x, 0))[0]
            line = next(k for k in range(len(placed) + 1) if all(abs(px - q) > 12 or k != j for q, j in placed))
            placed.append((px, line))
            texts.append(ax.annotate(str(number), xy=(x, 1.0), xycoords=("data", "axes fraction"),
                                     xytext=(0, -2 - 11 * line), textcoords="offset points", ha="center", va="top",
                                     fontsize=8.5, color="#222222", gid="seat-mark"))
        if not texts:
            return
        renderer = self.fig.canvas.get_renderer()
        top_px = ax.get_window_extent(renderer).y1
        need = max(top_px - t.get_window_extent(renderer).y0 for t in texts) + 8  # px, from the axes' top
        room = ax.get_window_extent(renderer).height
        bottom, top = ax.get_ylim()
        ax.set_yticks([t for t in ax.get_yticks() if bottom <= t <= top])
        ax.set_ylim(bottom, top + (top - bottom) * need / max(room - need, 1.0))

    def _fit(self) -> None:
        """Stretch or squeeze every axes (with its tick labels, titles, legend) vertically to fill the room
        between the header and the footer, so neither ever overprints the other."""
        fig = self.fig
        renderer = fig.canvas.get_renderer()
        height = fig.bbox.height
        gap = 14 / height
        for _ in range(3):
            axes = list(fig.axes)
            if not axes:
                return
            tight = [ax.get_tightbbox(renderer) for ax in axes]
            top, bottom = max(b.y1 for b in tight) / height, min(b.y0 for b in tight) / height
            ceiling = min(t.get_window_extent(renderer).y0 for t in self._header) / height - gap
            floor = max(t.get_window_extent(renderer).y1 for t in self._footer) / height + gap
            boxes = [ax.get_position(original=True) for ax in axes]
            lo, hi = min(b.y0 for b in boxes), max(b.y1 for b in boxes)
            new_lo, new_hi = lo + (floor - bottom), hi + (ceiling - top)
            if abs(new_lo - lo) < 0.002 and abs(new_hi - hi) < 0.002 or new_hi - new_lo < 0.1:
                return
            scale = (new_hi - new_lo) / (hi - lo)
            for ax, b in zip(axes, boxes):
                ax.set_position((b.x0, new_lo + (b.y0 - lo) * scale, b.width, b.height * scale), which="both")


def _adjust(ax, texts, anchors, xs, ys) -> None:
    """Labels off the data: adjustText (the charts extra) spreads them, then each label still on a marker
    or an earlier label steps up or down, a few pixels at a time, to the nearest clear place (adjustText
    alone does not promise that); a thin leader joins a label moved away to its point (``anchors``)."""
    if not texts:
        return
    try:
        from adjustText import adjust_text
    except ImportError:
        adjust_text = None
    if adjust_text is not None:
        adjust_text(texts, x=list(xs), y=list(ys), ax=ax, expand=(1.15, 1.4), ensure_inside_axes=True)
    renderer = ax.figure.canvas.get_renderer()
    marks = _marker_boxes(ax)
    inside = ax.get_window_extent(renderer)
    placed = []
    for text in texts:
        x, y = ax.transData.transform(text.get_position())
        for step in [0, *(k * sign for k in range(1, 80) for sign in (1, -1))]:
            text.set_position(ax.transData.inverted().transform((x, y + 4 * step)))
            box = text.get_window_extent(renderer).expanded(1.04, 1.15)
            if box.y0 >= inside.y0 and box.y1 <= inside.y1 and not any(_overlaps(box, b) for b in marks + placed):
                break
        placed.append(text.get_window_extent(renderer).expanded(1.04, 1.15))
    for text, (ax_x, ax_y) in zip(texts, anchors):
        box = text.get_window_extent(renderer)
        px, py = ax.transData.transform((ax_x, ax_y))
        if min(abs(py - box.y0), abs(py - box.y1)) > 16 or not box.x0 - 16 <= px <= box.x1 + 16:
            end = (min(max(px, box.x0), box.x1), box.y0 if py < box.y0 else box.y1)
            ex, ey = ax.transData.inverted().transform(end)
            ax.plot([ax_x, ex], [ax_y, ey], color="#999999", linewidth=0.7, zorder=1.2)


def _marker_boxes(ax):
    """Display-space boxes of every marker drawn on ``ax`` (its lines with a marker)."""
    from matplotlib.transforms import Bbox

    boxes = []
    for line in ax.lines:
        if line.get_marker() in (None, "None", "", " "):
            continue
        half = line.get_markersize() / 2 * line.figure.dpi / 72 + 1
        for x, y in ax.transData.transform(line.get_xydata()):
            boxes.append(Bbox([[x - half, y - half], [x + half, y + half]]))
    return boxes


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _year_x(day: dt.date) -> float:
    """A date on a year axis: the year's slot runs from year − ½ to year + ½."""
    start = dt.date(day.year, 1, 1)
    return day.year - 0.5 + (day - start).days / (dt.date(day.year + 1, 1, 1) - start).days


def _session_x(periods: list[str]):
    """Dates on a session axis (one slot per session label; regular session N opens in September of 1945 + N)."""
    index = {str(p): i for i, p in enumerate(periods)}

    def to_x(day: dt.date):
        number = day.year - FIRST_SESSION_YEAR - (day.month < 9)
        if str(number) not in index:
            return None
        opened = dt.date(FIRST_SESSION_YEAR + number, 9, 1)
        return index[str(number)] - 0.5 + min(1.0, (day - opened).days / 365)

    return to_x


# ---------------------------------------------------------------- helpers



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
    """(code, name) of a country (its short name: Russia) or group the user typed."""
    from ..model.countries import short_name
    from ..model.sides import side

    found = side(text)
    return found.code, short_name(found.code) if found.kind == "country" else found.name


# The China seat: the UN data codes the Republic of China's votes until 25 October 1971 (A/RES/2758) CHN
# as well (model.countries); only a query without continuity reads them as TWN.
SHARED_SEATS = {"CHN": (("TWN", "Republic of China"),)}


def _earlier_holders(code: str, sel: Selection | None, first: dt.date | None = None) -> list[tuple[str, str, dt.date]]:
    """(name, code, last day) of each earlier holder of ``code``'s seat whose votes a chart from ``first``
    counts as ``code``'s (continuity on): the USSR's for Russia, the Republic of China's for China."""
    from ..model import countries

    if not (sel if sel is not None else Selection.of()).continuity:
        return []
    olds = [(old, None) for old in countries.lineage(code)[1:]] + list(SHARED_SEATS.get(code, ()))
    found = []
    for old, name in olds:
        country = countries.get(old)
        if country and country.member_to and (first is None or country.member_to >= first):
            found.append((name or country.short, old, country.member_to))
    return sorted(found, key=lambda holder: holder[2])


def _span(sel: Selection | None, dates=(), years=()) -> tuple[dt.date | None, dt.date | None]:
    """A chart's first and last day: the selection's, its open ends from the result's dates or years."""
    known = sorted([*(d for d in dates if d is not None), *(dt.date(int(y), 1, 1) for y in years),
                    *(dt.date(int(y), 12, 31) for y in years)])
    first = sel.since if sel is not None and sel.since else (known[0] if known else None)
    last = sel.until if sel is not None and sel.until else (known[-1] if known else None)
    return first, last


def _then(code: str, sel: Selection | None, first: dt.date | None, last: dt.date | None):
    """The holder whose time the span lies in whole: (name, code), or None when it reaches today's holder's."""
    if last is None:
        return None
    for name, old, day in _earlier_holders(code, sel, first):
        if last <= day:
            return name, old
    return None


def _for_its_time(code: str, name: str, sel: Selection | None, first: dt.date | None = None,
                  last: dt.date | None = None) -> str:
    """A seat's name for the chart's span: ``USSR`` for a span before 24 Dec 1991, ``Russia (USSR to
    1991)`` for one across that day, ``Russia`` after."""
    then = _then(code, sel, first, last)
    if then is not None:
        return then[0]
    return name + "".join(f" ({old} to {day.year})" for old, _, day in _earlier_holders(code, sel, first))


def _the(name: str) -> str:
    """A name in a sentence: the USSR, the Republic of China, the United States; Cambodia."""
    return f"the {name}" if name.isupper() or name.startswith(("Republic of", "United ")) else name


def _name_then(code: str, name: str, sel: Selection | None, first: dt.date | None, last: dt.date | None) -> str:
    """The earlier holder's name when the span lies in its time whole, else ``name``."""
    then = _then(code, sel, first, last)
    return then[0] if then is not None else name


def _code_for_its_time(code: str, sel: Selection | None, first: dt.date | None, last: dt.date | None) -> str:
    then = _then(code, sel, first, last)
    return then[1] if then is not None else code


def _seat_notes(chart, codes, sel: Selection | None, first: dt.date | None, last: dt.date | None = None,
                marked=()) -> None:
    """Say whose votes a seat's line counts before its holder took it over (continuity), and mark each change
    of who held the seats of ``codes`` and ``marked`` inside the span (``model.seats``, the one home of seat
    history) as a dated rule on a chart over time; a change within one code (Cambodia's governments) is
    also said in a note."""
    from ..model import seats
    from ..model.countries import short_name

    for code in codes:
        if _then(code, sel, first, last) is not None:
            continue  # the chart names the earlier holder itself
        for old, _, day in _earlier_holders(code, sel, first):
            chart.notes.append(f"{short_name(code)}: until {day.day} {day:%b %Y}, the votes of {_the(old)}, whose UN seat "
                               "it holds (--no-continuity leaves them out)")
    continuity = (sel if sel is not None else Selection.of()).continuity
    found = [c for code in dict.fromkeys([*codes, *marked])
             for c in seats.changes(code, first, last, continuity=continuity)]
    for change in found:
        when = f"about {change.after.since}" if change.approximate else f"{change.date.day} {change.date:%b %Y}"
        chart.seat_marks.append((change.date, f"{short_name(change.seat)}: {seats.named(change.after.holder)} "
                                              f"from {when}"))
    if chart.timeline is None:  # no rules to draw: the changes in words
        chart.notes += [f"{line[0].upper()}{line[1:]}" for line in seats.sentences(found)]


def _periods_axis(ax, periods: list[str], by: str):
    """x positions for period labels: years as numbers (whole years on the axis), sessions as ordered categories."""
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    if by == "year" and all(p.isdigit() for p in periods):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True, min_n_ticks=1))
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
        years = [int(p) for p in periods]
        ax.set_xlim(min(years) - 0.6, max(years) + 0.6)  # each year's slot whole, nothing beyond
        return dict(zip(periods, years))
    order = {p: i for i, p in enumerate(periods)}
    step = max(1, math.ceil(len(periods) / 24))
    ticks = list(range(0, len(periods), step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([periods[i] for i in ticks], rotation=0 if step > 1 or len(periods) < 16 else 90)
    return order


def _legend_above(ax, ncols: int, **style):
    """A legend over the axes' top edge, never over the data (the frame makes room for it)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=ncols, borderaxespad=0.2, **style)


def _ordered_periods(rows) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        seen.setdefault(r["period"], None)
    periods = list(seen)
    if all(p.isdigit() for p in periods):
        periods.sort(key=int)
    return periods


def _clean_title(title: str | None) -> str:
    """The title's subject (``model.text.subject``: the catalogue's tail removed), capitalised."""
    from ..model.text import subject

    text = (subject(title) or "").strip()
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
                by: str = "year", newest: dt.date | None = None) -> Path:
    """One line per partner over the periods (``partner`` column when there are several; else ``b``),
    with each partner's pooled score (``pooled``: the same call with ``by="all"``) as a dashed line.
    ``path``: a file or ``ChartOptions``; ``newest``: the data's newest roll call (a partial last year is flagged)."""
    rows = periods.to_pylist()
    if not rows:
        raise UsageError("nothing to chart: no periods")
    a_code, a_name = _side(a)
    partners = list(dict.fromkeys(r["partner"] for r in rows)) if "partner" in periods.column_names else [b]
    names = {p: _side(p) for p in partners}
    order = _ordered_periods(rows)
    first, last = _span(sel, years=order if by == "year" and all(p.isdigit() for p in order) else ())
    label = {p: _for_its_time(names[p][0], names[p][1], sel, first, last) for p in partners}
    plain = {p: _name_then(names[p][0], names[p][1], sel, first, last) for p in partners}  # USSR, before 1991
    scores = [r["score"] for r in rows if r["score"] is not None and not math.isnan(r["score"])]
    who = ", ".join(_the(plain[p]) for p in partners)
    title = f"How often {_the(_name_then(a_code, a_name, sel, first, last))} votes with {who}"
    frame = _frame(sel, periods=order, by=by, metric=metric)
    with _Chart(path, title, frame.line(), frame.source_line, names=True) as chart:
        ax = chart.fig.add_subplot()
        x = _periods_axis(ax, order, by)
        chart.over_time(ax, by, order)
        _seat_notes(chart, [a_code], sel, first, last, marked=[names[p][0] for p in partners])
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
                           label=f"{plain[p]}, whole span: {pool[0]['score']:.2f}")
        if by == "year":
            last = [r for r in rows if r["period"] == order[-1]]
            chart.partial_year(ax, order[-1], max(r["n"] for r in last), newest)
        ax.set_ylim(*_score_limits(metric, scores))
        ax.set_ylabel(f"Score ({metric})")
        ax.set_xlabel({"year": "Year", "session": "Session"}.get(by, ""))
        ax.grid(axis="y")
        _legend_above(ax, min(4, 2 * len(partners)), fontsize=10)
    return chart.path


def neighbors_chart(path, table, *, country: str, sel: Selection | None = None, metric: str = "agree",
                    min_votes: int | None = None, dates=None, top: int = 15) -> Path:
    """Ranked dots: every ranked country's score with ``country`` (those under ``--min-votes`` have a
    score but no rank, and stay out); when long, the closest and farthest ``top``."""
    rows = [r for r in table.to_pylist() if r["score"] is not None and not math.isnan(r["score"])]
    left_out = 0
    if any(r["rank"] for r in rows):
        left_out = sum(1 for r in rows if not r["rank"])
        rows = [r for r in rows if r["rank"]]
    if not rows:
        raise UsageError("nothing to chart: no country has a score")
    rows.sort(key=lambda r: (-r["score"], r["rank"] or 0))
    code, name = _side(country)
    title = f"Who votes with {_for_its_time(code, name, sel, *_span(sel, dates=dates or ()))}?"
    panels = [("Closest", rows[:top]), ("Farthest", rows[-top:])] if len(rows) > 2 * top else [("All", rows)]
    frame = _frame(sel, dates=dates, metric=metric, min_votes=min_votes)
    subtitle = frame.line() + "; " + (f"the {top} closest and {top} farthest of {len(rows)} countries"
                                      if len(panels) == 2 else f"all {len(rows)} countries")

    first, last = _span(sel, dates=dates or ())

    def shown(r):
        from ..model.countries import short_name

        return (f"{r['rank']}. " if r["rank"] else "") + _for_its_time(r["country"], short_name(r["country"]), sel,
                                                                      first, last)

    with _Chart(path, title, subtitle, frame.source_line, names=True) as chart:
        if left_out:
            chart.notes.append(f"{left_out} {'country' if left_out == 1 else 'countries'} left out: fewer than "
                               f"{min_votes if min_votes is not None else 'the minimum'} roll calls both voted "
                               "Y/A/N on (--min-votes)")
        _seat_notes(chart, [code], sel, first, last)
        lo, hi = _score_limits(metric, [r["score"] for r in rows])
        # each panel: its labels' width, then the plot; the plots share the room left
        widths = [_label_margin([shown(r) for r in mine], 9.5) - 0.02 for _, mine in panels]
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
                # right of its dot by a fixed offset in points: never on a marker, whatever the scale
                ax.annotate(f"{r['score']:.2f}" + (f" ({voted} votes)" if voted < 10 else ""), (r["score"], y),
                            xytext=(8, 0), textcoords="offset points", va="center", fontsize=9,
                            gid=f"score-{heading.lower()}-{k + 1}", annotation_clip=False)
            ax.set_yticks(ys)
            ax.set_yticklabels([shown(r) for r in mine], fontsize=9.5)
            ax.set_ylim(-0.7, len(mine) - 0.3)
            few = any(r["same"] + r["partial"] + r["opposite"] < 10 for r in mine)  # "(3 votes)" needs room
            ax.set_xlim(lo, hi + (0.3 if few else 0.12) * (hi - lo))
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
    single = len(bars) == 1  # one bar: a short canvas, not a bar lost in white
    with _Chart(path, title, subtitle, frame.source_line, height=SHORT_HEIGHT if single else HEIGHT) as chart:
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
        pad = 0.0 if single else max(0.0, (4 - len(bars)) / 4)
        ax.set_ylim(-0.5 - pad, len(bars) - 0.5 + pad)
        ax.set_xlabel("Member states")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4, fontsize=10.5)
    return chart.path


def cohesion_chart(path, table, *, group, sel: Selection | None = None, by: str = "year",
                   newest: dt.date | None = None) -> Path:
    """A group's cohesion over time: share voting with the group's plurality, and the agreement index;
    several groups (``group`` a list, ``table`` with a ``group`` column): one line per group, the share
    with its plurality. ``group`` is read as a group first (``NAM`` is the Non-Aligned Movement), as
    ``cohesion`` reads it."""
    from ..model import groups

    rows = table.to_pylist()
    if not rows:
        raise UsageError("nothing to chart: no periods")
    wanted = [group] if isinstance(group, str) else list(group)
    found = list({g.code: g for g in (groups.lookup(text) for text in wanted)}.values())
    several = "group" in table.column_names
    order = _ordered_periods(rows)
    if several:
        title = f"How united they vote: {', '.join(g.code for g in found)}"
        frame = _frame(sel, periods=order, by=by, group=[g.code for g in found])
        subtitle = f"{frame.line()}: share of members voting with their group's plurality"
    else:
        name = found[0].name
        title = f"How united the {name} votes" if not name.startswith("the ") else f"How united {name} votes"
        frame = _frame(sel, periods=order, by=by, group=found[0].code)
        subtitle = (f"{frame.line(without=('source', 'metric_definition', 'group', 'definition'))}: share voting with "
                    "the group's plurality, and the Hix–Noury–Roland agreement index")
    with _Chart(path, title, subtitle, frame.source_line) as chart:
        ax = chart.fig.add_subplot()
        x = _periods_axis(ax, order, by)
        chart.over_time(ax, by, order)
        if several:
            for i, g in enumerate(found):
                mine = [r for r in rows if r["group"] == g.code]
                ax.plot([x[r["period"]] for r in mine], [math.nan if r["score"] is None else r["score"] for r in mine],
                        color=OKABE_ITO[SERIES[i % len(SERIES)]], linewidth=2.2, marker="o", markersize=3.5,
                        label=g.code if len(g.name) > 28 else g.name)
        else:
            xs = [x[r["period"]] for r in rows]
            for column, word, colour, style in (("score", "With the group's plurality", OKABE_ITO["blue"], "-"),
                                                ("ai", "Agreement index", OKABE_ITO["orange"], "--")):
                if column in table.column_names:
                    ax.plot(xs, [math.nan if r[column] is None else r[column] for r in rows], color=colour,
                            linestyle=style, linewidth=2.2, marker="o", markersize=3.5, label=word)
        if by == "year":
            chart.partial_year(ax, order[-1], max(r["rollcalls"] for r in rows if r["period"] == order[-1]), newest)
        ax.set_ylim(-0.03, 1.03)
        ax.set_ylabel("Cohesion (1 = all voted alike)")
        ax.set_xlabel({"year": "Year", "session": "Session"}.get(by, ""))
        ax.grid(axis="y")
        _legend_above(ax, min(len(found), 5) if several else 2)
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
    facts = _facts(table)
    with _Chart(path, title, subtitle, frame.source_line, names=True) as chart:
        for period in periods:
            dropped = sorted(facts.get("periods", {}).get(str(period), {}).get("left_out") or {})
            if dropped:
                who = ", ".join(countries.short_name(c) for c in dropped) if len(dropped) <= 8 else ""
                chart.notes.append(f"{len(dropped)} {'country' if len(dropped) == 1 else 'countries'} left out"
                                   + (f" in {by} {period}" if len(periods) > 1 else "")
                                   + f": fewer than {facts.get('min_votes')} votes cast (--min-votes)"
                                   + (f": {who}" if who else ""))
        axes = chart.fig.subplots(1, len(periods), sharey=True, squeeze=False)[0]
        chart.fig.subplots_adjust(wspace=0.08)
        colours = {c: OKABE_ITO[SERIES[1 + i % (len(SERIES) - 1)]] for i, c in enumerate(marked)}
        for ax, period in zip(axes, periods):
            mine = sorted((r for r in rows if r["period"] == period), key=lambda r: r["ideal_point"])
            xs = list(range(len(mine)))
            ys = [r["ideal_point"] for r in mine]
            err = [1.96 * (r["std_error"] or 0.0) for r in mine]
            ax.errorbar(xs, ys, yerr=err, fmt="o", color=GREY, ecolor="#CCCCCC", markersize=2.8, elinewidth=1)
            first, last = _period_days(period, by)

            def named(code, first=first, last=last):
                return _name_then(code, countries.short_name(code), sel, first, last)

            texts, anchors = [], []  # the labels, and the points they name (a highlight's: its bar's top)
            for i, r in enumerate(mine):
                if r["country"] in colours:
                    colour = colours[r["country"]]
                    ax.errorbar([i], [r["ideal_point"]], yerr=[err[i]], fmt="o", color=colour, ecolor=colour,
                                markersize=6, elinewidth=2)
                    texts.append(ax.text(i, r["ideal_point"] + err[i] + 0.12, named(r["country"]),
                                         ha="center", va="bottom", fontsize=10, color=colour, fontweight="bold",
                                         gid=f"label-{r['country']}",
                                         bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1}))
                    anchors.append((i, r["ideal_point"] + err[i]))
            for r, i, ha in ((mine[0], 0, "left"), (mine[-1], len(mine) - 1, "right")):
                if r["country"] not in colours:
                    texts.append(ax.text(i + (1.5 if ha == "left" else -1.5), r["ideal_point"],
                                         named(r["country"]), ha=ha, va="center", fontsize=9,
                                         color="#444444", gid=f"label-{r['country']}"))
                    anchors.append((i, r["ideal_point"]))
            ax.axhline(0, color="#DDDDDD", linewidth=0.8, zorder=0)
            ax.set_xticks([])
            ax.set_xlim(-2, len(mine) + 1)
            ax.set_xlabel(f"{len(mine)} countries, lowest to highest")
            if len(periods) > 1:
                ax.set_title(f"{by.capitalize()} {period}", loc="left", fontweight="bold")
            chart.untangle(ax, texts, anchors, xs, ys)
        axes[0].set_ylabel("Ideal point")
    return chart.path


def ideal_dynamic_chart(path, table, *, highlight=(), sel: Selection | None = None,
                        newest: dt.date | None = None) -> Path:
    """Dynamic ideal points over the years (``api.ideal_dynamic``): the middle 80 % of countries each
    year as a grey band with its median, and each ``highlight`` country (codes or names) as a line with
    its 95 % band, named at its last year. ``path``: a file or ``ChartOptions``; ``newest``: the
    data's newest roll call (a partial last year is shaded and said)."""
    import numpy as np

    from ..model import countries

    marked = list(dict.fromkeys(countries.lookup(h.strip()).code for h in highlight if h and h.strip()))
    rows = table.to_pylist()
    if not rows:
        raise UsageError("nothing to chart: no estimates")
    missing = [c for c in marked if c not in {r["country"] for r in rows}]
    if missing:
        raise NotFound(f"--highlight: no estimate for {', '.join(missing)} in this span")
    facts = _facts(table)
    years = sorted({r["year"] for r in rows})
    by_year: dict[int, list[float]] = {}
    for r in rows:
        by_year.setdefault(r["year"], []).append(r["ideal_point"])
    lo, mid, hi = (np.array([np.percentile(by_year[y], q) for y in years]) for q in (10, 50, 90))
    first, last = _span(sel, years=(years[0], years[-1]))
    frame = _frame(sel, periods=[str(years[0]), str(years[-1])], by="year", min_votes=facts.get("min_votes"))
    title = "Where countries stand, year by year: dynamic ideal points"
    subtitle = (f"{frame.line(without=('source', 'metric_definition', 'definition', 'by'))}; one scale across years "
                "(random walk, recurring resolutions bridge the years; mean 0, sd 1 over all country-years, "
                "USA positive); grey: middle 80 % of countries and median; bands = 95 % interval")
    with _Chart(path, title, subtitle, frame.source_line, names=True) as chart:
        left = facts.get("left_out") or {}
        if left:
            chart.notes.append(f"{len(left)} country-year(s) left out: fewer than {facts.get('min_votes')} votes cast "
                               "in the year (--min-votes)")
        ax = chart.fig.add_subplot()
        chart.fig.subplots_adjust(right=0.84)
        _periods_axis(ax, [str(y) for y in years], "year")
        chart.over_time(ax, "year")
        _seat_notes(chart, marked, sel, first, last)
        ax.fill_between(years, lo, hi, color="#E4E4E4", linewidth=0, label="Middle 80 % of countries")
        ax.plot(years, mid, color=GREY, linewidth=1.2, linestyle=(0, (4, 2)), label="Median country")
        ends = []
        for i, code in enumerate(marked):
            colour = OKABE_ITO[SERIES[i % len(SERIES)]]
            mine = {r["year"]: r for r in rows if r["country"] == code}
            ys = np.array([mine[y]["ideal_point"] if y in mine else np.nan for y in years])
            err = np.array([1.96 * (mine[y]["std_error"] or 0.0) if y in mine else np.nan for y in years])
            ax.fill_between(years, ys - err, ys + err, color=colour, alpha=0.18, linewidth=0)
            name = _name_then(code, countries.short_name(code), sel, first, last)  # the notes say who held the seat
            ax.plot(years, ys, color=colour, linewidth=2.2, gid=f"line-{code}")  # named at its end, not in the legend
            end = max(mine)
            ends.append([mine[end]["ideal_point"], end, name, colour, code])
        low, high = ax.get_ylim()
        gap = 0.065 * (high - low)  # end labels at least a line apart, in their order (the frame may grow the axis)
        ends.sort()
        for k in range(1, len(ends)):
            ends[k][0] = max(ends[k][0], ends[k - 1][0] + gap)
        for y, end, name, colour, code in ends:
            ax.annotate(name, (end, y), xytext=(8, 0), textcoords="offset points", ha="left", va="center",
                        fontsize=10, color=colour, fontweight="bold", annotation_clip=False, gid=f"label-{code}")
        counts = facts.get("rollcalls_by_year") or {}
        chart.partial_year(ax, years[-1], counts.get(str(years[-1]), 0), newest)
        ax.axhline(0, color="#CCCCCC", linewidth=0.8, zorder=0)
        ax.set_xlabel("Year")
        ax.set_ylabel("Ideal point (one scale across years)")
        ax.grid(axis="y")
        _legend_above(ax, 2, fontsize=9.5)
    return chart.path


def _period_days(period, by: str) -> tuple[dt.date | None, dt.date | None]:
    """A period's first and last day: a calendar year, or regular session N (September 1945 + N to the next)."""
    text = str(period)
    if not text.isdigit():
        return None, None
    if by == "session":
        return dt.date(FIRST_SESSION_YEAR + int(text), 9, 1), dt.date(FIRST_SESSION_YEAR + int(text) + 1, 8, 31)
    return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)


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
    dropped = [codes[i] for i in range(len(codes)) if i not in set(keep)]
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
    frame = _frame(sel, dates=dates, metric=metric)
    subtitle = f"{frame.line()}; {len(codes)} countries ordered so that blocs show"
    first, last = _span(sel, dates=dates or ())
    codes = [_code_for_its_time(c, sel, first, last) for c in codes]  # SUN in 1985, not RUS
    regions = _regions(codes, last)
    with _Chart(path, title, subtitle, frame.source_line) as chart:
        if dropped:
            chart.notes.append(f"{len(dropped)} {'country' if len(dropped) == 1 else 'countries'} left out: no score "
                               f"in the span ({', '.join(dropped[:8])}{' …' if len(dropped) > 8 else ''})")
        # the canvas's width: the matrix, a strip of regional groups on its right, the colour bar
        ax = chart.fig.add_axes((0.06, 0.13, 0.74, 0.62))
        strip = chart.fig.add_axes((0.805, 0.13, 0.012, 0.62), sharey=ax)
        image = ax.imshow(m, vmin=bottom, vmax=1.0, interpolation="nearest", aspect="auto")
        _region_strip(strip, regions, ax)
        height_px, width_px = 0.62 * HEIGHT * DPI, 0.74 * WIDTH * DPI
        for axis, room, setter, rotation in ((ax.yaxis, height_px, ax.set_yticks, 0),
                                             (ax.xaxis, width_px, ax.set_xticks, 90)):
            step = max(1, math.ceil(len(codes) * 9.5 / room))  # 6.5 pt labels need ≈ 9.5 px each
            ticks = list(range(0, len(codes), step))
            setter(ticks, [codes[i] for i in ticks], rotation=rotation, fontsize=6.5)
            if step > 1:
                axis.set_label_text(f"every {_ordinal(step)} country named", fontsize=9, color="#555555")
        ax.tick_params(length=2, pad=1)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = chart.fig.colorbar(image, cax=chart.fig.add_axes((0.845, 0.13, 0.015, 0.62)))
        bar.set_label(f"Score ({metric})")
    return chart.path


def _regions(codes: list[str], day) -> list[str]:
    """Each country's UN regional group (``model.groups``) on ``day`` (default: today), ``-`` for none."""
    from ..model import groups

    return [(groups.group_of(code, day) or groups.group_of(code, "1990-01-01") or ["-"])[0] for code in codes]


REGION_COLOURS = {"AFRICAN": "bluish_green", "ASIA-PACIFIC": "orange", "EEG": "vermillion", "GRULAC": "reddish_purple",
                  "WEOG": "blue"}


def _region_strip(ax, regions: list[str], matrix) -> None:
    """A thin column beside the matrix: each row's regional group in colour, named in a legend."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Patch

    from ..model import groups

    colour = {code: to_rgb(OKABE_ITO[name]) for code, name in REGION_COLOURS.items()}
    ax.imshow([[colour.get(r, to_rgb("#BBBBBB"))] for r in regions], aspect="auto", interpolation="nearest")
    ax.set_xticks([])
    ax.tick_params(axis="y", left=False, labelleft=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    present = [code for code in REGION_COLOURS if code in regions] + (["-"] if "-" in regions else [])
    handles = [Patch(color=colour.get(code, to_rgb("#BBBBBB")),
                     label=groups.lookup(code).name if code != "-" else "no regional group") for code in present]
    matrix.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=min(3, len(handles)), fontsize=9,
                  title="UN regional groups (the strip right of the matrix)", title_fontsize=9, alignment="left",
                  handlelength=1.2, borderaxespad=0.2)


CAST = {"Y": "yes", "N": "no", "A": "abstain"}
WORDS = {"Y": "Yes", "N": "No", "A": "Abstain", "X": "Non-voting"}


def _stacked_years(chart, ax, slots, columns) -> None:
    """Vertical stacked bars, one per slot (x, width, {column: count}), in ``VOTES`` order and colours."""
    for column, word, fill, _ in VOTES:
        if column not in columns:
            continue
        xs = [x for x, _, _ in slots]
        widths = [w for _, w, _ in slots]
        counts = [c.get(column, 0) for _, _, c in slots]
        if not any(counts):
            continue  # no empty entry in the legend
        below = [sum(c.get(k, 0) for k, *_ in VOTES[:[v[0] for v in VOTES].index(column)] if k in columns)
                 for _, _, c in slots]
        ax.bar(xs, counts, width=widths, bottom=below, color=fill, edgecolor="white", linewidth=0.5, label=word)


def _year_bars_axes(ax, ylabel: str, ncols: int) -> None:
    """The axes of stacked bars by year (series, votes): labels, a grid behind the bars, the legend above."""
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Year")
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    _legend_above(ax, ncols)


def series_chart(path, table, *, changes=None, sel: Selection | None = None, newest: dt.date | None = None) -> Path:
    """A recurring resolution's votes (``series``): Yes, No and Abstain stacked, one bar per roll call in
    its year's slot; with ``changes`` (``series_changes``), how many switched between Yes, No and Abstain
    since the series' previous roll call above each bar, and the latest switchers named."""
    from ..model.countries import short_name

    calls = table.to_pylist()
    if not calls:
        raise UsageError("nothing to chart: no roll call in the series")
    own = [c["title"] for c in calls if c.get("linked_by") != "agenda+title"] or [c["title"] for c in calls]
    subject = _clean_title(own[-1]) or _short(calls[-1]["resolution"])
    dates = [c["date"] for c in calls]
    frame = _frame(sel, dates=dates)
    title = textwrap.shorten(subject, 110, placeholder=" …")
    subtitle = (f"{frame.line()}; {len(calls)} roll calls of the series, from {_short(calls[0]['resolution'])} "
                f"to {_short(calls[-1]['resolution'])}")
    switched: dict[str, list[dict]] = {}
    for r in (changes.to_pylist() if changes is not None else []):
        if r["previous"] in CAST and r["vote"] in CAST:
            switched.setdefault(r["resolution"], []).append(r)
    per_year: dict[int, list[dict]] = {}
    for c in calls:
        per_year.setdefault(c["date"].year, []).append(c)
    slots, where = [], {}
    for year, mine in per_year.items():
        width = 0.8 / len(mine)
        for k, c in enumerate(mine):
            x = year - 0.4 + width * (k + 0.5)
            where[c["resolution"]] = x
            slots.append((x, width * 0.92, c))
    with _Chart(path, title, subtitle, frame.source_line, names=changes is not None) as chart:
        ax = chart.fig.add_subplot()
        _periods_axis(ax, [str(y) for y in per_year], "year")
        chart.over_time(ax, "year")
        _stacked_years(chart, ax, slots, ("yes", "no", "abstain"))
        top = max(c["yes"] + c["no"] + c["abstain"] for c in calls)
        if changes is not None:
            for c in calls:
                n = len(switched.get(c["resolution"], []))
                if n:
                    ax.annotate(str(n), (where[c["resolution"]], c["yes"] + c["no"] + c["abstain"]), xytext=(0, 2),
                                textcoords="offset points", ha="center", va="bottom", fontsize=8, color="#333333",
                                gid=f"switched-{_short(c['resolution'])}")
            chart.notes.append("Numbers over the bars: countries that switched between Yes, No and Abstain since "
                               "the series' previous roll call")
            for resolution in [c["resolution"] for c in calls if c["resolution"] in switched][-2:]:
                who = switched[resolution]
                named = ", ".join(f"{short_name(r['country'])} ({r['previous']}→{r['vote']})" for r in who[:10])
                chart.notes.append(f"switched on {_short(resolution)} ({who[0]['date'].year}): {named}"
                                   + (f" and {len(who) - 10} more" if len(who) > 10 else ""))
        last = max(per_year)
        chart.partial_year(ax, last, len(per_year[last]), newest, "roll calls of the series")
        ax.set_ylim(0, top * 1.08)
        _year_bars_axes(ax, "Member states voting", 3)
    return chart.path


def votes_chart(path, record, *, country: str, sel: Selection | None = None, newest: dt.date | None = None,
                also: str = "") -> Path:
    """A country's (or a group's plurality) Yes, No, Abstain and non-voting per year, stacked
    (``voting_record``); ``also``: words for filters the label does not know (``--search``, ``--vote``)."""
    rows = record.to_pylist()
    if not rows:
        raise UsageError("nothing to chart: no roll call")
    code, name = _side(country)
    per_year: dict[int, dict[str, int]] = {}
    for r in rows:
        counts = per_year.setdefault(r["date"].year, {})
        column = CAST.get((r["vote"] or "X").upper(), "non_voting")
        counts[column] = counts.get(column, 0) + 1
    years = sorted(per_year)
    frame = _frame(sel, dates=[r["date"] for r in rows])
    is_group = not _is_country(country)
    if not is_group:
        name = _name_then(code, name, sel, *_span(sel, years=years))
    title = f"How {'the ' + name if is_group else _the(name)} voted" + (", per year" if len(years) > 1 else f" in {years[0]}")
    subtitle = (frame.line() + (f"; {also}" if also else "") + f"; {len(rows)} roll calls"
                + ("; a group's vote: its members' plurality position (non-voting: a tie or no vote)" if is_group else ""))
    with _Chart(path, title, subtitle, frame.source_line, names=True) as chart:
        ax = chart.fig.add_subplot()
        _periods_axis(ax, [str(y) for y in years], "year")
        chart.over_time(ax, "year")
        if not is_group:
            _seat_notes(chart, [code], sel, *_span(sel, years=years))
        _stacked_years(chart, ax, [(y, 0.8, per_year[y]) for y in years], ("yes", "no", "abstain", "non_voting"))
        chart.partial_year(ax, years[-1], sum(per_year[years[-1]].values()), newest)
        _year_bars_axes(ax, "Roll calls", 4)
    return chart.path


def _is_country(text: str) -> bool:
    from ..model.sides import side

    return side(text).kind == "country"
