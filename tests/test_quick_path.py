"""The quick path of `tally` and `align` (issue 13, item 6): one SQL query per answer, the columns from
the manifest, align's counts in SQL, one Click command built per run — each giving the answers the
long way gives, on the real data."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from cli_runner import invoke

import unvote
from unvote.analysis import align as alignment
from unvote.api import agreement
from unvote.model.sides import side
from unvote.query.reader import Reader
from unvote.query.selection import Query, Selection
from unvote.store import Store


@pytest.fixture
def queries(monkeypatch):
    """The SQL each Reader runs, in order (Reader._run is the one door to DuckDB)."""
    ran: list[str] = []
    original = Reader._run

    def counting(self, sql, params=(), **kw):
        ran.append(sql)
        return original(self, sql, params, **kw)

    monkeypatch.setattr(Reader, "_run", counting)
    return ran


def files(store: Store) -> tuple[str, str]:
    folder = store.version("ga")
    return str(folder / "rollcalls.parquet"), str(folder / "votes.parquet")


def test_tally_is_one_query_with_the_files_counts(ga_store, queries):
    got = unvote.tally("ES-11/1", "2758(XXVI)", "181(II)", store=ga_store).to_pylist()
    assert len(queries) == 1
    rollcalls, votes = files(ga_store)
    for row in got:  # straight DuckDB over the two files: the record's letters counted
        truth = duckdb.sql(
            "SELECT count_if(vote = 'Y'), count_if(vote = 'N'), count_if(vote = 'A'), count_if(vote = 'X'), "
            f"count(*), any_value(r.topics) FROM '{votes}' v JOIN '{rollcalls}' r USING (rollcall_id) "
            "WHERE r.resolution = ?", params=[row["resolution"]]).fetchall()[0]
        assert (row["yes"], row["no"], row["abstain"], row["non_voting"], row["members"]) == truth[:5]
        assert row["voting"] == sum(truth[:3]) and row["unreadable"] == truth[4] - sum(truth[:4])
        assert row["topics"] == (truth[5] or "")
    assert [r["resolution"] for r in got] == ["A/RES/ES-11/1", "A/RES/2758(XXVI)", "A/RES/181(II)[A]"]


def test_tally_that_cannot_narrow_counts_apart(ga_store, monkeypatch, queries):
    """A symbol the SQL cannot narrow (a draft symbol): every roll call read, the counts asked apart
    for the ones found — the same rows as the one-query tally."""
    from unvote.api import records

    quick = unvote.tally("ES-11/1", "68/262", store=ga_store).to_pylist()
    monkeypatch.setattr(records, "_narrow", lambda symbols: None)
    assert unvote.tally("ES-11/1", "68/262", store=ga_store).to_pylist() == quick
    assert len(queries) == 1 + 2


def test_align_of_two_countries_is_one_query(ga_store, queries):
    unvote.align("KHM", "RUS", store=ga_store)
    assert len(queries) == 1


@pytest.mark.parametrize("a,b", [("KHM", "RUS"), ("USA", "ISR"), ("CHN", "USA")])
@pytest.mark.parametrize("by", ["year", "all"])
@pytest.mark.parametrize("options", [{}, {"continuity": False}, {"exclude_unanimous": True, "since": "1990"},
                                     {"kind": "all", "until": "1975"}])
def test_align_counted_in_sql_equals_the_python_count(ga_store, a, b, by, options):
    """The SQL counts (``_counted_in_sql``) against analysis.align over each roll call's two votes."""
    query = Query(Selection.of(**options), store=ga_store)
    calls = agreement._pair_calls(query, side(a), side(b))
    periods = [agreement.period_of(c, by) for c in calls]
    for metric in alignment.METRICS:
        want = alignment.align(periods, [c["a_vote"] for c in calls], [c["b_vote"] for c in calls], metric=metric)
        got = agreement._counted_in_sql(query, side(a), side(b), by, metric)
        assert got is not None and [r.keys() for r in got] == [r.keys() for r in want]
        assert [{k: v for k, v in r.items() if k != "score"} for r in got] == \
               [{k: v for k, v in r.items() if k != "score"} for r in want]
        assert [r["score"] for r in got] == pytest.approx([r["score"] for r in want], nan_ok=True)


