"""A damaged store read by any command — tally, align, search, sql — is exit 5 with the repair, never
exit 70: a flipped footer byte, a truncated or random file, the two tables' files swapped."""

from __future__ import annotations

import os
import shutil

import pytest
from cli_runner import invoke


def _flip_footer(path):
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[-8:-4], "little")  # the footer's length, before the closing PAR1
    start = len(data) - 8 - size
    data[start:start + 8] = bytes(b ^ 0xFF for b in data[start:start + 8])  # its first fields: unreadable Thrift
    path.write_bytes(bytes(data))


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _random(path):
    path.write_bytes(os.urandom(path.stat().st_size))


DAMAGE = {"flipped-footer": ("rollcalls.parquet", _flip_footer), "truncated": ("votes.parquet", _truncate),
          "random": ("rollcalls.parquet", _random)}
COMMANDS = [("tally", "ES-11/1"), ("align", "KHM", "RUS"), ("sql", "SELECT count(*) FROM votes")]
ROLLCALL_READERS = [("search", "nuclear")]  # reads the roll calls alone (their stored counts)


@pytest.fixture
def damaged(ga_store_dir, tmp_path, monkeypatch):
    def make(kind: str):
        root = tmp_path / kind
        shutil.copytree(ga_store_dir, root, symlinks=True)
        version = root / (root / "ga.current").read_text("utf-8").strip()
        if kind == "swapped":
            (version / "votes.parquet").rename(version / "tmp.parquet")
            (version / "rollcalls.parquet").rename(version / "votes.parquet")
            (version / "tmp.parquet").rename(version / "rollcalls.parquet")
        else:
            name, spoil = DAMAGE[kind]
            spoil(version / name)
        monkeypatch.setenv("UNVOTE_DATA_DIR", str(root))
        return root
    return make


@pytest.mark.parametrize("kind", [*DAMAGE, "swapped"])
def test_every_reader_names_the_damage_and_its_repair(damaged, kind):
    root = damaged(kind)
    for command in COMMANDS + (ROLLCALL_READERS if DAMAGE.get(kind, ("rollcalls",))[0].startswith("rollcalls")
                               else []):
        result = invoke(*command, "--format", "csv")
        assert result.returncode == 5, (kind, command, result.stderr)
        assert result.stderr.startswith(f"unvote: error: the ga data in {root} is damaged"), result.stderr
        assert result.stderr.rstrip().endswith("repair it with: unvote fetch"), result.stderr
        assert result.stderr.count("\n") == 1 and "internal error" not in result.stderr
