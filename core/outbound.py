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
import dataclasses
import datetime
import email.utils
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

from core import breaker, metrics, shared_cache

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


def _read_body(response: requests.Response, *, budget: float, max_bytes: int) -> bytes:
    """The answer's body, read within `budget` seconds and at most `max_bytes` long. Raises
    OutboundUnavailable."""
    deadline = time.monotonic() + budget
    content = bytearray()
    # The read timeout holds for each read from the socket: a source that trickles its answer a
    # byte at a time is stopped by the deadline, checked after every read (read1: one read
    # from the socket, not as many as it takes to fill a chunk).
    while chunk := response.raw.read1(16 * 1024, decode_content=True):
        content += chunk
        if len(content) > max_bytes:
            raise OutboundUnavailable(f"the document is larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise OutboundUnavailable(f"the answer took longer than {budget:g} s")
    return bytes(content)


def _get(url: str, *, budget: float, accept: str, redirects: bool = True) -> requests.Response:
    return requests.get(
        url,
        timeout=(min(CONNECT_TIMEOUT_SECONDS, budget), budget),
        stream=True,
        allow_redirects=redirects,
        headers={"Accept": accept},
    )


def http_get_json(
    url: str, *, timeout: float | None = None, max_bytes: int = MAX_DOCUMENT_BYTES
) -> Any:
    """GET a JSON document of at most `max_bytes`, its body read within `timeout` seconds
    (`OUTBOUND_TIMEOUT_SECONDS`) and each read too. Raises OutboundUnavailable."""
    budget = timeout_seconds() if timeout is None else timeout
    try:
        with _get(url, budget=budget, accept="application/json") as response:
            response.raise_for_status()
            content = _read_body(response, budget=budget, max_bytes=max_bytes)
    except requests.RequestException as error:
        raise OutboundUnavailable(f"cannot be fetched: {error}") from error
    try:
        return json.loads(content)
    except ValueError as error:
        raise OutboundUnavailable("the document is not JSON") from error


@dataclass(frozen=True)
class Probe:
    """What one diagnostic GET found (`http_probe`)."""

    url: str
    status: int | None = None  # None: no answer (refused, timed out, not HTTP)
    date: datetime.datetime | None = None  # the answer's Date header (RFC 9110 §6.6.1)
    document: Any = None  # the JSON body, when asked for and readable
    error: str = ""  # why there is no answer, or no document
    received_at: float = 0.0  # time.time() when the answer arrived

    @property
    def answered(self) -> bool:
        return self.status is not None


def http_probe(url: str, *, want_json: bool = False, timeout: float | None = None) -> Probe:
    """One GET for a diagnosis (the configuration self-test): the status, the Date header and,
    with `want_json`, the JSON body — within the same time limits as every fetch here, and
    never an exception. Unlike `get_json` it keeps no copy and takes no turn: a self-test must
    see the party as it is now, and a party being fetched by a worker is probed all the same
    (this is not on any page's path)."""
    budget = timeout_seconds() if timeout is None else timeout
    try:
        accept = "application/json" if want_json else "*/*"
        # Redirects are not followed: a login URL that redirects has answered, and a key set
        # must be where the registration says.
        with _get(url, budget=budget, accept=accept, redirects=False) as answer:
            found = Probe(
                url=url,
                status=answer.status_code,
                date=_date_header(answer.headers.get("Date")),
                received_at=time.time(),
            )
            if not want_json:
                return found
            try:
                content = _read_body(answer, budget=budget, max_bytes=MAX_DOCUMENT_BYTES)
            except OutboundUnavailable as error:
                return dataclasses.replace(found, error=str(error))
    except requests.RequestException as error:
        return Probe(url=url, error=_in_words(error))
    try:
        return dataclasses.replace(found, document=json.loads(content))
    except ValueError:
        return dataclasses.replace(found, error="the answer is not JSON")


def _date_header(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _in_words(error: requests.RequestException) -> str:
    """A failed request in a few words (requests' own messages nest the whole chain)."""
    if isinstance(error, requests.ConnectTimeout):
        return "no connection within the time limit"
    if isinstance(error, requests.ReadTimeout):
        return "no answer within the time limit"
    if isinstance(error, requests.exceptions.SSLError):
        return "the TLS certificate could not be verified"
    if isinstance(error, requests.ConnectionError):
        return "the connection was refused or the host is unknown"
    return type(error).__name__


# --- what the processes share ----------------------------------------------------------------

_local = LocMemCache("core-outbound", {"OPTIONS": {"MAX_ENTRIES": 1000}})
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def forget_process_memory() -> None:
    """Forget the copies, failures and locks this process keeps (tests)."""
    _local.clear()
    breaker.forget_process_memory()
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


def kept_copy(url: str) -> Copy | None:
    """The last good copy of `url`'s document, without fetching: for the readers of a document
    that a scheduled job fetches (the eduID metadata), so that no request waits for it."""
    return _last_good(url)


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
    document: str,
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
    OutboundUnavailable or ValueError for a document not to be kept. Every fetch made is counted
    in the metrics under `document`, a fixed name for what is fetched (never the URL).

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
        fetched = (fetch or http_get_json)(url)
    except (OutboundUnavailable, ValueError) as error:
        metrics.outbound_fetch_counted(document=document, outcome=metrics.FAILED)
        pause = retry_seconds()
        _shared_or_local("set", _key(url, "failed"), str(error)[:300], pause)
        logger.warning("fetching %s failed (%s); not tried again for %g s", url, error, pause)
        return _copy_or_refuse(copy, str(error))
    finally:
        give_back()
    metrics.outbound_fetch_counted(document=document, outcome=metrics.FETCHED)
    _keep(url, Copy(document=fetched, fetched_at=time.time()))
    return fetched


# --- calls: a request to another party's API (Panopto's SOAP and REST) ----------------------
#
# Unlike a document, an answer is not kept here (the caller caches what it needs, for as long
# as it needs). A call has short timeouts like a fetch; a call that got no answer (refused,
# timed out, 502/503/504) is retried after a backoff while its budget allows; and every call to
# one party passes its circuit breaker (core/breaker.py), so a party that hangs costs a few
# timeouts in all rather than one per request.

MAX_ANSWER_BYTES = 4 * 1024 * 1024
RETRIED_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    content: bytes


def _call_once(
    method: str, url: str, *, body: bytes | None, headers: dict[str, str], budget: float
) -> Answer:
    try:
        with requests.request(
            method,
            url,
            data=body,
            headers=headers,
            timeout=(min(CONNECT_TIMEOUT_SECONDS, budget), budget),
            stream=True,
            allow_redirects=False,
        ) as response:
            content = _read_body(response, budget=budget, max_bytes=MAX_ANSWER_BYTES)
            return Answer(
                status=response.status_code, headers=dict(response.headers), content=content
            )
    except requests.RequestException as error:
        raise OutboundUnavailable(_in_words(error)) from error


def http_call(
    method: str,
    url: str,
    *,
    party: str,
    operation: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    attempts: int | None = None,
    backoff: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Answer:
    """One call to `party` (a fixed name, e.g. "panopto_api"): `operation` names it in the
    metrics (never the URL). Returns the answer whatever its status (a SOAP fault comes as a
    500 and is the caller's to read); raises `breaker.CircuitOpen` (an OutboundUnavailable)
    at once while the party's breaker is open, and OutboundUnavailable when no answer came in
    `attempts` tries (`OUTBOUND_CALL_ATTEMPTS`, 2), each within `timeout` seconds, waiting
    `backoff` × 2ⁿ seconds (`OUTBOUND_CALL_BACKOFF_SECONDS`, 0.2) between them."""
    budget = timeout_seconds() if timeout is None else timeout
    tries = int(getattr(settings, "OUTBOUND_CALL_ATTEMPTS", 2)) if attempts is None else attempts
    pause = (
        float(getattr(settings, "OUTBOUND_CALL_BACKOFF_SECONDS", 0.2))
        if backoff is None
        else backoff
    )
    try:
        breaker.before_call(party, trial_seconds=budget * tries)
    except breaker.CircuitOpen as error:
        metrics.outbound_call_counted(party=party, operation=operation, outcome=metrics.SKIPPED)
        raise CallRefusedByBreaker(str(error)) from error
    reason = ""
    for attempt in range(max(tries, 1)):
        if attempt:
            sleep(pause * 2 ** (attempt - 1))
        try:
            answer = _call_once(method, url, body=body, headers=headers or {}, budget=budget)
        except OutboundUnavailable as error:
            reason = str(error)
            continue
        if answer.status in RETRIED_STATUSES:
            reason = f"HTTP {answer.status}"
            continue
        breaker.succeeded(party)
        metrics.outbound_call_counted(party=party, operation=operation, outcome=metrics.FETCHED)
        return answer
    opened = breaker.failed(party, reason)
    metrics.outbound_call_counted(party=party, operation=operation, outcome=metrics.FAILED)
    logger.warning(
        "%s %s failed after %d tries (%s)%s",
        party,
        operation,
        tries,
        reason,
        "; the circuit breaker opened" if opened else "",
    )
    raise OutboundUnavailable(f"{party} did not answer ({reason})")


class CallRefusedByBreaker(OutboundUnavailable):
    """The party's circuit breaker is open: the call was not made."""
