"""docs/sql.md is executed: its `unvote sql` examples and its DuckDB, Polars and pandas snippets, verbatim,
from a directory outside the store, with their printed output compared to the page."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

DOC = (Path(__file__).resolve().parents[1] / "docs" / "sql.md").read_text("utf-8")
ROOT = Path(__file__).resolve().parents[1]


def python_snippets() -> list[tuple[str, str | None]]:
    """Each ```python block with the ```text block right after it (its output), if any."""
    found = re.findall(r"```python\n(.*?)```\n(?:\n```text\n(.*?)```)?", DOC, re.S)
    return [(code, out or None) for code, out in found]


def console_examples() -> list[tuple[str, str]]:
    found = []
    for block in re.findall(r"```console\n(.*?)```", DOC, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            found.append((command, output))
    return found


def env_for(store: Path) -> dict:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "UNVOTE_DATA_DIR": str(store), "PYTHONPATH": path}


def test_the_page_has_examples():
    assert len(python_snippets()) == 3 and all(out for _, out in python_snippets())
    assert len(console_examples()) >= 3


@pytest.mark.parametrize("index", range(3), ids=["duckdb", "polars", "pandas"])
def test_snippet_runs_verbatim(ga_store_dir, tmp_path, index):
    code, expected = python_snippets()[index]
    script = tmp_path / "snippet.py"
    script.write_text(code, "utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path,
                         env=env_for(ga_store_dir), timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == expected


def test_console_examples(ga_store_dir, tmp_path, monkeypatch):
    from cli_runner import invoke

    monkeypatch.chdir(tmp_path)  # outside the store, as a user runs them
    for command, expected in console_examples():
        args = shlex.split(command)
        assert args[:2] == ["unvote", "sql"]
        out = invoke(*args[1:], env={"UNVOTE_DATA_DIR": str(ga_store_dir)})
        assert out.returncode == 0, (command, out.stderr)
        assert out.stdout == expected, command
