"""Terminal views (rich) of command results. CSV/JSON never pass through here."""

from __future__ import annotations

from .render import bar, format_cell, sparkline

VOTE_WORDS = {"N": "No", "A": "Abstained", "X": "Did not vote"}


def tally_view(console, counts, by_country) -> None:
    """Per roll call: header, the four counts, then who voted No, abstained, did not vote."""
    from rich.markup import escape
    from rich.panel import Panel

    votes = by_country.to_pylist()
    for row in counts.to_pylist():
        lines = [f"[bold]{escape(row['title'] or '')}[/]",  # SC titles carry "[on …]"
                 f"{row['date']} · meeting {row['meeting'] or '–'} · "
                 f"{'Voeten rcid' if row.get('source') == 'voeten' else 'UNDL record'} {row['rollcall_id']}", "",
                 f"[green]Yes {row['yes']}[/]  [red]No {row['no']}[/]  [yellow]Abstain {row['abstain']}[/]"
                 f"  [dim]Non-voting {row['non_voting']}[/]"
                 + (f"  [magenta]unreadable {row['unreadable']}[/]" if row["unreadable"] else ""),
                 f"{row['voting']} voted of {row['members']} members"]
        mine = [v for v in votes if v["resolution"] == row["resolution"]]
        if any(v.get("permanent_member") for v in mine):  # Security Council: mark the P5
            p5 = ", ".join(f"{v['name']} {v['vote']}" for v in sorted(mine, key=lambda v: v["name"])
                           if v.get("permanent_member"))
            lines += ["", f"[bold]Permanent members (P5):[/] {p5}"]
        for letter, word in VOTE_WORDS.items():
            names = sorted(v["name"] + (" (P5)" if v.get("permanent_member") else "")
                           for v in mine if v["vote"] == letter)
            if names:
                lines += ["", f"[bold]{word} ({len(names)}):[/] " + ", ".join(names)]
        console.print(Panel("\n".join(lines), title=row["resolution"], title_align="left", expand=False))


def align_view(console, periods, pooled, a: str, b: str, metric: str, by: str) -> None:
    """The per-period table with a score bar, a pooled row, and a sparkline of the score."""
    from rich.table import Table

    from ..sides import side

    title = f"{side(a).label} vs {side(b).label} · metric {metric} · per {by}"
    table = Table(title=title, header_style="bold")
    columns = ["period", "n", "same", "partial", "opposite", "absent", "score"]
    for c in columns:
        table.add_column(c, justify="left" if c == "period" else "right")
    table.add_column("")
    lo = _score_floor(metric)
    rows = periods.to_pylist()
    for r in rows:
        table.add_row(*[format_cell(r[c]) for c in columns], _bar(r["score"], lo))
    for r in pooled.to_pylist() if by != "all" else []:  # with --by all the one row is the pool
        table.add_section()
        table.add_row(*[f"[bold]{format_cell(r[c])}[/]" for c in columns], _bar(r["score"], lo))
    scores = [r["score"] for r in rows]
    table.caption = (f"score {sparkline(scores, lo=lo)}  ({rows[0]['period']}–{rows[-1]['period']})"
                     if rows and by != "all" else None)
    console.print(table)
    if "yy" in pooled.column_names and pooled.num_rows:  # kappa, pi, votes-only: the table behind them
        cross_table_view(console, pooled.to_pylist()[0], side(a).code, side(b).code)


def cross_table_view(console, counts: dict, a: str, b: str) -> None:
    """The pooled 3×3 table of Y/A/N votes (rows: ``a``'s vote, columns: ``b``'s)."""
    from rich.table import Table

    view = Table(title=f"{a} (rows) × {b}", header_style="bold")
    view.add_column("")
    for head in ("Y", "A", "N"):
        view.add_column(head, justify="right")
    for head in "YAN":
        view.add_row(head, *[format_cell(counts[head.lower() + j]) for j in "yan"])
    console.print(view)


CELL_NAMES = ("yy", "ya", "yn", "ay", "aa", "an", "ny", "na", "nn")


def _score_floor(metric: str) -> float:
    """-1 for the signed metrics (S, kappa, pi), 0 for the shares."""
    from ..analysis.align import SIGNED_METRICS

    return -1.0 if metric in SIGNED_METRICS else 0.0


def _bar(score, lo: float) -> str:
    return bar(None if score is None else (score - lo) / (1 - lo))


def neighbors_view(console, table, focal: str, metric: str) -> None:
    """The ranking with a score bar; countries without a score are listed after the ranked ones.
    On a narrow terminal the names and bars are left out (the codes stay)."""
    from rich import box
    from rich.table import Table

    from ..sides import side

    lo = _score_floor(metric)
    roomy = console.width >= 112
    view = Table(title=f"Neighbours of {side(focal).label} · metric {metric}", header_style="bold",
                 box=box.SIMPLE_HEAD)
    columns = [c for c in table.column_names if c not in CELL_NAMES and (roomy or c != "name")]
    for c in columns:  # the cross-table cells stay in CSV/JSON
        if c == "name":
            view.add_column(c, no_wrap=True, overflow="ellipsis", max_width=26)
        else:
            view.add_column(c, justify="left" if c == "country" else "right", no_wrap=True)
    if roomy:
        view.add_column("", no_wrap=True)
    for r in table.to_pylist():
        view.add_row(*[format_cell(r[c]) for c in columns], *([_bar(r["score"], lo)] if roomy else []))
    console.print(view)


