"""Everything that leaves unvote: data writers, terminal views, charts. TTY detection lives here only."""

from .render import FORMATS, PipeClosed, emit, records, resolve, stderr_console, stdout_console, write_csv  # noqa: F401
