"""The HTTP layer against a real loopback server: retries, Retry-After, polite pause, timeouts,
conditional requests, resumed downloads and challenge pages. No mocks: real sockets."""

import hashlib
import os
import time

import pytest
from fake_undl import FakeUNDL, Fault, undl  # noqa: F401  (undl is a fixture)

from unvote.core.errors import FetchError, Refused, Unreachable
from unvote.sources import http

DATA = os.urandom(300_000)  # several 64 KiB chunks: room to stall or cut in the middle


def client(real_sleep=False, **policy):
    """A client whose waits are recorded, not slept (backoff is injectable: no test sleeps it for
    real), unless ``real_sleep`` (the polite-pause test, which measures the spacing on the server)."""
    waits = []
    c = http.Client(http.Policy.from_env(**policy),
                    sleep=lambda s: (waits.append(s), time.sleep(s) if real_sleep else None),
                    clock=lambda: time.monotonic() + (0 if real_sleep else sum(waits)))
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
    assert len(undl.requests_to("/p")) == 2
    assert c.waits == [1.0]  # waited what the server asked, not the 0.01 s backoff


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
    with client(real_sleep=True, delay=0.3) as c:
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
    with client() as c:
        assert http.get_text(c, f"{undl.url}/slow").endswith("</html>")
    # a second request only because the client gave up on the first (stalled 2 s) at its read
    # timeout: waited out, that answer would have been whole. (No clock: a busy machine is slow.)
    assert len(undl.requests_to("/slow")) == 2


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


# ---- settings are checked before any work -------------------------------------------------------
@pytest.mark.parametrize("var,value,takes", [
    ("UNVOTE_HTTP_TIMEOUT", "abc", "seconds greater than 0"),
    ("UNVOTE_HTTP_TIMEOUT", "0", "seconds greater than 0"),
    ("UNVOTE_HTTP_TIMEOUT", "10,nan", "seconds greater than 0"),
    ("UNVOTE_HTTP_TIMEOUT", "1,2,3", "one number, or connect,read"),
    ("UNVOTE_HTTP_RETRIES", "many", "a whole number of retries from 0 to 100"),
    ("UNVOTE_HTTP_RETRIES", "-1", "a whole number of retries from 0 to 100"),
    ("UNVOTE_HTTP_RETRIES", "2.5", "a whole number of retries from 0 to 100"),
    ("UNVOTE_HTTP_DELAY", "inf", "a number of seconds from 0 to 86,400"),
    ("UNVOTE_HTTP_DELAY", "nan", "a number of seconds from 0 to 86,400"),
    ("UNVOTE_HTTP_DELAY", "-1", "a number of seconds from 0 to 86,400"),
    ("UNVOTE_HTTP_BACKOFF", "fast", "a number of seconds from 0 to 86,400"),
    ("UNVOTE_HTTP_BACKOFF_MAX", "-inf", "a number of seconds from 0 to 86,400"),
    ("UNVOTE_HTTP_MAX_WAIT", "1e999", "a number of seconds from 0 to 86,400"),
    ("UNVOTE_HTTP_DELAY", "1e308", "a number of seconds from 0 to 86,400"),  # finite, but overflows sleep()
    ("UNVOTE_HTTP_RETRIES", "100000", "a whole number of retries from 0 to 100"),
])
def test_bad_http_settings_are_one_line_usage_errors(monkeypatch, var, value, takes):
    from unvote.core.errors import ExitStatus, UsageError

    monkeypatch.setenv(var, value)
    with pytest.raises(UsageError) as err:
        http.Policy.from_env()
    message = str(err.value)
    assert message.startswith(f"{var}={value!r} is not valid: it takes") and takes in message
    assert "\n" not in message and err.value.exit_code == ExitStatus.USAGE


@pytest.mark.parametrize("value", ["Fri, 31 Dec 99999999999999 23:59:59 GMT", "Mon, 01 Jan 0000 00:00:00 GMT",
                                   "999999999999999999999999"])
def test_a_retry_after_beyond_any_clock_is_not_an_overflow(value):
    class Answer:
        headers = {"Retry-After": value}

    wait = http.retry_after(Answer())
    assert wait is None or wait >= 0  # a number (inf: more than any max_wait) or nothing, never an error


@pytest.mark.parametrize("delay", [float("nan"), float("inf"), -1.0, 1e308])
def test_a_bad_delay_argument_is_a_usage_error(delay):
    from unvote.core.errors import UsageError

    with pytest.raises(UsageError, match=r"^delay=.* \(--delay\) is not valid: it takes a number of seconds"):
        http.Policy.from_env(delay=delay)
    with pytest.raises(UsageError):
        http.session(delay=delay)


def test_bad_settings_fail_the_cli_before_any_request(tmp_path, undl):
    """UNVOTE_HTTP_DELAY=inf used to exit 70 after the store was replaced; now: exit 2, no request."""
    from cli_runner import invoke

    out = invoke("fetch", env={"UNVOTE_DATA_DIR": str(tmp_path / "s"), "UNVOTE_HTTP_DELAY": "inf"})
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and "UNVOTE_HTTP_DELAY='inf' is not valid" in out.stderr
    assert undl.hits == []


