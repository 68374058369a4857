"""Shared fixtures: real data read in place, an isolated store per test, and the real stores (GA, SC,
Voeten, merged) built once and cached on disk for every later run and every xdist worker.

Tiers (pyproject's markers; `make check` runs the fast one):
- ``real``: reads the real data (../shared/data). Marked automatically: every test that uses
  ``shared_data``, directly or through a fixture built on it (all the real-store fixtures are).
- ``system``: LibreOffice, notebooks, packaging, real subprocesses, signals and pipes. Marked
  explicitly (``pytestmark``) and automatically for a test whose code, or a helper of its module it
  calls, starts a process (see ``_spawns``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The real files the cached stores are built from (relative to shared_data).
GA_CSV = "undl/ga_voting.csv.gz"
SC_CSV = "undl/sc_voting.csv.gz"
VOETEN_RDATA = "voeten-unvotespublished-2016/UNVotesPublished.RData"
VOETEN_RDA = "dgrtwo-unvotes/un_roll_calls.rda"


# ---- the real data ----------------------------------------------------------------------------------

def _data_dir() -> Path:
    return Path(os.environ.get("UNVOTE_TEST_DATA") or ROOT.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real-data folder: ``$UNVOTE_TEST_DATA``, else ``shared/data`` beside the repo.

    Missing data skips the test locally but fails it on CI, so CI cannot pass by skipping.
    """
    path = _data_dir()
    if not (path / GA_CSV).is_file():
        message = f"real test data not found at {path} (set UNVOTE_TEST_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    """Every test gets its own empty store; nothing touches the user's data dir. Afterwards, the
    cached real stores handed out so far must be exactly as they were (they are shared, read-only)."""
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("UNVOTE_DEBUG", raising=False)
    yield tmp_path / "store"
    for root, before in _HANDED_OUT.items():
        after = _fingerprint(root)
        if after != before:
            _HANDED_OUT[root] = after  # name the culprit once, not every later test
            changed = sorted(set(before.items()) ^ set(after.items()))[:3]
            pytest.fail(f"this test (or a fixture it uses) changed the shared cached store {root}: "
                        f"{changed}; write to a copy (ga_store_copy, store_copy) instead", pytrace=False)


# ---- the cached real stores ----------------------------------------------------------------------------
#
# <cache>/<key>/<name>/ is a complete store, where <cache> is $UNVOTE_TEST_CACHE or
# .pytest_cache/unvote-stores and <key> hashes everything the stores' bytes depend on:
# - the data files' sha256 (new data, new stores);
# - unvote's version;
# - the code ingest may import: unvote/ingest and every layer below it (store, query, analysis,
#   sources, model, core) and the packaged tables in unvote/data. A change there can change what a
#   fetch writes (a country mapping, the topic rules, a column), and a test must never pass against
#   a store the current code would not build. The CLI, api and output layers cannot change the
#   stored bytes, so editing them keeps the cache;
# - this file, which assembles the stores.
# Each store is built by the real fetch into a temporary folder and renamed into place, under a file
# lock: the first xdist worker builds it, the others wait and then read the same folder.

_CODE = ("__init__.py", "ingest", "store.py", "query", "analysis", "sources", "model", "core", "data")
_KEEP_OLD_KEYS = 24 * 3600  # seconds an unused key's stores are kept (another checkout may share the cache)
_HANDED_OUT: dict[Path, dict] = {}  # cached store root -> its fingerprint when first handed out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _cache_key(data: Path) -> str:
    import unvote

    package = Path(unvote.__file__).resolve().parent
    h = hashlib.sha256(f"unvote {unvote.__version__}\n".encode())
    for name in (GA_CSV, SC_CSV, VOETEN_RDATA, VOETEN_RDA):
        path = data / name
        h.update(f"{name} {_sha256(path) if path.is_file() else 'missing'}\n".encode())
    h.update(f"conftest {_sha256(Path(__file__))}\n".encode())
    for part in _CODE:
        base = package / part
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts)
        for path in files:
            h.update(f"{path.relative_to(package)} {_sha256(path)}\n".encode())
    return h.hexdigest()[:16]


def _cache_root() -> Path:
    return Path(os.environ.get("UNVOTE_TEST_CACHE") or ROOT / ".pytest_cache" / "unvote-stores")


def _fingerprint(root: Path) -> dict:
    """Every file of a store with its size, mtime and inode: a write, a swap or a prune changes it."""
    out = {}
    for p in root.rglob("*"):
        st = p.lstat()
        out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def _copy_datasets(src: Path, dst: Path, datasets) -> None:
    """A store holding ``datasets`` of the store at ``src``: their current version folders (names
    kept, so the merged dataset's ``built_from`` still matches) and pointer files."""
    from unvote.store import Store

    store = Store(src)
    for d in datasets:
        folder = store.version(d)
        shutil.copytree(folder, dst / folder.parent.name / folder.name)
        shutil.copy2(store.pointer(d), dst / store.pointer(d).name)
    if (src / "reference").is_dir() and not (dst / "reference").exists():  # as fetch leaves it beside the data
        shutil.copytree(src / "reference", dst / "reference")


def _build(name: str, data: Path, key_dir: Path, dest: Path) -> None:
    from unvote.ingest.fetch import fetch, fetch_voeten
    from unvote.store import Store

    if name == "ga":
        fetch("ga", file=data / GA_CSV, store=Store(dest))
    elif name == "sc":
        fetch("sc", file=data / SC_CSV, store=Store(dest))
    elif name == "ga_sc":  # both UNDL bodies, as `unvote fetch` and `unvote fetch --body sc` leave them
        _copy_datasets(_cached(key_dir, "ga", data), dest, ["ga"])
        _copy_datasets(_cached(key_dir, "sc", data), dest, ["sc"])
    elif name == "merged":  # everything: GA and SC as cached, then Voeten, which builds merged
        _copy_datasets(_cached(key_dir, "ga_sc", data), dest, ["ga", "sc"])
        result = fetch_voeten(files=[data / VOETEN_RDATA, data / VOETEN_RDA], store=Store(dest))
        # what that fetch told the user (tests check the report), kept beside the store
        (key_dir / ".merged.notes.json.tmp").write_text(json.dumps(result.notes), "utf-8")
        os.replace(key_dir / ".merged.notes.json.tmp", key_dir / "merged.notes.json")
    elif name == "voeten":  # Voeten alone, the very version the merged store holds
        _copy_datasets(_cached(key_dir, "merged", data), dest, ["voeten"])
    else:
        raise ValueError(name)


def _cached(key_dir: Path, name: str, data: Path) -> Path:
    """The cached store ``name``, built first if this key has none yet."""
    from filelock import FileLock

    final = key_dir / name
    if final.is_dir():
        return final
    key_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(key_dir / f"{name}.lock")):
        if final.is_dir():  # another worker built it while we waited
            return final
        tmp = key_dir / f".{name}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            _build(name, data, key_dir, tmp)
            (tmp / ".lock").unlink(missing_ok=True)  # the fetch's write lock: not part of the data
            os.rename(tmp, final)  # atomic: a killed build leaves only a .tmp folder, never a half store
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _forget_old_keys(cache: Path, key: str) -> None:
    now = time.time()
    for entry in cache.iterdir() if cache.is_dir() else ():
        if entry.name != key and entry.is_dir() and now - entry.stat().st_mtime > _KEEP_OLD_KEYS:
            shutil.rmtree(entry, ignore_errors=True)


