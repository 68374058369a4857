"""Terminal views (rich) of command results. CSV/JSON never pass through here.

Every data value shown is cleaned by ``cell``: control characters (C0/C1, ESC/OSC sequences) are
removed and rich markup is escaped, so a title or name from a file cannot crash the view or reach
the terminal raw. Tables are laid out by ``grid``: numbers keep their full width, text columns
(titles, names) give way first, then optional columns (bars, names) are left out, so that no
number is ever cut on a 60-column terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re

from ..core.hints import fetch_command
from .labels import DEFINITIONS

# model/ and analysis/ are imported inside the views that use them (lazy): every command's output
# and ``info`` load this module, and need none of them.

VOTE_WORDS = {"N": "No", "A": "Abstained", "X": "Did not vote"}
TERMINAL_ROWS = 30  # rows a terminal view of a long table shows (matrix)

# ESC/CSI/OSC/DCS sequences whole, then any other C0/C1 control character
_SEQUENCES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
                        r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
                        r"|\x1b[@-Z\\-_]?", re.S)
_SPACES = re.compile(r"[\t\n\r\x0b\x0c]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# --- consoles and cells ---------------------------------------------------------------------------

def no_color() -> bool:
    """no-color.org: colour is off when NO_COLOR is set to a non-empty value (an empty one does nothing)."""
    return bool(os.environ.get("NO_COLOR"))


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, no_color=no_color() or None, highlight=False, soft_wrap=True)


def stdout_console(width: int | None = None):
    from rich.console import Console

    return Console(no_color=no_color() or None, highlight=False, width=width)



def format_cell(v) -> str:
    v = plain_value(v)
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v) if isinstance(v, (str, int)) else text_value(v)  # a list or dict as JSON, not a repr


def sparkline(values: list[float | None], lo: float = 0.0, hi: float = 1.0) -> str:
    """One block character per value between ``lo`` and ``hi``; a space for no value."""
    blocks = "▁▂▃▄▅▆▇█"
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(" ")
        else:
            frac = 0.0 if hi == lo else min(max((v - lo) / (hi - lo), 0.0), 1.0)
            out.append(blocks[round(frac * (len(blocks) - 1))])
    return "".join(out)


def bar(value: float | None, width: int = 10) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    full = int(round(min(max(value, 0.0), 1.0) * width))
    return "█" * full + "·" * (width - full)


def plain_value(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def text_value(v) -> str:
    """A non-text value as CSV and the terminal show it: a list, dict or struct as JSON text (not a Python
    repr), bytes as hex, a decimal as its number, a date or time in ISO form, a missing float as ""."""
    v = json_value(v)
    if v is None:
        return ""
    if isinstance(v, (list, dict, bool)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def json_value(v):
    """``v`` as a value ``json.dumps`` writes faithfully: NaN and ±inf as None, bytes as hex, a decimal as an
    int or float, a date, time or duration as ISO text, nested lists, dicts and maps element by element."""
    import decimal

    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    if isinstance(v, decimal.Decimal):
        return None if not v.is_finite() else int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        if v and all(isinstance(x, tuple) and len(x) == 2 for x in v):  # an Arrow map: [(key, value), ...]
            keys = [k for k, _ in v]
            if all(isinstance(k, (str, int)) for k in keys) and len(set(keys)) == len(keys):
                return {str(k): json_value(x) for k, x in v}
        return [json_value(x) for x in v]
    return str(v)


def _is_numeric(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type)


def clean(value) -> str:
    """Text safe for a terminal: escape sequences and control characters removed, line breaks
    and tabs turned into a space (the data itself is unchanged; CSV/JSON keep it exactly)."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    text = _SEQUENCES.sub("", text)
    text = _SPACES.sub(" ", text)
    return _CONTROLS.sub("", text)


def cell(value) -> str:
    """A data value as rich markup that shows it literally: cleaned, then markup-escaped."""
    from rich.markup import escape

    return escape(clean(format_cell(value)))


# --- layout ------------------------------------------------------------------------------------

