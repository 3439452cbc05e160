"""The portal's metrics, in the Prometheus exposition format (prometheus_client): defined here,
beneath every app, and counted by each layer; served by portal/metrics.py to the monitoring
system alone. docs/operations.md lists them and what to alert on.

Each event is counted where its one writer already is, never in views: a launch step and a
refusal by the audit writer (`panopto_link.lti_platform.services`), a fetch from another party
by `core.outbound`, a database outage answered 503 by `core.errors`, a call answered without
the shared cache by `core.shared_cache`, an attempt beyond a rate limit by `core.rate_limits`.
Label values are codes from fixed sets (a launch step, a `Reason`, a limit's scope, a document's
name), never a user, a space or a URL, so the number of series stays bounded.

**Several gunicorn workers.** Each worker counts in its own memory-mapped files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode, chosen when it is imported),
and a scrape, whichever worker answers it, sums every worker's files — those of workers that
have exited too, so counters never go back while the server runs. portal/gunicorn.conf.py
sets the directory up and empties it when the server starts. Without the variable (the demo's
runserver, the tests' client, a management command) the metrics are this one process's.
"""

import contextlib
import datetime
import logging
import os
import time
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# prometheus_client decides on its multiprocess mode once, when it is imported (with this
# module): the scrape reads what the counters were written to.
MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
if MULTIPROCESS_DIR and not os.path.isdir(MULTIPROCESS_DIR):
    # prometheus_client would fail on its first count with a bare FileNotFoundError.
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR is {MULTIPROCESS_DIR!r}, which is not a directory. gunicorn "
        "makes it (portal/gunicorn.conf.py); run other commands without the variable."
    )

# A `_created` series beside every counter would double the series, and multiprocess mode has
# none: the same metrics in both modes.
disable_created_metrics()

# --- the metrics -------------------------------------------------------------------------------

LAUNCH_STEPS = Counter(
    "neptun_lti_launch_steps",
    "Launch steps written to the audit (launch records): login initiation, authorization, "
    "deep-linking return; accepted or refused.",
    ["step", "outcome"],
)
LAUNCH_REFUSALS = Counter(
    "neptun_lti_launch_refusals",
    "Refused launch steps by step and reason (the launch records' reason codes), counted "
    "one by one also when an anonymous flood is folded into one record.",
    ["step", "reason"],
)
AUTHORIZATION_SECONDS = Histogram(
    "neptun_lti_authorization_duration_seconds",
    "Time the authorization endpoint took to answer, from the view's start to its response: "
    "an id_token issued, or a refusal.",
    ["outcome"],
    # The capacity target is a p95 under 300 ms (README, Performance).
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0),
)
OUTBOUND_FETCHES = Counter(
    "neptun_outbound_fetches",
    "Fetches of another party's document (Panopto's key set) actually made, by document and "
    "outcome; a failed one is not tried again for OUTBOUND_RETRY_SECONDS.",
    ["document", "outcome"],
)
DATABASE_UNAVAILABLE = Counter(
    "neptun_database_unavailable_responses",
    "Requests answered with the 503 page because the database could not be reached.",
)
OVERLOAD_SHED = Counter(
    "neptun_overload_shed_responses",
    "Requests answered with the 503 page at once because they had waited in the app server's "
    "queue longer than QUEUE_TIME_BUDGET_MS (core/overload.py).",
)
SHARED_CACHE_UNAVAILABLE = Counter(
    "neptun_shared_cache_unavailable_calls",
    "Calls to the shared cache (Redis) the app answered without it: the call failed, or was "
    "not made because the cache failed a moment ago.",
    ["cause"],
)
RATE_LIMIT_REFUSALS = Counter(
    "neptun_rate_limit_refusals",
    "Attempts beyond a rate limit, answered 429, by limit (one attempt may exceed both "
    "sign-in limits).",
    ["limit"],
)

# Label values where the set is fixed here.
ISSUED, REFUSED = "issued", "refused"
FETCHED, FAILED = "ok", "failed"
CACHE_FAILED, CACHE_MARKED_DOWN = "failed", "marked_down"


def _counted(add: Callable[[], None]) -> None:
    """Count; a metric never fails the request it counts (in multiprocess mode a count is a
    write to a file: a full disk is the database's and the logs' problem first)."""
    try:
        add()
    except OSError:
        logger.warning("a metric could not be counted", exc_info=True)


def launch_step_counted(*, step: str, outcome: str, reason: str = "") -> None:
    """One launch step written to the audit; a refusal also by its reason (a `Reason` code)."""
    _counted(lambda: LAUNCH_STEPS.labels(step=step, outcome=outcome).inc())
    if outcome == REFUSED:
        _counted(lambda: LAUNCH_REFUSALS.labels(step=step, reason=reason).inc())


def authorization_observed(*, outcome: str, seconds: float) -> None:
    _counted(lambda: AUTHORIZATION_SECONDS.labels(outcome=outcome).observe(seconds))


def outbound_fetch_counted(*, document: str, outcome: str) -> None:
    _counted(lambda: OUTBOUND_FETCHES.labels(document=document, outcome=outcome).inc())


def database_unavailable_counted() -> None:
    _counted(lambda: DATABASE_UNAVAILABLE.inc())


def overload_shed_counted() -> None:
    _counted(lambda: OVERLOAD_SHED.inc())


def shared_cache_unavailable_counted(*, cause: str) -> None:
    _counted(lambda: SHARED_CACHE_UNAVAILABLE.labels(cause=cause).inc())


def rate_limit_refusal_counted(*, limit: str) -> None:
    _counted(lambda: RATE_LIMIT_REFUSALS.labels(limit=limit).inc())


# --- the exposition ----------------------------------------------------------------------------


