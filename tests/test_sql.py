"""`unvote sql` and `unvote.sql`: the views, the schemas, the reference tables, and that nothing can be written."""

import csv
import datetime as dt
import gzip
import io
import os
from pathlib import Path

import pytest
from cli_runner import invoke

ROOT = Path(__file__).resolve().parents[1]


def snapshot(folder: Path) -> dict:
    """Every file under ``folder`` (links followed) with its size and mtime: what a write would change."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def ga_sc_store(ga_sc_store_dir):
    """The real GA and SC data in one store (conftest's cached one; read-only)."""
    return ga_sc_store_dir


def test_count_matches_the_parquet_file(ga_store):
    import pyarrow.parquet as pq

    import unvote

    rows = pq.ParquetFile(ga_store.version("ga") / "votes.parquet").metadata.num_rows
    assert unvote.sql("SELECT count(*) AS n FROM votes", store=ga_store).to_pylist() == [{"n": rows}]
    assert unvote.sql("SELECT count(*) AS n FROM ga.votes", store=ga_store).to_pylist() == [{"n": rows}]


def test_es11_1_tally_and_names(ga_store):
    import unvote

    got = unvote.sql("""
        SELECT v.vote, count(*) AS n FROM votes v JOIN rollcalls r USING (rollcall_id)
        WHERE r.resolution = 'A/RES/ES-11/1' GROUP BY v.vote ORDER BY v.vote""", store=ga_store)
    # the UN's own record of the vote: 141 in favour, 5 against, 35 abstentions, 12 not voting; 193 members
    assert dict(got.rows) == {"A": 35, "N": 5, "X": 12, "Y": 141}
    no = unvote.sql("""
        SELECT c.name FROM votes v JOIN rollcalls r USING (rollcall_id) JOIN countries c ON c.code = v.ms_code
        WHERE r.resolution = 'A/RES/ES-11/1' AND v.vote = 'N' ORDER BY c.name""", store=ga_store)
    assert no.column_values("name") == ["Belarus", "Democratic People's Republic of Korea", "Eritrea",
                                        "Russian Federation", "Syrian Arab Republic"]


def test_reference_views_match_the_package_tables(ga_store):
    import unvote
    from unvote.model import countries, groups

    got = unvote.sql("SELECT code, name, continues_as, counts_as, member_to FROM countries ORDER BY code",
                     store=ga_store).to_pylist()
    assert [r["code"] for r in got] == sorted(c.code for c in countries.all_countries())
    by = {r["code"]: r for r in got}
    assert by["CIV"]["name"] == "Côte d'Ivoire"
    assert by["SUN"]["continues_as"] == "RUS" and by["SUN"]["counts_as"] == "RUS"
    assert by["SUN"]["member_to"] == dt.date(1991, 12, 24)
    assert by["YUG"]["continues_as"] is None and by["YUG"]["counts_as"] == "YUG"
    p5 = unvote.sql("""SELECT code FROM "groups" WHERE "group" = 'P5' AND valid_to IS NULL ORDER BY code""",
                    store=ga_store)
    assert p5.column_values("code") == ["CHN", "FRA", "GBR", "RUS", "USA"]
    with open(ROOT / "unvote" / "data" / "groups.csv", encoding="utf-8", newline="") as f:
        lines = list(csv.DictReader(f))
    total = unvote.sql('SELECT count(*) FROM "groups"', store=ga_store).rows[0][0]
    assert total == len(lines) == sum(len(groups.memberships(g)) for g in groups.all_groups())


def test_other_types_come_back_as_arrow(ga_store):
    import pyarrow as pa

    import unvote

    got = unvote.sql("SELECT [1, 2] AS l, 1.5::DECIMAL(4, 2) AS d", store=ga_store)
    assert isinstance(got, pa.Table) and got.to_pylist()[0]["l"] == [1, 2]


def test_schemas_per_dataset_and_body(ga_sc_store):
    import unvote
    from unvote.store import Store

    store = Store(ga_sc_store)
    with gzip.open(Path(os.environ.get("UNVOTE_TEST_DATA") or ROOT.parent / "shared" / "data")
                   / "undl" / "sc_voting.csv.gz", "rt", encoding="utf-8") as f:
        sc_records = len({row["undl_id"] for row in csv.DictReader(f)})
    assert unvote.sql("SELECT count(*) FROM sc.rollcalls", store=store).rows[0][0] == sc_records
    assert unvote.sql("SELECT count(*) FROM rollcalls", body="sc", store=store).rows[0][0] == sc_records
    ga = unvote.sql("SELECT count(*) FROM ga.rollcalls", store=store).rows[0][0]
    assert unvote.sql("SELECT count(*) FROM rollcalls", store=store).rows[0][0] == ga != sc_records
    views = unvote.sql_schema(store=store).to_pylist()
    names = {v["view"] for v in views}
    assert {"rollcalls", "votes", "countries", "groups", "ga.rollcalls", "ga.votes", "sc.rollcalls",
            "sc.votes"} <= names
    assert not any(n.startswith(("voeten.", "merged.")) for n in names)  # not fetched
    assert {"column": "ms_code", "type": "VARCHAR", "view": "sc.votes"} in views


def test_missing_dataset_says_how_to_fetch(ga_store):
    out = invoke("sql", "SELECT 1", "--body", "sc")
    assert out.returncode == 4
    assert out.stderr.startswith("unvote: error:") and "unvote fetch --body sc" in out.stderr
    assert out.stderr.count("\n") == 1


def test_topics_view_when_rollcalls_have_topics(tmp_path):
    import pyarrow as pa

    import unvote
    from unvote.store import Store

    store = Store(tmp_path / "s")
    calls = pa.table({"rollcall_id": [1, 2, 3], "resolution": ["A/RES/1", "A/RES/2", "A/RES/3"],
                      "date": pa.array([dt.date(2000, 1, d) for d in (1, 2, 3)], pa.date32()),
                      "session": ["54"] * 3, "title": ["a", "b", "c"], "members": [189] * 3,
                      "topics": ["me;hr", "", "nu"]})
    votes = pa.table({"rollcall_id": [1, 2, 3], "ms_code": ["FRA"] * 3, "ms_name": ["FRANCE"] * 3,
                      "vote": ["Y", "N", "A"]})
    store.write("ga", calls, votes, {"source": "hand-written"})
    got = unvote.sql("SELECT rollcall_id, topic FROM topics ORDER BY ALL", store=store).rows
    assert got == [(1, "hr"), (1, "me"), (3, "nu")]
    assert "ga.topics" in {v["view"] for v in unvote.sql_schema(store=store).to_pylist()}


def test_cli_schema_and_formats(ga_store):
    out = invoke("sql", "--schema", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {"view": "votes", "column": "vote", "type": "VARCHAR"} in rows
    assert {"view": "ga.rollcalls", "column": "date", "type": "DATE"} in rows
    out = invoke("sql", "SELECT ms_code, vote FROM votes v JOIN rollcalls r USING (rollcall_id) "
                     "WHERE r.resolution = 'A/RES/ES-11/1' AND ms_code IN ('KHM', 'RUS') ORDER BY 1", "-f", "json")
    assert out.returncode == 0, out.stderr
    import json

    assert json.loads(out.stdout) == [{"ms_code": "KHM", "vote": "Y"}, {"ms_code": "RUS", "vote": "N"}]
    table = invoke("sql", "SELECT * FROM votes", "-f", "table", env={"COLUMNS": "120"})
    assert table.returncode == 0 and "the first 200 of" in table.stdout


@pytest.mark.parametrize("statement", [
    "COPY (SELECT * FROM votes) TO '{out}/x.csv'",
    "COPY (SELECT * FROM votes) TO '{store}/ga/x.parquet' (FORMAT parquet)",
    "COPY votes TO '{store}/x.csv'",
    "CREATE TABLE t AS SELECT 1",
    "CREATE VIEW main.votes2 AS SELECT 1",
    "INSERT INTO countries SELECT * FROM countries",
    "DROP VIEW votes",
    "ATTACH '{out}/x.duckdb' AS x",
    "ATTACH '{store}/ga/x.duckdb' AS x",
    "INSTALL httpfs",
    "LOAD parquet",
    "SET enable_external_access = true",
    "EXPORT DATABASE '{out}/dump'",
    "SELECT 1; COPY (SELECT 1) TO '{out}/x.csv'",
    "SELECT * FROM read_csv('{out}/secret.csv')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM sniff_csv('{out}/secret.csv')",
    "SELECT * FROM glob('{out}/*')",
    "SELEC 1",
])
def test_nothing_can_be_written(ga_store, tmp_path, statement):
    import unvote
    from unvote.core.errors import ExitStatus, UsageError

    (tmp_path / "secret.csv").write_text("a\n1\n")
    before, outside = snapshot(ga_store.root), snapshot(tmp_path)
    with pytest.raises(UsageError) as err:
        unvote.sql(statement.format(out=tmp_path, store=ga_store.root), store=ga_store)
    assert err.value.exit_code == ExitStatus.USAGE and "\n" not in str(err.value)
    assert snapshot(ga_store.root) == before and snapshot(tmp_path) == outside


def test_cli_refuses_with_one_line_and_exit_2(ga_store, tmp_path):
    before = snapshot(ga_store.root)
    for statement in (f"COPY (SELECT * FROM votes) TO '{ga_store.root}/ga/x.csv'", "CREATE TABLE t (a INT)",
                      f"ATTACH '{tmp_path}/x.duckdb'", "INSTALL httpfs", "SELEC 1"):
        out = invoke("sql", statement)
        assert out.returncode == 2, (statement, out.returncode, out.stderr)
        assert out.stdout == ""
        assert out.stderr.startswith("unvote: error:") and out.stderr.count("\n") == 1, out.stderr
    assert snapshot(ga_store.root) == before and list(tmp_path.iterdir()) == []


def test_reference_files_written_by_fetch(ga_store_dir):
    import pyarrow.parquet as pq

    from unvote.model import countries

    folder = ga_store_dir / "reference"
    assert sorted(p.name for p in folder.iterdir()) == ["countries.parquet", "groups.parquet", "seats.parquet"]  # no temp files
    table = pq.read_table(folder / "countries.parquet")
    assert table.column_names == ["code", "name", "short", "iso2", "ccode", "member_from", "member_to", "continues_as",
                                  "counts_as"]
    assert str(table.schema.field("member_from").type) == "date32[day]"
    rows = {r["code"]: r for r in table.to_pylist()}
    assert set(rows) == {c.code for c in countries.all_countries()}
    assert rows["DDR"]["member_to"] == dt.date(1990, 10, 2) and rows["DDR"]["continues_as"] is None
    assert (rows["RUS"]["name"], rows["RUS"]["short"]) == ("Russian Federation", "Russia")  # --names short's
    with open(ROOT / "unvote" / "data" / "groups.csv", encoding="utf-8", newline="") as f:
        source = list(csv.DictReader(f))
    groups = pq.read_table(folder / "groups.parquet").to_pylist()
    assert len(groups) == len(source)
    assert {(g["group"], g["code"]) for g in groups} == {(r["group"], r["code"]) for r in source}
    eu_fra = next(g for g in groups if g["group"] == "EU" and g["code"] == "FRA")
    assert eu_fra["valid_from"] == dt.date(1958, 1, 1) and eu_fra["valid_to"] is None


def test_reference_write_is_atomic(tmp_path, monkeypatch):
    """A failed write leaves the previous file in place and no temporary file behind."""
    import pyarrow.parquet as pq

    from unvote.ingest import reference

    reference.write(tmp_path)
    before = (tmp_path / "reference" / "countries.parquet").read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError):
        reference.write(tmp_path)
    assert (tmp_path / "reference" / "countries.parquet").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "reference").iterdir()) == ["countries.parquet", "groups.parquet",
                                                                          "seats.parquet"]
