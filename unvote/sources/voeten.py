"""Erik Voeten's UN General Assembly roll-call data (Harvard Dataverse, doi:10.7910/DVN/LEJUQZ).

``list_files`` and ``pick`` find the roll-call votes file through the Dataverse API; ``read`` turns
a copy (R data ``.RData``/``.rda``, or a CSV/tab export) into the store's tables:

* votes: 1 yes → ``Y``, 2 abstain → ``A``, 3 no → ``N``, 8 absent → ``X`` (non-voting); 9 (not a
  member) gets no row at all, as the UN data lists members only. Any other code is kept as text
  and reported.
* countries: Correlates of War ``ccode`` → store code with ``countries.by_ccode(ccode, date)``
  (365 → SUN/RUS, 260 GER, 255 DEU, 678/679 YEM, 680 YMD, 315 CSK, 345 YUG/SCG/SRB …). Every
  ccode must map, or the read fails naming the ones that do not.
* roll calls: ``rcid`` is the roll-call id; ``unres`` is normalised to ``A/RES/…`` where its form
  allows (``R/26/2758`` → ``A/RES/2758(XXVI)``, ``R/33/116C/X`` → ``A/RES/33/116[C-X]``) and kept
  as found in ``unres``; ``kind`` is ``amendment`` (amend = 1), ``paragraph`` (para = 1) or
  ``resolution``; ``importantvote`` and the issue flags ``me nu di hr co ec`` are kept.

Files that carry only part of this are combined: the 2016-17 ``UNVotesPublished.RData`` has no
``amend``/``para``/``descr`` columns, which a roll-call table (the R package ``unvotes``'
``un_roll_calls.rda``, or Voeten's descriptions exported to CSV) passed alongside supplies.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import DataFormatError, MissingDependency
from ..core.hints import PLACEHOLDER, fetch_command
from ..model import countries
from ..model.letters import COUNTS, count_letters
from ..model.sessions import session_holds
from ..model.symbols import parse, to_roman
from ..model.topics import CODES
from .http import get_text

DATAVERSE_URL = "https://dataverse.harvard.edu"
PERSISTENT_ID = "doi:10.7910/DVN/LEJUQZ"
DATASET_PAGE = f"{DATAVERSE_URL}/dataset.xhtml?persistentId={PERSISTENT_ID}"
SOURCE_NAME = ("Erik Voeten, United Nations General Assembly Voting Data, Harvard Dataverse, "
               "doi:10.7910/DVN/LEJUQZ")
FILE_COMMAND = fetch_command("voeten", file=PLACEHOLDER)  # what hints tell the user to run
TERMS = "CC0 1.0 (public domain dedication); cite Voeten (2013) and Bailey, Strezhnev & Voeten (2017)"

VOTE_LETTERS = {1: "Y", 2: "A", 3: "N", 8: "X"}
NOT_A_MEMBER = 9
ISSUES = CODES  # his six issue flags are the six topic codes
FLAGS = ("importantvote", "amend", "para") + ISSUES
# Roll-call columns the sources use (lower-cased), and the vote table's own.
ROLLCALL_SOURCE = ("session", "date", "unres", "short", "descr", "yes", "no", "abstain", "resid") + FLAGS
VOTE_SOURCE = ("rcid", "ccode", "vote")

_R_MAGIC = (b"RDX2\n", b"RDX3\n", b"RDA2\n", b"RDA3\n", b"RDB2\n", b"RDB3\n")
# R/<session>/<number><part>: part letters, optionally a sub-part ("/X", "/IV", "B/VII")
_UNRES = re.compile(r"^(?P<prefix>R|SS|ESS)/(?P<session>[0-9]{1,9})/(?P<number>[0-9]{1,18})"
                    r"(?P<part>[A-Z]{0,2}(?:/(?:[IVXL]+|[A-Z]))?)$")


@dataclass
class Ingest:
    rollcalls: object  # pyarrow.Table
    votes: object  # pyarrow.Table
    report: dict = field(default_factory=dict)  # counts for the manifest
    warnings: list[str] = field(default_factory=list)


# ---- Dataverse -------------------------------------------------------------------------------

def files_url(base_url: str = DATAVERSE_URL, pid: str = PERSISTENT_ID) -> str:
    return (f"{base_url}/api/datasets/:persistentId/versions/:latest-published/files"
            f"?persistentId={pid}")


def list_files(http, base_url: str = DATAVERSE_URL, pid: str = PERSISTENT_ID) -> list[dict]:
    """The dataset's files in its latest published version, as plain dicts.

    Each: id, name (the uploaded file's name), label, tabular (Dataverse converted it to .tab),
    size, md5 (of the uploaded original), content_type.
    """
    import json

    url = files_url(base_url, pid)
    text = get_text(http, url, manual_url=DATASET_PAGE, command=FILE_COMMAND)
    try:
        data = json.loads(text)["data"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataFormatError(f"{url} did not answer with a Dataverse file listing ({exc}); "
                              f"{_manual()}") from exc
    files = []
    for entry in data if isinstance(data, list) else []:
        df = entry.get("dataFile") or {}
        if "id" not in df:
            continue
        tabular = bool(df.get("tabularData")) or bool(df.get("originalFileFormat"))
        checksum = df.get("checksum") or {}
        files.append({
            "id": int(df["id"]),
            "name": df.get("originalFileName") or df.get("filename") or entry.get("label", ""),
            "label": entry.get("label") or df.get("filename", ""),
            "tabular": tabular,
            "size": df.get("originalFileSize") if tabular else df.get("filesize"),
            "md5": df.get("md5") or (checksum.get("value") if checksum.get("type") == "MD5" else None),
            "content_type": df.get("originalFileFormat") or df.get("contentType", ""),
            "restricted": bool(entry.get("restricted")),
        })
    return files


def pick(files: list[dict]) -> dict:
    """The roll-call votes file: named like ``UNVotes…``, R data preferred over CSV/tab."""
    def score(f):
        name = f["name"].lower()
        if not re.search(r"vote", name) or re.search(r"ideal|agree|codebook|descr|readme|\.pdf$|\.docx?$", name):
            return None
        kind = 3 if re.search(r"\.(rdata|rda)$", name) else 2 if re.search(r"\.(csv|tab|tsv)(\.gz)?$", name) \
            else 1 if f["tabular"] else None
        if kind is None:
            return None
        return (not f["restricted"], kind, "unvotes" in name, f["size"] or 0)

    scored = [(s, f) for f in files if (s := score(f)) is not None]
    if not scored:
        names = ", ".join(f["name"] for f in files) or "none"
        raise DataFormatError(f"found no roll-call votes file in the Voeten dataset (files: {names}); "
                              f"{_manual()}")
    return max(scored, key=lambda sf: sf[0])[1]


def download_url(base_url: str, entry: dict) -> str:
    """``/api/access/datafile/{id}``; ``?format=original`` gets the uploaded file, not Dataverse's .tab."""
    url = f"{base_url}/api/access/datafile/{entry['id']}"
    return url + "?format=original" if entry["tabular"] else url


def _manual() -> str:
    return (f"download the votes file (UNVotes…RData) from {DATASET_PAGE} in a browser and run: "
            f"{FILE_COMMAND}")


# ---- reading ---------------------------------------------------------------------------------

def read(paths, *, names: list[str] | None = None) -> Ingest:
    """Read one or more Voeten files (votes, and optionally a roll-call and an issue table).

    ``names``: how to call each file in messages (a download's temporary name says nothing).
    """

    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    names = names or [p.name for p in paths]
    votes = rollcalls = issues = None
    found = []
    for path, name in zip(paths, names):
        for obj, frame in _load(path, name):
            frame = frame.rename(columns={c: str(c).lower() for c in frame.columns})
            cols = set(frame.columns)
            found.append(f"{name}:{obj} ({', '.join(list(frame.columns)[:8])}…)")
            if {"rcid", "ccode", "vote"} <= cols:
                if votes is not None:
                    raise DataFormatError(f"two roll-call vote tables given ({votes[0]} and {name}:{obj}); "
                                          "pass one")
                votes = (f"{name}:{obj}", frame)
            elif "rcid" in cols and "short_name" in cols:
                issues = (f"{name}:{obj}", frame)
            elif "rcid" in cols and cols & {"unres", "amend", "para", "descr", "date"} and "ccode" not in cols:
                rollcalls = (f"{name}:{obj}", frame)
    if votes is None:
        hint = (" (the R package's un_votes table has country names, not Voeten's ccode and vote codes;"
                " use Voeten's UNVotes RData)") if any("country_code" in f for f in found) else ""
        raise DataFormatError(f"no Voeten vote table (columns rcid, ccode, vote) in "
                              f"{', '.join(names)}{hint}; found: {'; '.join(found) or 'no tables'}")

    where, frame = votes
    if len(frame) == 0:
        raise DataFormatError(f"{where} has the vote table's columns but no votes")
    if frame.columns.duplicated().any():
        raise DataFormatError(f"{where}: a column is named twice "
                              f"({', '.join(sorted(set(frame.columns[frame.columns.duplicated()])))})")
    try:
        return _read_votes(frame, where, rollcalls, issues)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        # a layout the reader does not know (a column of the wrong kind, a table missing a key):
        # bad input, reported in one line, never an internal error
        detail = " ".join(str(exc).split())[:200]
        raise DataFormatError(f"{where}: not the layout of Voeten's vote table ({type(exc).__name__}: "
                              f"{detail}); expected numeric rcid, ccode and vote columns") from exc


def from_frames(votes, rollcalls=None, issues=None, *, name: str = "frames") -> Ingest:
    """``read`` on tables already loaded (pandas frames in the layouts ``read`` takes): the votes
    (rcid, ccode, vote), optionally a roll-call table and an issue table (rcid, short_name)."""
    def named(frame, obj):
        return None if frame is None else (f"{name}:{obj}", frame.rename(columns=lambda c: str(c).lower()))

    where, frame = named(votes, "votes")
    return _read_votes(frame, where, named(rollcalls, "rollcalls"), named(issues, "issues"))


def _read_votes(frame, where, rollcalls, issues) -> Ingest:
    import numpy as np
    import pandas as pd

    report: dict = {"vote_table": where}
    warnings: list[str] = []
    rcid = _int_column(frame["rcid"], "rcid", where)
    ccode = _int_column(frame["ccode"], "ccode", where)
    raw_vote = pd.to_numeric(frame["vote"], errors="coerce")
    report["rows"] = int(len(frame))
    report["vote_codes"] = {("NA" if pd.isna(k) else str(int(k))): int(n)
                            for k, n in raw_vote.value_counts(dropna=False).sort_index().items()}

    calls = _rollcall_frame(frame, rcid, rollcalls, issues, report, warnings)

    keep = (raw_vote != NOT_A_MEMBER).to_numpy()
    rc_ids = calls["rcid"].to_numpy()
    rc_pos = np.searchsorted(rc_ids, rcid[keep])
    day = calls["day"].to_numpy()  # int days since epoch, or INT_MIN for a missing date
    codes, code_idx = _map_ccodes(ccode[keep], day[rc_pos], where)
    vote_codes = raw_vote.to_numpy()[keep]
    code_idx, rc_pos, vote_codes, collapsed = _collapse(code_idx, rc_pos, vote_codes, rcid[keep], ccode[keep],
                                                        codes)
    report["collapsed"] = collapsed
    if collapsed["rows"]:
        warnings.append(f"{collapsed['rows']} vote row(s) named a seat already listed in their roll call "
                        f"(e.g. ccodes 710 and 713 both as CHN in October 1971); kept the cast vote")
    return _tables(calls, codes, code_idx, rc_pos, vote_codes, report, warnings)


def _load(path: Path, name: str):
    """[(object name, pandas DataFrame)] from an R data file or a delimited text file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise DataFormatError(f"cannot read {name}: {exc}") from exc
    opener = {b"\x1f\x8b": gzip.open, b"BZ": bz2.open, b"\xfd7": lzma.open}.get(head[:2])
    try:
        inner = opener(path, "rb").read(8) if opener else head
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise DataFormatError(f"cannot read {name}: {exc}") from exc
    if inner.startswith(_R_MAGIC):
        return _load_r(path, name)
    if head.lstrip().lower().startswith((b"<!doc", b"<html")):
        raise DataFormatError(f"{name} is an HTML page, not Voeten's data (a login or guestbook page?)")
    return [("table", _load_text(path, name, compression={gzip.open: "gzip", bz2.open: "bz2",
                                                            lzma.open: "xz"}.get(opener)))]


def _load_r(path: Path, name: str):
    try:
        import pyreadr
    except ImportError:
        raise MissingDependency("reading R data files needs pyreadr: pip install pyreadr "
                                "(or, in unvote's checkout: pip install '.[voeten]')") from None
    try:
        result = pyreadr.read_r(str(path))
    except Exception as exc:  # pyreadr raises its own LibrdataError / PyreadrError types
        raise DataFormatError(f"cannot read {name} as R data: {exc}") from exc
    return list(result.items())


def _load_text(path: Path, name: str, compression):
    """A CSV or tab-separated export (Dataverse's .tab is tab-separated with a header)."""
    import pandas as pd

    opener = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}.get(compression, open)
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline()
    except (OSError, EOFError) as exc:
        raise DataFormatError(f"cannot read {name}: {exc}") from exc
    sep = "\t" if first.count("\t") > first.count(",") else ","
    header = [h.strip().strip('"').lower() for h in first.rstrip("\r\n").split(sep)]
    wanted = set(VOTE_SOURCE + ROLLCALL_SOURCE + ("short_name",))
    text_cols = {"unres", "date", "short", "descr", "short_name"}
    try:
        frame = pd.read_csv(path, sep=sep, compression=compression, encoding="utf-8-sig",
                            usecols=lambda c: str(c).strip().lower() in wanted,
                            dtype={c: str for c in header if c in text_cols} or None,
                            keep_default_na=False, na_values=["NA", ""], low_memory=False)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DataFormatError(f"cannot read {name} as CSV/tab: {exc}") from exc
    return frame.rename(columns=lambda c: str(c).strip())


def _int_column(col, name: str, where: str):
    import pandas as pd

    num = pd.to_numeric(col, errors="coerce")
    if num.isna().any():
        bad = col[num.isna()].iloc[0]
        raise DataFormatError(f"{where}: column {name} has a missing or non-numeric value ({bad!r})")
    return num.to_numpy().astype("int64")


def _flag(col):
    """0/1 flags as small ints; a stray character after the digit (the 2016 file has ``0\\"``)
    is a transcription slip and dropped; anything else is missing."""
    import pandas as pd

    if col.dtype.kind in "biuf":
        return pd.array(col, dtype="Int8")
    text = col.astype("string").str.strip().str.extract(r"^([01])", expand=False)
    return pd.array(pd.to_numeric(text), dtype="Int8")


def _dates(col):
    """R ``Date``/``POSIXct`` values, ``YYYY-MM-DD`` or ``m/d/YYYY`` text → pandas datetime64."""
    import pandas as pd

    if col.dtype.kind == "M":
        return col.dt.normalize().dt.tz_localize(None) if getattr(col.dt, "tz", None) else col.dt.normalize()
    text = col.astype("string").str.strip()
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")  # also "… 00:00:00"
    us = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
    return iso.fillna(us)


def _rollcall_frame(frame, rcid, rollcalls, issues, report, warnings):
    """One row per rcid (sorted): the roll-call columns of the vote table, gaps filled from the
    roll-call and issue tables when given."""
    import numpy as np
    import pandas as pd

    have = [c for c in ROLLCALL_SOURCE if c in frame.columns]
    first = pd.DataFrame({"rcid": rcid}).drop_duplicates("rcid").index.to_numpy()
    calls = frame.iloc[first][have].copy()
    calls.insert(0, "rcid", rcid[first])
    calls = calls.sort_values("rcid").reset_index(drop=True)
    report["rollcalls_in_vote_table"] = int(len(calls))

    if rollcalls is not None:
        where, extra = rollcalls
        extra = extra.copy()
        extra["rcid"] = _int_column(extra["rcid"], "rcid", where)
        extra = extra.drop_duplicates("rcid").set_index("rcid")
        filled = {}
        for col in [c for c in ROLLCALL_SOURCE if c in extra.columns]:
            values = extra[col].reindex(calls["rcid"]).to_numpy()
            if col not in calls.columns:
                calls[col] = values
                filled[col] = int(pd.notna(values).sum())
            else:
                gap = calls[col].isna().to_numpy() & pd.notna(values)
                if gap.any():
                    calls[col] = calls[col].astype(object)
                    calls.loc[gap, col] = values[gap]
                    filled[col] = int(gap.sum())
        report["rollcall_table"] = {"table": where, "filled": filled,
                                    "rcids_without_votes": int((~extra.index.isin(calls["rcid"])).sum())}
    if issues is not None and not set(ISSUES) <= set(calls.columns):
        where, extra = issues
        pairs = set(zip(_int_column(extra["rcid"], "rcid", where), extra["short_name"].astype(str)))
        for flag in ISSUES:
            if flag not in calls.columns:
                calls[flag] = [1 if (r, flag) in pairs else 0 for r in calls["rcid"]]
        report["issue_table"] = where

    missing = [c for c in ("amend", "para") if c not in calls.columns]
    if missing:
        warnings.append("no amend/para columns: every roll call is taken as a vote on a whole resolution "
                        "(pass Voeten's roll-call descriptions, e.g. un_roll_calls.rda, beside the votes)")
    for col in FLAGS:
        calls[col] = _flag(calls[col]) if col in calls.columns else pd.array([pd.NA] * len(calls), dtype="Int8")
    # Missing amend/para (1985 on in the 2016-21 releases) count as 0, as in Voeten's own scripts.
    report["kind_flags_missing"] = int((calls["amend"].isna() & calls["para"].isna()).sum())
    amend = calls["amend"].fillna(0).to_numpy() == 1
    para = calls["para"].fillna(0).to_numpy() == 1
    calls["kind"] = np.where(amend, "amendment", np.where(para, "paragraph", "resolution"))

    dates = _dates(calls["date"]) if "date" in calls.columns else pd.Series(pd.NaT, index=calls.index)
    calls["date"] = dates
    calls["day"] = np.where(dates.isna(), np.iinfo("int64").min,
                            (dates.to_numpy(dtype="datetime64[D]").astype("int64")))
    no_date = calls.loc[dates.isna(), "rcid"].tolist()
    report["rollcalls_without_date"] = no_date
    if no_date:
        warnings.append(f"{len(no_date)} roll call(s) without a readable date (rcid "
                        f"{', '.join(map(str, no_date[:5]))}{' …' if len(no_date) > 5 else ''})")

    unres = calls["unres"].astype("string").str.strip() if "unres" in calls.columns \
        else pd.Series(pd.NA, index=calls.index, dtype="string")
    session = calls["session"] if "session" in calls.columns else pd.Series(pd.NA, index=calls.index)
    parsed = [normalise_unres(u if isinstance(u, str) else None, s, None if pd.isna(d) else d.date())
              for u, s, d in zip(unres, session, dates)]
    calls["unres"] = unres
    # Voeten's own session number: the regular session the roll call counts in (model.sessions)
    calls["regular_session"] = [_session_text(s) or None for s in session]
    calls["resolution"] = [p[0] for p in parsed]
    calls["session"] = [p[1] for p in parsed]
    report["resolution_symbols"] = int(sum(p[0].startswith("A/RES/") for p in parsed))
    return calls


def normalise_unres(unres: str | None, session=None, date=None) -> tuple[str, str]:
    """(resolution, session) for a Voeten ``unres`` and ``session`` (and the roll call's ``date``).

    ``R/26/2758A`` → ``A/RES/2758(XXVI)[A]``, session ``26`` (sessions 1–30 numbered resolutions
    consecutively, with the session in Roman numerals); ``R/35/206Q`` → ``A/RES/35/206Q``;
    ``R/33/116C/X`` → ``A/RES/33/116[C-X]``; ``A/RES/74/77`` stays. ``SS/k/…`` and ``ESS/k/…``
    (special and emergency special sessions, rcid > 9000 in the early data) give session
    ``S-k``/``ES-k``, but their numbers are not resolution numbers, so the symbol stays as found.
    Anything else (missing, ``GOAR/…`` page references, typos) stays as found, session from Voeten.
    An ``R/…`` symbol whose session cannot hold the ``date`` while Voeten's session can (rcid 758
    ``R/2/1069A`` dated 1961-12-04, session 16; rcid 594 ``R/19/595`` dated 1959, session 14) is a
    typo: Voeten's session wins and the symbol stays as found (it names no real resolution).
    """
    fallback = _session_text(session)
    if not unres:
        return "", fallback
    text = re.sub(r"\s+", " ", unres.strip().upper())
    if text.startswith("A/RES/"):
        symbol = text.replace(" ", "")
        parsed = parse(symbol)
        sess = parsed.base.split("/")[0] if parsed and "/" in parsed.base else fallback
        return symbol, sess
    m = _UNRES.match(text.replace(" ", "/"))
    if not m:
        return unres.strip(), fallback
    prefix, sess, number = m.group("prefix"), int(m.group("session")), int(m.group("number"))
    if prefix == "SS":
        return unres.strip(), f"S-{sess}"
    if prefix == "ESS":
        return unres.strip(), f"ES-{sess}"
    if date is not None and fallback.isdigit() and sess != int(fallback) \
            and not session_holds(sess, date) and session_holds(int(fallback), date):
        return unres.strip(), fallback
    raw_part = m.group("part")
    part = raw_part.strip("/").replace("/", "-")
    if sess <= 30:
        return f"A/RES/{number}({to_roman(sess)})" + (f"[{part}]" if part else ""), str(sess)
    suffix = part if len(part) <= 1 and "/" not in raw_part else f"[{part}]"  # "/I": a section, bracketed
    return f"A/RES/{sess}/{number}{suffix}", str(sess)


def _session_text(session) -> str:
    """Voeten's ``session`` as text: ``26.0`` → ``26``; missing → ""; anything else as found."""
    if session is None or _isna(session):
        return ""
    try:
        return str(int(float(session)))
    except (TypeError, ValueError, OverflowError):
        return str(session).strip()


def _isna(x) -> bool:
    if x is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(x))
    except (TypeError, ValueError):  # an array-like: not a missing scalar
        return False