# ---- hints name the whole command ----------------------------------------------------------------
def test_hints_name_the_whole_command_given(undl, tmp_path):
    sc = "unvote fetch --body sc --file PATH"
    assert http.manual_hint("http://x/r") == "download http://x/r in a browser and run: unvote fetch --file PATH"
    assert http.manual_hint("http://x/r", sc).endswith(f"run: {sc}")
    undl.fault("/f", Fault("status", 403))
    with client() as c, pytest.raises(Refused, match=f"in a browser and run: {sc}$"):
        http.download(c, f"{undl.url}/f", tmp_path, expect="csv", command=sc)
    voeten = "unvote fetch --source voeten --file PATH"
    undl.fault("/p", Fault("status", 404))
    with client() as c, pytest.raises(FetchError, match=f"answered HTTP 404; .* run: {voeten}$"):
        http.get_text(c, f"{undl.url}/p", command=voeten)
    with client(backoff=0) as c, pytest.raises(Unreachable, match=f"run: {voeten}$"):
        http.get_bytes(c, "http://127.0.0.1:9/x", command=voeten)


# ---- bounded downloads ----------------------------------------------------------------------------
def test_a_content_length_far_beyond_any_release_is_refused_before_reading(undl, tmp_path):
    undl.fault("/f", Fault("length", status=50 << 30))  # announces 50 GiB
    with client() as c, pytest.raises(FetchError) as err:
        http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    message = str(err.value)
    assert "announces 53,687,091,200 bytes, far more than any release" in message
    assert "UNVOTE_MAX_DOWNLOAD_BYTES" in message and "refused before reading it" in message
    assert list(tmp_path.iterdir()) == []  # no .part, no resume notes


def test_an_endless_body_is_cut_off_at_the_download_limit(undl, tmp_path, monkeypatch):
    monkeypatch.setenv("UNVOTE_MAX_DOWNLOAD_BYTES", str(2 << 20))
    undl.fault("/f", Fault("endless"))
    with client() as c, pytest.raises(FetchError, match=r"passed 2,097,152 bytes, far more than any release"):
        http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    assert list(tmp_path.iterdir()) == []


def test_a_page_larger_than_the_page_limit_is_refused(undl, monkeypatch):
    monkeypatch.setenv("UNVOTE_MAX_PAGE_BYTES", "100000")
    undl.add_page("/big", b"<html>" + b"x" * 200_000 + b"</html>")
    with client() as c, pytest.raises(FetchError, match=r"announces 200,013 bytes, more than any page"):
        http.get_text(c, f"{undl.url}/big")
    undl.fault("/endless", Fault("endless"))
    with client() as c, pytest.raises(FetchError, match=r"sent more than 100,000 bytes"):
        http.get_bytes(c, f"{undl.url}/endless")


def test_a_server_trickling_one_byte_at_a_time_meets_the_deadline(undl, tmp_path, monkeypatch):
    """Each byte arrives well within the read timeout, so only the overall deadline ends it."""
    monkeypatch.setenv("UNVOTE_HTTP_DEADLINE", "1.5")
    undl.fault("/f", Fault("trickle", seconds=0.05))
    t0 = time.monotonic()
    with client() as c, pytest.raises(FetchError) as err:
        http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    # not before the deadline (a busy machine only makes it later; the message says the deadline ended it)
    assert time.monotonic() - t0 >= 1.4
    assert "took longer than 1.5 s in all (UNVOTE_HTTP_DEADLINE raises the limit)" in str(err.value)
    assert list(tmp_path.iterdir()) == []
    undl.fault("/p", Fault("trickle", seconds=0.05))
    with client() as c, pytest.raises(FetchError, match="took longer than 1.5 s"):
        http.get_text(c, f"{undl.url}/p")


def test_the_deadline_also_bounds_the_retries(undl, tmp_path, monkeypatch):
    monkeypatch.setenv("UNVOTE_HTTP_DEADLINE", "5")
    undl.fault("/f", *[Fault("status", 503, retry_after="4")] * 3)
    with client() as c, pytest.raises(FetchError, match="took longer than 5 s"):
        http.download(c, f"{undl.url}/f", tmp_path, expect="binary")
    assert c.waits == [4.0]  # the second 4 s wait would pass the deadline: given up instead
    assert list(tmp_path.iterdir()) == []


def test_disk_full_during_a_download_leaves_nothing_behind(undl, tmp_path):
    """A real ENOSPC: the .part file is a link to /dev/full, which refuses every write."""
    import json

    from unvote.core.errors import ExitStatus, StoreError

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    url = f"{undl.url}/f"
    undl.add_file("/f", DATA, content_type="application/gzip")
    part = tmp_path / f"f-{hashlib.sha256(url.encode()).hexdigest()[:10]}.part"
    part.symlink_to("/dev/full")
    part.with_name(part.name + ".json").write_text(json.dumps({"url": url}))
    with client() as c, pytest.raises(StoreError) as err:
        http.download(c, url, tmp_path, expect="binary")
    assert "(the disk is full); nothing was kept and the store is unchanged" in str(err.value)
    assert err.value.exit_code == ExitStatus.STORE
    assert list(tmp_path.iterdir()) == []


def test_a_challenge_page_arriving_byte_by_byte_is_still_refused(undl, tmp_path):
    """Reads return what has arrived; the first KiB is gathered before it is sniffed."""
    page = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>" + b"x" * 200 + b"</body></html>"
    undl.fault("/f", Fault("trickle", seconds=0.001, body=page))
    with client() as c, pytest.raises(Refused, match="an HTML page where a data file was expected"):
        http.download(c, f"{undl.url}/f", tmp_path, expect="csv")
    assert list(tmp_path.iterdir()) == []
