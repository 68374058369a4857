"""Shared fixtures: real data read in place, an isolated store per test, one real GA store per run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real-data folder: ``$UNVOTE_TEST_DATA``, else ``shared/data`` beside the repo.

    Missing data skips the test locally but fails it on CI, so CI cannot pass by skipping.
    """
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    path = Path(os.environ.get("UNVOTE_TEST_DATA") or default)
    if not (path / "undl" / "ga_voting.csv.gz").is_file():
        message = f"real test data not found at {path} (set UNVOTE_TEST_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    """Every test gets its own empty store; nothing touches the user's data dir."""
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("UNVOTE_DEBUG", raising=False)
    return tmp_path / "store"


@pytest.fixture(scope="session")
def ga_store_dir(shared_data, tmp_path_factory) -> Path:
    """A store holding the real GA data, built once per test run by the real ingest."""
    from unvote.ingest.fetch import fetch
    from unvote.store import Store

    root = tmp_path_factory.mktemp("ga_store")
    fetch("ga", file=shared_data / "undl" / "ga_voting.csv.gz", store=Store(root))
    return root


@pytest.fixture
def ga_store(ga_store_dir, monkeypatch):
    """The real GA store, also made the default store (UNVOTE_DATA_DIR) for CLI tests."""
    from unvote.store import Store

    monkeypatch.setenv("UNVOTE_DATA_DIR", str(ga_store_dir))
    return Store(ga_store_dir)


@pytest.fixture(scope="session")
def voeten_files(shared_data) -> list[Path]:
    """Voeten's raw votes (2016 release) and the R unvotes roll-call descriptions."""
    return [shared_data / "voeten-unvotespublished-2016" / "UNVotesPublished.RData",
            shared_data / "dgrtwo-unvotes" / "un_roll_calls.rda"]


@pytest.fixture(scope="session")
def voeten_ingest(voeten_files):
    """Voeten's data read once per run (≈5 s) by the real reader, with the roll-call descriptions."""
    pytest.importorskip("pyreadr")
    from unvote.sources import voeten

    return voeten.read(voeten_files)