def _map_ccodes(ccode, day, where):
    """Store codes for each (ccode, date): (codes list, int32 index per row).

    ``by_ccode`` depends on the date only where a ccode changed hands (365 SUN → RUS); a ccode
    whose first and last dates give the same code is mapped once (successions only go forward).
    """
    import datetime as dt

    import numpy as np

    missing_day = np.iinfo("int64").min
    epoch = dt.date(1970, 1, 1)

    def code_at(cc, d):
        return countries.by_ccode(cc, None if d == missing_day else epoch + dt.timedelta(days=int(d)))

    codes: list[str] = []
    index: dict[str, int] = {}
    out = np.empty(len(ccode), dtype=np.int32)
    unmapped = []
    order = np.argsort(ccode, kind="stable")
    bounds = np.flatnonzero(np.diff(ccode[order])) + 1
    for rows in np.split(order, bounds):
        if not len(rows):
            continue
        cc = int(ccode[rows[0]])
        days, inverse = np.unique(day[rows], return_inverse=True)
        dated = days[days != missing_day]
        ends = {code_at(cc, dated[0]), code_at(cc, dated[-1])} if len(dated) else set()
        same = next(iter(ends)) if len(ends) == 1 else None
        mapped = [same if same and d != missing_day else code_at(cc, d) for d in days]
        if None in mapped:
            dated = days[days != missing_day]
            span = (f", {epoch + dt.timedelta(days=int(dated[0]))} → {epoch + dt.timedelta(days=int(dated[-1]))}"
                    if len(dated) else "")
            unmapped.append(f"{cc} ({len(rows):,} votes{span})")
            continue
        ids = np.array([index.setdefault(c, len(index)) for c in mapped], dtype=np.int32)
        out[rows] = ids[inverse]
    if unmapped:
        raise DataFormatError(f"{where}: Correlates of War country codes with no store country: "
                              f"{'; '.join(unmapped)}. Add them to unvote/data/countries.csv (ccode column)")
    codes = list(index)
    return codes, out


