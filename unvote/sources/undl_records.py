"""Voting records of the UN Digital Library, one by one: the way to stay current between bulk files.

The UNDL is a TIND (Invenio) system. Its search pages export MARCXML (``of=xm``)::

    /search?cc=Voting+Data&ln=en&p=269__a:2025-10-01->2025-12-31&fct__2=General+Assembly
           &fct__9=Vote&of=xm&rg=100&jrec=101

The answer's ``<!-- Search-Engine-Total-Number-Of-Results: N -->`` tells how many records match;
pages are requested until that many have arrived (or a page comes back empty), advancing ``jrec``
by the number of records actually received, since the server may cap ``rg``.

MARC 21 fields of a voting record (tag, subfields):

    001      record id                     269 $a   vote date (YYYY-MM-DD)
    005      last modified (YYYYMMDDhhmmss)  245 $a $b $c  title
    791 $a   resolution symbol, $c session (``80``, ``10emsp`` = ES-10)
    952 $a   meeting record                993 $a   draft (``…/L.…``) or committee report
    991 $c   agenda item title ($d its subject heading)       650 $a  subjects
    996 $b yes, $c no, $d abstentions, $e non-voting, $f total (published summary)
    967 (968, 969 overflow), one per member state: $c code, $e name, $d vote —
             a missing $d means the state did not vote (X), not an abstention.

If the XML export is refused (a bot challenge), the HTML search pages (``of=hb``) give the record
ids, and each record's HTML page (``/record/<id>``) gives lines like ``Y ALGERIA`` (blank letter =
non-voting). HTML pages carry names only; ``countries.code_for_name`` maps them.

Either way the records become rows shaped like the bulk CSV, and ``undl_csv.from_rows`` turns them
into the store's tables, so counting and normalising live in one place.

XML is parsed with defusedxml and DTDs forbidden: no external entities, no entity expansion.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..core.errors import DataFormatError, FetchError, Refused
from ..core.hints import PLACEHOLDER, fetch_command
from ..model import countries
from ..model.symbols import from_roman
from . import limits
from .http import get_bytes, get_text
from .undl_csv import RECORDS, from_rows

BODY_FACET = {"ga": "General Assembly", "sc": "Security Council"}
SYMBOL_PREFIX = {"ga": "A/RES/", "sc": "S/RES/"}
P5 = frozenset({"CHN", "FRA", "GBR", "USA", "RUS", "SUN"})  # permanent seats (SUN: the USSR's, to 1991)
PAGE_SIZE = 100
MAX_PAGES = 1000  # a guard against a server that never stops paging
# What one page may hold, checked before (HTML) or while (MARCXML) it is parsed, so that a page
# within the byte limit still cannot become a parse tree or record list of gigabytes:
MAX_PAGE_RECORDS = 1000  # records or hits on one page: we ask for PAGE_SIZE (100)
MAX_RECORD_ELEMENTS = 20_000  # XML elements in one MARC record: a real one has ~1,100 (193 states)
MAX_HTML_TAGS = 200_000  # tags on one HTML page: a real search page of 50 hits has ~17,000, a record page ~800
MAX_STATES = 400  # member states in one record: the UN has 193
VOTE_TAGS = ("967", "968", "969")
TOTAL_COMMENT = re.compile(rb"Search-Engine-Total-Number-Of-Results:\s*([0-9]{1,18})\b")

GA_COLUMNS = ("undl_id", "ms_code", "ms_name", "ms_vote", "date", "session", "resolution", "draft",
              "committee_report", "meeting", "title", "agenda_title", "subjects", "vote_note",
              "total_yes", "total_no", "total_abstentions", "total_non_voting", "total_ms", "undl_link")
SC_COLUMNS = ("undl_id", "ms_code", "ms_name", "permanent_member", "ms_vote", "date", "resolution",
              "draft", "meeting", "title", "agenda", "subjects", "vote_note", "total_yes", "total_no",
              "total_abstentions", "total_non_voting", "total_ms", "undl_link")


@dataclass
class Record:
    """One voting record as parsed: its fields once (``common``, shaped like the bulk CSV's
    columns) and one (code, name, vote) per member state, or why it was left out.

    Held compactly: an update may hold thousands of records, and 193 dicts per record (one per
    CSV-shaped row) would take a hundred times the memory of the text they carry."""

    rid: int
    symbol: str = ""
    date: str = ""
    modified: str | None = None  # MARC 005
    common: dict = field(default_factory=dict)
    states: tuple = ()  # (ms_code, ms_name, ms_vote) per member state
    skipped: str | None = None
    body: str = "ga"

    @property
    def rows(self) -> list[dict]:
        """The record as bulk-CSV-shaped rows, one per member state (built on demand)."""
        out = []
        for code, name, vote in self.states:
            row = {**self.common, "ms_code": code, "ms_name": name, "ms_vote": vote}
            if self.body == "sc":
                row["permanent_member"] = "True" if code in P5 else "False"
            out.append(row)
        return out


class Budget:
    """What one update may take in all: records, bytes held and time (docs/limits.md).

    Every limit is read (and so checked) when the budget is made, before any request. ``take``
    counts a record in and shares its (code, name, vote) triples with the records before it, so
    193 member states cost a tuple of references, not 193 copies of the same strings."""

    def __init__(self, clock=None):
        import time

        self.max_records, self.max_bytes = limits.update_max_records(), limits.update_max_bytes()
        self.seconds = limits.update_deadline()
        self.clock = clock or time.monotonic
        self.deadline = self.clock() + self.seconds
        self.records = self.bytes = 0
        self._triples: dict = {}

    def reset(self) -> None:
        """Forget the records taken (not the time spent): they were dropped."""
        self.records = self.bytes = 0
        self._triples = {}

    def left(self) -> float:
        """Seconds left; past the deadline, a FetchError that ends the update."""
        left = self.deadline - self.clock()
        if left <= 0:
            raise self.too_slow()
        return left

    def too_slow(self) -> FetchError:
        return FetchError(f"gave up the update of the UN Digital Library voting records: it took longer than "
                          f"{self.seconds:g} s in all (UNVOTE_UPDATE_DEADLINE raises the limit); the store was "
                          "not changed")

    def count(self, n: int) -> None:
        """Note ``n`` more records (search hits or parsed records) against the record cap."""
        self.records += n
        if self.records > self.max_records:
            raise FetchError(f"the UN Digital Library search returned more than {self.max_records:,} voting "
                             f"records for one update, far more than an update brings (UNVOTE_UPDATE_MAX_RECORDS "
                             "raises the limit); the store was not changed")

    def take(self, rec: Record) -> Record:
        """Hold ``rec`` (its triples shared with earlier records), counting its bytes."""
        cost = 200 + sum(64 + len(str(v)) for v in rec.common.values()) + 64 * len(rec.states)
        shared = []
        for triple in rec.states:
            kept = self._triples.get(triple)
            if kept is None:
                kept = self._triples[triple] = triple
                cost += 200 + sum(len(t) for t in triple)
            shared.append(kept)
        rec.states = tuple(shared)
        self.bytes += cost
        if self.bytes > self.max_bytes:
            raise FetchError(f"the voting records of this update would hold more than {self.max_bytes:,} bytes, "
                             "far more than an update brings (UNVOTE_UPDATE_MAX_BYTES raises the limit); "
                             "the store was not changed")
        return rec


@dataclass
class Harvest:
    body: str
    source: str  # "undl-marcxml" or "undl-html"
    since: str
    until: str
    records: list[Record] = field(default_factory=list)
    pages: int = 0
    reported_total: int | None = None
    fallback: str | None = None  # why the HTML pages were used

    @property
    def kept(self) -> list[Record]:
        return [r for r in self.records if r.skipped is None]

    @property
    def skipped(self) -> list[Record]:
        return [r for r in self.records if r.skipped is not None]

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.fallback:
            out.append(f"the MARCXML export was refused ({self.fallback}); read the HTML record pages instead")
        reasons: dict[str, list[str]] = {}
        for r in self.skipped:
            reasons.setdefault(r.skipped, []).append(r.symbol or str(r.rid))
        for why, which in reasons.items():
            more = " …" if len(which) > 5 else ""
            out.append(f"left out {len(which)} record(s) ({why}): {', '.join(which[:5])}{more}")
        if self.reported_total is not None and len(self.records) < self.reported_total:
            out.append(f"the search reported {self.reported_total} records but returned "
                       f"{len(self.records)}; run {fetch_command(self.body, update=True)} again later")
        return out

    def ingest(self):
        """The kept records as an ``undl_csv.Ingest`` (None when there are none).

        Built column by column: the record fields once per record (``from_rows``' ``firsts``),
        the per-vote columns once per member state, never a row of every column per vote."""
        import numpy as np
        import pyarrow as pa

        kept = [r for r in self.kept if r.states]
        if not kept:
            return None
        columns = GA_COLUMNS if self.body == "ga" else SC_COLUMNS
        per_vote = ("undl_id", "ms_code", "ms_name", "ms_vote", "vote_note", "permanent_member")
        firsts = pa.table({c: pa.array([r.common.get(c, "") for r in kept], pa.string())
                           for c in columns if c not in per_vote})
        sizes = np.array([len(r.states) for r in kept], np.int64)
        votes = {"undl_id": pa.array(np.repeat(np.array([r.rid for r in kept], np.int64), sizes))}
        for i, col in enumerate(("ms_code", "ms_name", "ms_vote")):
            votes[col] = pa.array([s[i] for r in kept for s in r.states], pa.string())
        votes["vote_note"] = pa.nulls(int(sizes.sum()), pa.string()).fill_null("")
        if self.body == "sc":
            votes["permanent_member"] = pa.array(["True" if s[0] in P5 else "False" for r in kept for s in r.states],
                                                 pa.string())
        return from_rows(pa.table(votes), f"UN Digital Library records {self.since} → {self.until}",
                         source=self.source, firsts=firsts)


# ---- searching -----------------------------------------------------------------------------
def search_params(body: str, since: dt.date, until: dt.date, *, jrec: int = 1, rg: int = PAGE_SIZE,
                  of: str = "xm") -> dict:
    """Query of the Voting Data collection: ``body``'s recorded votes dated ``since``–``until``."""
    return {"cc": "Voting Data", "ln": "en", "p": f"269__a:{since.isoformat()}->{until.isoformat()}",
            "fct__2": BODY_FACET[body], "fct__9": "Vote", "of": of, "rg": rg, "jrec": jrec}


def harvest(client, body: str, base_url: str, since: dt.date, until: dt.date, *, progress=None,
            notify=None, budget: Budget | None = None) -> Harvest:
    """Every voting record of ``body`` dated ``since``–``until``, from MARCXML or else HTML pages.

    Within ``budget`` (default: the limits of docs/limits.md): past its record cap, its bytes or
    its deadline, a FetchError ends the harvest, whatever the server claims or keeps sending."""
    if body not in BODY_FACET:
        raise ValueError(body)
    budget = budget or Budget(client.clock)
    try:
        return _harvest_marcxml(client, body, base_url, since, until, progress, budget)
    except Refused as exc:
        if notify:
            notify(f"MARCXML export refused; trying the HTML record pages ({exc})")
        budget.reset()  # what the refused export sent is dropped
        result = _harvest_html(client, body, base_url, since, until, progress, budget)
        result.fallback = _short(str(exc))
        return result


def _get(client, budget: Budget, getter, url: str, **kw):
    """``getter(client, url, …)`` within the update's deadline (a slow page cannot outlast it)."""
    try:
        return getter(client, url, deadline=client.clock() + budget.left(), **kw)
    except FetchError:
        if budget.clock() >= budget.deadline:
            raise budget.too_slow() from None
        raise


def _harvest_marcxml(client, body, base_url, since, until, progress, budget: Budget) -> Harvest:
    out = Harvest(body, "undl-marcxml", since.isoformat(), until.isoformat())
    search, manual = f"{base_url}/search", _manual(base_url, body)

    def page(params):
        data, _ = _get(client, budget, get_bytes, search, params=params, manual_url=manual, expect="xml",
                       command=fetch_command(body, file=PLACEHOLDER))
        m = TOTAL_COMMENT.search(data[:4096])
        return parse_marcxml(data, body, search), (int(m.group(1)) if m else None)

    _paging(out, page, body, since, until, "xm", progress, out.records, budget, take=True)
    return out


def _harvest_html(client, body, base_url, since, until, progress, budget: Budget) -> Harvest:
    out = Harvest(body, "undl-html", since.isoformat(), until.isoformat())
    search, manual = f"{base_url}/search", _manual(base_url, body)

    def page(params):
        return parse_search_html(_get(client, budget, get_text, search, params=params, manual_url=manual,
                                      expect="html", command=fetch_command(body, file=PLACEHOLDER)),
                                 search)

    hits: list[Record] = []  # the record cap is counted on the hits: no record page is queued past it
    _paging(out, page, body, since, until, "hb", progress, hits, budget, take=False)
    for hit in hits:
        if hit.symbol and not hit.symbol.startswith(SYMBOL_PREFIX[body]):
            hit.skipped = f"not a {body.upper()} resolution"
        if hit.skipped:
            out.records.append(hit)
            continue
        url = f"{base_url}/record/{hit.rid}"
        text = _get(client, budget, get_text, url, params={"ln": "en"}, manual_url=manual, expect="html",
                    command=fetch_command(body, file=PLACEHOLDER))
        out.records.append(budget.take(parse_record_html(text, hit.rid, body, url)))
        del text
    return out


def _paging(out: Harvest, fetch_page, body, since, until, of, progress, target: list, budget: Budget,
            take: bool) -> None:
    """Request pages until the reported total has arrived or a page is empty; never trust one page.

    ``jrec`` advances by the records actually received: the server may cap ``rg`` below ours.
    Each page's records count against ``budget`` (and, with ``take``, are held through it) before
    the next page is asked for: a server that claims millions is stopped at the cap.
    """
    jrec, seen, task = 1, set(), None
    while out.pages < MAX_PAGES:
        budget.left()
        records, total = fetch_page(search_params(body, since, until, jrec=jrec, of=of))
        out.pages += 1
        if total is not None:
            out.reported_total = total
        if progress is not None:
            if task is None:
                task = progress.add_task("UNDL voting records", total=out.reported_total, unit="records")
            progress.update(task, total=out.reported_total, advance=len(records))
        if not records:
            break
        fresh = [r for r in records if r.rid not in seen]
        if not fresh:
            raise DataFormatError(f"the UN Digital Library search returned the same records again at "
                                  f"jrec={jrec}: its paging is not working; try again later")
        budget.count(len(fresh))
        seen.update(r.rid for r in fresh)
        if take:
            fresh = [budget.take(r) for r in fresh]
        target.extend(fresh)
        jrec += len(records)
        if out.reported_total is not None and jrec > out.reported_total:
            break


def _manual(base_url: str, body: str) -> str:
    return f"{base_url}/record/{RECORDS[body]}"


def _short(text: str) -> str:
    return text.split(";")[0]


# ---- MARCXML -------------------------------------------------------------------------------
def parse_marcxml(data: bytes, body: str, where: str = "MARCXML") -> list[Record]:
    """Records of a MARCXML collection (or a single record). Unsafe XML is refused.

    Parsed as a stream (defusedxml's iterparse: no DTD, no entity declarations, no external
    resources); each ``<record>`` is turned into a Record and then dropped, so memory holds one
    record's tree at a time, not the whole answer's.
    """
    import io
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree as DET

    out: list[Record] = []
    depth, root_tag, elements = 0, None, 0
    try:
        for event, elem in DET.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True,
                                         forbid_entities=True, forbid_external=True):
            if event == "start":
                if root_tag is None:
                    root_tag = _local(elem.tag)
                    if root_tag not in ("collection", "record"):
                        raise DataFormatError(f"{where}: expected a MARCXML <collection>, got <{root_tag}>")
                depth += 1
                elements += 1  # within the current record (reset as each one ends)
                if elements > MAX_RECORD_ELEMENTS:
                    raise DataFormatError(f"{where}: a record with more than {MAX_RECORD_ELEMENTS:,} XML "
                                          "elements, far more than a voting record has; refused")
                continue
            depth -= 1
            # a record that is the document, or a direct child of the collection
            if _local(elem.tag) == "record" and depth == (0 if root_tag == "record" else 1):
                if len(out) >= MAX_PAGE_RECORDS:
                    raise DataFormatError(f"{where}: more than {MAX_PAGE_RECORDS:,} records on one page, "
                                          f"which asked for {PAGE_SIZE}; refused")
                out.append(marc_record(elem, body))
                elem.clear()
                elements = 0
    except defusedxml.DefusedXmlException as exc:
        raise DataFormatError(f"{where}: refused unsafe XML ({type(exc).__name__}: a DTD or entity "
                              "declaration, which MARCXML never needs)") from exc
    except ParseError as exc:
        raise DataFormatError(f"{where}: not well-formed XML ({exc})") from exc
    if root_tag is None:
        raise DataFormatError(f"{where}: not well-formed XML (no element)")
    return out