class Col:
    """A column for ``grid``: ``number`` columns are right-aligned and never shrink below their
    widest value; text columns wrap between ``least`` and ``most`` characters; ``drop`` > 0 marks a
    column that may be left out when the terminal is too narrow (the highest number goes first)."""

    def __init__(self, header: str, *, number: bool = False, drop: int = 0, least: int = 8, most: int = 40,
                 justify: str | None = None, one_line: bool = False):
        self.header, self.number, self.drop = header, number, drop
        self.least, self.most = least, most
        self.justify = justify or ("right" if number else "left")
        self.one_line = one_line  # a long value ends in "…" instead of wrapping (titles in a list of rows)


_WORDS = re.compile(r"[^_\s]+[_\s]*|[_\s]+")


def header_words(header: str) -> list[str]:
    """A column name's words, each keeping the "_" after it: ``with_plurality`` → ``with_``, ``plurality``."""
    return _WORDS.findall(header) or [header]


def wrap_header(header: str, width: int) -> str:
    """A header on lines of at most ``width`` characters, broken only after a "_" or a space. A word
    longer than ``width`` (only on a terminal too narrow for it: ``grid`` gives a column its longest
    word when it can) is abbreviated with a dot, never cut in two: ``rollcalls`` → ``roll.``."""
    lines: list[str] = []
    for word in header_words(header):
        if len(word.rstrip()) > width >= 2:
            word = word.rstrip()[:width - 1] + "."
        if lines and len(lines[-1]) + len(word.rstrip()) <= width:
            lines[-1] += word
        else:
            lines.append(word)
    return "\n".join(line.rstrip() for line in lines)


def _plain_len(markup: str) -> int:
    from rich.text import Text

    return Text.from_markup(markup).cell_len


def grid(console, columns: list[Col], rows: list[list[str]], *, title: str | None = None,
         caption: str | None = None, sections: tuple[int, ...] = (), plain: bool = False):
    """A rich Table that fits ``console.width`` without cutting a number (see ``Col``).
    ``rows`` hold rich markup (values passed through ``cell``); a section line goes before each
    row index in ``sections``; ``plain``: never the boxed style (lists of roll calls)."""
    from rich import box
    from rich.table import Table

    natural, least, values = [], [], []
    for i, c in enumerate(columns):
        widest = max([_plain_len(r[i]) for r in rows] + [0])
        values.append(widest)
        word = max(len(w.rstrip()) for w in header_words(c.header))  # a header breaks between words only
        if c.number:  # the values never shrink; a long header may wrap onto two lines
            natural.append(max(len(c.header), widest))
            least.append(max(widest, word))
        else:
            natural.append(max(min(widest, c.most), min(len(c.header), c.most), word))
            least.append(min(natural[-1], max(c.least, word)))
    keep = list(range(len(columns)))

    def need(per_column: int, extra: int) -> int:
        return sum(least[i] for i in keep) + per_column * len(keep) + extra

    # styles from roomy to compact: (box, padding, width cost = per column · n + extra)
    heavy, simple, tight = (box.HEAVY_HEAD, (0, 1), 3, 1), (box.SIMPLE_HEAD, (0, 1), 3, -3), (box.SIMPLE_HEAD, (0, 0), 1, -1)
    while True:  # the boxed style if it fits, else a lighter one, else leave out optional columns
        # a list of roll calls keeps its columns in the compact style before leaving one out
        style = next((s for s in ((simple, tight) if plain else (heavy, simple)) if need(s[2], s[3]) <= console.width),
                     None)
        droppable = [i for i in keep if columns[i].drop]
        if style is not None or not droppable:
            break
        keep.remove(max(droppable, key=lambda i: (columns[i].drop, i)))
    style = style or tight
    # text columns share what the numbers leave, the widest giving way first (never below ``least``)
    widths = {i: natural[i] for i in keep}
    spare = console.width - sum(widths.values()) - style[2] * len(keep) - style[3]
    text = [i for i in keep if not columns[i].number]
    numbers = [i for i in keep if columns[i].number]
    while spare < 0:
        shrinkable = [i for i in text if widths[i] > least[i]] or [i for i in numbers if widths[i] > least[i]] \
            or [i for i in text if columns[i].one_line and widths[i] > 4] \
            or [i for i in numbers if widths[i] > max(values[i], 5)]  # last: "Ag…" titles, "plur." headers
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: (widths[i], i))
        widths[widest] -= 1
        spare += 1
    view = Table(title=title, caption=caption, header_style="bold", box=style[0], padding=style[1],
                 show_edge=style is heavy, pad_edge=style is heavy)
    for i in keep:
        c = columns[i]
        # a number column is never narrower than its widest value, so only its header can fold
        view.add_column(wrap_header(c.header, widths[i]), justify=c.justify, width=widths[i],
                        overflow="ellipsis" if c.one_line else "fold", no_wrap=c.one_line)
    for k, r in enumerate(rows):
        if k in sections:
            view.add_section()
        view.add_row(*[r[i] for i in keep])
    return view


