"""PostgreSQL for the portal: Django's own backend (`base.py`, ENGINE `core.postgresql`), whose
connection attempts a caller may give a shorter limit than DATABASE_CONNECT_TIMEOUT.

/readyz has a limit of its own (READINESS_DATABASE_TIMEOUT): a load balancer's probe gives up
after a few seconds, and a probe that took longer than its patience would be counted as a
failure of the app server rather than of the database it names. The limit is a context
variable, so it holds for the attempts of this request's thread only (settings are shared).
This module imports no database driver: the health checks import it on SQLite too.
"""

import contextlib
import contextvars
from collections.abc import Iterator

_connect_timeout: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "portal_database_connect_timeout", default=None
)


@contextlib.contextmanager
def connect_timeout(seconds: int) -> Iterator[None]:
    """Connection attempts inside give up after `seconds` at most (psycopg waits at least 2)."""
    token = _connect_timeout.set(seconds)
    try:
        yield
    finally:
        _connect_timeout.reset(token)


def shortened_connect_timeout(configured: int | str | None) -> int | str | None:
    """The connect timeout for an attempt now: the configured one, or the caller's if shorter."""
    override = _connect_timeout.get()
    if override is None:
        return configured
    if configured is None or int(configured) <= 0:  # none configured: no limit
        return override
    return min(int(configured), override)