def marc_record(elem, body: str) -> Record:
    """One MARC ``<record>`` → Record with bulk-CSV-shaped rows (or the reason it was skipped)."""
    control: dict[str, str] = {}
    fields: dict[str, list[dict[str, list[str]]]] = {}
    for child in elem:
        tag = child.get("tag", "")
        if _local(child.tag) == "controlfield":
            control[tag] = (child.text or "").strip()
        elif _local(child.tag) == "datafield":
            subs: dict[str, list[str]] = {}
            for sf in child:
                if _local(sf.tag) == "subfield":
                    subs.setdefault(sf.get("code", ""), []).append((sf.text or "").strip())
            fields.setdefault(tag, []).append(subs)

    def first(tag, code):
        for f in fields.get(tag, ()):
            for value in f.get(code, ()):
                if value:
                    return value
        return ""

    def every(tag, code):
        return [v for f in fields.get(tag, ()) for v in f.get(code, ()) if v]

    rid_text = control.get("001", "")
    if _number(rid_text) is None:
        return Record(0, skipped="no record id (001)")
    rec = Record(int(rid_text), symbol=first("791", "a"), modified=control.get("005") or None)
    rec.date = _iso_date(first("269", "a"))
    if _skip_unless_voted_resolution(rec, body, "no vote date (269)"):
        return rec
    title = " ".join(v for code in "abc" for v in (first("245", code),) if v)
    drafts, reports = [], []
    for symbol in every("993", "a"):
        (drafts if body == "sc" or "/L." in symbol else reports).append(symbol)
    summary = {k: first("996", code) for k, code in (("total_yes", "b"), ("total_no", "c"),
                                                    ("total_abstentions", "d"), ("total_non_voting", "e"),
                                                    ("total_ms", "f"))}
    common = {"undl_id": rid_text, "date": rec.date, "resolution": rec.symbol,
              "draft": "|".join(drafts), "meeting": first("952", "a"), "title": title,
              # subjects: the 650 concepts, else the agenda item's subject heading (991 $d)
              "subjects": "|".join(dict.fromkeys(every("650", "a") or every("991", "d"))),
              "undl_link": f"https://digitallibrary.un.org/record/{rid_text}",
              **{k: _digits(v) for k, v in summary.items()}}
    agenda = "|".join(dict.fromkeys(every("991", "c")))
    if body == "ga":
        common.update({"session": session_of(rec.symbol) or _session_code(first("791", "c")),
                       "committee_report": "|".join(reports), "agenda_title": agenda})
    else:
        common["agenda"] = agenda
    states = []
    for tag in VOTE_TAGS:
        for f in fields.get(tag, ()):
            code = (f.get("c") or [""])[0].upper()
            name = (f.get("e") or [""])[0]
            vote = (f.get("d") or [""])[0]  # absent $d: did not vote
            states.append((code, name, vote))
    return _finish(rec, common, states, body)


