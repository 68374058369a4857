"""The one HTTP helper every source uses: a polite session, retries, streamed downloads.

Created on demand (never at import) so tests can point sources at a loopback server.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..config import URL
from ..errors import FetchError, Refused, Unreachable

TIMEOUT = (10, 60)  # (connect, read) seconds; every request gets one
USER_AGENT = f"unvote/{__version__} (+{URL})"


def session():
    """A requests session that names unvote and retries connection errors, 429 and 5xx
    with capped exponential backoff, honouring Retry-After."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retry = Retry(
        total=4, connect=2, read=2, status=4, backoff_factor=0.5, backoff_max=30,
        status_forcelist=(429, 500, 502, 503, 504), respect_retry_after_header=True,
        allowed_methods=frozenset({"GET", "HEAD"}), raise_on_status=False,
    )
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    adapter = HTTPAdapter(max_retries=retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def manual_hint(url: str) -> str:
    return f"download {url} in a browser and run: unvote fetch --file PATH"


def get_text(http, url: str, *, params: dict | None = None, manual_url: str | None = None) -> str:
    """GET a small page; any failure becomes a FetchError naming the URL and the way out
    (``manual_url``: the page a person should open instead, if not ``url`` itself)."""
    import requests

    try:
        resp = http.get(url, params=params, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise Unreachable(f"could not reach {url} ({_reason(exc)}); "
                         f"{manual_hint(manual_url or url)}") from exc
    _check_status(resp, manual_url or url)
    return resp.text


@dataclass
class Download:
    path: Path
    sha256: str
    size: int


def download(http, url: str, dest_dir: Path, *, expect: str, progress=None) -> Download:
    """Stream ``url`` to a temporary file in ``dest_dir``; the caller owns (and removes) it.

    ``expect`` ("csv", "xml", "binary") guards against a challenge page served with status 200.
    """
    import requests

    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".download-", dir=dest_dir)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with http.get(url, stream=True, timeout=TIMEOUT) as resp:
                    _check_status(resp, url)
                    total = int(resp.headers.get("Content-Length") or 0) or None
                    task = progress.add_task(Path(url).name, total=total) if progress else None
                    first = True
                    for chunk in resp.iter_content(chunk_size=1 << 16):
                        if first:
                            _check_payload(chunk, resp.headers.get("Content-Type", ""), url, expect)
                            first = False
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                        if progress:
                            progress.update(task, advance=len(chunk))
            except requests.RequestException as exc:
                raise Unreachable(f"download of {url} failed ({_reason(exc)}); {manual_hint(url)}") from exc
        if size == 0:
            raise FetchError(f"{url} answered with an empty body; {manual_hint(url)}")
        if total is not None and size != total:
            raise FetchError(f"download of {url} stopped after {size} of {total} bytes; try again")
        return Download(Path(tmp), digest.hexdigest(), size)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_status(resp, url: str) -> None:
    if resp.status_code == 202 and not resp.content:
        raise Refused(_refused(url, "an empty 202 (a bot challenge)"))
    if resp.status_code in (401, 403):
        raise Refused(_refused(url, f"HTTP {resp.status_code}"))
    if resp.status_code >= 400:
        raise FetchError(f"{url} answered HTTP {resp.status_code}; {manual_hint(url)}")


def _check_payload(head: bytes, content_type: str, url: str, expect: str) -> None:
    sniff = head[:512].lstrip().lower()
    looks_html = sniff.startswith((b"<!doctype html", b"<html")) or b"<html" in sniff[:200]
    if expect in ("csv", "binary") and ("text/html" in content_type or looks_html):
        raise Refused(_refused(url, "an HTML page where a data file was expected"))
    if expect == "xml" and looks_html:
        raise Refused(_refused(url, "an HTML page where XML was expected"))


def _refused(url: str, what: str) -> str:
    return (f"the UN site refused an automated download of {url} ({what}); "
            f"{manual_hint(url)}")


def _reason(exc: Exception) -> str:
    import requests

    if isinstance(exc, requests.ConnectionError):
        return "network unreachable or connection refused"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return type(exc).__name__
