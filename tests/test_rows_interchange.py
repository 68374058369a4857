"""A ``Rows`` goes straight into pyarrow, Polars and DuckDB (the Arrow PyCapsule stream), with the
same values as its own ``to_pylist``."""

from __future__ import annotations

import datetime as dt

import pytest

from unvote.core.results import Rows


@pytest.fixture
def rows():
    return Rows(["code", "n", "score", "day", "na"], ["VARCHAR", "BIGINT", "DOUBLE", "DATE", "VARCHAR"],
                [("NA", 3, 0.5, dt.date(2022, 3, 2), None), ("KHM", 89, 0.703488, dt.date(2025, 10, 29), "x")])


def test_pyarrow_reads_rows_as_a_stream(rows):
    import pyarrow as pa

    table = pa.table(rows)
    assert table.to_pylist() == rows.to_pylist()
    assert table.schema.field("code").type == pa.string() and table.column("code")[0].as_py() == "NA"


def test_polars_reads_rows(rows):
    pl = pytest.importorskip("polars")

    frame = pl.DataFrame(rows)
    assert frame.to_dicts() == rows.to_pylist()


def test_duckdb_selects_from_rows(rows):
    import duckdb

    con = duckdb.connect()
    # ``rows`` is found by DuckDB's replacement scan of Python variables (the capsule, no copy to pandas)
    assert con.sql("SELECT code, n FROM rows ORDER BY n").fetchall() == [("NA", 3), ("KHM", 89)]
