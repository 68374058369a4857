"""unvote: recorded votes of the UN General Assembly, as a library and a CLI.

    import unvote
    unvote.fetch()                       # UN Digital Library bulk CSV → local Parquet store
    unvote.tally("ES-11/1")              # pyarrow.Table: yes/no/abstain/non_voting/…
    unvote.align("KHM", "RUS")           # agreement per year, with the counts behind it

Heavy modules load on first use, so ``import unvote`` stays fast.
"""

__version__ = "0.1.0"

_EXPORTS = {
    "fetch": "unvote.ingest.fetch",
    "tally": "unvote.api", "country_votes": "unvote.api", "align": "unvote.api",
    "find": "unvote.api", "rollcalls": "unvote.api", "votes": "unvote.api", "info": "unvote.api",
    "neighbors": "unvote.api", "matrix": "unvote.api", "cohesion": "unvote.api", "groups_table": "unvote.api",
    "group_members": "unvote.api", "tally_by_group": "unvote.api", "seats": "unvote.api", "countries_table": "unvote.api",
    "ideal": "unvote.api", "ideal_dynamic": "unvote.api", "topics_by_decade": "unvote.api",
    "sql": "unvote.api", "sql_schema": "unvote.api",
    "search": "unvote.api", "voting_record": "unvote.api", "align_votes": "unvote.api", "series": "unvote.api",
    "series_changes": "unvote.api", "series_votes": "unvote.api", "statedept": "unvote.api",
    "country_report": "unvote.api", "vote_report": "unvote.api",
    "alone": "unvote.api", "vote_summary": "unvote.api", "votes_wide": "unvote.api",
    "Selection": "unvote.query.selection", "Rows": "unvote.core.results",
    "Store": "unvote.store",
    "lookup_country": ("unvote.model.countries", "lookup"),
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    import importlib

    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'unvote' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    return getattr(importlib.import_module(module), attr)
