"""Files unvote writes (-o, --chart): atomic, never inside the store, a replaced file keeps its mode, a
read-only one is refused, a full disk is exit 74, --bom only where it means something."""

from __future__ import annotations

import os
import stat

import pytest
from cli_runner import invoke


def test_o_inside_the_store_is_refused_and_the_store_untouched(ga_store):
    version = ga_store.root / (ga_store.root / "ga.current").read_text("utf-8").strip()
    votes = version / "votes.parquet"
    before = votes.read_bytes()
    for target in (votes, ga_store.root / "x.csv"):
        result = invoke("tally", "ES-11/1", "-o", str(target))
        assert result.returncode == 2, result.stderr
        assert "inside the store" in result.stderr and result.stderr.count("\n") == 1
    assert votes.read_bytes() == before
    assert not (ga_store.root / "x.csv").exists()


def test_a_replaced_file_keeps_its_mode(ga_store, tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("old\n")
    os.chmod(out, 0o600)
    assert invoke("tally", "ES-11/1", "-o", str(out)).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text("utf-8").startswith("resolution,")


def test_a_read_only_file_is_refused_not_replaced(ga_store, tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("keep\n")
    os.chmod(out, 0o444)
    result = invoke("tally", "ES-11/1", "-o", str(out))
    assert result.returncode == 2 and "read-only" in result.stderr
    assert out.read_text() == "keep\n" and stat.S_IMODE(out.stat().st_mode) == 0o444


def test_a_chart_replaces_a_symlink_instead_of_writing_through_it(ga_store, tmp_path):
    pytest.importorskip("matplotlib")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "chart.png"
    link.symlink_to(victim)
    result = invoke("tally", "ES-11/1", "--chart", str(link))
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "precious\n"
    assert not link.is_symlink() and link.read_bytes().startswith(b"\x89PNG")
    assert not list(tmp_path.glob(".chart.png.*"))  # no temporary file left behind


def test_a_full_disk_is_exit_74(ga_store, tmp_path):
    # the temporary file beside the target is where a full disk shows: every write to it fails with ENOSPC
    import errno

    from unvote.output import files

    real = os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.fh = real(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            pass

        def fileno(self):
            return self.fh.fileno()

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(files.os, "fdopen", Full)
        result = invoke("tally", "ES-11/1", "-o", str(tmp_path / "t.csv"))
    assert result.returncode == 74, result.stderr
    assert "No space left on device" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args", [("--format", "json"), ("-o", "x.xlsx"), ("--format", "parquet", "-o", "x.parquet")])
def test_bom_where_it_means_nothing_is_refused(ga_store, tmp_path, args):
    args = tuple(str(tmp_path / a) if a.startswith("x.") else a for a in args)
    result = invoke("tally", "ES-11/1", "--bom", *args)
    assert result.returncode == 2 and "--bom is for CSV and TSV" in result.stderr
    assert invoke("tally", "ES-11/1", "--bom", "--format", "csv").stdout.startswith("\ufeffresolution,")
