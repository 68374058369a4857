"""The UN Digital Library's bulk voting CSVs: GA (record 4060887) and SC (record 4055387).

``discover`` finds the current file of a record (its name changes with each release), ``read``
turns a downloaded or local copy into the store's roll-call and vote tables, losslessly: vote
codes are normalised (``y``→``Y``; ``NV``/blank→``X``), anything else is kept and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core import testpoint
from ..core.errors import DataFormatError, FetchError, Refused, Unreachable
from ..core.hints import PLACEHOLDER, fetch_command
from ..model.letters import COUNTS, count_letters
from . import limits
from .http import get_text
from .limits import RATIO_FLOOR

BASE_URL = "https://digitallibrary.un.org"
RECORDS = {"ga": 4060887, "sc": 4055387}
FILE_PATTERN = {"ga": r"(\d{4})_(\d{1,2})_(\d{1,2})_ga_(?:resolutions_)?voting\.csv",
                "sc": r"(\d{4})_(\d{1,2})_(\d{1,2})_sc_voting\.csv"}

# Columns common to the GA and SC layouts that we need; the rest are kept when present.
REQUIRED = ("undl_id", "ms_code", "ms_name", "ms_vote", "date", "resolution")
ROLLCALL_TEXT = ("session", "resolution", "draft", "committee_report", "meeting", "title",
                 "agenda_title", "agenda", "subjects", "modality")
TOTALS = ("total_yes", "total_no", "total_abstentions", "total_non_voting", "total_ms")
VOTE_TEXT = ("ms_code", "ms_name", "ms_vote", "vote_note", "permanent_member")
NON_VOTING = ("X", "NV", "")


@dataclass
class Ingest:
    rollcalls: object  # pyarrow.Table
    votes: object  # pyarrow.Table
    unknown_codes: dict[str, int] = field(default_factory=dict)
    total_mismatches: list[dict] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.unknown_codes:
            codes = ", ".join(f"{c!r} ×{n}" for c, n in sorted(self.unknown_codes.items()))
            out.append(f"kept {sum(self.unknown_codes.values())} vote(s) with codes unvote cannot "
                       f"interpret ({codes}); they count in no Y/N/A/X total")
        if self.total_mismatches:
            shown = ", ".join(m["resolution"] for m in self.total_mismatches[:5])
            more = " …" if len(self.total_mismatches) > 5 else ""
            out.append(f"{len(self.total_mismatches)} record(s) whose counted votes differ from "
                       f"their published totals: {shown}{more}")
        return out


def record_url(body: str) -> str:
    return f"{BASE_URL}/record/{RECORDS[body]}"


def discover(http, body: str = "ga", base_url: str = BASE_URL) -> str:
    """URL of the newest bulk CSV of ``body``, read from the record's file listing, else its page."""
    recid = RECORDS[body]
    page = f"{base_url}/record/{recid}"
    candidates: set[str] = set()
    for url, params in ((f"{base_url}/api/v1/file", {"recid": recid}), (page, None)):
        try:
            text = get_text(http, url, params=params, manual_url=page, command=fetch_command(body, file=PLACEHOLDER))
        except (Refused, Unreachable):
            raise
        except FetchError:
            if params is None:
                raise
            continue  # the listing API is a convenience; the record page is the fallback
        candidates = {m.group(0) for m in re.finditer(FILE_PATTERN[body], text)}
        if candidates:
            break
    if not candidates:
        raise DataFormatError(f"found no *_{body}_voting.csv file on {base_url}/record/{recid}; "
                              f"download it from {record_url(body)} and run: {fetch_command(body, file=PLACEHOLDER)}")
    newest = max(candidates, key=lambda name: tuple(int(g) for g in re.match(FILE_PATTERN[body], name).groups()))
    return f"{base_url}/record/{recid}/files/{newest}"


