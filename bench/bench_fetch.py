"""Fetching: the bulk file over (loopback) HTTP, the conditional re-fetch, the incremental update,
and safe MARCXML parsing — each beside the thing it saves or costs.

The server is the tests' fake UNDL on 127.0.0.1 (real sockets), serving the real bulk file; the
polite pause is set to 0 so the figures are the work, not the waiting (the default is 1 s/request).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from common import best_of, run_cmd

HERE = Path(__file__).resolve().parent
UNVOTE = [sys.executable, "-m", "unvote"]
NAME = "2025_9_19_ga_voting.csv"


def run(report, ctx) -> None:
    sys.path.insert(0, str(HERE.parent / "tests"))
    import datetime as dt

    import pyarrow.compute as pc
    from fake_undl import FakeUNDL, records_from_store

    from unvote.store import Store

    csv_gz = ctx.data / "undl" / "ga_voting.csv.gz"
    server = FakeUNDL().start()
    try:
        server.add_bulk("ga", NAME, csv_gz.read_bytes(), content_type="application/gzip")
        base_env = {"UNVOTE_UNDL_URL": server.url, "UNVOTE_HTTP_DELAY": "0"}

        def fresh(tag, i):
            path = ctx.work / f"fetch-{tag}-{i}"
            shutil.rmtree(path, ignore_errors=True)
            return {**base_env, "UNVOTE_DATA_DIR": str(path)}

        # 1. the whole first fetch over HTTP vs the same file given with --file (interleaved, so
        #    both sides meet the same machine load)
        http_runs, file_runs = [], []
        for i in range(3):
            http_runs.append(run_cmd(UNVOTE + ["fetch"], fresh("http", i)))
            file_runs.append(run_cmd(UNVOTE + ["fetch", "--file", str(csv_gz)], fresh("file", i)))
        http_t, file_t = min(t for t, _ in http_runs), min(t for t, _ in file_runs)
        report("fetch over loopback HTTP (discover+download+ingest)", http_t, file_t,
               note="baseline: fetch --file of the same 10 MB file")
        report("fetch over HTTP peak RSS", max(m for _, m in http_runs), max(m for _, m in file_runs), unit="MB")

        # 2. fetching again when the file has not changed: a 304, then a look for newer records
        again_env = {**base_env, "UNVOTE_DATA_DIR": str(ctx.work / "fetch-http-0")}
        again = min(run_cmd(UNVOTE + ["fetch"], again_env)[0] for _ in range(3))
        report("fetch again, file unchanged (304 + records check)", again, http_t,
               note="baseline: the first fetch over HTTP")

        # 3. an incremental update (22 new records) vs re-ingesting the whole bulk file
        full = Store(ctx.ga_store())
        calls = full.rollcalls("ga")
        template = ctx.work / "cut-template"
        if not template.exists():
            keep = calls.filter(pc.less(calls["date"], dt.date(2025, 6, 1)))
            votes = full.votes("ga")
            votes = votes.filter(pc.is_in(votes["rollcall_id"], keep["rollcall_id"]))
            Store(template).write("ga", keep, votes, {"file": "ga_voting.csv.gz", "records": keep.num_rows,
                                                      "votes": votes.num_rows})
        recent = calls.filter(pc.greater_equal(calls["date"], dt.date(2025, 5, 1)))
        server.records = records_from_store(recent, full.votes("ga", filters=[
            ("rollcall_id", "in", recent["rollcall_id"].to_pylist())]))
        times, rebuilds = [], []
        for i in range(3):
            target = ctx.work / f"update-{i}"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(template, target, symlinks=True)
            times.append(run_cmd(UNVOTE + ["fetch", "--update"], {**base_env, "UNVOTE_DATA_DIR": str(target)}))
            rebuilds.append(run_cmd(UNVOTE + ["fetch", "--file", str(csv_gz)], fresh("file", i)))
        report("fetch --update: 22 new records into 5,516", min(t for t, _ in times), min(t for t, _ in rebuilds),
               note="baseline: fetch --file, a full re-ingest")
        report("fetch --update peak RSS", max(m for _, m in times), max(m for _, m in rebuilds), unit="MB")
    finally:
        server.stop()

    # 4. safe XML: defusedxml with DTDs forbidden vs the stdlib parser with no protection
    import xml.etree.ElementTree as ET

    from unvote.sources import undl_records

    xml = ('<collection xmlns="http://www.loc.gov/MARC21/slim">'
           + "".join(r.xml for r in server.records) + "</collection>").encode()
    ours = best_of(lambda: undl_records.parse_marcxml(xml, "ga"), 5)
    base = best_of(lambda: ET.fromstring(xml), 5)
    import defusedxml.ElementTree as DET

    defused = best_of(lambda: DET.fromstring(xml, forbid_dtd=True), 5)
    report(f"parse MARCXML, {len(server.records)} records ({len(xml) / 1e6:.1f} MB)", ours, base,
           note="baseline: bare xml.etree parse (unsafe, no field extraction)")
    report("  of which defusedxml parse alone", defused, base, note="baseline: bare xml.etree parse")
    os.environ.pop("UNVOTE_UNDL_URL", None)
