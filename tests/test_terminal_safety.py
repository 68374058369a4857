"""Text from files, servers and users never reaches a terminal as control sequences or markup, and an
address's password never reaches the screen."""

from __future__ import annotations

import io

from cli_runner import invoke

from unvote.core.results import Rows

HOSTILE = "Peace\x1b[2J\x1b]0;owned\x07 [bold]and\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ security\x9b31m"


def test_rows_view_strips_control_sequences_and_shows_markup_literally():
    from rich.console import Console

    from unvote.output.views import rows_view

    rows = Rows(["resolution", "title"], ["VARCHAR", "VARCHAR"], [("A/RES/1", HOSTILE)])
    out = io.StringIO()
    rows_view(Console(file=out, width=200, force_terminal=True, color_system=None), rows, title="t")
    text = out.getvalue()
    for bad in ("\x1b[2J", "\x1b]0;", "\x1b]8;", "\x9b", "\x07"):
        assert bad not in text
    assert "[bold]and" in text  # literal, not styling


def test_a_file_name_with_escapes_is_printed_without_them(tmp_path):
    result = invoke("fetch", "--file", str(tmp_path / "\x1b[2Jx\x1b]0;t\x07.csv"))
    assert result.returncode != 0
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "x" in result.stderr and result.stderr.count("\n") == 1


def test_a_password_in_an_address_is_not_echoed():
    result = invoke("fetch", "--url", "https://user:s3cret@127.0.0.1:9/votes.csv",
                    env={"UNVOTE_HTTP_RETRIES": "0", "UNVOTE_HTTP_DELAY": "0"})
    assert result.returncode == 6, result.stderr
    assert "s3cret" not in result.stderr and "https://***@127.0.0.1:9/votes.csv" in result.stderr


def test_a_quick_command_run_in_process_leaves_pandas_importable(tmp_path):
    """The quick commands refuse pandas for their own run only (a notebook may run one, then use pandas)."""
    import subprocess
    import sys

    code = ("import sys\nfrom unvote.cli import main\n"
            "sys.argv = ['unvote', 'tally', 'ES-11/1']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'pandas' not in sys.modules\n"
            "import pandas\nprint(pandas.DataFrame({'a': [1]}).shape)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "UNVOTE_DATA_DIR": str(tmp_path / "none")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "(1, 1)"