def read(path: Path) -> Ingest:
    """Read a bulk CSV (plain or gzipped) into roll-call and vote tables.

    Streamed in blocks, under the caps of ``limits`` (decompressed size, gzip ratio, line length):
    a hostile file is refused early, with bounded memory, as a DataFormatError. Only what the store
    keeps is held: the per-vote columns of every row, and the roll-call columns of the first row
    of each record (the values ``from_rows`` takes), not 193 copies of every title.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(path)
    _import_pandas_now()
    caps = _Caps(limits.max_csv_bytes(), limits.max_ratio(), limits.max_field_bytes())
    with open(path, "rb") as fh:
        head = fh.read(4096)
    compression = "gzip" if head[:2] == b"\x1f\x8b" else None
    if compression is None and b"<html" in head.lower():
        raise DataFormatError(f"{path} is an HTML page, not the voting CSV (a bot challenge?)")
    size = path.stat().st_size
    if size > caps.total:
        raise DataFormatError(f"refused {path}: it is {size:,} bytes, more than any voting CSV "
                              f"(limit {caps.total:,}; UNVOTE_MAX_CSV_BYTES raises it)")
    header = _header(path, compression, caps.field)
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise DataFormatError(f"{path} is not a UNDL voting CSV: column(s) {', '.join(twice)} appear more than once")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataFormatError(f"{path} is not a UNDL voting CSV: missing column(s) {', '.join(missing)}")

    # Text columns stay text ("NA" is Namibia, not a missing value); ids, dates and totals are
    # typed by the reader itself, which is faster and names the bad value if one fails to parse.
    # Dictionary-encoded while reading: a title repeats once per member state (193×), a member
    # state's code and name once per roll call; per block, each column holds its few distinct values.
    types = {c: pa.dictionary(pa.int32(), pa.string()) for c in header}
    types.update({"undl_id": pa.int64(), "date": pa.date32()})
    types.update({c: pa.float64() for c in TOTALS if c in header})  # GA writes "141.0"
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                   quoted_strings_can_be_null=False)
    per_vote = [c for c in ("undl_id", *VOTE_TEXT) if c in header]
    seen: set[int] = set()
    vote_batches, first_batches = [], []
    raw = pa.OSFile(str(path))
    stream = pa.CompressedInputStream(raw, compression) if compression else raw
    guard = _Guarded(stream, raw if compression else None, caps, path)
    pool = pa.default_memory_pool()
    try:
        # Read through ``guard`` on this thread, and parse each piece from an Arrow-owned copy:
        # Arrow's streaming reader reads ahead on a thread of its own, which must never run Python
        # code (``guard``) nor hold a Python object: after an error it may still be alive as the
        # interpreter exits (an abort, exit 134, in about half the runs of a 16 MB file with a bad
        # id in its first block). ``open_csv``, unlike ``read_csv``, leaves Ctrl-C to unvote's handler.
        for piece, first in _pieces(guard, PIECE_BYTES):
            sink = pa.BufferOutputStream()
            sink.write(piece)
            del piece
            options = pacsv.ReadOptions(column_names=header, skip_rows=1 if first else 0, block_size=1 << 20)
            reader = pacsv.open_csv(pa.BufferReader(sink.getvalue()), read_options=options,
                                    convert_options=convert)
            del sink
            for batch in reader:
                ids = batch.column("undl_id")
                if ids.null_count:
                    raise DataFormatError(f"{path}: a row has no undl_id")
                id_np = ids.to_numpy()
                uniq, first_rows = np.unique(id_np, return_index=True)
                fresh = np.sort(first_rows[[int(v) not in seen for v in uniq]]) if len(uniq) else first_rows
                if len(fresh):
                    seen.update(int(v) for v in id_np[fresh])
                    # a batch's dictionaries hold only its own distinct values: a few titles, not 193 copies
                    first_batches.append(batch.take(pa.array(fresh)))
                vote_batches.append(batch.select(per_vote))
                testpoint.pause("read")  # tests stop a fetch mid-read here
            del reader
    except DataFormatError:
        raise
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        if guard.refused is not None:
            raise guard.refused from None
        raise DataFormatError(f"cannot read {path} as CSV: {_one_line(exc)}") from exc
    finally:
        stream.close()
        raw.close()
    if guard.refused is not None:
        raise guard.refused
    if not vote_batches:
        raise DataFormatError(f"{path} has a header but no votes")
    votes = pa.Table.from_batches(vote_batches)
    firsts = pa.Table.from_batches(first_batches)
    del vote_batches, first_batches
    pool.release_unused()  # the parser's blocks: give them back before the next step
    return from_rows(votes, str(path), source="undl-csv", firsts=firsts)


PIECE_BYTES = 8 << 20  # the CSV is parsed in pieces of about this many bytes, each cut after a newline


def _pieces(guard, size: int):
    """(bytes, is the first piece) of the CSV read through ``guard``, about ``size`` bytes each,
    cut after the last newline (values never span lines: see ``read``)."""
    rest, first = b"", True
    while True:
        parts, total, end = [rest], len(rest), False
        while total < size:
            data = guard.read(1 << 20)
            if not data:
                end = True
                break
            parts.append(data)
            total += len(data)
        block = b"".join(parts)
        del parts
        if end:
            if block.strip():
                yield block, first
            return
        cut = block.rfind(b"\n") + 1
        if cut == 0:  # a line longer than a piece (UNVOTE_MAX_FIELD_BYTES raised past it): read on
            rest = block
            continue
        rest = block[cut:]
        yield block[:cut], first
        first = False


def _import_pandas_now() -> None:
    """Import pandas (when installed) here, in plain Python, before pyarrow does. pyarrow imports it
    lazily inside ``Array.to_numpy``, in code that drops exceptions: a Ctrl-C landing during that
    import (about half a second, early in every fetch) was lost — the fetch went on and exited 0 —
    or left pandas half-imported (exit 70). pyarrow would import it anyway: this costs nothing."""
    try:
        import pandas  # noqa: F401
        import pyarrow.pandas_compat  # noqa: F401
    except ImportError:
        pass


class _Caps:
    def __init__(self, total: int, ratio: float, field: int):
        self.total, self.ratio, self.field = total, ratio, field


class _Guarded:
    """A read-only file over the (decompressed) CSV bytes that refuses, as soon as it sees one:
    more than ``caps.total`` bytes, a gzip expanding more than ``caps.ratio``:1, a line longer
    than ``caps.field``. The reason is kept in ``refused`` (the CSV reader may wrap what we raise)."""

    def __init__(self, stream, raw, caps: _Caps, path: Path):
        self.stream, self.raw, self.caps, self.path = stream, raw, caps, path
        self.floor = RATIO_FLOOR
        self.count = 0  # decompressed bytes handed out
        self.run = 0  # bytes since the last newline
        self.refused: DataFormatError | None = None
        self.closed = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True

    def read(self, n: int = -1) -> bytes:
        caps = self.caps
        want = caps.field if n is None or n < 0 else max(1, min(n, caps.field))
        chunk = self.stream.read(want)
        self.count += len(chunk)
        if self.count > caps.total:
            self._refuse(f"expands to more than {caps.total:,} bytes, more than any voting CSV "
                         f"(UNVOTE_MAX_CSV_BYTES raises the limit)")
        if self.raw is not None and self.count > self.floor:
            used = max(self.raw.tell(), 1)
            if self.count > caps.ratio * used:
                self._refuse(f"is a gzip that expands more than {caps.ratio:g}:1 ({self.count:,} bytes "
                             f"from {used:,}); a voting CSV compresses about 33:1 "
                             f"(UNVOTE_MAX_RATIO raises the limit)")
        # A chunk is at most caps.field long, so a longer line crosses a chunk boundary.
        first = chunk.find(b"\n")
        if first < 0:
            self.run += len(chunk)
        else:
            self.run += first
            if self.run <= caps.field:
                self.run = len(chunk) - chunk.rfind(b"\n") - 1
        if self.run > caps.field:
            self._refuse(f"has a line longer than {caps.field:,} bytes; a voting CSV's lines are "
                         f"at most about 1,200 (UNVOTE_MAX_FIELD_BYTES raises the limit)")
        return chunk

    def _refuse(self, why: str):
        self.refused = DataFormatError(f"refused {self.path}: it {why}")
        raise self.refused


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _header(path: Path, compression: str | None, limit: int = 1 << 20) -> list[str]:
    import csv
    import gzip
    import io

    opener = gzip.open if compression else open
    try:
        with opener(path, "rb") as raw:
            line = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="").readline(limit + 1)
        if len(line) > limit:
            raise DataFormatError(f"refused {path}: its header line is longer than {limit:,} bytes; "
                                  "a voting CSV's is about 250 (UNVOTE_MAX_FIELD_BYTES raises the limit)")
        if csv.field_size_limit() < limit:
            csv.field_size_limit(limit)
        return next(csv.reader([line]), [])
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise DataFormatError(f"cannot read {path}: {_one_line(exc)}") from exc


def from_rows(table, where: str, source: str, firsts=None) -> Ingest:
    """Bulk-CSV-shaped rows → Ingest. Shared by the bulk file and record exports.

    Columns may be text or already typed (int ids, date32 dates, numeric totals). Text columns are
    normalised on their dictionary (a few hundred distinct values), not on 900,000 rows.
    ``firsts``: when given, the roll-call columns come from it (the first row of each record, in
    order of first appearance) and ``table`` needs only the per-vote columns.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    if n == 0:
        raise DataFormatError(f"{where} has a header but no votes")
    ids = table["undl_id"] if pa.types.is_integer(table["undl_id"].type) else \
        _to_int(table["undl_id"], "undl_id", where)

    vote = _recode(table["ms_vote"], _vote_letter)
    letters = vote.dictionary.to_pylist()
    vote_idx = vote.indices.to_numpy(zero_copy_only=False)
    per_letter = np.bincount(vote_idx, minlength=len(letters))
    unknown = {c: int(k) for c, k in zip(letters, per_letter) if c not in COUNTS and k}

    # One roll call per record id, in order of first appearance; rows stay in source order.
    # Hashing (dictionary_encode) rather than sorting: it gives each row's roll-call position
    # directly and keeps the peak memory of a 900,000-row file low.
    encoded = pc.dictionary_encode(ids.combine_chunks() if hasattr(ids, "combine_chunks") else ids)
    rc_ids = encoded.dictionary
    rc_pos = encoded.indices.to_numpy(zero_copy_only=False)
    del encoded
    n_rc = len(rc_ids)
    if firsts is None:
        order = np.unique(rc_pos, return_index=True)[1]  # each record's first row
    if firsts is None:
        names = table.column_names

        def pick(col):
            return table[col].take(order)
    else:
        if firsts.num_rows != n_rc:
            raise ValueError("firsts must hold one row per record")
        names = firsts.column_names

        def pick(col):
            return firsts[col]
    dates = pick("date")
    dates = dates if pa.types.is_date32(dates.type) else _to_date(dates, where)
    _check_dates(dates, rc_ids, where)
    rc = {"rollcall_id": rc_ids, "date": dates}
    for col in ROLLCALL_TEXT:
        if col in names:
            rc[col] = pc.utf8_trim_whitespace(_as_text(pick(col)))
    # The SC file has no session and calls its title "description".
    if "title" not in rc and "description" in names:
        rc["title"] = pc.utf8_trim_whitespace(_as_text(pick("description")))
    rc.setdefault("session", pa.nulls(n_rc, pa.string()))
    counts = count_letters(rc_pos, vote_idx, letters, n_rc)  # one pass (model.letters)
    for name in COUNTS.values():
        rc[f"counted_{name}"] = pa.array(counts[name], pa.int32())
    rc["members"] = pa.array(counts["members"], pa.int32())
    del counts
    rc["kind"] = pa.array(["resolution"] * n_rc)  # the UNDL lists adopted resolutions only
    rc["source"] = pa.array([source] * n_rc)
    for col in TOTALS:
        if col in names:
            rc[col] = _to_count(pick(col), col, where)
    rollcalls = pa.table(rc)

    ms_code = _recode(table["ms_code"], str.strip)
    vt = {"rollcall_id": ids, "ms_code": ms_code, "ms_name": _recode(table["ms_name"], str.strip),
          "vote": vote}
    if "vote_note" in table.column_names:
        vt["vote_note"] = _recode(table["vote_note"], str.strip)
    if "permanent_member" in table.column_names:  # SC: "True"/"False" → boolean
        flag = _recode(table["permanent_member"], lambda v: v.strip().lower())
        vt["permanent_member"] = pc.equal(flag.cast(pa.string()), "true")
    _check_duplicates(rc_pos, ms_code, where)
    return Ingest(rollcalls, pa.table(vt), unknown, _total_mismatches(rollcalls))


