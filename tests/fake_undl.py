"""A stand-in for the UN Digital Library on 127.0.0.1: real HTTP, real sockets, scripted faults.

It serves what unvote asks the real site for:

* ``/api/v1/file?recid=N`` (a JSON file listing) and ``/record/N`` (the dataset's record page);
* bulk files under ``/record/N/files/<name>``, with ETag / Last-Modified (304 on a match) and
  Range requests (206), like a real file server;
* ``/search?...&of=xm`` (MARCXML) and ``of=hb`` (HTML) over a list of voting records, honouring the
  ``269__a:FROM->TO`` date range, the ``fct__2`` body facet, ``rg`` (capped by ``page_cap``) and
  ``jrec``, with the ``Search-Engine-Total-Number-Of-Results`` comment;
* ``/record/<id>`` HTML pages of those records.

Faults are queued per path: each request to the path takes the next one (then normal service).
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import html
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

GA_HEADER = ("undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,"
             "title,agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,"
             "total_non_voting,total_ms,undl_link")


@dataclass
class VotingRecord:
    """A voting record the fake search knows: its MARCXML and (optionally) its HTML page."""

    rid: int
    date: str
    body: str  # "ga" / "sc"
    symbol: str
    xml: str  # a <record> element
    page: str | None = None  # the /record/<id> HTML page


@dataclass
class Fault:
    kind: str  # "ok" (serve normally), "status", "stall", "cut", "html", "empty202", and the hostile:
    # "trickle" (one byte every ``seconds``), "endless" (no Content-Length, bytes until the client
    # hangs up), "length" (announces ``status`` as its Content-Length, then sends the body)
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    after_bytes: int = 0
    body: bytes = b""


@dataclass
class Hit:
    path: str
    query: dict
    headers: dict
    at: float


class FakeUNDL:
    def __init__(self):
        self.files: dict[str, dict] = {}  # path -> {"data", "type", "etag", "last_modified"}
        self.pages: dict[str, tuple[bytes, str]] = {}  # path -> (body, content type)
        self.records: list[VotingRecord] = []
        self.page_cap = 100  # the most records one search page returns, whatever rg asks
        self.ignore_jrec = False  # a broken server that always answers the first page
        # a hostile search: query -> (body, content type), answering every /search instead of the records
        self.search_hook = None
        self.faults: dict[str, list[Fault]] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    # ---- setup ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def add_file(self, path: str, data: bytes, *, content_type="text/csv", etag=True, last_modified=True,
                 encoding=None):
        """``encoding``: a Content-Encoding header sent with the bytes as they are."""
        self.files[path] = {
            "data": data, "type": content_type, "encoding": encoding,
            "etag": f'"{hashlib.sha256(data).hexdigest()[:16]}"' if etag else None,
            "last_modified": email.utils.formatdate(1_750_000_000, usegmt=True) if last_modified else None,
        }

    def add_page(self, path: str, body: bytes | str, content_type="text/html; charset=utf-8"):
        self.pages[path] = (body.encode() if isinstance(body, str) else body, content_type)

    def add_bulk(self, body: str, name: str, data: bytes, *, listing=True, record_page=True, **kw) -> str:
        """Publish a bulk file the way UNDL does: listed by the API and linked from the record page."""
        recid = {"ga": 4060887, "sc": 4055387}[body]
        path = f"/record/{recid}/files/{name}"
        self.add_file(path, data, **kw)
        if listing:
            self.add_page(f"/api/v1/file?recid={recid}",
                          json.dumps([{"name": name, "url": f"{self.url}{path}", "size": len(data)}]),
                          "application/json")
        if record_page:
            self.add_page(f"/record/{recid}", f"<html><body><a href='{path}'>{name}</a></body></html>")
        return f"{self.url}{path}"

    def fault(self, path: str, *faults: Fault):
        self.faults.setdefault(path, []).extend(faults)

    def requests_to(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    # ---- serving -------------------------------------------------------------------------
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                with fake.lock:
                    fake.hits.append(Hit(parts.path, query, dict(self.headers), time.monotonic()))
                    queue = fake.faults.get(parts.path) or fake.faults.get(self.path) or []
                    fault = queue.pop(0) if queue else None
                if fault and fault.kind == "ok":  # a placeholder: serve this one normally
                    fault = None
                try:
                    if fault and fault.kind in ("trickle", "endless", "length"):
                        return self._hostile(fault)
                    if fault and fault.kind not in ("stall", "cut"):
                        return self._fault(fault)
                    self._serve(parts.path, query, fault)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _hostile(self, fault: Fault):
                self.send_response(200)
                self.send_header("Content-Type", "application/gzip")
                if fault.kind == "length":
                    self.send_header("Content-Length", str(fault.status))
                self.end_headers()
                if fault.kind == "length":
                    self.wfile.write(fault.body or b"\x1f\x8b" + b"\0" * 1000)
                elif fault.kind == "trickle":
                    for byte in (fault.body or b"\x1f\x8b" + b"\0" * 100_000):
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(fault.seconds)
                else:  # endless
                    block = b"\x1f\x8b" + b"\0" * 65534
                    while True:
                        self.wfile.write(block)

            def _fault(self, fault: Fault):
                if fault.kind == "status":
                    self.send_response(fault.status)
                    if fault.retry_after is not None:
                        self.send_header("Retry-After", fault.retry_after)
                    self.send_header("Content-Length", str(len(fault.body)))
                    self.end_headers()
                    self.wfile.write(fault.body)
                elif fault.kind == "html":  # a bot challenge served as 200
                    body = fault.body or (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
                                          b"<body>Please verify you are human. captcha</body></html>")
                    self._send(200, body, "text/html; charset=utf-8")
                elif fault.kind == "empty202":
                    self.send_response(202)
                    self.send_header("x-amzn-waf-action", "challenge")
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def _send(self, status, body: bytes, ctype: str, extra: dict | None = None, fault=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    if v:
                        self.send_header(k, v)
                self.end_headers()
                if fault and fault.kind == "stall":
                    self.wfile.write(body[:fault.after_bytes])
                    self.wfile.flush()
                    time.sleep(fault.seconds)
                    return
                if fault and fault.kind == "cut":  # announce everything, send part, hang up
                    self.wfile.write(body[:fault.after_bytes])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

            def _serve(self, path, query, fault):
                if path in fake.files:
                    return self._file(fake.files[path], fault)
                key = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
                if key in fake.pages:
                    return self._send(200, *fake.pages[key], fault=fault)
                if path == "/search":
                    return self._search(query, fault)
                m = re.match(r"^/record/(\d+)$", path)
                if m:
                    for rec in fake.records:
                        if rec.rid == int(m.group(1)) and rec.page is not None:
                            return self._send(200, rec.page.encode(), "text/html; charset=utf-8", fault=fault)
                if path in fake.pages:
                    return self._send(200, *fake.pages[path], fault=fault)
                self._send(404, b"<html><body>Not found</body></html>", "text/html")

            def _file(self, f, fault):
                data = f["data"]
                headers = {"ETag": f["etag"], "Last-Modified": f["last_modified"], "Accept-Ranges": "bytes",
                           "Content-Encoding": f.get("encoding")}
                inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                if (inm and f["etag"] and inm == f["etag"]) or (not inm and ims and f["last_modified"] and ims == f["last_modified"]):
                    self.send_response(304)
                    for k, v in headers.items():
                        if v:
                            self.send_header(k, v)
                    self.end_headers()
                    return
                rng, if_range = self.headers.get("Range"), self.headers.get("If-Range")
                if rng and (not if_range or if_range in (f["etag"], f["last_modified"])):
                    start = int(re.match(r"bytes=(\d+)-", rng).group(1))
                    if start >= len(data):
                        return self._send(416, b"", "text/plain", {"Content-Range": f"bytes */{len(data)}"})
                    headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                    return self._send(206, data[start:], f["type"], headers, fault)
                self._send(200, data, f["type"], headers, fault)

            def _search(self, q, fault):
                if fake.search_hook is not None:
                    return self._send(200, *fake.search_hook(q), fault=fault)
                lo, hi = "0000-00-00", "9999-99-99"
                m = re.search(r"269__a:(\d{4}-\d{2}-\d{2})->(\d{4}-\d{2}-\d{2})", q.get("p", ""))
                if m:
                    lo, hi = m.groups()
                body = {"General Assembly": "ga", "Security Council": "sc"}.get(q.get("fct__2", ""))
                found = [r for r in fake.records if lo <= r.date <= hi and (body is None or r.body == body)]
                found.sort(key=lambda r: (r.date, r.rid), reverse=True)
                rg = min(int(q.get("rg", 10)), fake.page_cap)
                jrec = 1 if fake.ignore_jrec else max(int(q.get("jrec", 1)), 1)
                page = found[jrec - 1:jrec - 1 + rg]
                if q.get("of") == "xm":
                    text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                            f"<!-- Search-Engine-Total-Number-Of-Results: {len(found)} -->\n"
                            '<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
                            + "".join(r.xml for r in page) + "</collection>\n")
                    return self._send(200, text.encode(), "application/xml; charset=utf-8", fault=fault)
                self._send(200, search_page_html(page, len(found), jrec).encode(), "text/html; charset=utf-8",
                           fault=fault)

        return Handler


# ---- content builders ----------------------------------------------------------------------
def marc_record(rid: int, symbol: str, date: str, votes: list[tuple[str, str, str]], *, title="",
                meeting="", drafts=(), reports=(), agenda="", subjects=(), totals=None, modified=None,
                session_code="") -> str:
    """A MARCXML <record> in the UNDL's shape. ``votes``: (code, name, letter); an "X" letter
    leaves out $d (did not vote). Member states beyond 100 go to 968, beyond 200 to 969."""
    def sf(code, value):
        return f'<subfield code="{code}">{html.escape(str(value))}</subfield>'

    def df(tag, *subs):
        return f'<datafield tag="{tag}" ind1=" " ind2=" ">' + "".join(sf(c, v) for c, v in subs if v != "") + "</datafield>\n"

    out = [f'<record>\n<controlfield tag="001">{rid}</controlfield>\n']
    if modified:
        out.append(f'<controlfield tag="005">{modified}</controlfield>\n')
    if title:
        head, sep, tail = title.partition(" : ")
        res, _, adopted = tail.partition(" / ")
        out.append(df("245", ("a", head + (" :" if sep else "")), ("b", (res + " /") if adopted else res),
                      ("c", adopted)))
    out.append(df("269", ("a", date)))
    out.append(df("791", ("a", symbol), ("b", symbol.split("RES/")[0] + ""), ("c", session_code)))
    if meeting:
        out.append(df("952", ("a", meeting)))
    for d in drafts:
        out.append(df("993", ("a", d)))
    for r in reports:
        out.append(df("993", ("a", r)))
    if agenda:
        out.append(df("991", ("a", "A/00/251"), ("b", "1"), ("c", agenda)))
    for s in subjects:
        out.append(df("650", ("a", s)))
    if totals:
        out.append(df("996", *zip("bcdef", (str(t) for t in totals))))
    for i, (code, name, vote) in enumerate(votes):
        tag = "967" if i < 100 else "968" if i < 200 else "969"
        out.append(df(tag, ("a", i + 1), ("c", code), ("d", "" if vote == "X" else vote), ("e", name)))
    out.append("</record>\n")
    return "".join(out)


def search_page_html(records: list[VotingRecord], total: int, jrec: int) -> str:
    """An ``of=hb`` results page in the shape of the real one (abbr.unapi-id, brief-options)."""
    rows = []
    for i, r in enumerate(records):
        rows.append(
            f'<tr><td><abbr class="unapi-id" title="{r.rid}"></abbr>{jrec + i}.</td><td>'
            f'<div class="result-title"><a href="#">record {r.rid}</a></div>'
            f'<div class="result-abstract"><div class=" ">Yes: 001 | No: 000 | Abstentions: 000 | '
            f'Non-Voting: 000 | Total voting membership: 001 </div>'
            f"<div class=\"brief-options\"><i class='fa fa-globe'></i>{html.escape(r.symbol)}"
            f"<span class='separator'> | </span><i class='fa fa-calendar'></i>{r.date}"
            f"<span class='separator'> | </span></div></div>"
            f'<div class="moreinfo"><a href="/record/{r.rid}?ln=en" class="moreinfo">Detailed record</a></div>'
            f"</td></tr>")
    return ("<!DOCTYPE html><html><body><table><tr><td class='searchresultsboxheader'>"
            f"<span><strong>{total:,}</strong> records found </span></td></tr></table>"
            f"<table>{''.join(rows)}</table></body></html>")


def bulk_csv(rollcalls, votes) -> bytes:
    """A GA bulk CSV (gzipped, deterministic) from store tables: the UNDL file's columns and order."""
    import csv
    import io

    calls = {r["rollcall_id"]: r for r in rollcalls.to_pylist()}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GA_HEADER.split(","))
    for v in votes.to_pylist():
        c = calls[v["rollcall_id"]]
        w.writerow([v["rollcall_id"], v["ms_code"], v["ms_name"], v["vote"], c["date"].isoformat(),
                    c.get("session") or "", c["resolution"], c.get("draft") or "", c.get("committee_report") or "",
                    c.get("meeting") or "", c.get("title") or "", c.get("agenda_title") or "",
                    c.get("subjects") or "", v.get("vote_note") or "",
                    *[f"{float(c[k]):.1f}" if c.get(k) is not None else "" for k in
                      ("total_yes", "total_no", "total_abstentions", "total_non_voting", "total_ms")],
                    f"https://digitallibrary.un.org/record/{v['rollcall_id']}"])
    return gzip.compress(buf.getvalue().encode(), mtime=0)


