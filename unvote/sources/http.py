"""The one HTTP helper every source uses: a polite client, retries, resumable downloads.

Created on demand (never at import) so tests can point sources at a loopback server.

Policy (each setting also from the environment, so tests and impatient users can change it):

* every request has a (connect, read) timeout ........................ ``UNVOTE_HTTP_TIMEOUT`` "10,60"
* connection errors, timeouts, 429 and 5xx are retried with capped exponential backoff
  (``backoff`` · 2^n, at most ``backoff_max``) ......... ``UNVOTE_HTTP_RETRIES`` 4, ``UNVOTE_HTTP_BACKOFF`` 1,
  ``UNVOTE_HTTP_BACKOFF_MAX`` 30
* ``Retry-After`` is obeyed; asking for more than ``max_wait`` ends the fetch with a message
  ................................................................... ``UNVOTE_HTTP_MAX_WAIT`` 300
* a polite pause separates consecutive requests ............................ ``UNVOTE_HTTP_DELAY`` 1
* one download, retries and resumes included, ends after a deadline ..... ``UNVOTE_HTTP_DEADLINE`` 1800
* a download announced or streamed beyond a size no release comes near is refused
  ............................................................ ``UNVOTE_MAX_DOWNLOAD_BYTES`` 1 GiB;
  a page (search results, record page, listing) read into memory ....... ``UNVOTE_MAX_PAGE_BYTES`` 32 MiB
* a bot challenge (HTML where data was expected, an empty 202, 401/403) is reported, never evaded.

Every setting is checked when the policy is built, before any request: a bad value is a one-line
UsageError naming the variable and what it takes (docs/limits.md).
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from .. import __version__
from ..core.config import URL
from ..core.errors import FetchError, Refused, StoreError, Unreachable, UsageError
from ..core.files import digest
from ..core.hints import PLACEHOLDER, fetch_command
from . import limits
from .limits import http_deadline, max_download_bytes, max_page_bytes

USER_AGENT = f"unvote/{__version__} (+{URL})"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
CONNECT_RETRIES = 2  # a refused connection or unknown host rarely heals within seconds
# Words that bot-challenge pages (Cloudflare, AWS WAF, Akamai, CAPTCHAs) carry.
CHALLENGE_MARKERS = (b"captcha", b"challenge", b"verify you are human", b"are you a robot",
                     b"just a moment", b"cf-chl", b"awswaf", b"access denied", b"request unsuccessful")
DEFAULT_COMMAND = fetch_command(file=PLACEHOLDER)  # what a hint tells the user to run with the file

# field: (environment variable, type, what it takes, smallest value, smallest excluded)
SETTINGS = {
    "retries": ("UNVOTE_HTTP_RETRIES", int, "a whole number of retries from 0 to 100", 0, 100),
    "backoff": ("UNVOTE_HTTP_BACKOFF", float, "a number of seconds from 0 to 86,400", 0, 86_400),
    "backoff_max": ("UNVOTE_HTTP_BACKOFF_MAX", float, "a number of seconds from 0 to 86,400", 0, 86_400),
    "max_wait": ("UNVOTE_HTTP_MAX_WAIT", float, "a number of seconds from 0 to 86,400", 0, 86_400),
    "delay": ("UNVOTE_HTTP_DELAY", float, "a number of seconds from 0 to 86,400", 0, 86_400),
}
# (a day at most: more is a typo, and 1e308 s would overflow time.sleep)
TIMEOUT_TAKES = "seconds greater than 0: one number, or connect,read (e.g. 10,60)"


@dataclass(frozen=True)
class Policy:
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 4  # attempts after the first
    backoff: float = 1.0  # wait before the first retry; doubles each time
    backoff_max: float = 30.0
    max_wait: float = 300.0  # longest Retry-After we sit out
    delay: float = 1.0  # polite pause between consecutive requests

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    @classmethod
    def from_env(cls, **overrides) -> Policy:
        """The policy from ``UNVOTE_HTTP_*`` (then ``overrides``, e.g. ``delay=2`` from ``--delay``).

        Every value is checked here, before any request: a bad one is a one-line UsageError that
        names the variable (or the option) and what it takes.
        """
        env = os.environ
        values: dict = {}
        raw = env.get("UNVOTE_HTTP_TIMEOUT", "").strip()
        if raw:
            try:
                parts = [float(p) for p in raw.split(",")]
            except ValueError:
                parts = []
            if not 1 <= len(parts) <= 2 or not all(math.isfinite(p) and p > 0 for p in parts):
                raise UsageError(f"UNVOTE_HTTP_TIMEOUT={raw!r} is not valid: it takes {TIMEOUT_TAKES}")
            values["connect_timeout"], values["read_timeout"] = parts[0], parts[-1]
        for name, (var, kind, takes, low, high) in SETTINGS.items():
            raw = env.get(var, "").strip()
            if raw:
                values[name] = _setting(f"{var}={raw!r}", raw, kind, takes, low, high=high)
        for name, value in overrides.items():
            if value is None:
                continue
            if name in SETTINGS:
                _, kind, takes, low, high = SETTINGS[name]
                value = _setting(f"{name}={value!r}" + (" (--delay)" if name == "delay" else ""),
                                 value, kind, takes, low, high=high)
            elif name in ("connect_timeout", "read_timeout"):
                value = _setting(f"{name}={value!r}", value, float, TIMEOUT_TAKES, 0, exclusive=True)
            values[name] = value
        return cls(**values)

    def backoff_for(self, attempt: int) -> float:
        """Wait before retry number ``attempt`` (0-based): backoff · 2^attempt, capped."""
        return min(self.backoff * (2 ** attempt), self.backoff_max)


def _setting(label: str, raw, kind, takes: str, low: float, exclusive: bool = False, high: float | None = None):
    """``raw`` as ``kind``, finite, >= ``low`` (> with ``exclusive``) and <= ``high``, else a UsageError."""
    try:
        if kind is int and isinstance(raw, float) and not raw.is_integer():
            raise ValueError
        value = kind(raw)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{label} is not valid: it takes {takes}") from None
    if isinstance(value, bool) or not math.isfinite(value) or value < low or (exclusive and value == low) \
            or (high is not None and value > high):
        raise UsageError(f"{label} is not valid: it takes {takes}")
    return value


def check_env() -> None:
    """Check every HTTP setting and limit from the environment now (UsageError on a bad one)."""
    Policy.from_env()
    limits.check_env()


@dataclass
class Client:
    """A requests session that names unvote, with timeouts, retries and a polite pause.

    ``notify(message)`` hears about retries (the CLI prints them on stderr); ``sleep`` and
    ``clock`` are ``time.sleep`` and ``time.monotonic`` except in tests, which inject both so
    that no backoff is slept for real and deadlines still see the time "waited".
    """

    policy: Policy = field(default_factory=Policy.from_env)
    notify: Callable[[str], None] | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests_made: int = 0

    def __post_init__(self):
        import requests

        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._last: float | None = None  # monotonic time the previous request finished

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- requests ------------------------------------------------------------------------
    def get(self, url: str, *, params: dict | None = None, headers: dict | None = None,
            stream: bool = False, manual_url: str | None = None, allow: tuple[int, ...] = (),
            command: str = DEFAULT_COMMAND, deadline: float | None = None):
        """GET with retries. Returns a response with status < 400 (incl. 206 and 304);
        raises Unreachable, Refused or FetchError naming ``manual_url`` (default ``url``) and
        ``command`` as the way out. ``deadline`` (on ``self.clock``): no wait or request past it."""
        import requests

        manual = manual_url or url
        hint = manual_hint(manual, command)
        attempt = 0
        while True:
            self._pause()
            self.requests_made += 1
            timeout = self.policy.timeout
            if deadline is not None:
                left = deadline - self.clock()
                if left <= 0:
                    raise _past_deadline(url, hint)
                timeout = (min(timeout[0], left), min(timeout[1], left))
            try:
                resp = self.session.get(url, params=params, headers=headers, stream=stream,
                                        timeout=timeout)
            except requests.RequestException as exc:
                self.mark_done()
                limit = CONNECT_RETRIES if _is_connect_error(exc) else self.policy.retries
                if _retryable(exc) and attempt < min(limit, self.policy.retries):
                    self._wait(self.policy.backoff_for(attempt), url, _reason(exc), attempt, deadline, hint)
                    attempt += 1
                    continue
                if not _retryable(exc):
                    raise FetchError(f"cannot request {url} ({_reason(exc)})") from exc
                raise Unreachable(f"could not reach {url} ({_reason(exc)}); {hint}") from exc
            if not stream:
                self.mark_done()
            if resp.status_code in RETRY_STATUS:
                wait = retry_after(resp)
                if wait is not None and wait > self.policy.max_wait:
                    resp.close()
                    raise FetchError(f"{url} answered HTTP {resp.status_code} and asks to wait "
                                     f"{wait:.0f} s (Retry-After); try again later, or {hint}")
                if attempt < self.policy.retries:
                    resp.close()
                    self.mark_done()
                    self._wait(self.policy.backoff_for(attempt) if wait is None else wait, url,
                               f"HTTP {resp.status_code}", attempt, deadline, hint)
                    attempt += 1
                    continue
                resp.close()
                raise FetchError(f"{url} answered HTTP {resp.status_code} after {attempt + 1} "
                                 f"attempts; try again later, or {hint}")
            if resp.status_code not in allow:
                check_status(resp, manual, command)
            return resp

    def mark_done(self) -> None:
        """Note that a request (and its body) finished: the polite pause counts from here."""
        self._last = self.clock()

    def _pause(self) -> None:
        if self._last is not None and self.policy.delay > 0:
            left = self.policy.delay - (self.clock() - self._last)
            if left > 0:
                self.sleep(left)

    def _wait(self, seconds: float, url: str, why: str, attempt: int, deadline: float | None = None,
              hint: str = "") -> None:
        if deadline is not None and self.clock() + seconds >= deadline:
            raise _past_deadline(url, hint or manual_hint(url))
        if self.notify:
            self.notify(f"{why} from {url}; retrying in {seconds:.1f} s "
                        f"(attempt {attempt + 2} of {self.policy.retries + 1})")
        if seconds > 0:
            self.sleep(seconds)
        self._last = None  # the backoff already spaced the requests


def session(**policy) -> Client:
    """A new polite client (``policy`` overrides, e.g. ``delay=2``)."""
    return Client(Policy.from_env(**policy))


def manual_hint(url: str, command: str = DEFAULT_COMMAND) -> str:
    """The way out: open ``url`` in a browser, then run ``command`` (a whole command line)."""
    return f"download {url} in a browser and run: {command}"


def _past_deadline(url: str, hint: str) -> FetchError:
    return FetchError(f"gave up on {url}: it took longer than {http_deadline():g} s in all "
                      f"(UNVOTE_HTTP_DEADLINE raises the limit); {hint}")


def get_text(http: Client, url: str, *, params: dict | None = None, manual_url: str | None = None,
             expect: str | None = None, command: str = DEFAULT_COMMAND, deadline: float | None = None) -> str:
    """GET a page as text (UTF-8 unless the server says otherwise); any failure becomes a
    FetchError naming the URL and the way out. ``expect="xml"`` refuses an HTML answer."""
    data, content_type = get_bytes(http, url, params=params, manual_url=manual_url, expect=expect,
                                   command=command, deadline=deadline)
    match = re.search(r"charset=([\w-]+)", content_type)
    try:
        return data.decode(match.group(1) if match else "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", errors="replace")


def get_bytes(http: Client, url: str, *, params: dict | None = None, manual_url: str | None = None,
              expect: str | None = None, command: str = DEFAULT_COMMAND,
              deadline: float | None = None) -> tuple[bytes, str]:
    """GET a page as bytes, with its Content-Type; see ``get_text``. At most
    ``limits.max_page_bytes()``, within ``limits.http_deadline()`` seconds (or by ``deadline``,
    on ``http.clock``, if that comes first: an update's own deadline)."""
    import requests

    cap, own = max_page_bytes(), http.clock() + http_deadline()
    deadline = own if deadline is None else min(own, deadline)
    hint = manual_hint(manual_url or url, command)
    attempt = 0
    while True:
        resp = http.get(url, params=params, manual_url=manual_url, command=command, stream=True,
                        deadline=deadline)
        try:
            data = _read_page(resp, cap, deadline, http, url, hint)
            break
        except (requests.RequestException, _urllib3_errors(), ConnectionError, TimeoutError) as exc:
            if attempt >= http.policy.retries:
                raise Unreachable(f"could not reach {url} ({_reason(exc)}); {hint}") from exc
            http.mark_done()
            http._wait(http.policy.backoff_for(attempt), url, _reason(exc), attempt, deadline, hint)
            attempt += 1
        finally:
            resp.close()
            http.mark_done()
    content_type = resp.headers.get("Content-Type", "")
    if expect:
        check_payload(data, content_type, resp.url or url, expect, manual_url, command)
    return data, content_type


def _read_page(resp, cap: int, deadline: float, http: Client, url: str, hint: str) -> bytes:
    length = _content_length(resp)
    if length is not None and length > cap:
        raise FetchError(f"{url} announces {length:,} bytes, more than any page it should send "
                         f"(limit {cap:,}; UNVOTE_MAX_PAGE_BYTES raises it); {hint}")
    chunks, size = [], 0
    for chunk in _chunks(resp, deadline, http, url, hint, decode=True):
        size += len(chunk)
        if size > cap:
            raise FetchError(f"{url} sent more than {cap:,} bytes, more than any page it should send "
                             f"(UNVOTE_MAX_PAGE_BYTES raises the limit); {hint}")
        chunks.append(chunk)
    return b"".join(chunks)


def _urllib3_errors():
    import urllib3

    return urllib3.exceptions.HTTPError


def _content_length(resp) -> int | None:
    length = (resp.headers.get("Content-Length") or "").strip()
    return int(length) if length.isascii() and length.isdigit() and len(length) < 20 else None


def _chunks(resp, deadline: float, http: Client, url: str, hint: str, decode: bool = False):
    """The body as it arrives (whatever each read returns, so a trickle is seen), with no read
    past ``deadline``: the socket's timeout shrinks to the time left."""
    raw = resp.raw
    while True:
        left = deadline - http.clock()
        if left <= 0:
            raise _past_deadline(url, hint)
        sock = getattr(getattr(raw, "_connection", None), "sock", None)
        if sock is not None:
            try:
                sock.settimeout(max(0.01, min(http.policy.read_timeout, left)))
            except OSError:
                pass
        try:
            chunk = raw.read1(1 << 16, decode_content=decode)
        except _urllib3_errors() as exc:
            if deadline - http.clock() <= 0:
                raise _past_deadline(url, hint) from exc
            raise
        if not chunk:
            return
        yield chunk


@dataclass
class Download:
    path: Path | None  # None when the server said 304 Not Modified
    sha256: str | None
    size: int
    etag: str | None = None
    last_modified: str | None = None
    resumed_from: int = 0  # bytes already on disk from an earlier, interrupted attempt
    not_modified: bool = False

    @property
    def validators(self) -> dict:
        return {k: v for k, v in (("etag", self.etag), ("last_modified", self.last_modified)) if v}


def download(http: Client, url: str, dest_dir: Path, *, expect: str, progress=None,
             validators: dict | None = None, command: str = DEFAULT_COMMAND) -> Download:
    """Stream ``url`` into ``dest_dir/<name>.part``; the caller removes it once it is used.

    * ``validators`` ({"etag", "last_modified"} of the copy we hold): sent as If-None-Match /
      If-Modified-Since; a 304 answer returns ``Download(not_modified=True)`` and downloads nothing.
    * An interrupted transfer (dropped connection, stalled read, short body) resumes with a Range
      request, here or in the next run: the ``.part`` file and its ETag stay until the caller
      removes them. Without an ETag or Last-Modified the download restarts from zero.
    * ``expect`` ("csv", "xml", "binary") refuses a challenge page served with status 200.
    * Bounded: a Content-Length beyond ``limits.max_download_bytes()`` is refused before reading,
      a body that streams past it is cut off, and the whole download (retries included) ends at
      ``limits.http_deadline()``. Any failure other than a resumable network fault (a refusal,
      a limit, a full disk) removes the ``.part`` file: nothing is left behind.
    * ``command`` is the whole command the hints tell the user to run with a file downloaded by hand.
    """
    import requests
    import urllib3

    cap, deadline = max_download_bytes(), http.clock() + http_deadline()
    hint = manual_hint(url, command)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _disk_error(exc, dest_dir) from exc
    name = re.sub(r"[^\w.-]", "_", url.rsplit("/", 1)[-1].split("?")[0])[:80] or "download"
    part = dest_dir / f"{name}-{hashlib.sha256(url.encode()).hexdigest()[:10]}.part"
    meta_path = part.with_name(part.name + ".json")

    def clean() -> None:
        part.unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)

    try:  # a leftover FIFO (or socket) would block the write forever: never used
        if part.exists() and (part.is_fifo() or part.is_socket()):
            part.unlink()
    except OSError as exc:
        raise _disk_error(exc, dest_dir) from exc
    meta = _read_json(meta_path)
    if meta.get("url") != url or not part.exists():
        part.unlink(missing_ok=True)
        meta = {"url": url}
    resumed_from = part.stat().st_size if part.exists() else 0
    task, attempt = None, 0
    while True:
        offset = part.stat().st_size if part.exists() else 0
        headers = {}
        validator = meta.get("etag") or meta.get("last_modified")
        if offset and validator:
            headers.update({"Range": f"bytes={offset}-", "If-Range": validator})
        elif offset:  # nothing to prove the server's copy is the same file: start again
            part.unlink()
            offset = resumed_from = 0
        if not offset and validators:
            if validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                headers["If-Modified-Since"] = validators["last_modified"]
        try:
            resp = http.get(url, headers=headers, stream=True, allow=(416,), command=command, deadline=deadline)
        except Unreachable:
            raise  # a network fault: the .part stays, the next run resumes it
        except FetchError:
            clean()
            raise
        total = None
        try:
            if resp.status_code == 416:  # our partial copy is as long as the file, or longer: start over
                part.unlink(missing_ok=True)
                raise _Restart()
            if resp.status_code == 304:
                return Download(None, None, 0, validators.get("etag") if validators else None,
                                validators.get("last_modified") if validators else None, not_modified=True)
            if resp.status_code == 206:
                start, total = _content_range(resp.headers.get("Content-Range", ""))
                if start != offset:  # not the piece we asked for: start over
                    part.unlink(missing_ok=True)
                    offset = 0
                    raise _Restart()
            else:
                if offset:  # the server ignored the Range or the file changed: full body follows
                    part.unlink(missing_ok=True)
                    offset = resumed_from = 0
                total = _content_length(resp)
                if total is None and (resp.headers.get("Content-Length") or "").strip():
                    total = cap + 1  # a length too long to be a number of bytes we would take
            if total is not None and total > cap:
                raise FetchError(f"{url} announces {total:,} bytes, far more than any release "
                                 f"(limit {cap:,}; UNVOTE_MAX_DOWNLOAD_BYTES raises it); refused before "
                                 f"reading it; {hint}")
            meta.update({"etag": resp.headers.get("ETag"), "last_modified": resp.headers.get("Last-Modified"),
                         "encoding": (resp.headers.get("Content-Encoding") or "").strip().lower() or None})
            _write_json(meta_path, meta)
            if progress is not None:
                if task is None:
                    task = progress.add_task(name, total=total, completed=offset, unit="bytes")
                else:
                    progress.update(task, total=total, completed=offset)
            with open(part, "ab" if offset else "wb") as out:
                head = b"" if offset == 0 else None  # the first KiB, to sniff before writing
                size = offset
                # raw bytes: no transparent gunzip, so sizes and Range offsets mean the same thing
                for chunk in _chunks(resp, deadline, http, url, hint):
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"download of {url} passed {cap:,} bytes, far more than any "
                                         f"release (UNVOTE_MAX_DOWNLOAD_BYTES raises the limit); {hint}")
                    if head is not None:
                        head += chunk
                        if len(head) < 1024:
                            continue
                        check_payload(head, resp.headers.get("Content-Type", ""), url, expect, command=command)
                        chunk, head = head, None
                    out.write(chunk)
                    if progress is not None:
                        progress.advance(task, len(chunk))
                if head:  # a body shorter than 1 KiB
                    check_payload(head, resp.headers.get("Content-Type", ""), url, expect, command=command)
                    out.write(head)
                    if progress is not None:
                        progress.advance(task, len(head))
            size = part.stat().st_size
            if total is not None and size < total:
                raise _ShortBody(f"got {size} of {total} bytes")
            if total is not None and size > total:
                raise FetchError(f"download of {url} gave {size} bytes, more than the {total} announced; try again")
            if size == 0:
                raise FetchError(f"{url} answered with an empty body; {hint}")
            break
        except _Restart:
            if attempt >= http.policy.retries:
                clean()
                raise FetchError(f"{url} does not answer Range requests consistently; {hint}") from None
            resumed_from = 0
        except FetchError:
            clean()
            raise
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, _ShortBody) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, (ConnectionError, TimeoutError)):
                clean()
                raise _disk_error(exc, dest_dir) from exc
            if attempt >= http.policy.retries:
                raise Unreachable(f"download of {url} failed ({_reason(exc)}) after {attempt + 1} attempts; "
                                  f"run unvote fetch again to resume it, or {hint}") from exc
            http.mark_done()
            try:
                http._wait(http.policy.backoff_for(attempt), url, f"{_reason(exc)}, resuming", attempt,
                           deadline, hint)
            except FetchError:
                clean()
                raise
        except BaseException:  # Ctrl-C, a bug: nothing half-written is left behind
            clean()
            raise
        finally:
            resp.close()
            http.mark_done()
        attempt += 1
    if meta.get("encoding") in ("gzip", "x-gzip"):
        try:
            _undo_transfer_gzip(part, cap, url, hint)
        except BaseException:
            clean()
            raise
    return Download(part, digest(part), part.stat().st_size, meta.get("etag"), meta.get("last_modified"),
                    resumed_from=resumed_from)