def _as_text(column):
    import pyarrow as pa

    return column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column


def _vote_letter(raw: str) -> str:
    """``y``→``Y``; ``X``, ``NV`` or blank → ``X`` (non-voting); anything else kept as found."""
    letter = raw.strip().upper()
    return "X" if letter in NON_VOTING else letter


def _recode(column, fix):
    """Apply ``fix`` to each distinct value; returns a dictionary array with distinct entries."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    encoded = encoded.unify_dictionaries().combine_chunks() if hasattr(encoded, "unify_dictionaries") \
        else encoded
    fixed = [fix(v) for v in encoded.dictionary.to_pylist()]
    distinct = sorted(set(fixed))
    position = {v: i for i, v in enumerate(distinct)}  # a dict: linear in the distinct values
    lookup = np.array([position[v] for v in fixed] or [0], dtype=np.int32)
    indices = lookup[encoded.indices.to_numpy(zero_copy_only=False)]
    return pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(distinct, pa.string()))


def _to_int(col, name, where):
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(pc.utf8_trim_whitespace(col), pa.int64())
    except pa.ArrowInvalid as exc:
        raise DataFormatError(f"{where}: column {name} has a non-numeric value ({exc})") from exc


def _to_date(col, where):
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(pc.strptime(pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(col), 0, 10),
                                   format="%Y-%m-%d", unit="s"), pa.date32())
    except pa.ArrowInvalid as exc:
        raise DataFormatError(f"{where}: a vote date is not YYYY-MM-DD ({exc})") from exc


# The first General Assembly met on 10 January 1946 (the Charter came into force on 24 October 1945); a
# vote dated before that, or more than a year ahead, is a broken file (year 0 cannot even be printed).
FIRST_DATE = (1945, 10, 24)


def _check_dates(dates, ids, where) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.compute as pc

    days = pc.cast(dates, pa.int32())  # days since 1970: no Python date is made of a year-0 value
    low = (dt.date(*FIRST_DATE) - dt.date(1970, 1, 1)).days
    high = (dt.date.today() - dt.date(1970, 1, 1)).days + 366
    bad = pc.or_(pc.less(days, low), pc.greater(days, high))
    if pc.any(bad).as_py():
        index = pc.index(bad, True).as_py()
        day = days[index].as_py()
        shown = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat() \
            if -719162 <= day <= 2932896 else f"{day} days from 1970"
        raise DataFormatError(f"{where}: record {ids[index].as_py()} is dated {shown}, outside "
                              f"{dt.date(*FIRST_DATE)} to a year from today")


def _to_count(col, name, where):
    """Published totals are written as floats ("141.0") in GA files, integers in SC files."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_string(col.type):
        text = pc.utf8_trim_whitespace(col)
        try:
            col = pc.cast(pc.if_else(pc.equal(text, ""), None, text), pa.float64())
        except pa.ArrowInvalid as exc:
            raise DataFormatError(f"{where}: column {name} has a non-numeric value ({exc})") from exc
    try:
        return pc.cast(col, pa.int32())  # refuses 141.5: a count must be whole
    except pa.ArrowInvalid as exc:
        raise DataFormatError(f"{where}: column {name} has a non-whole count ({exc})") from exc


