"""Health checks for load balancers and process supervisors: `/healthz` and `/readyz`.

- `/healthz`: the process answers. Nothing else is asked (no database, no cache), so a database
  outage never makes a supervisor restart app servers that would recover by themselves.
- `/readyz`: this app server can serve launches: the database answers, every migration of this
  release is applied, a current signing key exists, and the shared cache answers. 200, or 503
  with the names of what is missing (`database`, `migrations`, `signing_key`, `cache`). A
  database that does not answer a connection attempt within READINESS_DATABASE_TIMEOUT seconds
  is missing.

Both are answered by the first middleware, before anything that could refuse or redirect a
probe: a load balancer asks over plain http on the app port with the server's own address as
Host, and production refuses both (SECURE_SSL_REDIRECT, ALLOWED_HOSTS). No session is read, no
rate limit counts, and no line is logged per call: a change of readiness is logged once per
process, and gunicorn's access log leaves these paths out (portal/gunicorn.conf.py).
See docs/operations.md.
"""

import logging
import threading
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.postgresql import connect_timeout

logger = logging.getLogger(__name__)

HEALTHZ = "/healthz"
READYZ = "/readyz"
PATHS = frozenset({HEALTHZ, READYZ})

DATABASE = "database"
MIGRATIONS = "migrations"
SIGNING_KEY = "signing_key"
CACHE = "cache"

# Remembered once true: computing the migration plan reads every migration file (tens of
# milliseconds), and a running process cannot go back to unapplied migrations — a release with
# new migrations is a new process.
_migrations_applied = False
_last_missing: tuple[str, ...] | None = None
_lock = threading.Lock()


def _all_migrations_applied() -> bool:
    # Imported here: gunicorn's configuration imports PATHS before Django is set up.
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def _current_signing_key_exists() -> bool:
    from panopto_link.lti_platform.models import KeyState, PlatformKey

    return PlatformKey.objects.filter(state=KeyState.CURRENT).exists()


def _database_missing() -> list[str]:
    """What the database lacks: itself, this release's migrations, or a current signing key.
    The key is looked for only once the migrations are applied (its table comes with them).
    A connection attempt has the probe's own limit, READINESS_DATABASE_TIMEOUT: a database that
    accepts connections and never answers is named within seconds, before the load balancer
    gives up on the probe."""
    global _migrations_applied
    try:
        with connect_timeout(settings.READINESS_DATABASE_TIMEOUT):
            connection.ensure_connection()
        if not _migrations_applied:
            _migrations_applied = _all_migrations_applied()
            if not _migrations_applied:
                return [MIGRATIONS]
        # One indexed query; on a persistent connection it is also the check that the
        # database still answers (ensure_connection does not ask an open connection).
        return [] if _current_signing_key_exists() else [SIGNING_KEY]
    except DatabaseError:
        return [DATABASE]


def _cache_missing() -> list[str]:
    # The cache itself, not core.shared_cache: that one stops asking for a few seconds after a
    # failure, and readiness must say how the cache is now.
    try:
        caches["default"].get("readyz-probe")
    except Exception:  # any client error: refused, timed out, protocol
        return [CACHE]
    return []


def readiness() -> list[str]:
    """What this app server is missing to serve; empty when it is ready."""
    return _database_missing() + _cache_missing()


def _log_change(missing: list[str]) -> None:
    """Log readiness when it changes, not per probe (a load balancer asks every few seconds)."""
    global _last_missing
    state = tuple(missing)
    with _lock:
        previous, _last_missing = _last_missing, state
    if state == previous:
        return
    if missing:
        logger.warning("not ready: %s missing", ", ".join(missing), extra={"missing": state})
    elif previous is not None:
        logger.warning("ready again")


def _answer(
    request: HttpRequest, body: dict, *, status: HTTPStatus = HTTPStatus.OK
) -> HttpResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    if request.method == "HEAD":
        response.content = b""
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return _answer(request, {"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    missing = readiness()
    _log_change(missing)
    if not missing:
        return _answer(request, {"status": "ready"})
    response = _answer(
        request,
        {"status": "not ready", "missing": missing},
        status=HTTPStatus.SERVICE_UNAVAILABLE,
    )
    # Django's request logger would log every probe's 503 as an error; the change is logged
    # once above instead.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class HealthCheckMiddleware:
    """Answers /healthz and /readyz before any other middleware (first in MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path not in PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = _answer(
                request, {"status": "method not allowed"}, status=HTTPStatus.METHOD_NOT_ALLOWED
            )
            response["Allow"] = "GET, HEAD"
            return response
        return healthz(request) if path == HEALTHZ else readyz(request)
