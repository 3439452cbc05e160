"""/metrics (portal/metrics.py): the Prometheus exposition for the monitoring system alone — an
allowed address asking directly, or the bearer token — and the portal's 404 for everyone else;
answered before host validation and the HTTPS redirect, never signed in, never rate-limited,
no query, no cookie, no access line. Here in one process (the demo's and the test client's
mode, without PROMETHEUS_MULTIPROC_DIR); summed over two gunicorn workers:
tests/portal/test_metrics_workers.py."""

import logging
import os
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from core import metrics
from core.log import ACCESS_LOG_SKIP
from portal.settings.env import env_networks
from tests.metrics import parsed

pytestmark = pytest.mark.django_db

GUNICORN_CONF = Path(django_settings.BASE_DIR) / "portal" / "gunicorn.conf.py"
TOKEN = "a-long-random-token-for-the-monitoring-system"
PORTAL_METRICS = (
    "neptun_lti_launch_steps",
    "neptun_lti_launch_refusals",
    "neptun_lti_authorization_duration_seconds",
    "neptun_outbound_fetches",
    "neptun_database_unavailable_responses",
    "neptun_overload_shed_responses",
    "neptun_shared_cache_unavailable_calls",
    "neptun_rate_limit_refusals",
)


@pytest.fixture
def production_like(settings):
    """What refuses or redirects other requests in production: the HTTPS redirect, a strict
    ALLOWED_HOSTS, a proxy trusted for X-Forwarded-For."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["neptun.example.edu"]
    settings.TRUSTED_PROXY_HOPS = 1
    settings.METRICS_ALLOWED_ADDRESSES = ["127.0.0.1/32", "::1/128", "10.0.0.30/32"]
    settings.METRICS_BEARER_TOKEN = TOKEN
    return settings


def scrape(remote: str = "10.0.0.30", *, method: str = "get", **headers):
    """Prometheus's request: plain http to the app server's own address."""
    client = Client(REMOTE_ADDR=remote)
    return getattr(client, method)("/metrics", HTTP_HOST="10.0.0.11:8000", **headers)


def assert_refused(response) -> None:
    """Refused as a path that does not exist: the 404 (or, for the app server's address as
    Host, the 400 any unknown path gets in production) — never a metric."""
    assert response.status_code in (400, 404), response.status_code
    assert b"neptun_" not in response.content


def test_an_allowed_address_reads_the_metrics_without_signing_in(
    production_like, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = scrape("10.0.0.30")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # no session, no CSRF, no language cookie
    text = response.content.decode()
    for name in PORTAL_METRICS:
        assert f"# TYPE {name}" in text, name
    parsed(text)  # the exposition format, as Prometheus reads it
    # One process: its own process metrics come with it.
    assert "process_cpu_seconds_total" in text or "python_info" in text


def test_openmetrics_is_answered_when_asked_for(production_like):
    response = scrape(HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert response["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert response.content.decode().rstrip().endswith("# EOF")


def test_the_counts_this_process_made_are_in_the_scrape(production_like, client):
    production_like.SECURE_SSL_REDIRECT = False
    production_like.ALLOWED_HOSTS = ["*"]
    production_like.RATE_LIMIT_SIGN_IN = (1, 300)
    before = parsed(scrape().content.decode())
    for _ in range(3):
        client.post("/sign-in/", {"username": "NOBODY", "password": "x"})
    after = parsed(scrape().content.decode())
    name = ("neptun_rate_limit_refusals_total", (("limit", "sign_in"),))
    assert after[name] - before.get(name, 0) == 2


@pytest.mark.parametrize(
    "remote",
    ["203.0.113.9", "10.0.0.31", "127.0.0.2", "2001:db8::1", ""],
    ids=["public", "neighbour", "other-loopback", "ipv6", "unix-socket"],
)
def test_any_other_address_gets_the_404_of_a_path_that_does_not_exist(
    production_like, remote, settings
):
    assert_refused(scrape(remote))
    # With a host the portal serves, exactly the portal's 404 page.
    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["*"]
    response = Client(REMOTE_ADDR=remote).get("/metrics", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_bearer_token_opens_it_from_anywhere_and_nothing_like_it_does(production_like):
    assert scrape("203.0.113.9", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert scrape("203.0.113.9", HTTP_AUTHORIZATION=f"bearer {TOKEN}").status_code == 200
    for offered in (
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer ",
        "Bearer",
        f"Bearer {TOKEN.upper()}",
    ):
        assert_refused(scrape("203.0.113.9", HTTP_AUTHORIZATION=offered))


def test_without_a_token_configured_no_token_opens_it(production_like):
    production_like.METRICS_BEARER_TOKEN = ""
    assert_refused(scrape("203.0.113.9", HTTP_AUTHORIZATION="Bearer "))
    assert_refused(scrape("203.0.113.9", HTTP_AUTHORIZATION="Bearer"))


def test_through_a_proxy_the_client_it_names_must_be_allowed_too(production_like):
    """Through nginx on the same host every request's connection is 127.0.0.1: the client in
    X-Forwarded-For decides, as the trusted proxy wrote it."""
    assert_refused(scrape("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"))
    # A client's own X-Forwarded-For entries come before the proxy's: not trusted.
    assert_refused(scrape("127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.30, 203.0.113.9"))
    assert scrape("127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.30").status_code == 200
    # Asking the app server directly with a forged header changes nothing.
    assert_refused(scrape("203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.30"))
    # A proxy the settings do not know of (TRUSTED_PROXY_HOPS=0): refused.
    production_like.TRUSTED_PROXY_HOPS = 0
    assert_refused(scrape("127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.30"))


def test_networks_and_ipv4_mapped_addresses(production_like):
    production_like.METRICS_ALLOWED_ADDRESSES = ["10.0.8.0/24"]
    assert scrape("10.0.8.77").status_code == 200
    assert scrape("::ffff:10.0.8.77").status_code == 200
    assert_refused(scrape("10.0.9.1"))
    assert_refused(scrape("127.0.0.1"))


def test_no_address_at_all_when_switched_off(production_like):
    production_like.METRICS_ALLOWED_ADDRESSES = []
    assert_refused(scrape("127.0.0.1"))
    assert scrape("127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_scrapes_are_never_rate_limited(production_like):
    production_like.RATE_LIMIT_SIGN_IN_ADDRESS = (2, 300)
    production_like.RATE_LIMIT_ANONYMOUS_REFUSALS = (2, 60)
    assert all(scrape().status_code == 200 for _ in range(30))


def test_head_and_other_methods(production_like):
    head = scrape(method="head")
    assert head.status_code == 200 and head.content == b""
    refused = scrape(method="post")
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"
    # A refused client's POST is any unknown path's answer.
    assert_refused(scrape("203.0.113.9", method="post"))


def test_only_the_exact_path_is_the_metrics(production_like):
    for path in ("/metrics/", "/metrics.txt", "/METRICS", "/metrics;x"):
        response = Client(REMOTE_ADDR="10.0.0.30").get(path, HTTP_HOST="10.0.0.11:8000")
        assert_refused(response)


def test_an_answered_scrape_is_marked_for_the_access_log_and_a_refused_one_is_not(
    production_like, caplog
):
    answered = scrape()
    assert answered.wsgi_request.META[ACCESS_LOG_SKIP] is True
    with caplog.at_level(logging.WARNING, logger="django.request"):
        production_like.SECURE_SSL_REDIRECT = False
        production_like.ALLOWED_HOSTS = ["*"]
        refused = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    assert ACCESS_LOG_SKIP not in refused.wsgi_request.META
    assert [record.getMessage() for record in caplog.records] == ["Not Found: /metrics"]


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ["127.0.0.1/32", "::1/128"]),
        ("10.0.0.30", ["10.0.0.30/32"]),
        ("10.0.8.0/24, 10.0.0.30 ,fd00::/8", ["10.0.8.0/24", "10.0.0.30/32", "fd00::/8"]),
        ("10.0.8.1/24", ["10.0.8.0/24"]),
        ("off", []),
        ("none", []),
    ],
)
def test_allowed_addresses_are_read_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("METRICS_ALLOWED_ADDRESSES", value)
    assert env_networks("METRICS_ALLOWED_ADDRESSES", default="127.0.0.1,::1") == expected


@pytest.mark.parametrize("value", ["prometheus.example.edu", "10.0.0.300", "10.0.0.0/33", "*"])
def test_an_address_that_is_not_one_stops_the_start_up(monkeypatch, value):
    monkeypatch.setenv("METRICS_ALLOWED_ADDRESSES", value)
    with pytest.raises(ImproperlyConfigured, match="METRICS_ALLOWED_ADDRESSES"):
        env_networks("METRICS_ALLOWED_ADDRESSES", default="127.0.0.1,::1")


def test_a_metric_that_cannot_be_written_does_not_fail_the_request(monkeypatch, caplog):
    """In multiprocess mode a count is a write to a file: a full disk is logged, not raised."""

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(metrics.RATE_LIMIT_REFUSALS.labels(limit="sign_in"), "inc", full)
    with caplog.at_level(logging.WARNING, logger="core.metrics"):
        metrics.rate_limit_refusal_counted(limit="sign_in")
    assert "could not be counted" in caplog.text


# --- gunicorn: the multiprocess directory (portal/gunicorn.conf.py) ------------------------------


def gunicorn_configuration(monkeypatch, directory: Path | None) -> dict:
    """portal/gunicorn.conf.py read as gunicorn reads it, with PROMETHEUS_MULTIPROC_DIR set to
    `directory` or unset; what it sets in the environment is undone after the test."""
    for name in ("PROMETHEUS_MULTIPROC_DIR", "NEPTUN_METRICS_TEMPORARY_DIR"):
        # Set, then removed: monkeypatch remembers the value before (or its absence) and puts
        # it back after the test, whatever the configuration file sets meanwhile.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    if directory is not None:
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    return runpy.run_path(str(GUNICORN_CONF))


def fresh_master():
    return SimpleNamespace(master_pid=0, reexec_pid=0)


def test_the_configured_directory_is_made_and_emptied_of_earlier_counts_at_start(
    monkeypatch, tmp_path
):
    directory = tmp_path / "run" / "metrics"
    configuration = gunicorn_configuration(monkeypatch, directory)
    assert directory.is_dir()  # made while the configuration is read, before the app loads
    for name in ("counter_4242.db", "histogram_4242.db", "gauge_livesum_4242.db"):
        (directory / name).write_bytes(b"earlier run")
    (directory / "notes.txt").write_text("not prometheus_client's")
    configuration["on_starting"](fresh_master())
    assert sorted(path.name for path in directory.iterdir()) == ["notes.txt"]
    # A master re-executed by USR2 leaves the old master's workers' counts alone.
    (directory / "counter_4243.db").write_bytes(b"old master's worker")
    configuration["on_starting"](SimpleNamespace(master_pid=4200, reexec_pid=0))
    assert (directory / "counter_4243.db").exists()
    # Nor is a directory it was given removed at the end.
    configuration["on_exit"](fresh_master())
    assert directory.is_dir()


def test_without_a_directory_a_temporary_one_of_its_own_is_used_and_removed(monkeypatch):
    configuration = gunicorn_configuration(monkeypatch, None)
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert directory.is_dir() and directory.name.startswith("neptun-metrics-")
    # Read again (systemctl reload): the same directory.
    again = runpy.run_path(str(GUNICORN_CONF))
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(directory)
    # Not while a master re-executed by USR2 goes on counting there.
    again["on_exit"](SimpleNamespace(master_pid=0, reexec_pid=4300))
    assert directory.is_dir()
    configuration["on_exit"](fresh_master())
    assert not directory.exists()


def test_an_exited_worker_keeps_its_counts_and_its_live_gauges_are_forgotten(monkeypatch, tmp_path):
    configuration = gunicorn_configuration(monkeypatch, tmp_path)
    for name in ("counter_4242.db", "gauge_livesum_4242.db", "gauge_livesum_4243.db"):
        (tmp_path / name).write_bytes(b"")
    configuration["child_exit"](fresh_master(), SimpleNamespace(pid=4242))
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "counter_4242.db",
        "gauge_livesum_4243.db",
    ]


def test_the_environment_of_the_test_process_is_left_as_it_was():
    """The tests above run the configuration in this process; later ones start subprocesses
    with its environment (a stale PROMETHEUS_MULTIPROC_DIR would stop them)."""
    assert "NEPTUN_METRICS_TEMPORARY_DIR" not in os.environ
    assert os.environ.get("PROMETHEUS_MULTIPROC_DIR", "") in ("", metrics.MULTIPROCESS_DIR or "")
