"""Documents fetched from another party over HTTP (the tool's key set; on the stand-in's side,
the platform's), fetched so that a slow or dead party cannot stall the app servers.

A synchronous worker that waits for a fetch serves nobody else meanwhile. With Panopto's key
set hanging and every request fetching it for itself, two workers were soon both waiting and a
sign-in page took 9.5 s (issue 15). So, for every URL:

- **Short timeouts**: a fetch gets `OUTBOUND_TIMEOUT_SECONDS` to connect (at most 2 s), as
  long for each read, and the same in all for its body, then is given up. (A source that
  trickles its status line and headers a byte at a time is held only by the timeout of each
  read: the one worker fetching waits until gunicorn's worker timeout at worst, and the lock
  below keeps it to one.)
- **One fetch at a time** across every worker and app server: a lock in the shared cache (and
  one in the process). Whoever finds the URL being fetched does not wait for it.
- **A failure is remembered** for `OUTBOUND_RETRY_SECONDS` in the shared cache (in the
  process's memory while the shared cache is down): the requests after it fail at once instead
  of each waiting out a timeout of its own.
- **The last good copy is kept** (`KEEP_LAST_GOOD_SECONDS`) and used whenever no new one can be
  had: while the party fails, failed a moment ago, or is being fetched by someone else.

Without a copy, such a request fails at once with `OutboundUnavailable`: the caller answers
with its refusal (the deep-linking return's 400) rather than holding a worker.
"""

import contextlib
import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache

from core import shared_cache

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 2.0  # at most, within OUTBOUND_TIMEOUT_SECONDS
MAX_DOCUMENT_BYTES = 256 * 1024
# How long a copy that was once good may stand in for a fresh one while its source fails.
KEEP_LAST_GOOD_SECONDS = 24 * 60 * 60
# A refresh (say, for a key id the copy does not have) at most once per this many seconds.
REFRESH_PAUSE_SECONDS = 10.0


class OutboundUnavailable(Exception):
    """The document cannot be had now and there is no good copy of it: the fetch failed,
    failed a moment ago, or is in progress in another process."""


@dataclass(frozen=True)
class Copy:
    document: Any
    fetched_at: float  # time.time()


def timeout_seconds() -> float:
    return float(getattr(settings, "OUTBOUND_TIMEOUT_SECONDS", 3))


def retry_seconds() -> float:
    return float(getattr(settings, "OUTBOUND_RETRY_SECONDS", 30))


# --- one GET -----------------------------------------------------------------------------------


