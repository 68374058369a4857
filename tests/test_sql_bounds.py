"""`unvote sql` runs untrusted text: every query is bounded (memory, time, result size), every DuckDB
type prints in every format, and refusals name what they refused. Each ends in one line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import invoke

import unvote

ROOT = Path(__file__).resolve().parents[1]

TYPES = ("SELECT 1.5::DECIMAL(10,2) AS d, 'ab'::BLOB AS b, TIME '10:00' AS t, INTERVAL 3 DAY AS i, [1,2] AS l, "
         "{'a': 1} AS s, MAP([1], [2]) AS m, union_value(k := 1) AS u, '101'::BIT AS bt, "
         "170141183460469231731687303715884105727::HUGEINT AS h, 5::UBIGINT AS ub, sum(2) AS sm, "
         "[1,2]::INTEGER[2] AS arr, 7::UINTEGER AS ui")
# what each column must read as once plain (independent of unvote: written from the types' definitions)
PLAIN = {"d": 1.5, "b": "6162", "t": "10:00:00", "i": "3 days", "l": "[1,2]", "s": '{"a":1}', "m": '{"1":2}',
         "u": '{"k":1}', "bt": "101", "h": "170141183460469231731687303715884105727", "ub": 5, "sm": 2,
         "arr": "[1,2]", "ui": 7}


def one_line_error(result, *words):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("unvote: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "tsv"])
def test_every_duckdb_type_prints_plain_in_text_formats(ga_store, fmt):
    result = invoke("sql", TYPES, "--format", fmt)
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        assert json.loads(result.stdout) == [PLAIN]  # whole: it parses
    elif fmt == "ndjson":
        assert [json.loads(line) for line in result.stdout.splitlines()] == [PLAIN]
    else:
        import csv
        import io

        rows = list(csv.reader(io.StringIO(result.stdout), delimiter="," if fmt == "csv" else "\t"))
        assert rows[0] == list(PLAIN)
        assert rows[1] == [str(v) for v in PLAIN.values()]


def test_every_duckdb_type_writes_to_xlsx_and_parquet(ga_store, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import pyarrow.parquet as pq

    assert invoke("sql", TYPES, "-o", str(tmp_path / "t.xlsx")).returncode == 0
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    header, values = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert dict(zip(header, values)) == PLAIN
    assert invoke("sql", TYPES, "-o", str(tmp_path / "t.parquet")).returncode == 0
    assert pq.read_table(tmp_path / "t.parquet").to_pylist() == [PLAIN]


def test_the_library_keeps_duckdb_types_unless_asked_for_plain_values(ga_store):
    native = unvote.sql("SELECT [1,2] AS l, 1.5::DECIMAL(4,1) AS d")
    assert native.column("l").to_pylist() == [[1, 2]]
    assert str(native.schema.field("d").type) == "decimal128(4, 1)"
    plain = unvote.sql("SELECT [1,2] AS l, 1.5::DECIMAL(4,1) AS d", plain=True)
    assert plain.to_pylist() == [{"l": "[1,2]", "d": 1.5}]


def test_a_sum_that_fits_64_bits_stays_a_number(ga_store):
    got = unvote.sql("SELECT sum(counted_yes) AS yes FROM rollcalls", plain=True)
    assert got.types == ["BIGINT"]
    direct = unvote.sql("SELECT CAST(sum(counted_yes) AS BIGINT) AS yes FROM rollcalls")
    assert got.to_pylist() == direct.to_pylist()


def test_a_query_past_its_deadline_is_interrupted(ga_store):
    result = invoke("sql", "SELECT count(*) FROM range(10000000000000) a", env={"UNVOTE_SQL_TIMEOUT": "0.5"})
    one_line_error(result, "0.5 s", "UNVOTE_SQL_TIMEOUT")


def test_a_query_past_its_memory_is_stopped(ga_store):
    query = ("WITH RECURSIVE t(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM t WHERE length(s) < 1e12) "
             "SELECT max(length(s)) FROM t")
    result = invoke("sql", query, env={"UNVOTE_SQL_MEMORY_BYTES": str(64 << 20)})
    one_line_error(result, "67,108,864 bytes", "UNVOTE_SQL_MEMORY_BYTES")


def test_a_result_too_large_to_hold_is_refused(ga_store):
    result = invoke("sql", "SELECT * FROM votes", "--format", "json", env={"UNVOTE_SQL_MAX_RESULT_BYTES": "1000000"})
    one_line_error(result, "1,000,000 bytes", "UNVOTE_SQL_MAX_RESULT_BYTES")


def test_a_2_gb_string_fails_at_once_in_a_real_process(ga_store):
    # DuckDB does not count a scalar function's result against memory_limit: the address-space cap does
    env = {**os.environ, "PYTHONPATH": str(ROOT), "UNVOTE_DATA_DIR": str(ga_store.root)}
    proc = subprocess.run([sys.executable, "-m", "unvote", "sql", "SELECT length(repeat('x', 2000000000))"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "UNVOTE_SQL_MEMORY_BYTES" in proc.stderr
    assert proc.stdout == ""


def test_the_address_space_cap_is_lifted_after_the_query(ga_store):
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    assert invoke("sql", "SELECT 1").returncode == 0
    assert resource.getrlimit(resource.RLIMIT_AS) == before


@pytest.mark.parametrize("query, name", [("INSTALL httpfs", "INSTALL"), ("LOAD httpfs", "LOAD"),
                                         ("ATTACH 'x.db'", "ATTACH"), ("SET threads = 64", "SET")])
def test_other_statements_are_refused_by_their_own_name(ga_store, query, name):
    one_line_error(invoke("sql", query), f"refused: {name} ")


def test_bad_limit_settings_are_usage_errors(ga_store):
    one_line_error(invoke("sql", "SELECT 1", env={"UNVOTE_SQL_TIMEOUT": "soon"}), "UNVOTE_SQL_TIMEOUT='soon'")


def test_debug_works_after_any_command(ga_store):
    result = invoke("sql", "SELEC 1", "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr and result.stderr.rstrip().endswith('syntax error at or near "SELEC"')
    # after --, --debug is an argument like any other
    assert invoke("tally", "--", "--debug").returncode != 0


def test_unvote_alone_prints_the_help():
    result = invoke()
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: unvote") and "tally" in result.stdout
    assert result.stderr == ""


def test_a_dataset_the_store_lacks_names_its_fetch_command(ga_store):
    result = invoke("sql", "SELECT count(*) FROM sc.votes")
    assert result.returncode == 4, result.stderr
    assert result.stderr.strip().endswith("run: unvote fetch --body sc")
    assert invoke("sql", "SELECT count(*) FROM nosuch.votes").returncode == 2  # not a dataset: bad SQL