def _finish(rec: Record, common: dict, states: list[tuple[str, str, str]], body: str) -> Record:
    """Resolve codes, check the breakdown, and keep the record's fields and states."""
    rec.body = body
    if not states:
        rec.skipped = "no country-by-country breakdown"
        return rec
    if len(states) > MAX_STATES:
        rec.skipped = f"{len(states):,} member states listed, more than the UN has ever had"
        return rec
    out, seen = [], set()
    for code, name, vote in states:
        if not code:
            code = countries.code_for_name(name) or ""
            if not code:
                rec.skipped = f"member-state name not in the country table: {name!r}"
                return rec
        if not name:
            name = countries.display_name(code).upper()
        if code in seen:
            rec.skipped = f"member state listed twice: {code}"
            return rec
        seen.add(code)
        out.append((code, name, vote))
    rec.common, rec.states = common, tuple(out)
    return rec


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _number(text: str) -> int | None:
    """``text`` as a whole number if it is 1–18 ASCII digits, else None (never a ValueError:
    ``"²".isdigit()`` is True, and int() refuses 4,301 digits)."""
    return int(text) if text and len(text) <= 18 and text.isascii() and text.isdigit() else None


def _digits(text: str) -> str:
    m = re.search(r"[0-9]+", text or "")
    value = _number(m.group(0)) if m else None
    return "" if value is None else str(value)


