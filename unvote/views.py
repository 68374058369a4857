"""Terminal views (rich) of command results. CSV/JSON never pass through here."""

from __future__ import annotations

from .output import bar, format_cell, sparkline

VOTE_WORDS = {"N": "No", "A": "Abstained", "X": "Did not vote"}


def tally_view(console, counts, by_country) -> None:
    """Per roll call: header, the four counts, then who voted No, abstained, did not vote."""
    from rich.markup import escape
    from rich.panel import Panel

    votes = by_country.to_pylist()
    for row in counts.to_pylist():
        lines = [f"[bold]{escape(row['title'] or '')}[/]",  # SC titles carry "[on …]"
                 f"{row['date']} · meeting {row['meeting'] or '–'} · UNDL record {row['rollcall_id']}", "",
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

    from . import countries

    ca, cb = countries.lookup(a), countries.lookup(b)
    title = f"{ca.code} ({ca.name}) vs {cb.code} ({cb.name}) · metric {metric} · per {by}"
    table = Table(title=title, header_style="bold")
    columns = ["period", "n", "same", "partial", "opposite", "absent", "score"]
    for c in columns:
        table.add_column(c, justify="left" if c == "period" else "right")
    table.add_column("")
    rows = periods.to_pylist()
    for r in rows:
        table.add_row(*[format_cell(r[c]) for c in columns], bar(r["score"]))
    for r in pooled.to_pylist():
        table.add_section()
        table.add_row(*[f"[bold]{format_cell(r[c])}[/]" for c in columns], bar(r["score"]))
    scores = [r["score"] for r in rows]
    table.caption = f"score {sparkline(scores)}  ({rows[0]['period']}–{rows[-1]['period']})" if rows else None
    console.print(table)


