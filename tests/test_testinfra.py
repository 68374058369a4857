"""The test infrastructure itself (tests/conftest.py): the cached real stores' key and the guard
that keeps them read-only."""

import conftest


def test_the_cache_key_follows_the_data_and_the_ingest_code(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "undl").mkdir(parents=True)
    (data / conftest.GA_CSV).write_bytes(b"one")
    first = conftest._cache_key(data)
    assert conftest._cache_key(data) == first  # stable
    (data / conftest.GA_CSV).write_bytes(b"two")
    second = conftest._cache_key(data)
    assert second != first  # new data, new stores
    import unvote

    monkeypatch.setattr(unvote, "__version__", unvote.__version__ + ".post1")
    assert conftest._cache_key(data) not in (first, second)  # another version, other stores


def test_the_guard_sees_a_write_to_a_store(tiny_store):
    before = conftest._fingerprint(tiny_store.root)
    assert any(name.endswith("votes.parquet") for name in before) and "ga.current" in before
    assert conftest._fingerprint(tiny_store.root) == before  # reading changes nothing
    tiny_store.rollcalls("ga"), tiny_store.votes("ga")
    assert conftest._fingerprint(tiny_store.root) == before
    tiny_store.write("ga", tiny_store.rollcalls("ga"), tiny_store.votes("ga"), {"source": "again"})
    after = conftest._fingerprint(tiny_store.root)
    assert after != before and after["ga.current"][2] != before["ga.current"][2]  # the pointer was swapped


SAMPLE = """
import subprocess, sys
from cli_runner import invoke

def run(*args):
    return subprocess.run([sys.executable, "-m", "unvote", *args])

def inproc(*args):
    return invoke(*args)

def test_through_the_helper():
    assert run("info").returncode == 0

def test_itself():
    proc = subprocess.Popen(["true"])
    proc.wait()

def test_in_process():
    assert inproc("info").returncode == 0

class TestGrouped:
    def test_method(self):
        import os
        os.kill(os.getpid(), 0)
"""


def test_tests_that_start_a_process_are_found(tmp_path):
    path = tmp_path / "test_sample.py"
    path.write_text(SAMPLE, "utf-8")
    found = conftest._spawning_functions(str(path))
    assert {name: found[name] for name in ("test_through_the_helper", "test_itself", "test_in_process",
                                           "test_method")} == \
        {"test_through_the_helper": True, "test_itself": True, "test_in_process": False, "test_method": True}
