"""`pip install .` builds outside the checkout and without setuptools warnings; the licence is SPDX."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.system  # pip builds the package

ROOT = Path(__file__).resolve().parents[1]


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if ".git" not in p.parts}


def test_pip_builds_leave_the_checkout_clean(tmp_path):
    """A scratch copy of the checkout (its tracked and new files) is built the way `pip install .` builds it
    (in place, in an isolated build environment); afterwards the copy has not one file more."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    copy = tmp_path / "checkout"
    for name in listed:
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    before = tree(copy)
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path / "wheels"),
                          str(copy)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if out.returncode != 0 and not os.environ.get("CI") and "setuptools" in out.stderr and \
            ("No matching distribution" in out.stderr or "connection" in out.stderr.lower()):
        pytest.skip("no package index for the isolated build environment")
    assert out.returncode == 0, out.stderr[-2000:]
    assert tree(copy) == before  # no build/, no unvote.egg-info
    log = out.stdout + out.stderr
    assert "SetuptoolsDeprecationWarning" not in log and "License classifiers" not in log
    wheel = next((tmp_path / "wheels").glob("unvote-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        names = z.namelist()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "unvote/data/countries.csv" in names and "unvote/cli/sql.py" in names
    assert "unvote/data/world.json" in names  # the outlines of --map
    assert {"unvote/output/templates/country.html.j2", "unvote/output/templates/vote.html.j2",
            "unvote/output/templates/statedept.html.j2", "unvote/output/templates/_macros.html.j2"} <= set(names)
