"""The notebooks run, top to bottom, against the real store; they are committed clean (no outputs, cell ids)."""

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.system  # a Jupyter kernel per notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
ROOT = Path(__file__).resolve().parents[1]


def test_the_notebooks_are_there():
    assert {p.name for p in NOTEBOOKS} >= {"quickstart.ipynb", "cambodia_russia.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_cell_ids(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4 and nb.nbformat_minor >= 5  # cell ids are part of the format from 4.5
    ids = [cell.get("id") for cell in nb.cells]
    assert all(ids) and len(set(ids)) == len(ids)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id
        assert "execution" not in cell.get("metadata", {})


def execute(path: Path, store: Path, monkeypatch, tmp_path):
    """Run the notebook in a fresh kernel (this Python, the checkout importable, the store given)."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("UNVOTE_DATA_DIR", str(store))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb  # its run time is measured by `make bench` (bench/bench_limits.py), not asserted here


def text_of(cell) -> str:
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


def images(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
               for out in cell.outputs)


def test_quickstart_runs(ga_store_dir, monkeypatch, tmp_path):
    nb = execute(NOTEBOOKS[[p.name for p in NOTEBOOKS].index("quickstart.ipynb")], ga_store_dir,
                          monkeypatch, tmp_path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert str(ga_store_dir) in text_of(code[0])
    # the UN's record of the vote: 141-5-35, 12 not voting, 193 members
    assert "141 yes, 5 no, 35 abstentions, 12 not voting; 181 of 193 members voted" in text_of(code[1])
    assert "Russian Federation" in text_of(code[2])
    assert images(nb) == 1


def test_cambodia_russia_story_runs(ga_store_dir, monkeypatch, tmp_path):
    nb = execute(NOTEBOOKS[[p.name for p in NOTEBOOKS].index("cambodia_russia.ipynb")], ga_store_dir,
                          monkeypatch, tmp_path)
    out = "\n".join(text_of(c) for c in nb.cells if c.cell_type == "code")
    assert ("adopted with 141 of the 181 members voting in favour (5 against, 35 abstaining); "
            "12 of the 193 members did not vote.") in out
    side = next(text_of(c) for c in nb.cells if c.cell_type == "code" and "side_by_side" in c.source)
    first = next(line for line in side.splitlines() if "A/RES/ES-11/1 " in line)
    assert "Yes" in first and "No" in first  # Cambodia for, Russia against
    assert images(nb) == 1
    # the span's roll calls, counted from the store's file: the most any country shares with Cambodia
    import datetime as dt

    import pyarrow.parquet as pq

    from unvote.store import Store

    dates = pq.read_table(Store(ga_store_dir).version("ga") / "rollcalls.parquet", columns=["date"])["date"].to_pylist()
    in_span = sum(dt.date(2022, 1, 1) <= d <= dt.date(2024, 12, 31) for d in dates)
    assert f"countries, {in_span} roll calls" in out