def _total_mismatches(rollcalls) -> list[dict]:
    if "total_yes" not in rollcalls.column_names:
        return []
    pairs = (("total_yes", "counted_yes"), ("total_no", "counted_no"),
             ("total_abstentions", "counted_abstain"), ("total_non_voting", "counted_non_voting"),
             ("total_ms", "members"))
    cols = {c: rollcalls[c].to_pylist() for pair in pairs for c in pair if c in rollcalls.column_names}
    out = []
    for i, (rid, sym) in enumerate(zip(rollcalls["rollcall_id"].to_pylist(),
                                       rollcalls["resolution"].to_pylist())):
        diff = {pub: (cols[pub][i], cols[cnt][i]) for pub, cnt in pairs
                if pub in cols and cols[pub][i] is not None and cols[pub][i] != cols[cnt][i]}
        if diff:
            out.append({"rollcall_id": rid, "resolution": sym,
                        "published_vs_counted": {k: list(v) for k, v in diff.items()}})
    return out


def _check_duplicates(rc_pos, ms_code, where) -> None:
    import numpy as np

    codes = ms_code.indices.to_numpy(zero_copy_only=False)
    key = rc_pos.astype(np.int64) * (len(ms_code.dictionary) + 1) + codes
    key.sort()  # in place: a sorted copy of 900,000 keys is all the memory this needs
    same = key[1:] == key[:-1]
    if not same.any():
        return
    names = ms_code.dictionary.to_pylist()
    dup = [names[k % (len(names) + 1)] for k in np.unique(key[1:][same])[:3]]
    raise DataFormatError(f"{where}: a member state is listed twice in one record ({', '.join(dup)})")