def _undo_transfer_gzip(part: Path, cap: int, url: str, hint: str) -> None:
    """A body sent with ``Content-Encoding: gzip`` is saved as it came (sizes and Range offsets
    count those bytes). Servers mean two things by it: the file itself is a .gz, labelled so by
    mistake (the body is the file: keep it), or the file was gzipped again for the transfer (the
    body, once decoded, is the file: a .gz inside a gzip). Only in the second case is one layer
    removed, streamed and within ``cap``, so the saved file is the one the server meant."""
    import zlib

    with open(part, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return  # not gzip at all: an identity body mislabelled; the reader judges it
        fh.seek(0)
        inflate = zlib.decompressobj(wbits=31)  # one gzip member: the transfer layer
        try:
            first = inflate.decompress(fh.read(1 << 16), 2)
            while len(first) < 2 and not inflate.eof:
                block = fh.read(1 << 16)
                if not block:
                    break
                first += inflate.decompress(block, 2 - len(first))
        except zlib.error:
            return  # not a valid transfer layer: the file as sent, for the reader to judge
        if first[:2] != b"\x1f\x8b":
            return  # the body is the .gz file itself
        out_path = part.with_name(part.name + ".decoded")
        inflate, size = zlib.decompressobj(wbits=31), 0
        fh.seek(0)
        try:
            with open(out_path, "wb") as out:
                while True:
                    block = inflate.unconsumed_tail or fh.read(1 << 16)
                    if not block:
                        break
                    data = inflate.decompress(block, 1 << 20)
                    size += len(data)
                    if size > cap:
                        raise FetchError(f"download of {url} decodes (Content-Encoding: gzip) to more than "
                                         f"{cap:,} bytes, far more than any release (UNVOTE_MAX_DOWNLOAD_BYTES "
                                         f"raises the limit); {hint}")
                    out.write(data)
                    if inflate.eof:
                        break
            if not inflate.eof:
                raise zlib.error("cut off")
            os.replace(out_path, part)
        except zlib.error as exc:
            out_path.unlink(missing_ok=True)
            raise FetchError(f"download of {url} is a damaged gzip transfer encoding ({exc}); run the fetch "
                             f"again, or {hint}") from None
        except BaseException:
            out_path.unlink(missing_ok=True)
            raise


def _disk_error(exc: OSError, where: Path) -> StoreError:
    """A download that cannot be written (disk full, read-only, no permission): one line, exit 5."""
    why = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
           errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
           errno.EPERM: "permission denied", errno.EFBIG: "the file is too large for this system"}
    reason = why.get(exc.errno, exc.strerror or type(exc).__name__)
    return StoreError(f"cannot write the download into {where} ({reason}); nothing was kept and the store "
                      "is unchanged; free some space (or fix the permissions) and run the command again")


