"""The HTTP layer against a real loopback server: retries, Retry-After, polite pause, timeouts,
conditional requests, resumed downloads and challenge pages. No mocks: real sockets."""

import hashlib
import os
import time

import pytest
from fake_undl import FakeUNDL, Fault, undl  # noqa: F401  (undl is a fixture)

from unvote.errors import FetchError, Refused, Unreachable
from unvote.sources import http

DATA = os.urandom(300_000)  # several 64 KiB chunks: room to stall or cut in the middle


def client(**policy):
    waits = []
    c = http.Client(http.Policy.from_env(**policy), sleep=lambda s: (waits.append(s), time.sleep(s)))
    c.waits = waits
    return c


def test_user_agent_names_unvote_and_every_request_has_a_timeout(undl):
    undl.add_page("/hello", "<html><body>record</body></html>")
    with client() as c:
        assert "record" in http.get_text(c, f"{undl.url}/hello")
    ua = undl.hits[0].headers["User-Agent"]
    assert ua.startswith("unvote/") and "(+https://" in ua
    assert http.Policy.from_env().timeout == (2.0, 0.5)  # from UNVOTE_HTTP_TIMEOUT in the fixture
    assert http.Policy().timeout == (10.0, 60.0)  # the defaults


def test_500_then_200_is_retried(undl):
    undl.add_page("/p", "<html><body>fine</body></html>")
    undl.fault("/p", Fault("status", 500), Fault("status", 503))
    with client() as c:
        assert "fine" in http.get_text(c, f"{undl.url}/p")
    assert len(undl.requests_to("/p")) == 3
    assert c.waits == [0.01, 0.02]  # exponential: backoff · 2^n


def test_backoff_is_capped():
    policy = http.Policy(backoff=1, backoff_max=5)
    assert [policy.backoff_for(n) for n in range(5)] == [1, 2, 4, 5, 5]


def test_429_retry_after_is_honoured(undl):
    undl.add_page("/p", "<html><body>fine</body></html>")
    undl.fault("/p", Fault("status", 429, retry_after="1"))
    with client() as c:
        assert "fine" in http.get_text(c, f"{undl.url}/p")
    first, second = undl.requests_to("/p")
    assert second.at - first.at >= 1.0  # waited what the server asked, not the 0.01 s backoff
    assert c.waits == [1.0]


def test_retry_after_as_http_date(undl):
    import email.utils

    undl.add_page("/p", "ok")
    when = email.utils.formatdate(time.time() + 1.5, usegmt=True)
    undl.fault("/p", Fault("status", 503, retry_after=when))
    with client() as c:
        http.get_text(c, f"{undl.url}/p")
    assert 0.4 <= c.waits[0] <= 1.6  # the date is second-granular


def test_a_long_retry_after_ends_the_fetch_with_advice(undl):
    undl.fault("/p", Fault("status", 429, retry_after="3600"))
    with client() as c, pytest.raises(FetchError, match=r"asks to wait 3600 s \(Retry-After\); try again later"):
        http.get_text(c, f"{undl.url}/p")
    assert len(undl.requests_to("/p")) == 1


def test_persistent_500_gives_up_after_the_retries(undl):
    undl.fault("/p", *[Fault("status", 500)] * 10)
    with client(retries=3) as c, pytest.raises(FetchError, match="answered HTTP 500 after 4 attempts"):
        http.get_text(c, f"{undl.url}/p")
    assert len(undl.requests_to("/p")) == 4


def test_polite_delay_between_requests(undl):
    undl.add_page("/p", "ok")
    with client(delay=0.3) as c:
        for _ in range(3):
            http.get_text(c, f"{undl.url}/p")
    times = [h.at for h in undl.requests_to("/p")]
    assert all(b - a >= 0.29 for a, b in zip(times, times[1:]))


def test_default_polite_delay_is_at_least_a_second(monkeypatch):
    monkeypatch.delenv("UNVOTE_HTTP_DELAY", raising=False)
    assert http.Policy.from_env().delay >= 1.0


def test_nothing_listening_is_unreachable_with_the_manual_way_out():
    with client(backoff=0.01) as c, pytest.raises(Unreachable) as err:
        http.get_text(c, "http://127.0.0.1:9/x", manual_url="http://example.org/record/4060887")
    assert "could not reach http://127.0.0.1:9/x" in str(err.value)
    assert "download http://example.org/record/4060887 in a browser and run: unvote fetch --file PATH" in str(err.value)
    assert c.requests_made == 1 + http.CONNECT_RETRIES


def test_stalled_page_times_out_and_is_retried(undl):
    undl.add_page("/slow", "<html><body>" + "x" * 5000 + "</body></html>")
    undl.fault("/slow", Fault("stall", seconds=2, after_bytes=10))
    t0 = time.monotonic()
    with client() as c:
        assert http.get_text(c, f"{undl.url}/slow").endswith("</html>")
    assert len(undl.requests_to("/slow")) == 2
    assert time.monotonic() - t0 < 1.8  # gave up on the stalled answer after the 0.5 s read timeout