def records_from_store(rollcalls, votes, body="ga") -> list[VotingRecord]:
    """Each roll call as a MARCXML record built from the store's own tables (field by field)."""
    by_id: dict[int, list] = {}
    for v in votes.to_pylist():
        by_id.setdefault(v["rollcall_id"], []).append((v["ms_code"], v["ms_name"], v["vote"]))
    out = []
    for c in rollcalls.to_pylist():
        totals = [c.get(k) for k in ("total_yes", "total_no", "total_abstentions", "total_non_voting", "total_ms")]
        xml = marc_record(
            c["rollcall_id"], c["resolution"], c["date"].isoformat(), by_id[c["rollcall_id"]],
            title=c.get("title") or "", meeting=c.get("meeting") or "",
            drafts=[d for d in (c.get("draft") or "").split("|") if d],
            reports=[d for d in (c.get("committee_report") or "").split("|") if d],
            agenda=c.get("agenda_title") or c.get("agenda") or "", subjects=[s for s in (c.get("subjects") or "").split("|") if s],
            totals=totals if None not in totals else None)
        out.append(VotingRecord(c["rollcall_id"], c["date"].isoformat(), body, c["resolution"], xml))
    return out


# ---- pytest fixture (import it into a test module: ``from fake_undl import undl``) ----------
try:
    import pytest
except ImportError:  # pragma: no cover
    pytest = None

if pytest is not None:
    @pytest.fixture
    def undl(monkeypatch):
        """A running fake UNDL that fetches point at, with fast retries and no polite pause."""
        server = FakeUNDL().start()
        monkeypatch.setenv("UNVOTE_UNDL_URL", server.url)
        monkeypatch.setenv("UNVOTE_HTTP_DELAY", "0")
        monkeypatch.setenv("UNVOTE_HTTP_BACKOFF", "0.01")
        monkeypatch.setenv("UNVOTE_HTTP_TIMEOUT", "2,0.5")
        yield server
        server.stop()
