"""Which roll calls and votes a question is about (``Selection``), read as SQL over one store version."""
