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
* a bot challenge (HTML where data was expected, an empty 202, 401/403) is reported, never evaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from .. import __version__
from ..config import URL
from ..errors import FetchError, Refused, Unreachable

USER_AGENT = f"unvote/{__version__} (+{URL})"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
CONNECT_RETRIES = 2  # a refused connection or unknown host rarely heals within seconds
# Words that bot-challenge pages (Cloudflare, AWS WAF, Akamai, CAPTCHAs) carry.
CHALLENGE_MARKERS = (b"captcha", b"challenge", b"verify you are human", b"are you a robot",
                     b"just a moment", b"cf-chl", b"awswaf", b"access denied", b"request unsuccessful")


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
        env = os.environ
        values: dict = {}
        if env.get("UNVOTE_HTTP_TIMEOUT"):
            parts = [float(p) for p in env["UNVOTE_HTTP_TIMEOUT"].split(",")]
            values["connect_timeout"], values["read_timeout"] = parts[0], parts[-1]
        for name, key, kind in (("retries", "UNVOTE_HTTP_RETRIES", int),
                                ("backoff", "UNVOTE_HTTP_BACKOFF", float),
                                ("backoff_max", "UNVOTE_HTTP_BACKOFF_MAX", float),
                                ("max_wait", "UNVOTE_HTTP_MAX_WAIT", float),
                                ("delay", "UNVOTE_HTTP_DELAY", float)):
            if env.get(key):
                values[name] = kind(env[key])
        values.update({k: v for k, v in overrides.items() if v is not None})
        policy = cls(**values)
        if min(policy.connect_timeout, policy.read_timeout) <= 0 or policy.retries < 0 \
                or min(policy.backoff, policy.backoff_max, policy.max_wait, policy.delay) < 0:
            from ..errors import UsageError

            raise UsageError(f"invalid HTTP settings {policy}")
        return policy

    def backoff_for(self, attempt: int) -> float:
        """Wait before retry number ``attempt`` (0-based): backoff · 2^attempt, capped."""
        return min(self.backoff * (2 ** attempt), self.backoff_max)


@dataclass
class Client:
    """A requests session that names unvote, with timeouts, retries and a polite pause.

    ``notify(message)`` hears about retries (the CLI prints them on stderr); ``sleep`` is
    ``time.sleep`` except in tests that count waits.
    """

    policy: Policy = field(default_factory=Policy.from_env)
    notify: Callable[[str], None] | None = None
    sleep: Callable[[float], None] = time.sleep
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
            stream: bool = False, manual_url: str | None = None, allow: tuple[int, ...] = ()):
        """GET with retries. Returns a response with status < 400 (incl. 206 and 304);
        raises Unreachable, Refused or FetchError naming ``manual_url`` (default ``url``) as the way out."""
        import requests

        manual = manual_url or url
        attempt = 0
        while True:
            self._pause()
            self.requests_made += 1
            try:
                resp = self.session.get(url, params=params, headers=headers, stream=stream,
                                        timeout=self.policy.timeout)
            except requests.RequestException as exc:
                self.mark_done()
                limit = CONNECT_RETRIES if _is_connect_error(exc) else self.policy.retries
                if _retryable(exc) and attempt < min(limit, self.policy.retries):
                    self._wait(self.policy.backoff_for(attempt), url, _reason(exc), attempt)
                    attempt += 1
                    continue
                if not _retryable(exc):
                    raise FetchError(f"cannot request {url} ({_reason(exc)})") from exc
                raise Unreachable(f"could not reach {url} ({_reason(exc)}); {manual_hint(manual)}") from exc
            if not stream:
                self.mark_done()
            if resp.status_code in RETRY_STATUS:
                wait = retry_after(resp)
                if wait is not None and wait > self.policy.max_wait:
                    resp.close()
                    raise FetchError(f"{url} answered HTTP {resp.status_code} and asks to wait "
                                     f"{wait:.0f} s (Retry-After); try again later, or {manual_hint(manual)}")
                if attempt < self.policy.retries:
                    resp.close()
                    self.mark_done()
                    self._wait(self.policy.backoff_for(attempt) if wait is None else wait, url,
                               f"HTTP {resp.status_code}", attempt)
                    attempt += 1
                    continue
                resp.close()
                raise FetchError(f"{url} answered HTTP {resp.status_code} after {attempt + 1} "
                                 f"attempts; try again later, or {manual_hint(manual)}")
            if resp.status_code not in allow:
                check_status(resp, manual)
            return resp

    def mark_done(self) -> None:
        """Note that a request (and its body) finished: the polite pause counts from here."""
        self._last = time.monotonic()

    def _pause(self) -> None:
        if self._last is not None and self.policy.delay > 0:
            left = self.policy.delay - (time.monotonic() - self._last)
            if left > 0:
                self.sleep(left)

    def _wait(self, seconds: float, url: str, why: str, attempt: int) -> None:
        if self.notify:
            self.notify(f"{why} from {url}; retrying in {seconds:.1f} s "
                        f"(attempt {attempt + 2} of {self.policy.retries + 1})")
        if seconds > 0:
            self.sleep(seconds)
        self._last = None  # the backoff already spaced the requests


