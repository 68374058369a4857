"""A shell that helps: --version, tab completion for bash/zsh/fish, ideal's default period, a light --help."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import child_env, invoke, run

import unvote

ROOT = Path(__file__).resolve().parents[1]


def complete(words: str, env_extra=None) -> list[str]:
    """What bash would be offered for the last word of ``words`` (Typer's protocol, as the script calls it)."""
    parts = words.split(" ")
    from typer._completion_classes import completion_init

    completion_init()  # what importing unvote.cli does when _UNVOTE_COMPLETE is set (cli/app.py)
    out = invoke(env={"_UNVOTE_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1),
                   **(env_extra or {})})
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


# ---- --version ----------------------------------------------------------------------------------

def test_version_alone():
    out = invoke("--version")
    assert (out.returncode, out.stdout, out.stderr) == (0, f"unvote {unvote.__version__}\n", "")


def test_version_from_the_console_script():
    script = Path(sys.executable).parent / "unvote"
    if not script.exists():
        pytest.skip("no unvote console script beside this Python (pip install -e . makes one)")
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120,
                         env=child_env({"PYTHONPATH": os.pathsep.join(
                             filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}))
    assert (out.returncode, out.stdout) == (0, f"unvote {unvote.__version__}\n")


def test_help_names_the_program_unvote_and_stays_light():
    probe = ("import sys\nfrom unvote.cli import app\n"
             "try:\n    app(['--help'], prog_name='unvote')\nexcept SystemExit:\n    pass\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'duckdb', 'numpy', 'pandas', 'pyarrow', "
             "'matplotlib'}), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stderr.strip() == "[]"
    assert invoke("--help").stdout.startswith("Usage: unvote ")
    assert "--install-completion" in out.stdout and "--show-completion" in out.stdout


# ---- completion scripts -------------------------------------------------------------------------

@pytest.mark.parametrize("shell, marker", [
    ("bash", "complete -o default -F _unvote_completion unvote"),
    ("zsh", "#compdef unvote"),
    ("fish", "complete --command unvote"),
])
def test_show_completion_prints_the_script(shell, marker):
    out = invoke("--show-completion", shell)
    assert out.returncode == 0, out.stderr
    assert marker in out.stdout and "_UNVOTE_COMPLETE" in out.stdout


def test_show_completion_refuses_other_shells():
    out = invoke("--show-completion", "tcsh")
    assert out.returncode == 2 and "tcsh" in out.stderr and out.stdout == ""


def test_install_completion_bash_writes_into_home(tmp_path):
    out = invoke("--install-completion", "bash", env={"HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    scripts = list(tmp_path.rglob("unvote.sh"))
    assert len(scripts) == 1 and "_UNVOTE_COMPLETE=complete_bash" in scripts[0].read_text()
    assert str(scripts[0].relative_to(tmp_path)) in (tmp_path / ".bashrc").read_text()


# ---- what completes -----------------------------------------------------------------------------

def test_commands_and_options_complete():
    assert complete("unvote al") == ["align"]
    assert {"sql", "tally", "neighbors", "ideal"} <= set(complete("unvote "))
    assert {"--metric", "--since", "--by", "--format"} <= set(complete("unvote align KHM RUS --"))


@pytest.mark.system  # a real process (tests/cli_runner.run)
def test_completion_in_a_real_process():
    """What the shell really runs: a fresh process with _UNVOTE_COMPLETE set (its import registers the shells)."""
    out = run(env={"_UNVOTE_COMPLETE": "complete_bash", "COMP_WORDS": "unvote al", "COMP_CWORD": "1"})
    assert (out.returncode, out.stdout, out.stderr) == (0, "align\n", "")


def test_option_values_complete():
    from unvote.analysis.align import METRICS

    assert complete("unvote align KHM RUS --metric ka") == [m for m in METRICS if m.startswith("ka")]
    assert set(complete("unvote align KHM RUS --metric ")) == set(METRICS)
    assert {"csv", "json", "table", "auto"} <= set(complete("unvote tally ES-11/1 --format "))
    assert complete("unvote tally ES-11/1 --body s") == ["sc"]
    assert complete("unvote align KHM RUS --source m") == ["merged"]
    assert complete("unvote cohesion EU --by s") == ["session"]


def test_countries_and_groups_complete():
    assert complete("unvote align KH") == ["KHM"]
    assert complete("unvote align KHM camb") == ["cambodia"]
    assert complete("unvote neighbors cote") == ["cote\\ d\\'Ivoire"]  # escaped for bash: one word (test_completion_bash)
    assert complete("unvote align KHM ASE") == ["ASEAN"]
    assert complete("unvote cohesion eu") == ["eu"]
    assert complete("unvote groups Non") == ["Non-Aligned\\ Movement"]


def test_every_completed_country_and_group_resolves():
    """Completing from any prefix of a code or name gives values the lookups resolve to that country."""
    from unvote.cli import complete as comp
    from unvote.model import countries, groups

    for country in countries.all_countries():
        for typed in (country.code[:2], country.code.lower(), country.name[:4], country.name[:4].lower()):
            values = {value: help for value, help in comp.countries(typed)}
            assert values, typed
            assert all(value.startswith(typed) for value in values), typed
            hits = {countries.lookup(value).code for value in values}
            assert country.code in hits, (typed, values)
    for group in groups.all_groups():
        values = [value for value, _ in comp.groups(group.code[:2].lower())]
        assert group.code in {groups.lookup(v).code for v in values}
    # a place is a country or a group; NAM stays Namibia, as align reads it
    assert comp.places("NAM")[0] == ("NAM", "Namibia")


# ---- ideal's default period ---------------------------------------------------------------------

def test_ideal_without_a_period_uses_the_latest_complete_year(ga_store):
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    newest = pc.max(pq.read_table(ga_store.version("ga") / "rollcalls.parquet", columns=["date"])["date"]).as_py()
    expected = newest.year if (newest.month, newest.day) == (12, 31) else newest.year - 1
    from unvote.api import latest_complete_year

    assert latest_complete_year(store=ga_store) == expected
    out = invoke("ideal", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows and {r["period"] for r in rows} == {str(expected)}
    assert f"{expected}, the latest complete year" in out.stderr
    same = invoke("ideal", "--year", str(expected), "--format", "json")
    assert [(r["country"], round(r["ideal_point"], 6)) for r in json.loads(same.stdout)] == \
        [(r["country"], float(r["ideal_point"])) for r in rows]
    both = invoke("ideal", "--year", "2019", "--session", "74")
    assert both.returncode == 2