# ---- downloads -------------------------------------------------------------------------------
def test_download_and_conditional_get(undl, tmp_path):
    url = f"{undl.url}/f.csv.gz"
    undl.add_file("/f.csv.gz", DATA, content_type="application/gzip")
    with client() as c:
        got = http.download(c, url, tmp_path, expect="binary")
        assert got.path.read_bytes() == DATA and got.sha256 == hashlib.sha256(DATA).hexdigest()
        assert got.etag and got.last_modified
        http.discard(got)
        again = http.download(c, url, tmp_path, expect="binary", validators=got.validators)
    assert again.not_modified and again.path is None
    hit = undl.requests_to("/f.csv.gz")[-1]
    assert hit.headers["If-None-Match"] == got.etag and hit.headers["If-Modified-Since"] == got.last_modified


def test_last_modified_alone_is_enough(undl, tmp_path):
    undl.add_file("/f", DATA, content_type="application/gzip", etag=False)
    with client() as c:
        got = http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
        assert got.etag is None
        http.discard(got)
        assert http.download(c, f"{undl.url}/f", tmp_path, expect="binary",
                             validators=got.validators).not_modified


def test_cut_transfer_resumes_with_a_range_request(undl, tmp_path):
    undl.add_file("/f", DATA, content_type="application/gzip")
    undl.fault("/f", Fault("cut", after_bytes=100_000))
    with client() as c:
        got = http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    assert got.path.read_bytes() == DATA
    first, second = undl.requests_to("/f")
    assert "Range" not in first.headers
    start = int(second.headers["Range"].removeprefix("bytes=").rstrip("-"))
    assert 0 < start <= 100_000 and second.headers["If-Range"] == undl.files["/f"]["etag"]


def test_stalled_download_resumes(undl, tmp_path):
    undl.add_file("/f", DATA, content_type="application/gzip")
    undl.fault("/f", Fault("stall", seconds=3, after_bytes=70_000))
    with client() as c:
        got = http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    assert got.sha256 == hashlib.sha256(DATA).hexdigest()
    assert undl.requests_to("/f")[1].headers["Range"].startswith("bytes=")


def test_interrupted_download_resumes_in_the_next_run(undl, tmp_path):
    undl.add_file("/f", DATA, content_type="application/gzip")
    undl.fault("/f", Fault("cut", after_bytes=120_000), *[Fault("stall", seconds=1, after_bytes=0)] * 2)
    with client(retries=2) as c, pytest.raises(Unreachable, match=r"timed out\) after 3 attempts; run unvote "
                                                                  "fetch again to resume it"):
        http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    parts = list(tmp_path.glob("*.part"))
    assert len(parts) == 1 and 0 < parts[0].stat().st_size <= 120_000
    kept = parts[0].stat().st_size
    with client() as c:  # a later run: the server is well again
        got = http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    assert got.path.read_bytes() == DATA and got.resumed_from == kept
    assert undl.requests_to("/f")[-1].headers["Range"] == f"bytes={kept}-"
    http.discard(got)
    assert list(tmp_path.iterdir()) == []


def test_complete_leftover_part_is_not_trusted(undl, tmp_path):
    """A .part as long as the file (a run killed before it cleaned up): the 416 answer restarts it."""
    undl.add_file("/f", DATA, content_type="application/gzip")
    with client() as c:
        http.download(c, f"{undl.url}/f", tmp_path, expect="binary")  # not discarded
        got = http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    assert got.path.read_bytes() == DATA
    assert [h.headers.get("Range") for h in undl.requests_to("/f")] == [None, f"bytes={len(DATA)}-", None]


def test_file_changed_on_the_server_restarts_the_download(undl, tmp_path):
    undl.add_file("/f", DATA, content_type="application/gzip")
    undl.fault("/f", Fault("cut", after_bytes=100_000), Fault("stall", seconds=1, after_bytes=0))
    with client(retries=1) as c, pytest.raises(Unreachable):
        http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    new = DATA[::-1]
    undl.add_file("/f", new, content_type="application/gzip")  # new ETag: If-Range fails, 200 follows
    with client() as c:
        got = http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    assert got.path.read_bytes() == new and got.resumed_from == 0


@pytest.mark.parametrize("fault,what", [
    (Fault("html"), "an HTML page where a data file was expected"),
    (Fault("empty202"), "an empty 202"),
    (Fault("status", 403), "HTTP 403"),
])
def test_challenges_are_reported_not_evaded(undl, tmp_path, fault, what):
    undl.add_file("/f", DATA, content_type="application/gzip")
    undl.fault("/f", fault)
    with client() as c, pytest.raises(Refused) as err:
        http.download(c, f"{undl.url}/f", tmp_path, expect="csv")
    message = str(err.value)
    assert message.startswith("the UN site refused an automated download") and what in message
    assert f"download {undl.url}/f in a browser and run: unvote fetch --file PATH" in message
    assert len(undl.requests_to("/f")) == 1  # asked once; no second try to get around it
    assert list(tmp_path.glob("*.part")) == []


def test_challenge_page_where_xml_was_expected(undl):
    undl.fault("/search", Fault("html"))
    with client() as c, pytest.raises(Refused, match="an HTML page where XML was expected"):
        http.get_bytes(c, f"{undl.url}/search", expect="xml")


def test_short_page_with_challenge_words_is_refused(undl):
    undl.add_page("/record/1", "<html><body><h1>Are you a robot?</h1> captcha </body></html>")
    with client() as c, pytest.raises(Refused, match="bot-challenge page"):
        http.get_text(c, f"{undl.url}/record/1", expect="html")