def _skip_unless_voted_resolution(rec, body: str, no_date: str) -> bool:
    """Mark ``rec`` skipped (and say so) unless it is a dated resolution of ``body``."""
    if not rec.symbol.startswith(SYMBOL_PREFIX[body]):
        rec.skipped = f"not a {body.upper()} resolution"
    elif not rec.date:
        rec.skipped = no_date
    return bool(rec.skipped)


def _iso_date(text: str) -> str:
    text = (text or "").strip()
    for pattern in (r"^([0-9]{4})-([0-9]{2})-([0-9]{2})", r"^([0-9]{4})([0-9]{2})([0-9]{2})"):
        m = re.match(pattern, text)
        if m:
            try:
                return dt.date(*map(int, m.groups())).isoformat()
            except ValueError:
                return ""
    return ""


def session_of(symbol: str) -> str:
    """The GA session a symbol belongs to, written as the bulk CSV writes it.

    ``A/RES/78/165`` → ``78``; ``A/RES/ES-11/1`` → ``ES-11``; ``A/RES/2758(XXVI)`` → ``26``;
    ``A/RES/1001(ES-I)`` → ``ES-1``; ``A/RES/107(S-1)`` → ``S-1``; anything else → "".
    """
    s = re.sub(r"\s+", "", symbol.upper())
    m = re.match(r"^A/RES/((?:ES|S)-[0-9]+|[0-9]+)/", s)
    if m:
        return m.group(1)
    m = re.match(r"^A/RES/[0-9]+\((ES-|S-)?([IVXLC]+|[0-9]{1,18})\)", s)
    if m:
        number = m.group(2)
        return f"{m.group(1) or ''}{int(number) if number.isdigit() else from_roman(number)}"
    return ""