def discard(download: Download | None) -> None:
    """Remove a finished download and its resume notes."""
    if download is not None and download.path is not None:
        download.path.unlink(missing_ok=True)
        download.path.with_name(download.path.name + ".json").unlink(missing_ok=True)


class _Restart(Exception):
    pass


class _ShortBody(Exception):
    pass


# ---- checks --------------------------------------------------------------------------------
def check_status(resp, url: str, command: str = DEFAULT_COMMAND) -> None:
    """Turn refusals and errors into our exceptions; ``url`` is the page to open by hand."""
    if resp.status_code == 202:  # a data URL never answers "accepted": a JS/bot challenge
        resp.close()
        empty = (resp.headers.get("Content-Length") or "0").strip() == "0"
        raise Refused(_refused(url, "an empty 202, a bot challenge" if empty else "a 202 challenge page",
                               command))
    if resp.status_code in (401, 403):
        resp.close()
        raise Refused(_refused(url, f"HTTP {resp.status_code}", command))
    if resp.status_code >= 400:
        resp.close()
        raise FetchError(f"{resp.url or url} answered HTTP {resp.status_code}; {manual_hint(url, command)}")


def check_payload(head: bytes, content_type: str, url: str, expect: str, manual_url: str | None = None,
                  command: str = DEFAULT_COMMAND) -> None:
    """Refuse an HTML page where a data file or XML was expected (a challenge served as 200)."""
    sniff = head[:1024].lstrip().lower()
    looks_html = sniff.startswith((b"<!doctype html", b"<html")) or b"<html" in sniff[:300]
    manual = manual_url or url
    if expect in ("csv", "binary") and ("text/html" in content_type or looks_html):
        raise Refused(_refused(manual, "an HTML page where a data file was expected", command))
    if expect == "xml" and (looks_html or "text/html" in content_type):
        raise Refused(_refused(manual, "an HTML page where XML was expected", command))
    if expect == "html" and looks_like_challenge(head):
        raise Refused(_refused(manual, "a bot-challenge page", command))


