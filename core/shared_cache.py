"""The shared cache (Redis in production) as the app relies on it: never for anything that must
survive (docs/decisions/0001), and never so that an outage takes a page down.

Every call either answers or raises `SharedCacheUnavailable` quickly, and the caller falls back
(computes the value, counts locally). After a failure the process stops asking for
`SHARED_CACHE_RETRY_SECONDS`: a Redis that hangs instead of refusing would otherwise cost every
request its full socket timeout, on every call.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

from core import metrics

logger = logging.getLogger(__name__)


class SharedCacheUnavailable(Exception):
    """The shared cache did not answer (or failed a moment ago and is not asked again yet)."""


_lock = threading.Lock()
_down_until = 0.0


def _retry_seconds() -> float:
    return float(getattr(settings, "SHARED_CACHE_RETRY_SECONDS", 5))


def is_marked_down() -> bool:
    return time.monotonic() < _down_until


def reset() -> None:
    """Forget a recent failure: the next call asks the cache again (tests, settings changes)."""
    global _down_until
    with _lock:
        _down_until = 0.0


def _call(method: str, *args, **kwargs):
    global _down_until
    if is_marked_down():
        metrics.shared_cache_unavailable_counted(cause=metrics.CACHE_MARKED_DOWN)
        raise SharedCacheUnavailable("the shared cache failed a moment ago")
    try:
        return getattr(cache, method)(*args, **kwargs)
    except ValueError:
        raise  # incr/decr of a missing key: an answer, not an outage
    except Exception as error:  # any client error: refused, timeout, protocol, out of memory
        with _lock:
            _down_until = time.monotonic() + _retry_seconds()
        metrics.shared_cache_unavailable_counted(cause=metrics.CACHE_FAILED)
        logger.warning(
            "shared cache unavailable (%s); not asked again for %ss", error, _retry_seconds()
        )
        raise SharedCacheUnavailable(str(error)) from error


def get(key: str, default=None):
    return _call("get", key, default)


def set(key: str, value, timeout: float) -> None:
    _call("set", key, value, timeout)


def add(key: str, value, timeout: float) -> bool:
    return _call("add", key, value, timeout)


def incr(key: str, delta: int = 1) -> int:
    """Atomic in Redis and in local memory; raises ValueError when the key does not exist."""
    return _call("incr", key, delta)


def decr(key: str, delta: int = 1) -> int:
    return _call("decr", key, delta)


def delete(key: str) -> None:
    _call("delete", key)


def get_many(keys: list[str]) -> dict:
    """The values of those `keys` that are present, in one round trip."""
    return _call("get_many", keys)