def exposition(accept: str = "") -> tuple[bytes, str]:
    """The metrics as the monitoring system reads them (the text format, or OpenMetrics when
    `accept` asks for it), and their content type: summed over every worker's files in
    multiprocess mode, else this process's (with its process and Python metrics)."""
    registry: CollectorRegistry = REGISTRY
    if MULTIPROCESS_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
        registry.register(STATE)
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type


OUTBOUND_CALLS = Counter(
    "neptun_outbound_calls",
    "Calls to another party's API (Panopto's), by party, operation and outcome: answered, "
    "failed after its retries, or skipped because the party's circuit breaker was open.",
    ["party", "operation", "outcome"],
)
SKIPPED = "skipped"


def outbound_call_counted(*, party: str, operation: str, outcome: str) -> None:
    _counted(lambda: OUTBOUND_CALLS.labels(party=party, operation=operation, outcome=outcome).inc())


# --- the background jobs' states (issue 24) ------------------------------------------------------
# The jobs run in the worker, a process of its own, and a scrape never queries the database: the
# writers of the jobs (the worker after each job, the sweep every minute, a change committed)
# publish what is pending and failed to the shared cache, and every app server's scrape reads
# that one snapshot (one cache round trip; none when the cache is down).

JOBS_STATE_KEY = "metrics:background-jobs"
JOBS_STATE_SECONDS = 60 * 60


def jobs_state_publish(
    counts: dict[tuple[str, str], int], oldest_pending: datetime.datetime | None
) -> None:
    """Publish the jobs' states: (kind, state) → count, and when the oldest pending job was
    written (its age is reckoned at the scrape)."""
    from core import shared_cache

    with contextlib.suppress(shared_cache.SharedCacheUnavailable):  # metrics, not the work
        shared_cache.set(
            JOBS_STATE_KEY,
            {
                "counts": [[kind, state, count] for (kind, state), count in sorted(counts.items())],
                "oldest_pending": oldest_pending.timestamp() if oldest_pending else None,
            },
            timeout=JOBS_STATE_SECONDS,
        )


def _snapshot(key: str) -> dict:
    """A published snapshot, read for a scrape: never fails the scrape, is never counted as a
    call of the app (a scrape is not one), and is not attempted while the shared cache is
    marked down."""
    from django.core.cache import cache

    from core import shared_cache

    if shared_cache.is_marked_down():
        return {}
    try:
        found = cache.get(key)
    except Exception:
        return {}
    return found if isinstance(found, dict) else {}


class _JobsCollector(Collector):
    def describe(self):
        # What it serves, without reading the cache (registering it reads this).
        yield GaugeMetricFamily("neptun_background_jobs", "", labels=["kind", "state"])
        yield GaugeMetricFamily("neptun_background_jobs_oldest_pending_seconds", "")
        yield GaugeMetricFamily("neptun_panopto_reconcile_last_run_timestamp_seconds", "")
        yield GaugeMetricFamily("neptun_panopto_reconcile_last_run", "", labels=["what"])

    def collect(self):
        jobs = GaugeMetricFamily(
            "neptun_background_jobs",
            "Background jobs (taking Panopto access back) by kind and state, as their writers "
            "last published them: alert on failed > 0 and on pending growing.",
            labels=["kind", "state"],
        )
        oldest = GaugeMetricFamily(
            "neptun_background_jobs_oldest_pending_seconds",
            "Age of the oldest pending background job: the worker is stopped or Panopto has been "
            "down that long.",
        )
        snapshot = _snapshot(JOBS_STATE_KEY)
        for kind, state, count in snapshot.get("counts", []):
            jobs.add_metric([str(kind), str(state)], float(count))
        since = snapshot.get("oldest_pending")
        oldest.add_metric([], max(time.time() - since, 0.0) if since else 0.0)
        yield jobs
        yield oldest
        yield from _reconcile_families()


RECONCILE_KEY = "metrics:panopto-reconcile"


def reconcile_published(
    *,
    finished: datetime.datetime,
    folders: int,
    taken_back: int,
    found: int,
    failed: bool,
    creators_found: int,
    creators_taken_back: int,
) -> None:
    """The last reconciliation's counts (`panopto_reconcile`), for every app server's scrape:
    access nobody was entitled to (found, taken back), and apart from it Creator roles held by
    someone who no longer administers the space (creators_found, creators_taken_back)."""
    from core import shared_cache

    with contextlib.suppress(shared_cache.SharedCacheUnavailable):  # metrics, not the work
        shared_cache.set(
            RECONCILE_KEY,
            {
                "finished": finished.timestamp(),
                "folders": folders,
                "taken_back": taken_back,
                "found": found,
                "creators_found": creators_found,
                "creators_taken_back": creators_taken_back,
                "failed": int(failed),
            },
            timeout=7 * 24 * 60 * 60,
        )


def _reconcile_families():
    last = GaugeMetricFamily(
        "neptun_panopto_reconcile_last_run_timestamp_seconds",
        "When panopto_reconcile last finished (alert when older than a day and a half).",
    )
    counts = GaugeMetricFamily(
        "neptun_panopto_reconcile_last_run",
        "The last panopto_reconcile: folders checked, access nobody was entitled to (found), "
        "taken back, Creator roles of people who no longer administer the space "
        "(creators_found, creators_taken_back), and whether it stopped because Panopto could "
        "not be asked (failed).",
        labels=["what"],
    )
    snapshot = _snapshot(RECONCILE_KEY)
    last.add_metric([], float(snapshot.get("finished", 0)))
    for what in (
        "folders",
        "found",
        "taken_back",
        "creators_found",
        "creators_taken_back",
        "failed",
    ):
        counts.add_metric([what], float(snapshot.get(what, 0)))
    return last, counts


STATE = _JobsCollector()
REGISTRY.register(STATE)
