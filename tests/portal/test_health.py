"""/healthz and /readyz (portal/health.py): answered before host validation and the HTTPS
redirect, cheap, never signed in, never rate-limited, not logged per probe; /readyz names what
is missing. Database outages and a release without its migrations are tested against a real
PostgreSQL in tests/faults/test_readiness.py."""

import logging
import runpy
import socket
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from panopto_link.lti_platform import keys
from panopto_link.lti_platform.models import PlatformKey
from portal import health

pytestmark = pytest.mark.django_db

GUNICORN_CONF = Path(django_settings.BASE_DIR) / "portal" / "gunicorn.conf.py"


@pytest.fixture(autouse=True)
def _fresh_process_state(monkeypatch):
    """Each test starts as a new process does: migrations not yet known to be applied, no
    readiness logged yet."""
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "_last_missing", None)


@pytest.fixture
def production_like(settings):
    """What makes probes fail in production: the HTTPS redirect and a strict ALLOWED_HOSTS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["neptun.example.edu"]
    settings.SECURE_HSTS_SECONDS = 31536000
    return settings


def probe(path: str, *, method: str = "get", **extra):
    """A load balancer's probe: plain http to the app server's own address."""
    client = Client()
    return getattr(client, method)(path, HTTP_HOST="10.0.0.11:8000", **extra)


def test_healthz_answers_plain_http_on_the_app_address_without_redirect_or_400(
    production_like, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = probe("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # never a session, a CSRF or a language cookie
    # The same request to a page is refused, as production must refuse it.
    assert probe("/sign-in/").status_code == 400


def test_readyz_answers_ready_with_a_current_signing_key(production_like):
    keys.keys_ensure()
    response = probe("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
    assert not response.cookies


def test_readyz_names_a_missing_signing_key(production_like):
    PlatformKey.objects.all().delete()
    response = probe("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "missing": ["signing_key"]}
    keys.keys_ensure()
    assert probe("/readyz").status_code == 200


def test_readyz_names_a_cache_that_does_not_answer(production_like, settings):
    keys.keys_ensure()
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
    response = probe("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "missing": ["cache"]}


def test_readyz_remembers_applied_migrations_and_then_costs_one_query(
    production_like, django_assert_num_queries
):
    keys.keys_ensure()
    assert probe("/readyz").status_code == 200  # computes the migration plan once
    with django_assert_num_queries(1):  # the current signing key, nothing else
        assert probe("/readyz").status_code == 200


def test_probes_are_never_rate_limited_nor_signed_in(production_like, settings):
    settings.RATE_LIMIT_SIGN_IN_ADDRESS = (2, 300)
    keys.keys_ensure()
    for _ in range(20):
        assert probe("/healthz").status_code == 200
        assert probe("/readyz").status_code == 200


def test_probes_answer_head_and_refuse_other_methods(production_like):
    head = probe("/healthz", method="head")
    assert head.status_code == 200 and head.content == b""
    refused = probe("/readyz", method="post")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"
    assert refused.json() == {"status": "method not allowed"}


def test_a_change_of_readiness_is_logged_once_not_every_probe(production_like, caplog):
    PlatformKey.objects.all().delete()
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            assert probe("/readyz").status_code == 503
        keys.keys_ensure()
        for _ in range(5):
            assert probe("/readyz").status_code == 200
    lines = [(record.name, record.getMessage()) for record in caplog.records]
    assert lines == [
        ("portal.health", "not ready: signing_key missing"),
        ("portal.health", "ready again"),
    ]


def test_only_the_exact_paths_are_probes(production_like):
    # Anything else goes through the whole stack: here, refused for its host.
    assert probe("/healthz/").status_code == 400
    assert probe("/readyz/x").status_code == 400


@pytest.mark.parametrize(
    ("environment", "bind"),
    [
        ({}, "127.0.0.1:8000"),
        ({"PORT": "9001"}, "127.0.0.1:9001"),
        ({"PORT": "9001", "GUNICORN_BIND": "10.0.0.11:8000"}, "10.0.0.11:8000"),
        ({"GUNICORN_BIND": "unix:/run/neptun/portal.sock"}, "unix:/run/neptun/portal.sock"),
    ],
)
def test_gunicorn_binds_loopback_unless_told_otherwise(monkeypatch, tmp_path, environment, bind):
    for name in ("PORT", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    # The metrics' directory (tests/portal/test_metrics.py): given, so none is made.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    configuration = runpy.run_path(str(GUNICORN_CONF))
    assert configuration["bind"] == bind
    assert configuration["secure_scheme_headers"] == {"X-FORWARDED-PROTO": "https"}
