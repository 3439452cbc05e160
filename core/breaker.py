"""A circuit breaker per other party (Panopto's API), shared by every worker and app server.

After `OUTBOUND_BREAKER_FAILURES` calls in a row found the party not answering, the breaker
opens for `OUTBOUND_BREAKER_SECONDS`: every call meanwhile fails at once, without a connection,
so a Panopto that hangs costs the portal a few timeouts in all, not one per request. When the
pause is over, one call at a time is let through as a trial: its success closes the breaker,
its failure opens it again at once. The state lives in the shared cache, and in this process's
memory while the shared cache is down (the pattern of docs/decisions/0005).
"""

import contextlib
import math

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache

from core import shared_cache

_local = LocMemCache("core-breaker", {"OPTIONS": {"MAX_ENTRIES": 100}})


class CircuitOpen(Exception):
    """The party failed repeatedly a moment ago: the call is not made."""


def failures_to_open() -> int:
    return int(getattr(settings, "OUTBOUND_BREAKER_FAILURES", 3))


def open_seconds() -> float:
    return float(getattr(settings, "OUTBOUND_BREAKER_SECONDS", 30))


def _key(party: str, what: str) -> str:
    return f"outbound:breaker:{party}:{what}"


def _shared_or_local(method: str, *args):
    try:
        return getattr(shared_cache, method)(*args)
    except shared_cache.SharedCacheUnavailable:
        return getattr(_local, method)(*args)


def forget_process_memory() -> None:
    """Forget what this process remembers of every party (tests)."""
    _local.clear()


def is_open(party: str) -> bool:
    return _shared_or_local("get", _key(party, "open")) is not None


def before_call(party: str, *, trial_seconds: float) -> None:
    """Raise CircuitOpen unless a call to `party` may be made now. After a pause, the first
    caller takes the trial (for `trial_seconds` at most); the others are refused meanwhile."""
    reason = _shared_or_local("get", _key(party, "open"))
    if reason is not None:
        raise CircuitOpen(f"{party} failed {failures_to_open()} times in a row ({reason})")
    failures = _shared_or_local("get", _key(party, "failures")) or 0
    if failures >= failures_to_open() and not _shared_or_local(
        "add", _key(party, "trial"), 1, math.ceil(trial_seconds) + 1
    ):
        raise CircuitOpen(f"{party} is being tried again by another request")


def succeeded(party: str) -> None:
    for what in ("failures", "trial"):
        with contextlib.suppress(shared_cache.SharedCacheUnavailable):
            shared_cache.delete(_key(party, what))
        _local.delete(_key(party, what))


def failed(party: str, reason: str) -> bool:
    """Count a failed call; returns True when the breaker opened with it."""
    key = _key(party, "failures")
    # The count outlives the pause: after it, one more failure opens the breaker again.
    window = open_seconds() * 10
    _shared_or_local("add", key, 0, window)
    try:
        count = shared_cache.incr(key)
    except (shared_cache.SharedCacheUnavailable, ValueError):
        _local.add(key, 0, window)
        try:
            count = _local.incr(key)
        except ValueError:
            count = 1
    for what in ("trial",):
        with contextlib.suppress(shared_cache.SharedCacheUnavailable):
            shared_cache.delete(_key(party, what))
        _local.delete(_key(party, what))
    if count >= failures_to_open():
        _shared_or_local("set", _key(party, "open"), reason[:300], open_seconds())
        return True
    return False