def _collapse(code_idx, rc_pos, vote_codes, rcid, ccode, codes):
    """Keep one row per (roll call, store code): a cast vote (1/2/3) beats absent (8); two
    different cast votes for one seat are an error."""
    import numpy as np

    key = rc_pos.astype(np.int64) * (len(codes) + 1) + code_idx
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    info = {"rows": 0, "examples": []}
    if (counts == 1).all():
        return code_idx, rc_pos, vote_codes, info
    cast = np.isin(vote_codes, (1, 2, 3))
    # within each key, prefer cast votes, then source order
    order = np.lexsort((np.arange(len(key)), ~cast, key))
    first = np.ones(len(key), bool)
    first[1:] = key[order][1:] != key[order][:-1]
    keep = np.zeros(len(key), bool)
    keep[order[first]] = True
    for k in uniq[counts > 1]:
        rows = np.flatnonzero(key == k)
        votes = {int(v) for v in vote_codes[rows] if v in (1, 2, 3)}
        if len(votes) > 1:
            raise DataFormatError(f"rcid {int(rcid[rows[0]])}: ccodes {sorted(set(ccode[rows].tolist()))} "
                                  f"both map to {codes[code_idx[rows[0]]]} and cast different votes")
        if len(info["examples"]) < 10:
            kept = rows[keep[rows]][0]
            info["examples"].append({"rcid": int(rcid[rows[0]]), "ms_code": codes[code_idx[rows[0]]],
                                     "kept_ccode": int(ccode[kept]),
                                     "dropped_ccodes": sorted(int(c) for c in ccode[rows[~keep[rows]]])})
    info["rows"] = int((~keep).sum())
    return code_idx[keep], rc_pos[keep], vote_codes[keep], info