def plain_table(table, *, title: str | None = None, caption: str | None = None, console=None):
    """Any result table: numbers never cut, text columns give way."""
    if console is None:
        console = stdout_console()
    columns = [Col(name, number=_is_numeric(table.schema.field(name).type)) for name in table.column_names]
    rows = [[cell(v) for v in r.values()] for r in table.to_pylist()]
    return grid(console, columns, rows, title=title and clean(title), caption=caption)


# --- views -------------------------------------------------------------------------------------

def seats_view(console, table) -> None:
    """Who held a seat: one line per holder, and each holder's source as a numbered note under the
    table (a sentence each: in a column they would wrap every row to a paragraph)."""
    rows = table.to_pylist()
    shown = table.select([c for c in table.column_names if c != "source"])
    console.print(plain_table(shown, title=f"Who held the seat: {rows[0]['code']}" if rows else None,
                              console=console))
    for i, r in enumerate(rows, 1):
        console.print(f"[dim]{i}. {escape_markup(clean(r['holder']))}: {escape_markup(clean(r.get('source') or ''))}[/]")


def escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def tally_view(console, counts, by_country) -> None:
    """Per roll call: header, the four counts, then who voted No, abstained, did not vote."""
    from rich.panel import Panel

    votes = by_country.to_pylist()
    for row in counts.to_pylist():
        record = (cell(row["url"]) if row.get("url") else
                  f"{'Voeten rcid' if row.get('source') == 'voeten' else 'UNDL record'} {cell(row['rollcall_id'])}")
        lines = [f"[bold]{cell(row.get('subject') or row['title'] or '')}[/]",
                 f"{cell(row['date'])} · meeting {cell(row['meeting'] or '–')} · {record}", "",
                 f"[green]Yes {row['yes']}[/]  [red]No {row['no']}[/]  [yellow]Abstain {row['abstain']}[/]"
                 f"  [dim]Non-voting {row['non_voting']}[/]"
                 + (f"  [magenta]unreadable {row['unreadable']}[/]" if row["unreadable"] else ""),
                 f"{row['voting']} voted of {row['members']} members"]
        mine = [v for v in votes if v["resolution"] == row["resolution"]]
        if any(v.get("permanent_member") for v in mine):  # Security Council: mark the P5
            p5 = ", ".join(f"{cell(v['name'])} {cell(v['vote'])}" for v in sorted(mine, key=lambda v: v["name"])
                           if v.get("permanent_member"))
            lines += ["", f"[bold]Permanent members (P5):[/] {p5}"]
        for letter, word in VOTE_WORDS.items():
            names = sorted(cell(v["name"]) + (" (P5)" if v.get("permanent_member") else "")
                           for v in mine if v["vote"] == letter)
            if names:
                lines += ["", f"[bold]{word} ({len(names)}):[/] " + ", ".join(names)]
        title = cell(row["resolution"])
        # as wide as its longest line, but never more than 100 characters (long lists wrap)
        widest = max([_plain_len(line) for line in lines] + [_plain_len(title) + 4])
        console.print(Panel("\n".join(lines), title=title, title_align="left", expand=False,
                            width=min(console.width, widest + 4, 100)))