def session(**policy) -> Client:
    """A new polite client (``policy`` overrides, e.g. ``delay=2``)."""
    return Client(Policy.from_env(**policy))


def manual_hint(url: str) -> str:
    return f"download {url} in a browser and run: unvote fetch --file PATH"


def get_text(http: Client, url: str, *, params: dict | None = None, manual_url: str | None = None,
             expect: str | None = None) -> str:
    """GET a page as text (UTF-8 unless the server says otherwise); any failure becomes a
    FetchError naming the URL and the way out. ``expect="xml"`` refuses an HTML answer."""
    data, content_type = get_bytes(http, url, params=params, manual_url=manual_url, expect=expect)
    match = re.search(r"charset=([\w-]+)", content_type)
    return data.decode(match.group(1) if match else "utf-8", errors="replace")


def get_bytes(http: Client, url: str, *, params: dict | None = None, manual_url: str | None = None,
              expect: str | None = None) -> tuple[bytes, str]:
    """GET a small body as bytes, with its Content-Type; see ``get_text``."""
    import requests

    resp = http.get(url, params=params, manual_url=manual_url)
    try:
        data = resp.content
    except requests.RequestException as exc:
        raise Unreachable(f"reading {url} failed ({_reason(exc)}); {manual_hint(manual_url or url)}") from exc
    content_type = resp.headers.get("Content-Type", "")
    if expect:
        check_payload(data, content_type, resp.url or url, expect, manual_url)
    return data, content_type


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
             validators: dict | None = None) -> Download:
    """Stream ``url`` into ``dest_dir/<name>.part``; the caller removes it once it is used.

    * ``validators`` ({"etag", "last_modified"} of the copy we hold): sent as If-None-Match /
      If-Modified-Since; a 304 answer returns ``Download(not_modified=True)`` and downloads nothing.
    * An interrupted transfer (dropped connection, stalled read, short body) resumes with a Range
      request, here or in the next run: the ``.part`` file and its ETag stay until the caller
      removes them. Without an ETag or Last-Modified the download restarts from zero.
    * ``expect`` ("csv", "xml", "binary") refuses a challenge page served with status 200.
    """
    import requests
    import urllib3

    dest_dir.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]", "_", url.rsplit("/", 1)[-1].split("?")[0])[:80] or "download"
    part = dest_dir / f"{name}-{hashlib.sha256(url.encode()).hexdigest()[:10]}.part"
    meta_path = part.with_name(part.name + ".json")
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
        resp = http.get(url, headers=headers, stream=True, allow=(416,))
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
                length = resp.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
            meta.update({"etag": resp.headers.get("ETag"), "last_modified": resp.headers.get("Last-Modified")})
            _write_json(meta_path, meta)
            if progress is not None:
                if task is None:
                    task = progress.add_task(name, total=total, completed=offset, unit="bytes")
                else:
                    progress.update(task, total=total, completed=offset)
            with open(part, "ab" if offset else "wb") as out:
                first = offset == 0
                # raw bytes: no transparent gunzip, so sizes and Range offsets mean the same thing
                for chunk in resp.raw.stream(1 << 16, decode_content=False):
                    if first:
                        check_payload(chunk, resp.headers.get("Content-Type", ""), url, expect)
                        first = False
                    out.write(chunk)
                    if progress is not None:
                        progress.advance(task, len(chunk))
            size = part.stat().st_size
            if total is not None and size < total:
                raise _ShortBody(f"got {size} of {total} bytes")
            if total is not None and size > total:
                part.unlink(missing_ok=True)
                raise FetchError(f"download of {url} gave {size} bytes, more than the {total} announced; try again")
            if size == 0:
                part.unlink(missing_ok=True)
                raise FetchError(f"{url} answered with an empty body; {manual_hint(url)}")
            break
        except _Restart:
            if attempt >= http.policy.retries:
                raise FetchError(f"{url} does not answer Range requests consistently; {manual_hint(url)}") from None
            resumed_from = 0
        except FetchError:
            if not part.exists() or part.stat().st_size == 0:  # a refusal, not a partial file
                part.unlink(missing_ok=True)
                meta_path.unlink(missing_ok=True)
            raise
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, _ShortBody) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, (ConnectionError, TimeoutError)):
                raise
            if attempt >= http.policy.retries:
                raise Unreachable(f"download of {url} failed ({_reason(exc)}) after {attempt + 1} attempts; "
                                  f"run unvote fetch again to resume it, or {manual_hint(url)}") from exc
            http.mark_done()
            http._wait(http.policy.backoff_for(attempt), url, f"{_reason(exc)}, resuming", attempt)
        finally:
            resp.close()
            http.mark_done()
        attempt += 1
    return Download(part, sha256_file(part), part.stat().st_size, meta.get("etag"), meta.get("last_modified"),
                    resumed_from=resumed_from)


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
def check_status(resp, url: str) -> None:
    """Turn refusals and errors into our exceptions; ``url`` is the page to open by hand."""
    if resp.status_code == 202:  # a data URL never answers "accepted": a JS/bot challenge
        empty = not resp.content
        raise Refused(_refused(url, "an empty 202, a bot challenge" if empty else "a 202 challenge page"))
    if resp.status_code in (401, 403):
        raise Refused(_refused(url, f"HTTP {resp.status_code}"))
    if resp.status_code >= 400:
        raise FetchError(f"{resp.url or url} answered HTTP {resp.status_code}; {manual_hint(url)}")