def _tables(calls, codes, code_idx, rc_pos, vote_codes, report, warnings) -> Ingest:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    n_rc = len(calls)
    # votes in (rcid, source) order: the store's tables are sorted by roll call
    order = np.argsort(rc_pos, kind="stable")
    rc_pos, code_idx, vote_codes = rc_pos[order], code_idx[order], vote_codes[order]

    letters = list(VOTE_LETTERS.values())
    unknown: dict[str, int] = {}
    vote_idx = np.full(len(vote_codes), -1, dtype=np.int32)
    for i, code in enumerate(VOTE_LETTERS):
        vote_idx[vote_codes == code] = i
    odd = vote_idx < 0
    if odd.any():
        for value in np.unique(vote_codes[odd].astype(float)):
            text = "NA" if np.isnan(value) else str(int(value))
            hit = odd & ((vote_codes == value) if not np.isnan(value) else np.isnan(vote_codes.astype(float)))
            unknown[text] = int(hit.sum())
            letters.append(text)
            vote_idx[hit] = len(letters) - 1
        warnings.append(f"kept {int(odd.sum())} vote(s) with codes unvote cannot interpret "
                        f"({', '.join(f'{c!r} ×{n}' for c, n in unknown.items())}); they count in no Y/N/A/X total")
    report["unknown_vote_codes"] = unknown

    names = [countries.display_name(c) for c in codes]
    ids = calls["rcid"].to_numpy()
    votes = pa.table({
        "rollcall_id": pa.array(ids[rc_pos], pa.int64()),
        "ms_code": pa.DictionaryArray.from_arrays(pa.array(code_idx, pa.int32()), pa.array(codes, pa.string())),
        "ms_name": pa.DictionaryArray.from_arrays(pa.array(code_idx, pa.int32()), pa.array(names, pa.string())),
        "vote": pa.DictionaryArray.from_arrays(pa.array(vote_idx, pa.int32()), pa.array(letters, pa.string())),
    })

    counts = count_letters(rc_pos, vote_idx, letters, n_rc)  # model.letters: as tally recounts them

    def count(name):
        return pa.array(counts[name], pa.int32())

    def text(col):
        if col not in calls.columns:
            return pa.nulls(n_rc, pa.string())
        values = calls[col].astype("string").str.strip()
        return pa.array([None if pd.isna(v) else v for v in values], pa.string())

    def total(col):
        if col not in calls.columns:
            return pa.nulls(n_rc, pa.int32())
        return pa.array(pd.to_numeric(calls[col], errors="coerce").astype("Int32"), pa.int32())

    descr, short = text("descr"), text("short")
    title = pa.array([d if d else s for d, s in zip(descr.to_pylist(), short.to_pylist())], pa.string())
    rc = {
        "rollcall_id": pa.array(ids, pa.int64()),
        "resolution": pa.array(calls["resolution"].tolist(), pa.string()),
        "date": pa.array(calls["date"].dt.date.where(calls["date"].notna(), None).tolist(), pa.date32()),
        "session": pa.array(calls["session"].tolist(), pa.string()),
        "regular_session": pa.array(calls["regular_session"].tolist(), pa.string()),
        "title": title,
        "meeting": pa.nulls(n_rc, pa.string()),
        **{f"counted_{name}": count(name) for name in COUNTS.values()},
        "members": count("members"),
        "kind": pa.array(calls["kind"].tolist(), pa.string()),
        "source": pa.array(["voeten"] * n_rc, pa.string()),
        "total_yes": total("yes"), "total_no": total("no"), "total_abstentions": total("abstain"),
        "unres": text("unres"), "short": short, "descr": descr,
    }
    for col in FLAGS:
        rc[col] = pa.array(calls[col], pa.int8())
    if "resid" in calls.columns:
        rc["resid"] = pa.array(pd.to_numeric(calls["resid"], errors="coerce").astype("Int64"), pa.int64())
    rollcalls = pa.table(rc)

    report["rollcalls"] = n_rc
    report["votes"] = votes.num_rows
    report["kinds"] = {k: int(v) for k, v in calls["kind"].value_counts().sort_index().items()}
    report["votes_by_letter"] = {c: int(n) for c, n in zip(letters, np.bincount(vote_idx, minlength=len(letters)))}
    report["countries"] = len(codes)
    return Ingest(rollcalls, votes, report, warnings)
