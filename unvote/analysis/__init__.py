"""Pure analysis over pyarrow tables: no URLs, no files, no printing.

Every function takes tables (roll calls, votes) and returns a ``pyarrow.Table``;
call ``.to_pandas()`` or ``polars.from_arrow()`` on the result as you like.
"""