def _session_code(code: str) -> str:
    """791 $c: ``80`` → 80, ``10emsp`` → ES-10, ``28sp`` → S-28."""
    m = re.match(r"^([0-9]{1,18})(emsp|sp)?$", code.strip().lower())
    if not m:
        return ""
    return {"emsp": "ES-", "sp": "S-"}.get(m.group(2) or "", "") + str(int(m.group(1)))


# ---- HTML ----------------------------------------------------------------------------------
# Pages are parsed with lxml.html (libxml2's HTML parser: linear time, no network, no entities
# beyond HTML's own), never with regular expressions over the markup.
_VOTE_LINE = re.compile(r"^([YNAyna]|AN) (\S.*)$")
_SUMMARY = {"yes": "total_yes", "no": "total_no", "abstentions": "total_abstentions",
            "non-voting": "total_non_voting", "total voting membership": "total_ms"}


def _html(text: str | bytes, where: str):
    """The parsed page (an lxml.html element), or a DataFormatError."""
    import lxml.etree
    import lxml.html

    data = text.encode("utf-8", errors="replace") if isinstance(text, str) else text
    tags = data.count(b"<")  # counted before parsing: the tree, not the bytes, is what grows
    if tags > MAX_HTML_TAGS:
        raise DataFormatError(f"{where}: a page of {tags:,} tags, far more than a UN Digital Library page "
                              f"has (limit {MAX_HTML_TAGS:,}); refused")
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=False, huge_tree=False)
    try:
        root = lxml.html.fromstring(data, parser=parser) if data.strip() else None
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as exc:
        raise DataFormatError(f"{where}: cannot parse the page as HTML ({exc})") from exc
    if root is None:
        raise DataFormatError(f"{where}: an empty page")
    return root