def looks_like_challenge(body: bytes) -> bool:
    """True for a short page that talks like a bot challenge (real UNDL pages are 30 kB+)."""
    low = body[:20000].lower()
    return len(body) < 20000 and any(marker in low for marker in CHALLENGE_MARKERS)


def retry_after(resp) -> float | None:
    """Seconds the server asks us to wait (``Retry-After`` as seconds or an HTTP date), or None."""
    value = (resp.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(value) if len(value) < 16 else float("inf")
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):  # a year past the platform's time_t, or no date at all
        return None
    from datetime import datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _refused(url: str, what: str, command: str = DEFAULT_COMMAND) -> str:
    return (f"the UN site refused an automated download ({what}); {manual_hint(url, command)}")


def _content_range(value: str) -> tuple[int, int | None]:
    m = re.match(r"bytes ([0-9]{1,19})-[0-9]{1,19}/([0-9]{1,19}|\*)", value.strip())
    if not m:
        return -1, None
    return int(m.group(1)), (int(m.group(2)) if m.group(2) != "*" else None)


def _is_connect_error(exc: Exception) -> bool:
    import requests

    return isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.ReadTimeout) \
        and "Read timed out" not in str(exc)


def _retryable(exc: Exception) -> bool:
    import requests

    return isinstance(exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError))


def _reason(exc: BaseException) -> str:
    import requests
    import urllib3

    text = str(exc)
    if isinstance(exc, (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)) \
            or "timed out" in text.lower():
        return "timed out"
    if isinstance(exc, requests.ConnectionError) or isinstance(exc, ConnectionError):
        if "IncompleteRead" in text or "Connection broken" in text:
            return "connection broken mid-transfer"
        if "Name or service not known" in text or "NameResolution" in text or "getaddrinfo" in text:
            return "host name not found: no network?"
        return "network unreachable or connection refused"
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError)):
        return "connection broken mid-transfer"
    if isinstance(exc, _ShortBody):
        return f"transfer cut short: {exc}"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _read_json(path: Path) -> dict:
    """A download's resume notes (a few hundred bytes); anything else there reads as none (a FIFO,
    a device or a huge file is never opened: they are not regular files of at most 64 KiB)."""
    try:
        if not path.is_file() or path.stat().st_size > 65_536:
            return {}
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, (str, type(None))) for v in data.values()):
        return {}
    return data


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), "utf-8")
    os.replace(tmp, path)

