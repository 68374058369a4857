"""One command reads one store version: tallies keep being right while fetches swap versions.

Issue 8 item 1: ``Store`` resolved the dataset link once per table, so a tally could take its roll
calls from one version and its votes from the next and print ``0,0,0,0`` with exit 0.
"""

import csv
import gzip
import io

import pyarrow.compute as pc
from cli_runner import invoke
from fake_undl import bulk_csv

from unvote.ingest import fetch as pipeline
from unvote.store import Store

NEW_ID = 990_000_001  # B's id for the ES-11/1 roll call (no real record has it)


def write_pair(ga_store_dir, folder):
    """A.csv: the real GA roll calls of 2022 (89); B.csv: the same rows, ES-11/1 under another record id."""
    real = Store(ga_store_dir)
    calls = real.rollcalls("ga")
    calls = calls.filter(pc.equal(pc.year(calls["date"]), 2022))
    votes = real.votes("ga", filters=[("rollcall_id", "in", calls["rollcall_id"].to_pylist())])
    text = gzip.decompress(bulk_csv(calls, votes)).decode()
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    es11 = {r[col["undl_id"]] for r in body if r[col["resolution"]] == "A/RES/ES-11/1"}
    assert len(es11) == 1
    (old_id,) = es11
    changed = [[str(NEW_ID) if v == old_id and i == col["undl_id"] else
                v.replace(f"/record/{old_id}", f"/record/{NEW_ID}") if i == col["undl_link"] else v
                for i, v in enumerate(r)] for r in body]
    paths = []
    for name, data in (("A.csv", body), ("B.csv", changed)):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header, *data])
        (folder / name).write_text(buf.getvalue(), "utf-8")
        paths.append(folder / name)
    # the expected tally, counted from the file itself
    letters = [r[col["ms_vote"]] for r in body if r[col["undl_id"]] == old_id]
    expected = tuple(letters.count(v) for v in "YNAX")
    return paths, expected


def test_a_tally_reads_one_version_while_fetches_swap_it_under_it(ga_store_dir, isolated_store, tmp_path,
                                                                    monkeypatch):
    """Every time a command resolves the GA version, a fetch swaps in the other file before it reads
    a byte: the worst interleaving, every time, with no timing. Roll calls from one version and votes
    from the other would tally ES-11/1 as 0,0,0,0 (its record id differs between the two files)."""
    (a, b), expected = write_pair(ga_store_dir, tmp_path)
    assert expected == (141, 5, 35, 12)  # the published result of ES-11/1
    assert invoke("fetch", "--file", str(a)).returncode == 0
    real_resolve, files, swaps = Store._resolve, [b, a], []

    def resolve_then_swap(self, dataset):
        folder = real_resolve(self, dataset)
        if dataset == "ga" and not swapping:
            swapping.append(True)
            try:  # another writer makes the other file current: this reader's version is now the old one
                pipeline.fetch("ga", file=files[len(swaps) % 2], store=Store(self.root))
            finally:
                swapping.clear()
            swaps.append(folder)
        return folder

    swapping: list = []
    monkeypatch.setattr(Store, "_resolve", resolve_then_swap)
    answers = []
    for _ in range(6):
        out = invoke("tally", "ES-11/1", "--format", "csv")
        row = next(csv.DictReader(io.StringIO(out.stdout))) if out.returncode == 0 else {}
        answers.append((out.returncode, tuple(int(row[k]) for k in ("yes", "no", "abstain", "non_voting"))
                        if row else out.stderr))
    assert answers == [(0, expected)] * 6
    assert len(swaps) >= 6 and len(set(swaps)) == len(swaps)  # each tally read a version replaced under it