@pytest.fixture(scope="session")
def real_store_cache(shared_data) -> Path:
    """This run's cache folder: <cache>/<key>/."""
    key = _cache_key(shared_data)
    cache = _cache_root()
    key_dir = cache / key
    key_dir.mkdir(parents=True, exist_ok=True)
    os.utime(key_dir)  # in use: not an old key for another checkout's cleanup
    _forget_old_keys(cache, key)
    return key_dir


def _hand_out(key_dir: Path, name: str, data: Path) -> Path:
    root = _cached(key_dir, name, data)
    _HANDED_OUT.setdefault(root, _fingerprint(root))
    return root


@pytest.fixture(scope="session")
def ga_store_dir(real_store_cache, shared_data) -> Path:
    """The real GA data (the UN's bulk CSV, by the real fetch), read-only: GA only."""
    return _hand_out(real_store_cache, "ga", shared_data)


@pytest.fixture(scope="session")
def sc_store_dir(real_store_cache, shared_data) -> Path:
    """The real Security Council data, read-only: SC only."""
    return _hand_out(real_store_cache, "sc", shared_data)


@pytest.fixture(scope="session")
def ga_sc_store_dir(real_store_cache, shared_data) -> Path:
    """The real GA and SC data in one store, read-only."""
    return _hand_out(real_store_cache, "ga_sc", shared_data)


