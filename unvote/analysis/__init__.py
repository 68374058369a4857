"""Pure analysis: no URLs, no files, no printing, no store.

Functions take what the query layer read — plain rows (``tally``, ``align``) or numpy vote
matrices (``pairwise``, ``blocs``, ``ideal``) — and return rows, dicts or pyarrow tables, as each
one's docstring says. Votes as integers live in ``codes``.
"""
