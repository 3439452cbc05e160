"""/readyz and /healthz against the fault tests' own PostgreSQL and Redis: not ready, naming
what is missing, while the database or the cache is stopped, and ready again when it is back,
without a restart, while /healthz answers throughout; and a new release's database, not ready
until it is migrated — `migrate` creates the first signing keys (issue 20 finding 7)."""

import json
import time

import psycopg
import pytest

from tests.faults.instances import AppServer


def not_ready(*missing: str) -> tuple[int, dict]:
    return 503, {"status": "not ready", "missing": list(missing)}


def probe(server: AppServer, path: str) -> tuple[int, dict]:
    import requests

    response = requests.get(server.url + path, timeout=10, allow_redirects=False)
    return response.status_code, response.json()


def wait_ready(server: AppServer, timeout: float = 30) -> float:
    """Seconds until /readyz answers 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if probe(server, "/readyz")[0] == 200:
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"not ready again within {timeout} s: {probe(server, '/readyz')}")


def log_since(server: AppServer, offset: int) -> list[dict]:
    lines = server.log.read_text(errors="replace")[offset:].splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_readyz_names_the_database_while_it_is_stopped_and_healthz_still_answers(fault_world):
    server = fault_world.server
    assert probe(server, "/readyz") == (200, {"status": "ready"})
    offset = len(server.log.read_text(errors="replace"))
    fault_world.postgres.stop("fast")
    try:
        for _ in range(5):
            assert probe(server, "/readyz") == not_ready("database")
            assert probe(server, "/healthz") == (200, {"status": "ok"})
    finally:
        fault_world.postgres.start()
    wait_ready(server)
    assert probe(server, "/healthz") == (200, {"status": "ok"})
    # One line when readiness changed and one when it came back, not one per probe.
    messages = [line["message"] for line in log_since(server, offset)]
    assert messages.count("not ready: database missing") == 1, messages
    assert messages.count("ready again") == 1, messages
    assert not [m for m in messages if "/readyz" in m or "/healthz" in m], messages


def test_readyz_names_the_cache_while_redis_is_stopped(fault_world):
    server = fault_world.server
    assert probe(server, "/readyz")[0] == 200
    fault_world.redis.stop()
    try:
        assert probe(server, "/readyz") == not_ready("cache")
        assert probe(server, "/healthz") == (200, {"status": "ok"})
    finally:
        fault_world.redis.start()
    wait_ready(server)


def test_a_new_release_is_ready_once_migrated(fault_world, tmp_path):
    url = fault_world.postgres.url
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS new_release")
        db.execute("CREATE DATABASE new_release")
    server = AppServer(
        env={**fault_world.server.env, "DATABASE_URL": url.rsplit("/", 1)[0] + "/new_release"},
        log=tmp_path / "new-release.log",
    )
    try:
        server.start()
        assert probe(server, "/readyz") == not_ready("migrations")
        server.manage("migrate", "--noinput")
        assert probe(server, "/readyz") == (200, {"status": "ready"})
        assert probe(server, "/healthz") == (200, {"status": "ok"})
    finally:
        server.stop()