def align_view(console, periods, pooled, a: str, b: str, metric: str, by: str) -> None:
    """The per-period table with a score bar, a pooled row, and a sparkline of the score."""
    from ..model.sides import side

    title = f"{clean(side(a).label)} vs {clean(side(b).label)} · metric {clean(metric)} · per {clean(by)}"
    names = ["period", "n", "same", "partial", "opposite", "absent", "score"]
    columns = [Col("period", least=12, most=12)] + [Col(c, number=True) for c in names[1:]] + [Col("", drop=1, least=10)]
    lo = _score_floor(metric)
    rows = periods.to_pylist()
    cells = [[cell(r[c]) for c in names] + [_bar(r["score"], lo)] for r in rows]
    pooled_rows = pooled.to_pylist() if by != "all" else []  # with --by all the one row is the pool
    cells += [[f"[bold]{cell(r[c])}[/]" for c in names] + [_bar(r["score"], lo)] for r in pooled_rows]
    scores = [r["score"] for r in rows]
    caption = (f"score {sparkline(scores, lo=lo)}  ({cell(rows[0]['period'])}–{cell(rows[-1]['period'])})"
               if rows and by != "all" else None)
    console.print(grid(console, columns, cells, title=title, caption=caption,
                       sections=(len(rows),) if pooled_rows else ()))
    if "yy" in pooled.column_names and pooled.num_rows:  # kappa, pi, votes-only: the table behind them
        cross_table_view(console, pooled.to_pylist()[0], side(a).code, side(b).code)


def cross_table_view(console, counts: dict, a: str, b: str) -> None:
    """The pooled 3×3 table of Y/A/N votes (rows: ``a``'s vote, columns: ``b``'s)."""
    columns = [Col("", least=1)] + [Col(head, number=True) for head in ("Y", "A", "N")]
    rows = [[head] + [cell(counts[head.lower() + j]) for j in "yan"] for head in "YAN"]
    console.print(grid(console, columns, rows, title=f"{clean(a)} (rows) × {clean(b)}"))


CELL_NAMES = ("yy", "ya", "yn", "ay", "aa", "an", "ny", "na", "nn")


def _score_floor(metric: str) -> float:
    """-1 for the signed metrics (S, kappa, pi), 0 for the shares."""
    from ..analysis.align import SIGNED_METRICS

    return -1.0 if metric in SIGNED_METRICS else 0.0


def _bar(score, lo: float) -> str:
    return bar(None if score is None else (score - lo) / (1 - lo))


def neighbors_view(console, table, focal: str, metric: str) -> None:
    """The ranking with a score bar; countries without a score are listed after the ranked ones.
    On a narrow terminal the bars, then the names are left out (the codes and numbers stay)."""
    from ..model.sides import side

    lo = _score_floor(metric)
    names = [c for c in table.column_names if c not in CELL_NAMES]  # the cross-table cells stay in CSV/JSON
    columns = [Col(c, least=3, most=26, drop=2 if c == "name" else 0) if c in ("country", "name")
               else Col(c, number=True) for c in names] + [Col("", drop=3, least=10)]
    rows = [[cell(r[c]) for c in names] + [_bar(r["score"], lo)] for r in table.to_pylist()]
    console.print(grid(console, columns, rows, title=f"Neighbours of {clean(side(focal).label)} · metric {clean(metric)}"))


def cohesion_view(console, table, group: str, by: str) -> None:
    """Per period: the counts, the share with the group's plurality (bar) and the Agreement Index."""
    from ..model.groups import lookup

    g = lookup(group)
    names = table.column_names
    columns = [Col(c, least=12, most=12) if c == "period" else Col(c, number=True) for c in names]
    columns.append(Col("", drop=1, least=10))
    rows = [[cell(r[c]) for c in names] + [bar(r["score"])] for r in table.to_pylist()]
    console.print(grid(console, columns, rows, title=f"Cohesion of {clean(g.code)} ({clean(g.name)}) · per {clean(by)}",
                       caption=DEFINITIONS["cohesion"]))


