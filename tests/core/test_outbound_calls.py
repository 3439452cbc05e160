"""Calls to another party's API (core.outbound.http_call) against real sockets: short timeouts,
retries with backoff for calls that got no answer, and a circuit breaker per party, shared by
every process through the shared cache, that stops calling a party that hangs and lets one
trial through after the pause."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import breaker, outbound, shared_cache
from tests.core.test_shared_cache import BrokenCache
from tests.metrics import Counted
from tests.silent_server import SilentServer

PARTY = "test_party"


class ApiServer:
    """Answers each POST with the next of `statuses` (the last one repeats)."""

    def __init__(self) -> None:
        self.statuses = [200]
        self.calls = 0
        self.bodies: list[bytes] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                server.bodies.append(self.rfile.read(length))
                status = server.statuses[min(server.calls, len(server.statuses) - 1)]
                server.calls += 1
                body = b"<answer/>"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def api():
    server = ApiServer()
    yield server
    server.close()


@pytest.fixture
def silent():
    server = SilentServer()
    server.start("/api")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _short(settings):
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    settings.OUTBOUND_CALL_ATTEMPTS = 2
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0.05
    settings.OUTBOUND_BREAKER_FAILURES = 2
    settings.OUTBOUND_BREAKER_SECONDS = 30


def call(url: str, **kwargs) -> outbound.Answer:
    return outbound.http_call("POST", url, party=PARTY, operation="Op", body=b"<q/>", **kwargs)


def test_an_answer_is_returned_whatever_its_status(api):
    api.statuses = [500]  # a SOAP fault: an answer, the caller reads it
    answer = call(api.url)
    assert (answer.status, answer.content, api.calls) == (500, b"<answer/>", 1)
    assert api.bodies == [b"<q/>"]


def test_a_call_without_an_answer_is_retried_after_a_backoff(api):
    api.statuses = [503, 200]
    pauses = []
    answer = call(api.url, sleep=pauses.append)
    assert (answer.status, api.calls) == (200, 2)
    assert pauses == [0.05]


def test_the_backoff_doubles_between_tries(api):
    api.statuses = [502, 504, 200]
    pauses = []
    assert call(api.url, attempts=3, sleep=pauses.append).status == 200
    assert pauses == [0.05, 0.1]


def test_a_hung_party_costs_its_timeouts_then_the_breaker_stops_calling_it(silent):
    started = time.monotonic()
    with pytest.raises(outbound.OutboundUnavailable):
        call(silent.url)
    first = time.monotonic() - started
    assert 0.9 < first < 2.5  # two tries of 0.5 s and a backoff
    with pytest.raises(outbound.OutboundUnavailable):
        call(silent.url)
    assert breaker.is_open(PARTY)
    accepted = silent.accepted
    started = time.monotonic()
    with pytest.raises(outbound.CallRefusedByBreaker):
        call(silent.url)
    assert time.monotonic() - started < 0.05
    assert silent.accepted == accepted  # no connection made


def test_after_the_pause_one_trial_closes_the_breaker_when_the_party_answers(api, settings):
    api.statuses = [503]
    for _ in range(2):
        with pytest.raises(outbound.OutboundUnavailable):
            call(api.url, attempts=1)
    assert breaker.is_open(PARTY)
    shared_cache.delete(f"outbound:breaker:{PARTY}:open")  # the pause is over
    api.statuses = [200]
    assert call(api.url).status == 200
    assert not breaker.is_open(PARTY)
    # Closed: one failure no longer opens it.
    api.statuses = [503]
    api.calls = 0
    with pytest.raises(outbound.OutboundUnavailable):
        call(api.url, attempts=1)
    assert not breaker.is_open(PARTY)


def test_after_the_pause_a_failed_trial_opens_the_breaker_again_at_once(api):
    api.statuses = [503]
    for _ in range(2):
        with pytest.raises(outbound.OutboundUnavailable):
            call(api.url, attempts=1)
    shared_cache.delete(f"outbound:breaker:{PARTY}:open")
    with pytest.raises(outbound.OutboundUnavailable):
        call(api.url, attempts=1)
    assert breaker.is_open(PARTY)


def test_while_one_trial_runs_the_other_callers_are_refused_at_once(api):
    api.statuses = [503]
    for _ in range(2):
        with pytest.raises(outbound.OutboundUnavailable):
            call(api.url, attempts=1)
    shared_cache.delete(f"outbound:breaker:{PARTY}:open")
    breaker.before_call(PARTY, trial_seconds=5)  # another request took the trial
    with pytest.raises(outbound.CallRefusedByBreaker):
        call(api.url)


def test_with_the_shared_cache_down_this_process_keeps_the_breaker(monkeypatch, settings, silent):
    settings.SHARED_CACHE_RETRY_SECONDS = 60
    monkeypatch.setattr(shared_cache, "cache", BrokenCache())
    shared_cache.reset()
    try:
        for _ in range(2):
            with pytest.raises(outbound.OutboundUnavailable):
                call(silent.url, attempts=1)
        accepted = silent.accepted
        with pytest.raises(outbound.CallRefusedByBreaker):
            call(silent.url)
        assert silent.accepted == accepted
    finally:
        shared_cache.reset()


def test_calls_are_counted_by_party_operation_and_outcome(api):
    with Counted() as counted:
        api.statuses = [200]
        call(api.url)
        api.statuses = [503]
        for _ in range(2):
            with pytest.raises(outbound.OutboundUnavailable):
                call(api.url, attempts=1)
        with pytest.raises(outbound.CallRefusedByBreaker):
            call(api.url)
    name = "neptun_outbound_calls_total"
    assert counted(name, party=PARTY, operation="Op", outcome="ok") == 1
    assert counted(name, party=PARTY, operation="Op", outcome="failed") == 2
    assert counted(name, party=PARTY, operation="Op", outcome="skipped") == 1
