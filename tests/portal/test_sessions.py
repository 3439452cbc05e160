"""Sessions: a new key at every sign-in, cookies kept from scripts (see also
test_security_headers.py for the cookie attributes in production)."""

import pytest

from tests.core.test_rate_limits import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signing_in_issues_a_new_session_key(client):
    """No session fixation: a session key known before the sign-in is useless after it."""
    UserFactory(username="ABC123")
    client.get("/sign-in/")
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = session.session_key
    assert sign_in(client, "ABC123", "secret-pass-1").status_code == 302
    assert client.session.session_key != before


@pytest.mark.parametrize(
    "cookie", ["0000000\x00", "a" * 41, "ABCDEFGHIJKLMNOP", "abc'--xyz", "é" * 32]
)
def test_a_session_cookie_django_never_issued_is_not_even_looked_up(
    client, cookie, django_assert_num_queries
):
    """Found by the fuzzer: on PostgreSQL a NUL in the cookie made the lookup itself fail."""
    with django_assert_num_queries(0):
        response = client.get("/sign-in/", HTTP_COOKIE=f"sessionid={cookie}")
    assert response.status_code == 200


def test_a_real_session_still_works(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200


# --- the idle timeout and the longest session (core.session_timeout) --------------------------


class Clock:
    """The session timeout's clock, moved by the test."""

    def __init__(self, monkeypatch) -> None:
        self.now = 1_800_000_000
        monkeypatch.setattr("core.session_timeout.now", lambda: self.now)

    def advance(self, seconds: int) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_session_idle_longer_than_the_timeout_is_signed_out(client, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200
    clock.advance(30 * 60 + 1)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert not is_signed_in(client)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You were signed out after 30 minutes without activity." in page


def test_the_idle_sign_out_is_explained_in_hungarian(client, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(UserFactory())
    clock.advance(31 * 60)
    client.get("/")
    page = client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="hu").content.decode()
    assert "30 perc" in page


def test_activity_keeps_a_session_alive(client, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(UserFactory())
    for _ in range(12):  # two hours, a page every ten minutes
        clock.advance(10 * 60)
        assert client.get("/").status_code == 200
    assert is_signed_in(client)


def test_a_session_lasts_at_most_the_session_cookie_age_however_active(client, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60
    client.force_login(UserFactory())
    for _ in range(8 * 4):
        clock.advance(15 * 60)
        assert client.get("/").status_code == 200
    clock.advance(60)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and not is_signed_in(client)
    page = client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your session has expired." in page


def test_no_idle_timeout_when_switched_off(client, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 0
    client.force_login(UserFactory())
    clock.advance(4 * 60 * 60)
    assert client.get("/").status_code == 200


def session_writes(queries) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        and "django_session" in query["sql"]
    )


def test_the_activity_is_written_at_most_once_a_minute(client, clock):
    """Sessions live in the database: a page within a minute of the last writes nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as within_a_minute:
        for _ in range(5):
            clock.advance(10)
            client.get("/")
    assert session_writes(within_a_minute) == 0
    clock.advance(30)
    with CaptureQueriesContext(connection) as after_a_minute:
        client.get("/")
        client.get("/")
    assert session_writes(after_a_minute) == 1


def test_signing_in_through_the_form_starts_the_clocks(client, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    UserFactory(username="ABC123")
    assert sign_in(client, "ABC123", "secret-pass-1").status_code == 302
    clock.advance(29 * 60)
    assert client.get("/").status_code == 200
    clock.advance(31 * 60)
    assert client.get("/").status_code == 302


def test_the_idle_timeout_comes_from_the_environment():
    from tests.portal.test_production import manage, production_env

    code = "from django.conf import settings as s; print(s.SESSION_IDLE_TIMEOUT)"
    default = manage("shell", "--verbosity", "0", "-c", code, env=production_env())
    chosen = manage(
        "shell", "--verbosity", "0", "-c", code, env=production_env(SESSION_IDLE_TIMEOUT="900")
    )
    assert default.stdout.split() == ["1800"] and chosen.stdout.split() == ["900"]
