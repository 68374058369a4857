"""The store under attack (issue 8): no symlinks needed, damage named and
repaired by fetching, the wrong body's file and shrinking files refused, OS errors and Ctrl-C as one
line with a documented code, usage errors as one line."""

import csv
import errno
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from cli_runner import invoke, run

from unvote.ingest import fetch as pipeline
from unvote.store import Store

QUIRKS = Path(__file__).parent / "fixtures" / "ga_quirks.csv"


def quirks_counts():
    """Roll calls and votes in the quirks fixture, counted from the file itself."""
    with open(QUIRKS, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return len({r["undl_id"] for r in rows}), len(rows)


def astuple(done) -> tuple:
    return done.returncode, done.stdout, done.stderr


def entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def snapshot(root: Path):
    store = Store(root)  # a fresh Store resolves what is current now
    return (store.version("ga").name, store.manifest("ga"), store.rollcalls("ga").to_pylist(),
            store.votes("ga").to_pylist(), entries(root / ".versions"),
            sorted(p.name for p in root.iterdir()))


@pytest.fixture(scope="session")
def quirks_template(tmp_path_factory) -> Path:
    """The quirks file fetched once per run; each test damages its own copy of it."""
    root = tmp_path_factory.mktemp("quirks_store") / "store"
    pipeline.fetch("ga", file=QUIRKS, store=Store(root))
    return root


@pytest.fixture
def quirks_store(quirks_template, isolated_store) -> Path:
    shutil.copytree(quirks_template, isolated_store, symlinks=True)  # a real copy: tests rewrite files in place
    return isolated_store


# ---- item 10: no symlinks, odd paths ------------------------------------------

def test_store_works_without_symlinks_in_a_path_with_spaces_and_accents(tmp_path, monkeypatch):
    def no_symlinks(*_a, **_k):
        raise OSError(errno.EPERM, "symbolic links are not available")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    root = tmp_path / "Données de vote – ONU ü"
    store = Store(root)
    first = pipeline.fetch("ga", file=QUIRKS, store=store)
    second = pipeline.fetch("ga", file=QUIRKS, store=store)  # a second swap, still without symlinks
    assert first.path != second.path and second.path.is_dir()
    assert not any(p.is_symlink() for p in root.iterdir())
    assert (root / "ga.current").read_text("utf-8") == f".versions/{second.path.name}\n"
    fresh = Store(root)
    assert fresh.version("ga") == second.path
    assert (fresh.rollcalls("ga").num_rows, fresh.votes("ga").num_rows) == quirks_counts()
    # and the command line, in that folder
    out = invoke("info", "--format", "json", env={"UNVOTE_DATA_DIR": str(root)})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["records"] == quirks_counts()[0]
    out = invoke("tally", "ES-11/1", "--format", "csv", env={"UNVOTE_DATA_DIR": str(root)})
    assert out.returncode == 0 and out.stdout.splitlines()[1].startswith("A/RES/ES-11/1,2022-03-02,2,1,1,2,")


# ---- item 1: a Store reads one version ----------------------------------------------------------

def test_a_store_keeps_reading_the_version_it_resolved(quirks_store, monkeypatch):
    reader = Store(quirks_store)
    old = reader.version("ga")
    assert reader.rollcalls("ga").num_rows == quirks_counts()[0]
    new = pipeline.fetch("ga", file=QUIRKS, store=Store(quirks_store)).path
    assert new != old and Store(quirks_store).version("ga") == new
    # the reader still reads its version: kept on disk for commands that resolved it
    assert reader.version("ga") == old and old.is_dir()
    assert reader.votes("ga").num_rows == quirks_counts()[1]
    reader.refresh()
    assert reader.version("ga") == new


def test_a_version_pruned_under_a_reader_is_an_error_not_a_mix(quirks_store, monkeypatch):
    reader = Store(quirks_store)
    reader.rollcalls("ga")
    monkeypatch.setattr("unvote.store.KEEP_SUPERSEDED", 0)
    pipeline.fetch("ga", file=QUIRKS, store=Store(quirks_store))
    pipeline.fetch("ga", file=QUIRKS, store=Store(quirks_store))
    from unvote.core.errors import StoreError

    with pytest.raises(StoreError, match="was replaced while this command read it; run the command again"):
        reader.votes("ga")


def test_a_replaced_version_is_kept_for_its_readers_for_the_grace_period(quirks_store):
    """The grace period runs from when a version was *replaced*, not from when it was written: a
    version written an hour ago that a reader resolved just before the next fetch must survive it."""
    from datetime import UTC, datetime, timedelta

    from unvote.store import KEEP_SUPERSEDED, STAMP

    assert KEEP_SUPERSEDED < 3600
    versions = quirks_store / ".versions"
    (only,) = entries(versions)
    now = datetime.now(UTC)
    names = [f"ga-{(now - timedelta(hours=h)).strftime(STAMP)}" for h in (3, 2, 1)]
    for name in names[:2]:
        shutil.copytree(versions / only, versions / name)
    (versions / only).rename(versions / names[2])
    (quirks_store / "ga.current").write_text(f".versions/{names[2]}\n", "utf-8")
    reader = Store(quirks_store)
    assert reader.version("ga").name == names[2]  # the reader resolved the version written an hour ago
    new = pipeline.fetch("ga", file=QUIRKS, store=Store(quirks_store)).path
    # replaced 2 h and 1 h ago: gone; replaced just now: kept for the reader; and the new one
    assert entries(versions) == {names[2], new.name}
    assert reader.votes("ga").num_rows == quirks_counts()[1] and reader.version("ga").name == names[2]


def test_the_pointer_is_replaced_in_one_step_not_rewritten(quirks_store):
    """``ga.current`` is a new file moved over the old one (os.replace), never rewritten in place,
    so a reader sees the old name or the new one, never a half-written line."""
    pointer = quirks_store / "ga.current"
    old_text = pointer.read_text("utf-8")
    with open(pointer, encoding="utf-8") as held:  # the old file, as a reader that opened it holds it
        before = os.fstat(held.fileno()).st_ino
        new = pipeline.fetch("ga", file=QUIRKS, store=Store(quirks_store)).path
        assert os.stat(pointer).st_ino != before
        assert held.read() == old_text  # the old inode still holds the old, whole line
    assert pointer.read_text("utf-8") == f".versions/{new.name}\n"
    assert not list(quirks_store.glob(".ga.current.*"))  # no temporary pointer left


# ---- item 2: the wrong body's file, a shrinking file ---------------------------------------------

SC_HEADER = ("undl_id,ms_code,ms_name,permanent_member,ms_vote,date,resolution,draft,meeting,description,agenda,"
             "subjects,vote_note,total_yes,total_no,total_abstentions,total_non_voting,total_ms,modality,undl_link")


def sc_file(folder: Path) -> Path:
    """A hand-written two-member SC file in the UNDL layout."""
    path = folder / "sc_voting.csv"
    rows = [f"1,{code},{name},{perm},Y,1946-01-25,S/RES/1(1946),,S/PV.2,Security Council resolution 1 (1946),,,,"
            "2,0,0,0,2,\"Vote, recorded\",https://digitallibrary.un.org/record/1"
            for code, name, perm in (("AUS", "AUSTRALIA", "False"), ("USA", "UNITED STATES", "True"))]
    path.write_text("\n".join([SC_HEADER, *rows]) + "\n", "utf-8")
    return path


@pytest.mark.parametrize("columns,symbols,body", [
    (["undl_id", "permanent_member"], [], "sc"),
    (["undl_id"], ["S/RES/1(1946)", "S/RES/2623(2022)", "A/RES/1"], "sc"),
    (["undl_id"], ["A/RES/ES-11/1", "a/res/68/262", "S/RES/1(1946)"], "ga"),
    (["undl_id"], ["", None], None),
    (["undl_id"], [], None),
])
def test_body_of(columns, symbols, body):
    assert pipeline.body_of(columns, symbols) == body


@pytest.mark.parametrize("held,dropped,refused", [
    (100, 5, False), (100, 6, True), (5538, 5535, True), (20, 1, False), (0, 0, False), (3, 0, False),
])
def test_drops_too_much(held, dropped, refused):
    assert pipeline.drops_too_much(held, dropped) is refused


def test_an_sc_file_is_not_stored_as_ga(quirks_store, tmp_path):
    before = snapshot(quirks_store)
    path = sc_file(tmp_path)
    out = invoke("fetch", "--file", str(path))
    assert out.returncode == 6 and out.stdout == "" and out.stderr.count("\n") == 1
    assert out.stderr == ("unvote: error: sc_voting.csv holds Security Council votes, not General Assembly ones; "
                          "the store was not changed. To store it as SC data, run: "
                          f"unvote fetch --body sc --file {path}\n")
    assert snapshot(quirks_store) == before
    # following the hint works, and leaves the GA data alone
    assert invoke("fetch", "--body", "sc", "--file", str(path)).returncode == 0
    assert Store(quirks_store).rollcalls("sc").num_rows == 1 and snapshot(quirks_store)[:4] == before[:4]


def test_a_ga_file_is_not_stored_as_sc(isolated_store):
    out = invoke("fetch", "--body", "sc", "--file", str(QUIRKS))
    assert out.returncode == 6 and out.stderr.count("\n") == 1
    assert out.stderr.endswith(f"To store it as GA data, run: unvote fetch --file {QUIRKS}\n")
    assert not Store(isolated_store).has("sc")


def test_a_file_dropping_most_roll_calls_needs_force(quirks_store, tmp_path):
    with open(QUIRKS, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    first_id = lines[1].split(",")[0]
    one = tmp_path / "one record.csv"
    one.write_text("\n".join([lines[0], *[ln for ln in lines[1:] if ln.startswith(first_id + ",")]]) + "\n", "utf-8")
    before = snapshot(quirks_store)
    out = invoke("fetch", "--file", str(one))
    assert out.returncode == 6 and out.stderr.count("\n") == 1
    assert out.stderr == ("unvote: error: one record.csv lacks 1 of the 2 roll calls the GA data holds (50%); "
                          f"the store was not changed. If that is what you want, run: unvote fetch --file '{one}' "
                          "--force\n")
    assert snapshot(quirks_store) == before
    out = invoke("fetch", "--file", str(one), "--force")
    assert out.returncode == 0 and "stored 1 roll calls" in out.stderr


# ---- item 3: a damaged store is named, and repaired by fetching ---------------------------------

def damage(root: Path, how: str) -> None:
    folder = Store(root).version("ga")
    if how == "truncated rollcalls":
        data = (folder / "rollcalls.parquet").read_bytes()
        (folder / "rollcalls.parquet").write_bytes(data[: len(data) // 2])
    elif how == "deleted votes":
        (folder / "votes.parquet").unlink()
    elif how == "flipped byte":  # same size, footer intact: only the checksum sees it
        path = folder / "votes.parquet"
        data = bytearray(path.read_bytes())
        data[len(data) // 3] ^= 0xFF
        path.write_bytes(bytes(data))
    elif how == "manifest bad JSON":
        (folder / "manifest.json").write_text('{"records": 2,', "utf-8")
    elif how == "manifest a list":
        (folder / "manifest.json").write_text("[1, 2]", "utf-8")
    elif how == "manifest not UTF-8":
        (folder / "manifest.json").write_bytes(b'{"file": "\xff\xfe"}')
    elif how == "pointer garbage":
        (root / "ga.current").write_text("../../etc\n", "utf-8")
    elif how == "version folder gone":
        shutil.rmtree(folder)
    else:
        raise AssertionError(how)


DAMAGES = ["truncated rollcalls", "deleted votes", "flipped byte", "manifest bad JSON", "manifest a list",
           "manifest not UTF-8", "pointer garbage", "version folder gone"]


@pytest.mark.parametrize("how", DAMAGES)
def test_damage_is_named_and_a_fetch_repairs_it(quirks_store, how):
    damage(quirks_store, how)
    out = invoke("info")
    assert out.returncode == 5 and out.stdout == "" and out.stderr.count("\n") == 1, out.stderr
    assert out.stderr.startswith(f"unvote: error: damaged data in {quirks_store}: ga: ")
    assert out.stderr.endswith("(repair: unvote fetch)\n")
    tally = invoke("tally", "ES-11/1", "--format", "csv")
    if how == "flipped byte" or how.startswith("manifest"):  # the tables a tally reads may still decode
        assert tally.returncode in (0, 5) and tally.stderr.count("\n") == tally.returncode // 5
    else:
        assert tally.returncode == 5 and tally.stdout == "" and tally.stderr.count("\n") == 1
        assert "repair it with: unvote fetch" in tally.stderr
    # the repair: fetching the file again, whatever the old store's state
    fetched = invoke("fetch", "--file", str(QUIRKS))
    assert fetched.returncode == 0, fetched.stderr
    carried = how in ("truncated rollcalls", "pointer garbage", "version folder gone")
    assert ("could not be read" in fetched.stderr) == carried or how == "deleted votes"
    assert invoke("info").returncode == 0
    check = invoke("info", "--check", "--format", "json")
    assert check.returncode == 0 and json.loads(check.stdout)[0]["records"] == quirks_counts()[0]


def test_info_check_reads_every_file(quirks_store, monkeypatch):
    m = Store(quirks_store).manifest("ga")
    for name in ("rollcalls.parquet", "votes.parquet"):  # the manifest records each file
        entry = m["files"][name]
        path = Store(quirks_store).version("ga") / name
        import hashlib

        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["bytes"] == path.stat().st_size
    assert (m["files"]["rollcalls.parquet"]["rows"], m["files"]["votes.parquet"]["rows"]) == quirks_counts()
    assert Store(quirks_store).check("ga", full=True) == []
    # a file that decodes badly although its checksum was recorded right: --check reads it all
    import pyarrow.parquet as pq

    monkeypatch.setattr(pq, "read_table", lambda *_a, **_k: (_ for _ in ()).throw(OSError("bad page")))
    assert Store(quirks_store).check("ga") == []
    assert Store(quirks_store).check("ga", full=True) == ["rollcalls.parquet cannot be read: bad page",
                                                          "votes.parquet cannot be read: bad page"]


def test_info_check_on_a_store_without_checksums_says_so(quirks_store):
    folder = Store(quirks_store).version("ga")
    m = json.loads((folder / "manifest.json").read_text("utf-8"))
    del m["files"]
    (folder / "manifest.json").write_text(json.dumps(m), "utf-8")
    assert invoke("info").returncode == 0
    out = invoke("info", "--check")
    assert out.returncode == 5 and "records no checksums" in out.stderr


# ---- item 5: OS errors --------------------------------------------------------------------------

def _fail_on(path_part, exc):
    def check(path):
        if path_part in str(path):
            raise exc

    return check


FAULTS = ["rollcalls", "votes", "manifest", "rename", "pointer"]


@pytest.mark.parametrize("where", FAULTS)
def test_disk_full_during_the_write_leaves_nothing_behind(quirks_store, where, monkeypatch):
    import pyarrow.parquet as pq

    before = snapshot(quirks_store)
    full = OSError(errno.ENOSPC, "No space left on device")
    real_write, real_rename, real_replace, real_write_text = pq.write_table, os.rename, os.replace, Path.write_text

    def write_table(table, path, **kw):
        if where in str(path):
            Path(path).write_bytes(b"PAR1" + b"\0" * 1000)  # a partial file, then the disk is full
            raise full
        return real_write(table, path, **kw)

    monkeypatch.setattr(pq, "write_table", write_table)
    monkeypatch.setattr(Path, "write_text", lambda self, *a, **k: (_fail_on("manifest" if where == "manifest" else "\0",
                                                                            full)(self), real_write_text(self, *a, **k))[1])
    monkeypatch.setattr(os, "rename", lambda a, b: (_fail_on(".versions" if where == "rename" else "\0", full)(a),
                                                   real_rename(a, b))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (_fail_on(".current" if where == "pointer" else "\0",
                                                              OSError(errno.EPERM, "Operation not permitted"))(b),
                                                     real_replace(a, b))[1])
    code, out, err = astuple(invoke("fetch", "--file", str(QUIRKS)))
    assert code == 5 and out == "" and err.count("\n") == 1, err
    if where == "pointer":
        assert err == (f"unvote: error: cannot write the store in {quirks_store} (Operation not permitted); "
                       "make it writable or set UNVOTE_DATA_DIR to a folder you can write\n")
    else:
        assert err.startswith(f"unvote: error: no space left on the disk holding {quirks_store} (while trying to "
                              "write the new ga data); the store is unchanged")
    assert snapshot(quirks_store) == before  # same version, same files, nothing left behind


def test_a_data_dir_that_is_a_file(tmp_path):
    path = tmp_path / "not a folder"
    path.write_text("x")
    for args in (("fetch", "--file", str(QUIRKS)), ("tally", "ES-11/1"), ("info",)):
        out = invoke(*args, env={"UNVOTE_DATA_DIR": str(path)})
        assert out.returncode == 5 and out.stdout == "", (args, out.stderr)
        assert out.stderr == (f"unvote: error: the data dir {path} is a file, not a folder; "
                              "set UNVOTE_DATA_DIR to a folder\n")


def test_a_data_dir_that_cannot_be_created():
    root = "/sys/unvote-cannot-exist"  # sysfs refuses new folders, even to root
    if os.path.exists(root) or not os.path.isdir("/sys"):
        pytest.skip("no sysfs here")
    out = invoke("fetch", "--file", str(QUIRKS), env={"UNVOTE_DATA_DIR": root})
    assert out.returncode == 5 and out.stderr.count("\n") == 1
    assert out.stderr == (f"unvote: error: cannot write the store in {root} (Operation not permitted); make it "
                          "writable or set UNVOTE_DATA_DIR to a folder you can write\n")


def test_a_read_only_data_dir(quirks_store, monkeypatch):
    """A read-only file system (EROFS), simulated: as root, chmod cannot make one."""
    before = snapshot(quirks_store)
    import builtins

    real_open = builtins.open

    def read_only(file, mode="r", *a, **k):
        if str(quirks_store) in str(file) and any(c in mode for c in "wax+"):
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr(builtins, "open", read_only)
    code, out, err = astuple(invoke("fetch", "--file", str(QUIRKS)))
    assert code == 5 and out == ""
    assert err == (f"unvote: error: cannot write the store in {quirks_store} (Read-only file system); make it "
                   "writable or set UNVOTE_DATA_DIR to a folder you can write\n")
    code, out, err = astuple(invoke("tally", "ES-11/1", "--format", "csv"))
    assert code == 0 and out.splitlines()[1].startswith("A/RES/ES-11/1,")  # reading still works
    monkeypatch.setattr(builtins, "open", real_open)
    assert snapshot(quirks_store) == before


@pytest.mark.system  # a real process (tests/cli_runner.run)
def test_output_to_a_full_disk_or_a_closed_stdout(quirks_store):
    unvote = f"{sys.executable} -m unvote"
    full = run(shell=f"{unvote} tally ES-11/1 --format csv > /dev/full")
    assert full.returncode == 74 and full.stderr == ("unvote: error: cannot write the output: "
                                                     "No space left on device\n")
    closed = run(shell=f"{unvote} tally ES-11/1 --format csv >&-")
    assert closed.returncode == 74 and closed.stderr == ("unvote: error: cannot write the output: "
                                                         "standard output is closed\n")
    fetched = run(shell=f"{unvote} fetch --file {QUIRKS} >&-")  # nothing to write on stdout: fine
    assert fetched.returncode == 0, fetched.stderr


@pytest.mark.parametrize("value", ["abc", "-1", "inf", "nan", ""])
def test_lock_wait_is_checked_before_any_work(tmp_path, value):
    root = tmp_path / "never made"
    out = invoke("fetch", "--file", str(QUIRKS), env={"UNVOTE_DATA_DIR": str(root), "UNVOTE_LOCK_WAIT": value})
    if value == "":  # unset: the default
        assert out.returncode == 0
        return
    assert out.returncode == 2 and out.stderr == (f"unvote: error: UNVOTE_LOCK_WAIT={value!r} is not valid: "
                                                  "use a number of seconds from 0\n")
    assert not root.exists()  # nothing was done


# ---- item 8: Ctrl-C -------------------------------------------------------------------------------

def test_ctrl_c_during_the_write_leaves_the_store_unchanged(quirks_store, monkeypatch):
    import pyarrow.parquet as pq

    before = snapshot(quirks_store)
    real = pq.write_table

    def interrupted(table, path, **kw):
        if "votes" in str(path):
            raise KeyboardInterrupt
        return real(table, path, **kw)

    monkeypatch.setattr(pq, "write_table", interrupted)
    code, out, err = astuple(invoke("fetch", "--file", str(QUIRKS)))
    assert (code, out, err) == (130, "", "unvote: interrupted: the store is unchanged\n")
    assert snapshot(quirks_store) == before


def test_ctrl_c_while_pruning_says_the_data_was_stored(quirks_store, monkeypatch):
    before = Store(quirks_store).version("ga")

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "_prune", interrupted)
    code, out, err = astuple(invoke("fetch", "--file", str(QUIRKS)))
    assert (code, out, err) == (130, "", "unvote: interrupted after the new data was stored\n")
    now = Store(quirks_store)
    assert now.version("ga") != before and now.check("ga", full=True) == []
    # a later command in the same process that is interrupted again says "unchanged"
    monkeypatch.setattr("unvote.api.tally", interrupted)
    code, _, err = astuple(invoke("tally", "ES-11/1"))
    assert (code, err) == (130, "unvote: interrupted: the store is unchanged\n")


# A real SIGINT (and SIGTERM, SIGKILL) at each stage of a fetch: tests/test_store_crash.py


# ---- item 9: one-line usage errors ----------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    (("tally", "ES-11/1", "--format", "xml"), "--format 'xml' is not one of auto, table, csv, tsv, json"),
    (("tally", "ES-11/1", "--bogus"), "No such option: --bogus"),
    (("tally",), "Missing argument 'symbols'"),
    (("fetch", "--body", "xx"), "unknown body 'xx'; use ga or sc"),
    (("fetch", "--url", ""), "--url is empty"),
    (("fetch", "--delay"), "Option '--delay' requires an argument"),
])
def test_usage_errors_are_one_line(quirks_store, args, message):
    out = invoke(*args)
    assert out.returncode == 2 and out.stdout == "", out.stderr
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("unvote: error: ") and message in out.stderr


def test_file_that_is_a_folder(tmp_path):
    out = invoke("fetch", "--file", str(tmp_path))
    assert out.returncode == 2 and out.stderr == (f"unvote: error: {tmp_path} is a folder, not a file; "
                                                  "give the voting CSV inside it\n")


def test_dataverse_md5_mismatch_is_refused(dataverse, isolated_store):
    from unvote.core.errors import FetchError

    dataverse.listing[2]["dataFile"]["md5"] = "0" * 32
    with pytest.raises(FetchError, match=r"has MD5 [0-9a-f]{32}, but Harvard Dataverse lists 0{32}: a damaged "
                                         r"or altered file, refused; the store was not changed"):
        pipeline.fetch_voeten()
    assert not Store(isolated_store).has("voeten")
    assert not (isolated_store / ".downloads" / "voeten").exists()


from test_voeten import dataverse  # noqa: E402, F401  (a fixture: the loopback Dataverse)


def test_an_update_on_a_damaged_store_names_the_whole_fetch(quirks_store):
    damage(quirks_store, "truncated rollcalls")
    out = invoke("fetch", "--update", env={"UNVOTE_UNDL_URL": "http://127.0.0.1:9"})
    assert out.returncode == 5 and out.stderr.count("\n") == 1
    assert out.stderr.startswith(f"unvote: error: the ga data in {quirks_store} is damaged (cannot read "
                                 "rollcalls.parquet: ")
    assert out.stderr.endswith("repair it with: unvote fetch\n")
