"""The shared cache as the app relies on it (core.shared_cache): a failure is answered at once
and the cache is not asked again for a moment; the rate limits then count in this process.
The same with a real Redis stopped and hung: tests/faults/test_cache_outage.py."""

import socket

import pytest

from core import rate_limits, shared_cache
from core.rate_limits import Rate, rate_limit_take
from tests.metrics import Counted


class BrokenCache:
    """A Redis that refuses every connection."""

    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            self.calls += 1
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return fail


@pytest.fixture
def broken_cache(monkeypatch, settings):
    settings.SHARED_CACHE_RETRY_SECONDS = 60
    broken = BrokenCache()
    monkeypatch.setattr(shared_cache, "cache", broken)
    shared_cache.reset()
    yield broken
    shared_cache.reset()
    rate_limits._local.clear()


def test_a_failed_cache_is_not_asked_again_for_a_while(broken_cache, settings):
    for _ in range(5):
        with pytest.raises(shared_cache.SharedCacheUnavailable):
            shared_cache.get("key")
    assert broken_cache.calls == 1
    settings.SHARED_CACHE_RETRY_SECONDS = 0
    shared_cache.reset()
    with pytest.raises(shared_cache.SharedCacheUnavailable):
        shared_cache.get("key")
    assert broken_cache.calls == 2


def test_a_missing_counter_is_an_answer_not_an_outage(settings):
    shared_cache.reset()
    with pytest.raises(ValueError):
        shared_cache.incr("no-such-counter")
    assert not shared_cache.is_marked_down()


def test_without_the_shared_cache_limits_are_counted_in_this_process(broken_cache):
    rate = Rate(limit=2, window=60)
    taken = [rate_limit_take(scope="t", identity="u", rate=rate, now=10.0) for _ in range(3)]
    assert [t.count for t in taken] == [1, 2, 3]
    assert [t.allowed for t in taken] == [True, True, False]
    assert not any(t.shared for t in taken)
    assert broken_cache.calls == 1  # asked once, then counted locally at once


def test_calls_answered_without_the_shared_cache_are_counted(settings):
    """A real Redis client against a port where nothing listens: the call that failed, then
    the calls not made while the cache is marked down."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # closed again below: nothing listens there
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SHARED_CACHE_RETRY_SECONDS = 60
    shared_cache.reset()
    try:
        with Counted() as counted:
            for _ in range(4):
                with pytest.raises(shared_cache.SharedCacheUnavailable):
                    shared_cache.get("key")
    finally:
        shared_cache.reset()
    assert counted.added() == {
        ("neptun_shared_cache_unavailable_calls_total", (("cause", "failed"),)): 1,
        ("neptun_shared_cache_unavailable_calls_total", (("cause", "marked_down"),)): 3,
    }
