"""The README and docs/ are tested artifacts.

Every ```console block in README.md and docs/*.md is run here: a line ``$ unvote …`` is a command, the
lines after it (up to the next ``$`` or the fence) are what it prints — stderr then stdout, as a
terminal shows them, since unvote says what it has to say before it writes its data. Commands run
in-process on ``unvote.cli.main`` (the real error handler) against one real store built once per
session from the shared data (GA, SC, Voeten's file and the merged history), with COLUMNS=100 and
NO_COLOR=1. In the expected text a line ``...`` stands for any lines (none included), and ``…``
inside a line for any text on that line (paths, timestamps). A command is split with ``shlex`` as a
shell would, and a shell metacharacter or glob outside quotes (``(``, ``)``, ``|``, ``>``, ``;``, ``&``,
``[``, ``*``, ``?``) fails the example: ``unvote tally '2758(XXVI)'`` must paste into bash and zsh. ```console-norun blocks (fetching over
the network, writing the store) are only checked for quoting.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
# Pages other branches add; the lead empties this set once they are merged.
PENDING_PAGES: set[str] = set()
_META = set("()|;&<>`[]*?")  # outside quotes: shell syntax, or a glob (zsh refuses unmatched ones)


# ---- finding the examples ------------------------------------------------------------------------

@dataclass
class Example:
    path: Path
    line: int  # 1-based line of the ``$`` command
    command: str
    expected: list[str]
    run: bool

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def examples(path: Path) -> list[Example]:
    """The ``$ unvote`` commands of a page's console blocks, with the lines each should print."""
    found: list[Example] = []
    fence = None
    lines = path.read_text("utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if fence is None:
            m = re.match(r"^```(console(?:-norun)?)\s*$", line)
            if m:
                fence = m.group(1)
                current = None
            continue
        if line.startswith("```"):
            fence = None
            continue
        if line.startswith("$ "):
            current = Example(path, number, line[2:], [], fence == "console")
            found.append(current)
        elif current is None:
            raise AssertionError(f"{path.name}:{number}: a console block must start with a `$ unvote …` line")
        else:
            current.expected.append(line)
    assert fence is None, f"{path.name}: a console block is not closed"
    return found


ALL = [example for page in DOCS for example in examples(page)]


def argv(command: str) -> list[str]:
    """The arguments of ``unvote …`` as a POSIX shell would split them; unquoted metacharacters fail."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars="()|;&<>[]*?")
    lexer.whitespace_split = True
    tokens = list(lexer)
    bad = [t for t in tokens if set(t) <= _META]
    if bad:
        raise AssertionError(f"`{command}`: {' '.join(bad)} outside quotes; quote it so it pastes into a shell "
                             "(and run no pipes here: show the lines with `...`)")
    words = shlex.split(command)
    if not words or words[0] != "unvote":
        raise AssertionError(f"`{command}`: console examples run `unvote …` only")
    return words[1:]


def matches(expected: list[str], got: str) -> bool:
    """``got`` against the expected lines: ``...`` is any lines, ``…`` any text within a line."""
    parts = []
    for line in expected:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.rstrip().split("…")) + r"\n")
    text = "".join(line.rstrip() + "\n" for line in got.splitlines())
    return re.fullmatch("".join(parts), text) is not None


def run_unvote(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI in-process as ``main()`` would; return (exit code, stderr + stdout)."""
    from cli_runner import invoke

    done = invoke(*args, env=env)
    return done.returncode, done.stderr + done.stdout


# ---- the store the examples run against ---------------------------------------------------------

@pytest.fixture(scope="session")
def docs_store(merged_store_dir) -> Path:
    """GA, SC, Voeten's 2016-17 file with the R package's roll-call table, and the merged history:
    what `unvote fetch` with each source would have made (conftest's cached store; read-only)."""
    return merged_store_dir


# ---- the tests ---------------------------------------------------------------------------------

@pytest.mark.parametrize("example", [e for e in ALL if e.run], ids=lambda e: e.id)
def test_console_example(example, docs_store, monkeypatch, tmp_path):
    monkeypatch.delenv("UNVOTE_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)  # a file an example writes (-o khm.html) lands here, not in the checkout
    code, got = run_unvote(argv(example.command), {**ENV, "UNVOTE_DATA_DIR": str(docs_store)})
    expected_error = any(line.startswith("unvote: error:") for line in example.expected)
    assert matches(example.expected, got), (
        f"{example.id}: `{example.command}` printed\n{got}\n--- but the page says ---\n" + "\n".join(example.expected))
    assert (code != 0) == expected_error, f"{example.id}: exit code {code}"
    assert code != 70, f"{example.id}: bad input must never be an internal error"


PYCON = [page for page in DOCS if "```pycon" in page.read_text("utf-8")]


@pytest.mark.parametrize("page", PYCON, ids=lambda p: p.name)
def test_python_examples(page, docs_store, monkeypatch):
    """The ```pycon blocks of a page, in order, as one doctest (names carry over between blocks)."""
    import doctest

    monkeypatch.setenv("UNVOTE_DATA_DIR", str(docs_store))
    text = page.read_text("utf-8")
    blocks = re.findall(r"^```pycon\n(.*?)^```", text, re.S | re.M)
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, page.name, str(page), 0)
    assert test.examples
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{page.name}: {runner.failures} Python example(s) printed something else (see above)"


@pytest.mark.parametrize("example", ALL, ids=lambda e: e.id)
def test_example_pastes_into_a_shell(example):
    argv(example.command)


def test_harness_catches_what_it_must():
    assert matches(["a", "...", "z"], "a\nb\nc\nz\n") and matches(["a", "...", "z"], "a\nz\n")
    assert not matches(["a", "z"], "a\nb\nz\n")
    assert matches(["store: …/x", "n 5"], "store: /tmp/q/x\nn 5\n")
    assert not matches(["n 5"], "n 6\n") and not matches(["n 5"], "n 5\nmore\n")
    with pytest.raises(AssertionError, match="outside quotes"):
        argv("unvote tally 2758(XXVI)")
    with pytest.raises(AssertionError, match="outside quotes"):
        argv("unvote tally ES-11/1 | head")
    with pytest.raises(AssertionError, match="outside quotes"):
        argv("unvote tally 33/116[C-X]")
    assert argv("unvote tally '2758(XXVI)' \"289(IV)[A]\"") == ["tally", "2758(XXVI)", "289(IV)[A]"]
    assert sum(e.run for e in ALL) >= 20, "the docs lost their examples"


def test_every_command_is_in_readme():
    from unvote.cli import app

    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert names
    for name in names:
        assert f"unvote {name}" in README, f"README lacks an example of `unvote {name}`"


def test_every_command_has_help_with_example():
    from unvote.cli import app

    for command in app.registered_commands:
        doc = command.callback.__doc__ or ""
        assert "Example:" in doc, f"{command.callback.__name__} has no example in its help"


def test_every_command_has_a_run_example_in_the_docs():
    from unvote.cli import app

    run = {argv(e.command)[0] for e in ALL if e.run}
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert name in run or name == "fetch", f"no page runs an example of `unvote {name}`"


def test_readme_two_commands_and_size():
    assert "make run" in README and "make test" in README
    assert len(README.encode("utf-8")) <= 15_000, "the README is for five minutes of reading"


def test_links_resolve():
    for page in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            path = (page.parent / target).resolve()
            if path.name in PENDING_PAGES and path.parent == ROOT / "docs":
                continue
            assert path.exists(), f"{page.name} links to {target}, which does not exist"


def test_exit_code_table_matches_exit_status():
    from unvote.core.errors import ExitStatus

    text = (ROOT / "docs" / "exit-codes.md").read_text("utf-8")
    rows = re.findall(r"^\|\s*`?(\d+)`?\s*\|\s*`(\w+)`\s*\|", text, re.M)
    assert sorted((int(code), name) for code, name in rows) == sorted((s.value, s.name) for s in ExitStatus)


def test_cli_reference_is_current():
    from cogapp import Cog

    assert Cog().main(["cog", "--check", str(ROOT / "docs" / "cli.md")]) == 0, "docs/cli.md is stale: run make docs"


def test_cli_reference_has_every_command_and_subcommand():
    """Each command the app has, a group's subcommands too (``report country``), has its section: the
    walk in docs/cli.md's cog script once missed the report group, and --check alone cannot see that."""
    import typer

    from unvote.cli import app

    def names(command, path: str):  # Typer's own Click: a group is a command with subcommands
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from names(sub, f"{path} {name}")

    every = set(names(typer.main.get_command(app), "unvote"))
    assert {"unvote tally", "unvote report", "unvote report country", "unvote report statedept"} <= every
    headings = set(re.findall(r"^## (unvote.*)$", (ROOT / "docs" / "cli.md").read_text("utf-8"), re.M))
    assert every <= headings, sorted(every - headings)


# ---- the README's "now try" block, verbatim, in a new shell after `make run` ----------------------

def now_try_block() -> str:
    m = re.search(r"^## Now try$.*?^```sh\n(.*?)^```", README, re.S | re.M)
    assert m, "README has no `Now try` block"
    return m.group(1)


def test_now_try_works_in_a_new_shell(ga_store_dir, tmp_path):
    """After `make run` (which fetches the GA bulk file into the default data dir a plain `unvote`
    reads: the session's real GA store), the block runs in a new shell: no UNVOTE_DATA_DIR, a fresh
    HOME whose user data dir holds that store."""
    block = now_try_block()
    assert block.lstrip().startswith(". .venv/bin/activate")
    home = tmp_path / "home"
    data = home / ".local" / "share" / "unvote"  # platformdirs' user data dir on Linux
    data.parent.mkdir(parents=True)
    data.symlink_to(ga_store_dir, target_is_directory=True)
    checkout = ROOT if (ROOT / ".venv" / "bin" / "unvote").exists() else _venv_shim(tmp_path / "checkout")
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1"}
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr, done.stderr
    assert "141" in done.stdout and "Cambodia" in done.stdout


def _venv_shim(checkout: Path) -> Path:
    """A checkout without `make install` (a developer's shared venv): `.venv/bin/activate` puts an
    `unvote` on PATH that runs this interpreter on this source tree, as `pip install -e .` would."""
    bin_ = checkout / ".venv" / "bin"
    bin_.mkdir(parents=True)
    (bin_ / "unvote").write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m unvote "$@"\n')
    (bin_ / "unvote").chmod(0o755)
    (bin_ / "activate").write_text(f'PATH="{bin_}:$PATH"; export PATH\n')
    return checkout
