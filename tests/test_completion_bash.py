"""Completion in a real bash: what the shell inserts for a multi-word or quoted name is one argument
that the lookups resolve (Bosnia<TAB> must not become three words, cote<TAB> no open quote)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from unvote.model import countries

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

SCRIPT = r'''
source <(unvote --show-completion bash)
COMP_WORDS=(unvote align "$WORD"); COMP_CWORD=2
_unvote_completion unvote
for reply in "${COMPREPLY[@]}"; do
  eval "set -- $reply"          # the line as bash will read it once the reply is inserted
  printf '%s\t%s\n' "$#" "$1"
done
'''


def bash_completes(tmp_path: Path, word: str) -> list[tuple[int, str]]:
    wrapper = tmp_path / "bin" / "unvote"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m unvote "$@"\n')
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}", "WORD": word,
           "PYTHONPATH": str(ROOT)}
    out = subprocess.run(["bash", "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return [(int(n), arg) for n, arg in (line.split("\t") for line in out.stdout.splitlines())]


@pytest.mark.parametrize("word, code", [("Bosnia", "BIH"), ("cote", "CIV"), ("Cambod", "KHM")])
def test_a_completed_name_is_one_argument_that_resolves(tmp_path, word, code):
    replies = bash_completes(tmp_path, word)
    assert replies, f"nothing offered for {word!r}"
    for count, arg in replies:
        assert count == 1, (word, arg)
    assert code in {countries.lookup(arg).code for _, arg in replies}