def group_tally_view(console, rows) -> None:
    """One table per roll call: each group's Yes/No/Abstain/Non-voting, its position, and whether that
    was the Assembly's plurality and the outcome."""
    by_call: dict = {}
    for r in rows.to_pylist():
        by_call.setdefault((r["resolution"], r["date"]), []).append(r)
    numbers = ("yes", "no", "abstain", "non_voting", "members")
    # a narrow terminal drops the name first, then with_outcome, then with_plurality
    columns = [Col("group", least=12, most=20), Col("name", drop=3, most=40)] + \
              [Col(c, number=True) for c in numbers] + [Col("position", least=8, most=12)] + \
              [Col(c, least=len(c), most=len(c), drop=d) for c, d in (("with_plurality", 1), ("with_outcome", 2))]
    for (resolution, date), group_rows in by_call.items():
        cells = [[cell(r["group"]), cell(r["name"]), *[cell(r[c]) for c in numbers], cell(r["position"]),
                  cell(r["with_plurality"]), cell(r["with_outcome"])] for r in group_rows]
        console.print(grid(console, columns, cells, title=f"{cell(resolution)} · {cell(date)} · by group"))


def groups_view(console, table) -> None:
    """The groups, one line each: code, kind, members today, dated rows, full name."""
    columns = [Col("group", least=5, most=16), Col("kind", least=6, most=12), Col("members", number=True),
               Col("rows", number=True), Col("name", least=10, most=60)]
    rows = [[cell(r[c]) for c in ("group", "kind", "members", "rows", "name")] for r in table.to_pylist()]
    console.print(grid(console, columns, rows,
                       title="Groups (unvote groups NAME lists one group's dated membership)"))


def matrix_view(console, table, *, top: int = TERMINAL_ROWS) -> None:
    """A terminal look at an all-pairs matrix: the ``top`` pairs by score (each pair once), or for
    the wide form the top-left corner that fits, with a line saying how to get all of it."""
    if "country" in table.column_names[:2]:  # the wide form: [period,] country, one column per country
        return _wide_matrix_view(console, table, top=top)
    import pyarrow.compute as pc

    if "a" in table.column_names and "b" in table.column_names:
        once = table.filter(pc.less(table.column("a"), table.column("b")))
    else:
        once = table
    if "score" in once.column_names:
        once = once.filter(pc.is_valid(once.column("score")))
        order = pc.sort_indices(once, sort_keys=[("score", "descending"), ("n", "descending")]
                                if "n" in once.column_names else [("score", "descending")])
        once = once.take(order)
    shown = once.slice(0, top)
    shown = shown.select([c for c in shown.column_names if c not in CELL_NAMES])  # the cells stay in CSV/JSON
    console.print(plain_table(shown, console=console,
                              title=f"Top {shown.num_rows} pairs by score (each pair once)"))
    console.print(f"[dim]{table.num_rows:,} rows (each pair both ways); all of them: "
                  "--format csv, or -o matrix.csv / matrix.xlsx / matrix.parquet[/]")


def _wide_matrix_view(console, table, *, top: int) -> None:
    keys = [c for c in table.column_names if c in ("period", "country")]
    codes = [c for c in table.column_names if c not in keys]
    rows = table.slice(0, top).to_pylist()
    columns = [Col(k, least=12, most=12) for k in keys] + \
              [Col(c, number=True, drop=i + 1) for i, c in enumerate(codes)]
    cells = [[cell(r[k]) for k in keys] + [cell(r[c]) for c in codes] for r in rows]
    view = grid(console, columns, cells, title="Agreement matrix (wide): the top-left corner")
    shown = len(view.columns) - len(keys)
    console.print(view)
    console.print(f"[dim]{table.num_rows:,} rows × {len(codes):,} score columns; shown: {len(rows):,} rows and "
                  f"{shown:,} columns; all of them: -o matrix.xlsx, or --format csv[/]")


