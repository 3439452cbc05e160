"""Fetches from other parties (core.outbound) against real sockets: a source that hangs costs
one short timeout, once, and then nothing for a while; simultaneous requests make one fetch and
do not wait for it; the last good copy stands in while the source fails. Across processes
through the shared cache (Redis in the PostgreSQL pass), in this process while it is down.
The same with two gunicorn workers: tests/faults/test_hung_tool_keys.py."""

import socket
import threading
import time

import pytest

from core import outbound, shared_cache
from tests.core.test_shared_cache import BrokenCache
from tests.jwks_server import JwksServer
from tests.silent_server import SilentServer

DOCUMENT = {"keys": [{"kid": "k1"}]}


@pytest.fixture
def silent():
    server = SilentServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def source():
    server = JwksServer()
    server.document = DOCUMENT
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _short_timeout(settings):
    settings.OUTBOUND_TIMEOUT_SECONDS = 1
    settings.OUTBOUND_RETRY_SECONDS = 30


def timed_failure(url: str, **kwargs) -> float:
    started = time.monotonic()
    with pytest.raises(outbound.OutboundUnavailable):
        outbound.get_json(url, max_age=60, **kwargs)
    return time.monotonic() - started


def test_a_hung_source_costs_one_timeout_then_fails_at_once(silent):
    first = timed_failure(silent.url)
    later = [timed_failure(silent.url) for _ in range(5)]
    assert 0.9 < first < 2.5, first
    assert max(later) < 0.05, later
    assert silent.accepted == 1


def test_simultaneous_requests_make_one_fetch_and_do_not_wait_for_it(silent):
    durations: list[float] = []
    barrier = threading.Barrier(6)

    def request() -> None:
        barrier.wait()
        durations.append(timed_failure(silent.url))

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    durations.sort()
    assert silent.accepted == 1
    assert max(durations[:-1]) < 0.3, durations  # five did not wait for the one fetch
    assert 0.9 < durations[-1] < 2.5, durations


def test_the_failure_is_remembered_for_every_process_in_the_shared_cache(silent):
    timed_failure(silent.url)
    outbound.forget_process_memory()  # another worker: none of this process's memory
    assert timed_failure(silent.url) < 0.05
    assert silent.accepted == 1


def test_a_fetch_in_progress_in_another_process_is_not_waited_for(source):
    shared_cache.add(outbound._key(source.url, "fetching"), 1, 30)  # another worker's fetch
    assert timed_failure(source.url) < 0.05
    assert source.fetches == 0


def test_a_failure_is_asked_again_after_the_pause(silent, settings):
    settings.OUTBOUND_RETRY_SECONDS = 1
    timed_failure(silent.url)
    time.sleep(1.1)
    assert timed_failure(silent.url) > 0.9
    assert silent.accepted == 2


def test_the_last_good_copy_stands_in_while_the_source_fails(source):
    assert outbound.get_json(source.url, max_age=60) == DOCUMENT
    source.status = 500
    # The copy is too old to be used as it is, and the source fails: the copy, all the same.
    assert outbound.get_json(source.url, max_age=0) == DOCUMENT
    assert outbound.get_json(source.url, max_age=0) == DOCUMENT  # no new fetch meanwhile
    assert source.fetches == 2


def test_the_last_good_copy_stands_in_while_another_process_fetches(source):
    assert outbound.get_json(source.url, max_age=60) == DOCUMENT
    shared_cache.add(outbound._key(source.url, "fetching"), 1, 30)
    assert outbound.get_json(source.url, max_age=0) == DOCUMENT
    assert source.fetches == 1


def test_a_fresh_copy_is_used_without_asking(source):
    for _ in range(5):
        assert outbound.get_json(source.url, max_age=60) == DOCUMENT
    assert source.fetches == 1


def test_a_refresh_is_made_at_most_once_per_pause(source):
    outbound.get_json(source.url, max_age=60)
    source.document = {"keys": [{"kid": "k2"}]}
    assert outbound.get_json(source.url, max_age=60, refresh=True) == source.document
    for _ in range(5):
        outbound.get_json(source.url, max_age=60, refresh=True)
    assert source.fetches == 2


def test_a_document_the_caller_refuses_counts_as_a_failure(source):
    def only_key_sets(url: str):
        raise ValueError("not a key set")

    assert timed_failure(source.url, fetch=only_key_sets) < 0.5
    assert timed_failure(source.url) < 0.05  # remembered: not even the default fetch is made
    assert source.fetches == 0


def test_a_source_that_trickles_its_answer_is_cut_off_at_the_deadline():
    """Each read gets its timeout, but the whole answer gets no more than the deadline."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle() -> None:
        connection, _address = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{")
            while not stop.wait(0.2):
                try:
                    connection.sendall(b" ")
                except OSError:
                    return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/jwks"
        assert 0.9 < timed_failure(url) < 2.5
    finally:
        stop.set()
        listener.close()


def test_a_document_too_large_is_refused(source):
    source.document = {"keys": ["x" * 1000] * 300}
    with pytest.raises(outbound.OutboundUnavailable, match="larger than"):
        outbound.http_get_json(source.url, max_bytes=256 * 1024)


def test_with_the_shared_cache_down_this_process_remembers(monkeypatch, settings, silent):
    settings.SHARED_CACHE_RETRY_SECONDS = 60
    monkeypatch.setattr(shared_cache, "cache", BrokenCache())
    shared_cache.reset()
    try:
        timed_failure(silent.url)
        assert max(timed_failure(silent.url) for _ in range(5)) < 0.05
        assert silent.accepted == 1
    finally:
        shared_cache.reset()


def test_with_the_shared_cache_down_the_copy_is_kept_in_this_process(monkeypatch, settings, source):
    outbound.get_json(source.url, max_age=60)
    settings.SHARED_CACHE_RETRY_SECONDS = 60
    monkeypatch.setattr(shared_cache, "cache", BrokenCache())
    shared_cache.reset()
    try:
        source.status = 500
        assert outbound.get_json(source.url, max_age=0) == DOCUMENT
    finally:
        shared_cache.reset()