def _classes(elem) -> list[str]:
    return (elem.get("class") or "").split()


def _is_element(node) -> bool:
    return isinstance(node.tag, str)


def _segments(elem, sep: str = " ") -> list[str]:
    """The text of ``elem`` cut at each ``<br>``; every other tag (and comment) counts as ``sep``
    (a tag between two words separates them, as it does on the page)."""
    out: list[list[str]] = [[]]

    def walk(node):
        if node.text and _is_element(node):
            out[-1].append(node.text)
        for child in node:
            if _is_element(child) and child.tag.lower() == "br":
                out.append([])
            else:
                out[-1].append(sep)
                walk(child)
                out[-1].append(sep)
            if child.tail:
                out[-1].append(child.tail)

    walk(elem)
    return ["".join(parts) for parts in out]


def _text_of(elem) -> str:
    """All the text of ``elem``, ``<br>`` and tags as spaces, whitespace collapsed."""
    return _clean(" ".join(_segments(elem)))


def _metadata_rows(root) -> dict:
    """``<div class="metadata-row"><span class="title…">Label</span><span class="value…">…`` →
    {label (lower case): value element}; the first row of a label wins."""
    rows = {}
    for div in root.iter("div"):
        if "metadata-row" not in _classes(div):
            continue
        spans = [c for c in div if _is_element(c)]
        if len(spans) < 2 or spans[0].tag != "span" or spans[1].tag != "span":
            continue
        title, value = spans[0], spans[1]
        if not (title.get("class") or "").startswith("title") or not (value.get("class") or "").startswith("value"):
            continue
        rows.setdefault(_text_of(title).lower(), value)
    return rows


