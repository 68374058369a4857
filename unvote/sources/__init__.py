"""Fetchers: one module per public source, over the shared HTTP helper in ``http.py``.

Each source turns what it downloads (or a local ``--file``) into the store's two tables —
roll calls and votes — and never writes the store itself.
"""
