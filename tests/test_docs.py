"""The README is a tested artifact: every command is documented, and its documented numbers are real."""

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


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


def test_readme_two_commands():
    assert "make run" in README and "make test" in README


def test_readme_align_example_is_real(ga_store):
    import unvote

    block = re.search(r"\$ unvote align KHM RUS --since 2022 --format csv\n(.*?)\n\$", README, re.S).group(1)
    rows = block.splitlines()[1:]
    got = unvote.align("KHM", "RUS", since="2022", store=ga_store).to_pylist()
    assert [r.split(",")[:6] for r in rows] == \
        [[g["period"]] + [str(g[k]) for k in ("n", "same", "partial", "opposite", "absent")] for g in got]
    assert [float(r.split(",")[6]) for r in rows] == [round(g["score"], 6) for g in got]
