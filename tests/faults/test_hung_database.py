"""The database hangs (issue 20, finding 2): PostgreSQL's address accepts connections and never
answers — a host whose server is frozen, a firewall that swallows the startup reply. Before,
psycopg waited for the server's startup reply without a limit: /readyz and every page that
read the database answered gunicorn's bare 500 after 30 s, once gunicorn had killed the
worker (WORKER TIMEOUT). Now a connection attempt gives up after DATABASE_CONNECT_TIMEOUT
seconds, /readyz after READINESS_DATABASE_TIMEOUT, and both answer the portal's own 503 — the
page with Retry-After, the probe naming the database — and the same workers serve on.

The portal runs as in production: production's gunicorn configuration (portal/gunicorn.conf.py)
with its 30 s worker timeout and two synchronous workers, the production settings, a Redis of
its own; the database is a silent TCP server (tests/silent_server.py), so no PostgreSQL is
needed and the test runs in both passes of .ci/run."""

import shutil
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from tests.faults.instances import AppServer, RedisInstance
from tests.robustness_report import REPORT
from tests.silent_server import SilentServer

CONNECT_TIMEOUT = 4  # seconds: the server's DATABASE_CONNECT_TIMEOUT
READINESS_TIMEOUT = 2  # seconds: the server's READINESS_DATABASE_TIMEOUT
TITLES = {"hu": "A portál átmenetileg nem érhető el", "en": "The portal is temporarily unavailable"}


@pytest.fixture(scope="module")
def hung_database(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server: the workers share their cache, as in production")
    folder = tmp_path_factory.mktemp("hung-database")
    silent = SilentServer()
    address = silent.start("").removeprefix("http://")
    redis = RedisInstance()
    server = AppServer(
        env={},
        log=folder / "gunicorn.log",
        workers=2,
        threads=1,
        timeout=30,  # production's: a request that hangs longer costs its worker
        configuration="portal/gunicorn.conf.py",
    )
    try:
        redis.start()
        server.env = {
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(folder),
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "SECRET_KEY": Fernet.generate_key().decode() * 2,
            "LTI_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "LTI_ISSUER": server.url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"postgres://portal@{address}/portal",
            "DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            "READINESS_DATABASE_TIMEOUT": str(READINESS_TIMEOUT),
            "CACHE_URL": redis.url,
            "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
            "LOG_LEVEL": "ERROR",
        }
        server.start(ready_path="/healthz")
        yield server, silent
    finally:
        server.stop()
        redis.stop()
        silent.stop()


def workers_of(server: AppServer) -> set[int]:
    """The pids of the gunicorn master's children: its workers."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in children}


# A returning visitor: the session cookie makes the page read the database.
SESSION_COOKIE = {"sessionid": "0123456789abcdefghijklmnopqrstuv"}


def timed(url: str, language: str = "hu") -> tuple[float, requests.Response]:
    started = time.monotonic()
    response = requests.get(
        url,
        timeout=60,
        allow_redirects=False,
        headers={"Accept-Language": language},
        cookies=SESSION_COOKIE,
    )
    return time.monotonic() - started, response


def test_a_hung_database_gets_the_503_page_and_readyz_within_seconds_and_costs_no_worker(
    hung_database,
):
    server, silent = hung_database
    deadline = time.monotonic() + 30
    while len(workers := workers_of(server)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the second worker is still being forked
    assert len(workers) == 2, workers

    pages = []
    for language in ("hu", "en", "hu"):
        took, response = timed(server.url + "/sign-in/", language)
        pages.append(took)
        assert response.status_code == 503, (took, response.status_code, response.text[:500])
        assert response.headers.get("Retry-After") == "15"
        assert TITLES[language] in response.text
        # Within a few seconds: the connect timeout, not gunicorn's 30 s.
        assert took < CONNECT_TIMEOUT + 2, pages

    probes = []
    for _ in range(2):
        took, response = timed(server.url + "/readyz")
        probes.append(took)
        assert response.status_code == 503, (took, response.status_code, response.text[:500])
        assert response.json() == {"status": "not ready", "missing": ["database"]}
        # Its own, shorter limit: a load balancer's probe gives up after a few seconds.
        assert took < READINESS_TIMEOUT + 1, probes

    assert silent.accepted >= len(pages) + len(probes)  # each one did try the database
    took, response = timed(server.url + "/healthz")
    assert response.status_code == 200 and took < 1.0, took
    # No worker was lost: the same two processes answer, and gunicorn killed none of them.
    assert workers_of(server) == workers
    log = server.log.read_text(errors="replace")
    assert "WORKER TIMEOUT" not in log
    assert log.count("Booting worker") == 2, log[-3000:]
    REPORT.faults.append(
        "PostgreSQL hung (accepts, never answers), production's gunicorn configuration with 2 "
        "workers and its 30 s worker timeout: the sign-in page of a returning visitor answered "
        f"the 503 page (Retry-After: 15) in {min(pages):.2f}–{max(pages):.2f} s "
        f"(DATABASE_CONNECT_TIMEOUT={CONNECT_TIMEOUT}), /readyz 503 naming the database in "
        f"{min(probes):.2f}–{max(probes):.2f} s (READINESS_DATABASE_TIMEOUT={READINESS_TIMEOUT}); "
        "no WORKER TIMEOUT, the same two workers served on"
    )