@pytest.fixture(scope="session")
def merged_store_dir(real_store_cache, shared_data) -> Path:
    """Every real dataset, read-only: GA, SC, Voeten's 2016-17 file with the R package's roll-call
    descriptions, and the merged history built from GA and Voeten (what each `unvote fetch` makes)."""
    pytest.importorskip("pyreadr")
    return _hand_out(real_store_cache, "merged", shared_data)


@pytest.fixture(scope="session")
def merged_fetch_notes(merged_store_dir, real_store_cache) -> list[str]:
    """The notes ``fetch_voeten`` returned when it built merged_store_dir (the merged history's report)."""
    return json.loads((real_store_cache / "merged.notes.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def voeten_store_dir(real_store_cache, shared_data) -> Path:
    """Voeten's data alone (with the roll-call descriptions), read-only."""
    pytest.importorskip("pyreadr")
    return _hand_out(real_store_cache, "voeten", shared_data)


def _use(root: Path, monkeypatch):
    from unvote.store import Store

    monkeypatch.setenv("UNVOTE_DATA_DIR", str(root))
    return Store(root)


@pytest.fixture
def ga_store(ga_store_dir, monkeypatch):
    """The real GA store, also made the default store (UNVOTE_DATA_DIR) for CLI tests. Read-only."""
    return _use(ga_store_dir, monkeypatch)


@pytest.fixture
def sc_store(sc_store_dir, monkeypatch):
    """The real SC store, made the default store. Read-only."""
    return _use(sc_store_dir, monkeypatch)


@pytest.fixture
def merged_store(merged_store_dir, monkeypatch):
    """The store with every real dataset (see merged_store_dir), made the default store. Read-only."""
    return _use(merged_store_dir, monkeypatch)


def _copy(src: Path, dst: Path) -> Path:
    # A real copy, not hard links: a damage test truncating a parquet file in place would change the
    # cached file through a link. The stores are small (GA: ~0.5 MB), so a copy costs milliseconds.
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns(".lock"))
    return dst


@pytest.fixture
def store_copy(tmp_path, monkeypatch, real_store_cache, shared_data):
    """``store_copy("ga" | "sc" | "ga_sc" | "voeten" | "merged")``: a private, writable copy of a cached real
    store (tmp_path/<name>-copy), made the default store. For tests that fetch into or damage a store."""

    def make(name: str = "ga"):
        if name in ("voeten", "merged"):
            pytest.importorskip("pyreadr")
        root = _copy(_hand_out(real_store_cache, name, shared_data), tmp_path / f"{name}-copy")
        return _use(root, monkeypatch)

    return make


@pytest.fixture
def ga_store_copy(store_copy):
    """A writable copy of the real GA store (see store_copy), made the default store."""
    return store_copy("ga")


# ---- expensive references, once per session ---------------------------------------------------------

@pytest.fixture(scope="session")
def voeten_files(shared_data) -> list[Path]:
    """Voeten's raw votes (2016 release) and the R unvotes roll-call descriptions."""
    return [shared_data / VOETEN_RDATA, shared_data / VOETEN_RDA]


@pytest.fixture(scope="session")
def voeten_ingest(voeten_files):
    """Voeten's data read once per run (≈5 s) by the real reader, with the roll-call descriptions."""
    pytest.importorskip("pyreadr")
    from unvote.sources import voeten

    return voeten.read(voeten_files)


@pytest.fixture(scope="session")
def undl_ingest(shared_data):
    """The UN's bulk GA file read once per run by the real reader (no store)."""
    from unvote.sources import undl_csv

    return undl_csv.read(shared_data / GA_CSV)


@pytest.fixture(scope="session")
def release_ingest(shared_data, voeten_ingest):
    """Voeten's two releases in one table (ingest.releases.read): (Ingest, {rcid: 2016 codes}), once per run."""
    from unvote.ingest import releases

    return releases.read(shared_data, older=voeten_ingest)


@pytest.fixture(scope="session")
def release_pairs(undl_ingest, release_ingest):
    """The UNDL roll calls matched to the releases' roll calls, with the codes (history.matched_pairs)."""
    from unvote.ingest import history

    vo, _ = release_ingest
    return history.matched_pairs(undl_ingest.rollcalls, undl_ingest.votes, vo.rollcalls, vo.votes)


@pytest.fixture(scope="session")
def voeten_raw_frame(shared_data):
    """Voeten's votes file as pyreadr reads it (a pandas frame, one row per vote): an independent
    reference, read once per run. Do not modify it."""
    pyreadr = pytest.importorskip("pyreadr")
    return pyreadr.read_r(str(shared_data / VOETEN_RDATA))["x"]


# ---- a tiny hand-made store (the fast tier) --------------------------------------------------------------

@pytest.fixture
def tiny_store(tmp_path, monkeypatch):
    """A GA store of three hand-made roll calls (tests/tiny_store.py), written with Store.write and
    made the default store: the fast tier's commands run on it in milliseconds."""
    import tiny_store as tiny

    from unvote.store import Store

    store = Store(tmp_path / "tiny")
    rollcalls, votes = tiny.tables()
    store.write("ga", rollcalls, votes, {"source": "hand-made test store", "records": rollcalls.num_rows,
                                         "votes": votes.num_rows})
    monkeypatch.setenv("UNVOTE_DATA_DIR", str(store.root))
    return store


# ---- tiers ----------------------------------------------------------------------------------------------

_SPAWN = re.compile(r"\bsubprocess\.(?!CompletedProcess)|\bPopen\b|\bos\.kill\b|\bos\.fork\b|\bos\.system\b")
_SPAWNERS: dict[str, dict[str, bool]] = {}  # module file -> {function name: whether it starts a process}


def _spawning_functions(path: str) -> dict[str, bool]:
    """Every function of a test module (methods by name too): whether its code starts a process or
    calls a module-level function that does (one level deep: the helpers tests use)."""
    import ast

    if path not in _SPAWNERS:
        text = Path(path).read_text("utf-8")
        tree = ast.parse(text)
        funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        lines = text.splitlines()
        own = {f.name: bool(_SPAWN.search("\n".join(lines[f.lineno - 1:f.end_lineno]))) for f in funcs}
        helpers = {f.name for f in tree.body if isinstance(f, ast.FunctionDef) and own[f.name]}
        calls = {f.name: {c.func.id for c in ast.walk(f) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
                 for f in funcs}
        _SPAWNERS[path] = {name: own[name] or bool(calls[name] & helpers) for name in own}
    return _SPAWNERS[path]


def _spawns(item) -> bool:
    """Whether a test starts a process: its own code does, or calls a function of its module that does."""
    module, func = getattr(item, "module", None), getattr(item, "function", None)
    if module is None or func is None or not getattr(module, "__file__", None):
        return False
    return _spawning_functions(module.__file__).get(func.__name__, False)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.real)
        if not item.get_closest_marker("system") and _spawns(item):
            item.add_marker(pytest.mark.system)