def http_get_json(
    url: str, *, timeout: float | None = None, max_bytes: int = MAX_DOCUMENT_BYTES
) -> Any:
    """GET a JSON document of at most `max_bytes`, its body read within `timeout` seconds
    (`OUTBOUND_TIMEOUT_SECONDS`) and each read too. Raises OutboundUnavailable."""
    budget = timeout_seconds() if timeout is None else timeout
    deadline = time.monotonic() + budget
    content = bytearray()
    try:
        with requests.get(
            url,
            timeout=(min(CONNECT_TIMEOUT_SECONDS, budget), budget),
            stream=True,
            headers={"Accept": "application/json"},
        ) as response:
            response.raise_for_status()
            # The read timeout holds for each read from the socket: a source that trickles its
            # answer a byte at a time is stopped by the deadline, checked after every read
            # (read1: one read from the socket, not as many as it takes to fill a chunk).
            while chunk := response.raw.read1(16 * 1024, decode_content=True):
                content += chunk
                if len(content) > max_bytes:
                    raise OutboundUnavailable(f"the document is larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise OutboundUnavailable(f"the answer took longer than {budget:g} s")
    except requests.RequestException as error:
        raise OutboundUnavailable(f"cannot be fetched: {error}") from error
    try:
        return json.loads(content)
    except ValueError as error:
        raise OutboundUnavailable("the document is not JSON") from error


# --- what the processes share ----------------------------------------------------------------

_local = LocMemCache("core-outbound", {"OPTIONS": {"MAX_ENTRIES": 1000}})
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def forget_process_memory() -> None:
    """Forget the copies, failures and locks this process keeps (tests)."""
    _local.clear()
    with _process_locks_guard:
        _process_locks.clear()


def _key(url: str, what: str) -> str:
    return f"outbound:{what}:{hashlib.sha256(url.encode()).hexdigest()}"


def _shared_or_local(method: str, *args):
    """`get`, `set` or `add` in the shared cache, or in this process's memory while it is down."""
    try:
        return getattr(shared_cache, method)(*args)
    except shared_cache.SharedCacheUnavailable:
        return getattr(_local, method)(*args)


def _last_good(url: str) -> Copy | None:
    key = _key(url, "copy")
    try:
        copy = shared_cache.get(key)
    except shared_cache.SharedCacheUnavailable:
        copy = None
    return copy if copy is not None else _local.get(key)


def _keep(url: str, copy: Copy) -> None:
    # In this process too: a copy to fall back on if the shared cache goes away.
    _local.set(_key(url, "copy"), copy, KEEP_LAST_GOOD_SECONDS)
    with contextlib.suppress(shared_cache.SharedCacheUnavailable):
        shared_cache.set(_key(url, "copy"), copy, KEEP_LAST_GOOD_SECONDS)


def _process_lock(url: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(url, threading.Lock())


def _take_fetch_slot(url: str) -> Callable[[], None] | None:
    """The right to fetch `url` now, as a function that gives it back; None while another
    thread or process fetches it."""
    lock = _process_lock(url)
    if not lock.acquire(blocking=False):
        return None
    key = _key(url, "fetching")
    try:
        # Expires on its own should this process die mid-fetch.
        taken = shared_cache.add(key, 1, math.ceil(timeout_seconds()) + 5)
        shared = True
    except shared_cache.SharedCacheUnavailable:
        taken, shared = True, False  # this process's lock alone while the cache is down
    if not taken:
        lock.release()
        return None

    def give_back() -> None:
        if shared:
            with contextlib.suppress(shared_cache.SharedCacheUnavailable):
                shared_cache.delete(key)  # or it expires by itself
        lock.release()

    return give_back


def _copy_or_refuse(copy: Copy | None, reason: str) -> Any:
    if copy is not None:
        return copy.document
    raise OutboundUnavailable(reason)


# --- the document ------------------------------------------------------------------------------


def get_json(
    url: str,
    *,
    max_age: float,
    fetch: Callable[[str], Any] | None = None,
    refresh: bool = False,
    refresh_pause: float = REFRESH_PAUSE_SECONDS,
) -> Any:
    """The document at `url`: the copy fetched less than `max_age` seconds ago, or else a new
    fetch, made by one process at a time. `refresh` asks for a new fetch however new the copy
    is, but at most once per `refresh_pause` seconds per URL (a token naming a key the copy
    lacks: forged tokens must not turn into a fetch each).

    `fetch(url)` makes the fetch and checks the document (default: `http_get_json`); it raises
    OutboundUnavailable or ValueError for a document not to be kept.

    When no new copy can be had — the fetch failed, failed less than `OUTBOUND_RETRY_SECONDS`
    ago, or another process is making it — the last good copy is returned, however old
    (within KEEP_LAST_GOOD_SECONDS); without one, OutboundUnavailable is raised at once.
    """
    copy = _last_good(url)
    if copy is not None:
        if not refresh and time.time() - copy.fetched_at < max_age:
            return copy.document
        if refresh and not _shared_or_local("add", _key(url, "refresh"), 1, refresh_pause):
            return copy.document  # refreshed a moment ago: no newer copy to be had
    failure = _shared_or_local("get", _key(url, "failed"))
    if failure is not None:
        return _copy_or_refuse(copy, f"it failed a moment ago ({failure})")
    give_back = _take_fetch_slot(url)
    if give_back is None:
        return _copy_or_refuse(copy, "another process is fetching it")
    try:
        document = (fetch or http_get_json)(url)
    except (OutboundUnavailable, ValueError) as error:
        pause = retry_seconds()
        _shared_or_local("set", _key(url, "failed"), str(error)[:300], pause)
        logger.warning("fetching %s failed (%s); not tried again for %g s", url, error, pause)
        return _copy_or_refuse(copy, str(error))
    finally:
        give_back()
    _keep(url, Copy(document=document, fetched_at=time.time()))
    return document
