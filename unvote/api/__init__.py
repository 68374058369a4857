"""The library's front door: questions answered from the store.

    >>> import unvote
    >>> unvote.tally("ES-11/1").to_pylist()[0]["yes"]
    141

Each function validates its arguments into a ``Selection`` (which roll calls), reads one store
version through DuckDB (``unvote.query.selection``) and hands the rows to pure analysis. Quick answers
come back as ``Rows`` (a pyarrow.Table on demand: ``.to_arrow()``, or use it as one), analysis
results as ``pyarrow.Table``. Each CLI command is a thin adapter over one function here.
"""

from ..query.selection import KINDS, SOURCE_LABELS, SOURCES, Selection
from .agreement import align, align_votes, cohesion, group_members, groups_table, matrix, neighbors, tally_by_group
from .explore import alone, search, series, series_changes, series_votes, vote_summary, votes_wide, voting_record
from .ideal import ideal, ideal_dynamic, latest_complete_year, newest_date
from .records import country_votes, find, info, rollcalls, tally, topics_by_decade, votes
from .report import country_report, vote_report
from .seats import countries_table, seats
from .sql import schema as sql_schema
from .sql import sql
from .statedept import TABLES as STATEDEPT_TABLES
from .statedept import statedept, statedept_page_data

__all__ = ["KINDS", "SOURCES", "SOURCE_LABELS", "Selection", "align", "align_votes", "alone", "cohesion",
           "countries_table", "country_report", "country_votes", "find", "group_members", "groups_table", "ideal",
           "ideal_dynamic", "info",
           "latest_complete_year", "matrix", "neighbors", "newest_date", "rollcalls", "search", "seats", "series",
           "series_changes", "series_votes", "sql", "sql_schema", "STATEDEPT_TABLES", "statedept",
           "statedept_page_data", "tally", "tally_by_group", "topics_by_decade", "vote_report", "vote_summary", "votes_wide", "voting_record", "votes"]