def parse_search_html(text: str, where: str = "search page") -> tuple[list[Record], int | None]:
    """Hits of an HTML search-results page (``of=hb``): id, symbol, date; records without a
    vote summary (adopted without a vote) come back marked as skipped."""
    root = _html(text, where)
    total = None
    for strong in root.iter("strong"):
        count = (strong.text or "").strip()
        if count and re.fullmatch(r"[0-9,]{1,24}", count) and re.match(r"\s*records? found", strong.tail or ""):
            total = _number(count.replace(",", ""))
            break
    marks = [a for a in root.iter("abbr") if "unapi-id" in _classes(a)]
    if len(marks) > MAX_PAGE_RECORDS:
        raise DataFormatError(f"{where}: {len(marks):,} hits on one page, which asked for {PAGE_SIZE}; refused")
    if total is None and not marks:
        words = _clean(root.text_content()).lower()
        if re.search(r"no records? (?:were )?found", words) or ("search term" in words and "did not match" in words):
            return [], 0
        raise DataFormatError(f"{where}: not a UN Digital Library search-results page")
    hits: list[tuple[Record | None, dict]] = []
    mark_ids = {id(m) for m in marks}
    found: dict = {}
    for node in root.iter():  # document order: each node belongs to the hit whose mark came last
        if id(node) in mark_ids:
            rid = _number((node.get("title") or "").strip())
            found = {"symbol": "", "date": "", "voted": _says_voted(node.tail)}
            hits.append((Record(rid) if rid is not None else None, found))
            continue
        if not found:
            continue
        tail = node.tail
        if node.tag == "i" and tail and not len(node) and not (node.text or "").strip():
            for key, icon in (("symbol", "fa-globe"), ("date", "fa-calendar")):
                if not found[key] and icon in _classes(node) and tail.strip():
                    found[key] = tail.strip()
        if not found["voted"] and ((_is_element(node) and _says_voted(node.text)) or _says_voted(tail)):
            found["voted"] = True
    out = []
    for rec, found in hits:
        if rec is None:
            continue
        rec.symbol, rec.date = found["symbol"], _iso_date(found["date"]) if found["date"] else ""
        if not found["voted"]:
            rec.skipped = "adopted without a vote"
        out.append(rec)
    return out, total