def test_align_by_session_topic_or_a_group_keeps_the_python_count(ga_store):
    query = Query(Selection.of(), store=ga_store)
    for a, b, by in (("KHM", "RUS", "session"), ("KHM", "RUS", "topic"), ("KHM", "ASEAN", "year")):
        assert agreement._counted_in_sql(query, side(a), side(b), by, "agree") is None
    assert unvote.align("KHM", "ASEAN", since="2020", store=ga_store).num_rows == 6  # 2020 … 2025


def test_schema_comes_from_the_manifest_and_matches_the_files(ga_store, queries):
    reader = Reader(ga_store)
    for name, path in zip(("rollcalls", "votes"), files(ga_store)):
        described = [r[0] for r in duckdb.sql(f"DESCRIBE SELECT * FROM '{path}'").fetchall()]
        assert reader.columns("ga", name) == described
    assert not reader.is_list("ga", "rollcalls", "topics")
    assert queries == []  # read from manifest.json: no query


def test_a_store_whose_manifest_has_no_columns_is_read_as_before(ga_store, tmp_path, queries):
    """Stores written before the manifest kept the columns: one DESCRIBE per file, same answers."""
    old = tmp_path / "old"
    shutil.copytree(ga_store.root, old, symlinks=True)
    manifest = Store(old).version("ga") / "manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    for entry in data["files"].values():
        del entry["columns"]
    manifest.write_text(json.dumps(data), "utf-8")
    assert unvote.tally("ES-11/1", store=Store(old)).to_pylist() == unvote.tally("ES-11/1", store=ga_store).to_pylist()
    assert sum(q.startswith("DESCRIBE") for q in queries) == 1
    # repr: a period with no Y/A/N vote by both scores NaN, which equals nothing
    assert repr(unvote.align("KHM", "RUS", store=Store(old)).to_pylist()) == \
           repr(unvote.align("KHM", "RUS", store=ga_store).to_pylist())


def test_each_command_alone_reads_as_from_the_whole_app(monkeypatch):
    """A run builds only the command it names: its --help, usage and errors read as from the whole app."""
    from typer.main import get_command_name

    import unvote.cli
    from unvote.cli import app

    cases = [[info.name or get_command_name(info.callback.__name__), "--help"] for info in app.registered_commands]
    cases += [["tally", "--bogus"], ["tall"], ["--debug", "tally", "--help"], ["align", "KHM"], ["align"]]

    def run(args):
        done = invoke(*args)
        monkeypatch.delenv("UNVOTE_DEBUG", raising=False)  # --debug sets it for the rest of the process
        return done

    alone = [run(args) for args in cases]
    assert all(unvote.cli._app_for(args) is not app for args in cases[:len(app.registered_commands)])
    monkeypatch.setattr(unvote.cli, "_app_for", lambda args: app)
    for args, one in zip(cases, alone):
        whole = run(args)
        assert (one.returncode, one.stdout, one.stderr) == (whole.returncode, whole.stdout, whole.stderr), args



def test_pandas_is_refused_only_in_the_unvote_command_itself(monkeypatch):
    """pyarrow asks once per process whether pandas is there and keeps the answer, so a refusal in a
    process that goes on (a test, a notebook running a command) left it unable to convert ``pd.NA``
    afterwards: the Voeten ingest then failed, depending on test order. In-process, nothing is refused;
    the ``unvote`` command's own process (``_COMMAND``) still refuses it for speed."""
    import sys

    import unvote.cli as cli
    from unvote.cli import options

    assert options.REFUSE_PANDAS is cli._COMMAND is False  # pytest is not the unvote command
    options.without_pandas()
    assert not any(isinstance(f, options._NoPandas) for f in sys.meta_path)
    monkeypatch.setattr(options, "REFUSE_PANDAS", True)
    monkeypatch.delitem(sys.modules, "pandas", raising=False)
    try:
        options.without_pandas()
        assert any(isinstance(f, options._NoPandas) for f in sys.meta_path)
    finally:
        options.with_pandas()
    assert not any(isinstance(f, options._NoPandas) for f in sys.meta_path)