def cohesion_view(console, table, group: str, by: str) -> None:
    """Per period: the counts, the share with the majority (bar) and the Agreement Index."""
    from rich.table import Table

    from ..groups import lookup

    g = lookup(group)
    view = Table(title=f"Cohesion of {g.code} ({g.name}) · per {by}", header_style="bold",
                 caption="score: share of members' votes with the group's plurality position; "
                         "ai: Hix–Noury–Roland Agreement Index")
    columns = table.column_names
    for c in columns:
        view.add_column(c, justify="left" if c == "period" else "right")
    view.add_column("")
    rows = table.to_pylist()
    for r in rows:
        view.add_row(*[format_cell(r[c]) for c in columns], bar(r["score"]))
    console.print(view)


def group_tally_view(console, rows) -> None:
    """One table per roll call: each group's Yes/No/Abstain/Non-voting and its position."""
    from rich.table import Table

    by_call: dict = {}
    for r in rows.to_pylist():
        by_call.setdefault((r["resolution"], r["date"]), []).append(r)
    for (resolution, date), group_rows in by_call.items():
        view = Table(title=f"{resolution} · {date} · by group", header_style="bold")
        for c in ("group", "name", "yes", "no", "abstain", "non_voting", "members", "position"):
            view.add_column(c, justify="left" if c in ("group", "name", "position") else "right")
        for r in group_rows:
            view.add_row(r["group"], r["name"], *[str(r[c]) for c in ("yes", "no", "abstain", "non_voting", "members")],
                         r["position"] or "–")
        console.print(view)


def groups_view(console, table) -> None:
    """The groups, one line each: code, kind, members today, dated rows, full name."""
    from rich.table import Table

    view = Table(title="Groups (unvote groups NAME lists one group's dated membership)", header_style="bold")
    for c in ("group", "kind", "members", "rows", "name"):
        view.add_column(c, justify="right" if c in ("members", "rows") else "left")
    for r in table.to_pylist():
        view.add_row(r["group"], r["kind"], str(r["members"]), str(r["rows"]), r["name"])
    console.print(view)


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


def ideal_view(console, table, width: int = 25) -> None:
    """Per period: countries from the highest ideal point down, with a dot plot (● the point,
    ─ its 95 % interval, ┆ zero)."""
    from rich.markup import escape
    from rich.table import Table

    from ..analysis.ideal import facts as read_facts

    facts = read_facts(table)
    rows = table.to_pylist()
    for period, f in facts.get("periods", {}).items():
        mine = [r for r in rows if r["period"] == period]
        lows = [r["ideal_point"] - 1.96 * r["std_error"] for r in mine]
        highs = [r["ideal_point"] + 1.96 * r["std_error"] for r in mine]
        lo, hi = min(lows + [0.0]), max(highs + [0.0])

        def at(v: float, lo: float = lo, hi: float = hi) -> int:
            return round((v - lo) / (hi - lo) * (width - 1)) if hi > lo else width // 2

        view = Table(title=f"Ideal points · {facts['by']} {period} · {f['rollcalls']} roll calls, "
                           f"{f['countries']} countries", header_style="bold")
        for c in ("#", "country", "point", "±95%", "votes"):
            view.add_column(c, justify="left" if c == "country" else "right", no_wrap=True, min_width=len(c))
        # the other columns and the borders take about width + 46 characters; the name gets the rest
        view.add_column("name", no_wrap=True, overflow="ellipsis", width=max(8, min(28, console.width - width - 46)))
        view.add_column(f"{lo:.1f} … {hi:.1f}", no_wrap=True, min_width=width)
        for rank, (r, low, high) in enumerate(zip(mine, lows, highs), 1):
            cells = [" "] * width
            cells[at(0.0)] = "┆"
            for k in range(at(low), at(high) + 1):
                cells[k] = "─"
            cells[at(r["ideal_point"])] = "●"
            view.add_row(str(rank), r["country"], f"{r['ideal_point']:+.2f}", f"{1.96 * r['std_error']:.2f}",
                         str(r["n_votes"]), escape(r["name"]), "".join(cells))
        view.caption = "\n".join(["ordered-logit IRT (Yes > Abstain > No), mean 0, sd 1, USA positive",
                                  *ideal_note({**facts, "periods": {period: f}})])
        console.print(view)


def merged_line(summary: str | None, current: bool) -> str:
    """For ``unvote info``: the match summary, and whether the merged data is current."""
    state = "current" if current else "older than its sources: run unvote fetch --source merged"
    return (summary or "no match report") + f"; {state}"


# ---- explore: search, votes, series, align --votes (Rows straight from DuckDB: no pyarrow) ----------
def rows_view(console, rows, *, title: str | None = None, caption: str | None = None, shown: int | None = None,
              hide=("rollcall_id",)) -> None:
    """A plain table of ``Rows`` (the first ``shown`` rows), titles without the catalogue's tail."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    empty = {c for i, c in enumerate(rows.column_names) if c == "topics" and not any(r[i] for r in rows.rows)}
    columns = [c for c in rows.column_names if c not in hide and c not in empty]
    at = [rows.column_names.index(c) for c in columns]
    kinds = rows.kinds()
    view = Table(title=title, caption=caption, header_style="bold", box=box.SIMPLE_HEAD)
    for c, i in zip(columns, at):
        numeric = kinds[i] in ("int", "float")
        width = max([len(c)] + [len(format_cell(r[i])) for r in rows.rows[:shown]]) if c != "title" else 20
        view.add_column(c, justify="right" if numeric else "left", no_wrap=c != "title",
                        overflow="fold", min_width=width, ratio=1 if c == "title" else None)
    for row in rows.rows[:shown]:
        cells = []
        for c, i in zip(columns, at):
            v = row[i]
            if c == "title" and isinstance(v, str):
                v = v.split(" : resolution /")[0]
            cells.append(escape(format_cell(v)) if isinstance(v, str) else format_cell(v))
        view.add_row(*cells)
    console.print(view)


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