def _says_voted(text: str | None) -> bool:
    """A hit's vote summary ("Yes: 001 | … | Total voting membership: 193"): it was voted on."""
    return bool(text) and ("Yes:" in text or "Total voting membership" in text)


def parse_record_html(text: str, rid: int, body: str, where: str = "record page") -> Record:
    """A record's HTML page (``/record/<id>``) → Record with bulk-CSV-shaped rows."""
    rows = _metadata_rows(_html(text, where))
    if "vote" not in rows and "resolution" not in rows:
        raise DataFormatError(f"{where}: no voting-record fields; not a UN Digital Library record page")

    def text_of(label):
        return _text_of(rows[label]) if label in rows else ""

    def lines_of(label):
        return [_clean(s) for s in _segments(rows[label])] if label in rows else []

    rec = Record(rid, symbol=text_of("resolution"), date=_iso_date(text_of("vote date")))
    if _skip_unless_voted_resolution(rec, body, "no vote date"):
        return rec
    summary = {}
    for part in text_of("vote summary").split("|"):
        if ":" in part:
            key, _, value = part.partition(":")
            key = key.replace("Voting Summary", "").strip().lower()
            if key in _SUMMARY:
                summary[_SUMMARY[key]] = _digits(value)
    agenda = [_agenda_parts(a) for a in lines_of("agenda") if a]
    drafts = [d for d in lines_of("draft resolution") if d]
    reports = [d for d in lines_of("committee report") if d]
    common = {"undl_id": str(rid), "date": rec.date, "resolution": rec.symbol, "draft": "|".join(drafts),
              "meeting": text_of("meeting record"), "title": text_of("title"),
              "subjects": "|".join(dict.fromkeys(h for _, h in agenda if h)),
              "undl_link": f"https://digitallibrary.un.org/record/{rid}", **summary}
    titles = "|".join(dict.fromkeys(a for a, _ in agenda if a))
    if body == "ga":
        common.update({"session": session_of(rec.symbol), "committee_report": "|".join(reports),
                       "agenda_title": titles})
    else:
        common["agenda"] = titles
    states = []
    for line in (_segments(rows["vote"], sep="") if "vote" in rows else []):
        entry = line.strip()
        if not entry:
            continue
        m = _VOTE_LINE.match(entry)
        letter, name = (m.group(1), m.group(2)) if m else ("", entry)  # no letter: did not vote
        states.append(("", " ".join(name.split()), letter))
    return _finish(rec, common, states, body)
def _agenda_parts(text: str) -> tuple[str, str]:
    """``A/78/251 21b Eradicating rural poverty … Development. RURAL POVERTY`` →
    (the item's title, its subject heading); the page runs 991 $a $b $c $d together."""
    text = re.sub(r"^[A-Z]+/\S*\s+\S+\s+", "", text)  # agenda document symbol and item number
    head, sep, tail = text.rpartition(". ")
    return (head, tail) if sep and tail.isupper() else (text, "")