def info_view(console, facts: dict, status=None) -> None:
    """What the store holds, one block per dataset (``status(name)`` adds a line, e.g. merged's)."""
    console.print(f"store: {cell(facts['data_dir'])}")
    if not facts["datasets"]:
        console.print(f"empty — run: {fetch_command()}")
    for name, m in facts["datasets"].items():
        sha = f"sha256 {cell(str(m['sha256'])[:12])}…, " if m.get("sha256") else ""
        records = f"{m['records']:,}" if isinstance(m.get("records"), int) else cell(m.get("records"))
        votes = f"{m['votes']:,}" if isinstance(m.get("votes"), int) else cell(m.get("votes"))
        console.print(f"[bold]{cell(name)}[/]: {records} roll calls, {votes} votes, "
                      f"{cell(m.get('date_min'))} → {cell(m.get('date_max'))}\n  {cell(m.get('source'))}\n"
                      f"  file {cell(m.get('file'))} ({sha}fetched {cell(m.get('fetched_at'))})")
        line = status(name) if status else None
        if line:
            console.print(f"  {cell(line)}")


def ideal_note(facts: dict) -> list[str]:
    """Per period, one line on what the ideal-point fit left out or could not do (none if all is well)."""
    lines = []
    for period, f in facts.get("periods", {}).items():
        parts = []
        if f["unanimous"]:
            parts.append(f"{f['unanimous']} unanimous roll call(s) left out")
        if f["left_out"]:
            parts.append(f"left out for fewer than {facts['min_votes']} votes: "
                         + ", ".join(f"{code} ({n})" for code, n in f["left_out"].items()))
        if f["anchor"] != "USA":
            parts.append(f"oriented with {f['anchor']} positive (the USA cast too few votes)" if f["anchor"]
                         else "no anchor country voted: the sign of the scale is arbitrary")
        if not f["converged"]:
            parts.append(f"the fit did not converge in {f['iterations']} steps")
        if parts:
            lines.append(f"{facts['by']} {period}: " + "; ".join(parts))
    return lines


def ideal_dynamic_note(facts: dict) -> list[str]:
    """What a dynamic ideal-point fit left out or could not do (``analysis.dynamic.to_table``'s facts)."""
    lines = []
    if facts.get("unanimous"):
        lines.append(f"{facts['unanimous']} unanimous roll call(s) left out")
    left = facts.get("left_out") or {}
    if left:
        shown = ", ".join(f"{key} ({n})" for key, n in list(left.items())[:8])
        more = f" and {len(left) - 8} more (analysis.ideal.facts)" if len(left) > 8 else ""
        lines.append(f"{len(left)} country-year(s) left out for fewer than {facts['min_votes']} votes: {shown}{more}")
    if facts.get("anchor") != "USA":
        lines.append(f"oriented with {facts['anchor']} positive (the USA cast too few votes)" if facts.get("anchor")
                     else "no anchor country voted: the sign of the scale is arbitrary")
    if not facts.get("bridged_families"):
        lines.append("no title recurs in this span: only the random walk ties the years together")
    if not facts.get("converged", True):
        lines.append(f"the fit did not converge in {facts['iterations']} steps")
    return lines


def ideal_view(console, table, width: int = 25) -> None:
    """Per period: countries from the highest ideal point down, with a dot plot (● the point,
    ─ its 95 % interval, ┆ zero). On a narrow terminal the names, then the plot give way."""
    from ..analysis.ideal import facts as read_facts

    facts = read_facts(table)
    rows = table.to_pylist()
    for period, f in facts.get("periods", {}).items():
        mine = [r for r in rows if str(r["period"]) == str(period)]
        lows = [r["ideal_point"] - 1.96 * r["std_error"] for r in mine]
        highs = [r["ideal_point"] + 1.96 * r["std_error"] for r in mine]
        lo, hi = min(lows + [0.0]), max(highs + [0.0])

        def at(v: float, lo: float = lo, hi: float = hi) -> int:
            return round((v - lo) / (hi - lo) * (width - 1)) if hi > lo else width // 2

        columns = [Col("#", number=True), Col("country", least=3, most=8), Col("point", number=True),
                   Col("±95%", number=True), Col("votes", number=True), Col("name", drop=2, least=8, most=28),
                   Col(f"{lo:.1f} … {hi:.1f}", drop=1, least=width, most=width)]
        cells = []
        for rank, (r, low, high) in enumerate(zip(mine, lows, highs), 1):
            plot = [" "] * width
            plot[at(0.0)] = "┆"
            for k in range(at(low), at(high) + 1):
                plot[k] = "─"
            plot[at(r["ideal_point"])] = "●"
            cells.append([str(rank), cell(r["country"]), f"{r['ideal_point']:+.2f}", f"{1.96 * r['std_error']:.2f}",
                          cell(r["n_votes"]), cell(r["name"]), "".join(plot)])
        caption = "\n".join([DEFINITIONS["ideal"],
                             *[cell(line) for line in ideal_note({**facts, "periods": {period: f}})]])
        console.print(grid(console, columns, cells, caption=caption,
                           title=f"Ideal points · {cell(facts['by'])} {cell(period)} · {f['rollcalls']} roll calls, "
                                 f"{f['countries']} countries"))


