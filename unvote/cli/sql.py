"""The sql command: one read-only SELECT over the store's views, printed like any other result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from .app import app
from .options import Output, options

if TYPE_CHECKING:
    from ..query.selection import Selection  # the type only: the options build it

TERMINAL_ROWS = 200  # a terminal shows the first rows; CSV, JSON and files get them all


@app.command()
@options("source", "body")
def sql(
    query: Optional[str] = typer.Argument(None, help="One SELECT over the views rollcalls, votes, countries, groups "
                                                     "(and topics), or ga.votes, sc.votes, voeten.votes, merged.votes …"),
    schema: bool = typer.Option(False, "--schema", help="List the views and their columns instead."),
    sel: Selection = None,
    out: Output = None,
):
    """Run SQL (DuckDB) over the store, read-only: views rollcalls, votes, countries, groups, topics.

    Each dataset the store holds is also a schema (ga.votes, sc.rollcalls, voeten.votes, merged.votes);
    --body/--source choose which one the plain names mean. Only one SELECT runs: anything that would
    change the store or write a file is refused (exit 2). docs/sql.md has more.

    Example:

    \b
      unvote sql "SELECT count(*) FROM votes"
      unvote sql "SELECT c.name, count(*) AS no_votes FROM votes v JOIN countries c ON c.code = v.ms_code WHERE v.vote = 'N' GROUP BY ALL ORDER BY 2 DESC LIMIT 5"
      unvote sql --schema
    """
    from ..api.sql import contained
    from ..api.sql import schema as sql_schema
    from ..api.sql import sql as run_sql
    from ..core.errors import UsageError
    from ..output.labels import label

    if schema:
        if query:
            raise UsageError("give a query or --schema, not both")
        table = sql_schema(selection=sel)
    elif not query or not query.strip():
        raise UsageError('give a query, e.g. unvote sql "SELECT count(*) FROM votes", or --schema for the views')
    else:
        with contained():  # a process of its own: cap its address space for the untrusted text
            table = run_sql(query, selection=sel, plain=True)
    out.emit(table, label=label(sel, definition=None if schema else f"SQL: {query}", dataset_only=True), note=False,
             pretty=lambda console: _terminal(console, table))


def _terminal(console, table) -> None:
    """The first rows as a table; how many more there are on a dim line."""
    from ..core.results import Rows
    from ..output.views import plain_table as rich_table

    total = table.num_rows
    if total > TERMINAL_ROWS:
        table = (Rows(table.column_names, table.types, table.rows[:TERMINAL_ROWS]) if isinstance(table, Rows)
                 else table.slice(0, TERMINAL_ROWS))
    console.print(rich_table(table))
    if total > TERMINAL_ROWS:
        console.print(f"[dim]the first {TERMINAL_ROWS:,} of {total:,} rows; --format csv or json gives them all[/]")