def check_payload(head: bytes, content_type: str, url: str, expect: str, manual_url: str | None = None) -> None:
    """Refuse an HTML page where a data file or XML was expected (a challenge served as 200)."""
    sniff = head[:1024].lstrip().lower()
    looks_html = sniff.startswith((b"<!doctype html", b"<html")) or b"<html" in sniff[:300]
    manual = manual_url or url
    if expect in ("csv", "binary") and ("text/html" in content_type or looks_html):
        raise Refused(_refused(manual, "an HTML page where a data file was expected"))
    if expect == "xml" and (looks_html or "text/html" in content_type):
        raise Refused(_refused(manual, "an HTML page where XML was expected"))
    if expect == "html" and looks_like_challenge(head):
        raise Refused(_refused(manual, "a bot-challenge page"))


def looks_like_challenge(body: bytes) -> bool:
    """True for a short page that talks like a bot challenge (real UNDL pages are 30 kB+)."""
    low = body[:20000].lower()
    return len(body) < 20000 and any(marker in low for marker in CHALLENGE_MARKERS)


def retry_after(resp) -> float | None:
    """Seconds the server asks us to wait (``Retry-After`` as seconds or an HTTP date), or None."""
    value = (resp.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _refused(url: str, what: str) -> str:
    return (f"the UN site refused an automated download ({what}); {manual_hint(url)}")


def _content_range(value: str) -> tuple[int, int | None]:
    m = re.match(r"bytes (\d+)-\d+/(\d+|\*)", value.strip())
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


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), "utf-8")
    os.replace(tmp, path)