def merged_line(summary: str | None, current: bool) -> str:
    """For ``unvote info``: the match summary, and whether the merged data is current."""
    state = "current" if current else f"older than its sources: run {fetch_command('merged')}"
    return (summary or "no match report") + f"; {state}"


# ---- explore: search, votes, series, align --votes (Rows straight from DuckDB: no pyarrow) ----------
def rows_view(console, rows, *, title: str | None = None, caption: str | None = None, shown: int | None = None,
              hide=("rollcall_id",)) -> None:
    """A plain table of ``Rows`` (the first ``shown`` rows) laid out by ``grid``: numbers whole, a title
    without the catalogue's tail and cut to what the terminal leaves (one line per roll call); on a
    narrow terminal ``session`` (the symbol names it), ``topics``, then ``non_voting`` are left out."""
    from ..model.text import subject

    empty = {c for i, c in enumerate(rows.column_names) if c == "topics" and not any(r[i] for r in rows.rows)}
    # a terminal shows the subject (the title without the catalogue's tail) as the title; the record's
    # address stays in CSV/JSON (too long for a line per roll call)
    cleaned = "subject" in rows.column_names
    if cleaned and "title" not in hide:
        hide = (*hide, "title")
    columns = [c for c in rows.column_names if c not in hide and c not in empty and c != "url"]
    at = [rows.column_names.index(c) for c in columns]
    kinds = rows.kinds()
    optional = {"session": 3, "topics": 2, "non_voting": 1}  # left out in this order when narrow
    # numbers, symbols, dates and votes are shown whole (a number column never shrinks); the title gives way
    cols = [Col("title", least=16, most=80, one_line=True) if c in ("title", "subject")
            else Col(c, number=True, justify="right" if kinds[i] in ("int", "float") else "left",
                     drop=optional.get(c, 0))
            for c, i in zip(columns, at)]
    cells = []
    for row in rows.rows[:shown]:
        line = []
        for c, i in zip(columns, at):
            v = row[i]
            if c == "title" and isinstance(v, str):
                v = subject(v)
            line.append(cell(v))  # data: control sequences stripped, markup escaped
        cells.append(line)
    console.print(grid(console, cols, cells, title=title and clean(title), caption=caption, plain=True))


def position_matrix_view(console, pair_votes, a: str, b: str) -> None:
    """The 4×4 table of two sides' votes over the span (Yes, No, Abstain, not voting), from
    ``api.align_votes`` rows (rows: ``a``'s vote, columns: ``b``'s)."""
    from rich.table import Table

    letters = ("Y", "N", "A", "X")
    words = {"Y": "Yes", "N": "No", "A": "Abstain", "X": "not voting"}
    ia, ib = pair_votes.column_names.index("a_vote"), pair_votes.column_names.index("b_vote")
    cells: dict = {}
    for row in pair_votes.rows:
        key = (row[ia] if row[ia] in letters[:3] else "X", row[ib] if row[ib] in letters[:3] else "X")
        cells[key] = cells.get(key, 0) + 1
    view = Table(title=f"{a} (rows) × {b} (columns): roll calls", header_style="bold")
    view.add_column("")
    for y in letters:
        view.add_column(words[y], justify="right")
    for x in letters:
        view.add_row(f"[bold]{words[x]}[/]", *[str(cells.get((x, y), 0)) for y in letters])
    console.print(view)
