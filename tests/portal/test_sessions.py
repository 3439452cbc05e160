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
