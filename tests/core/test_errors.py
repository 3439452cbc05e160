"""Error pages: every failure answers a page in the portal's look, in the user's language, with
no traceback — and an unreachable database is a 503 the app recovers from, not a 500."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from tests.factories import SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db

TRACEBACK_MARKERS = ("Traceback", "OperationalError", 'File "', "django.db", "Exception Value")


def assert_error_page(response, status: int, *phrases: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<link rel="stylesheet" href="/static/portal/portal.css">' in page
    assert 'class="site-header"' in page and 'role="alert"' in page
    assert "<script" not in page and "style=" not in page  # nothing the CSP would block
    for phrase in phrases:
        assert phrase in page, phrase
    for marker in TRACEBACK_MARKERS:
        assert marker not in page, marker
    return page


def database_down(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_outage_in_a_view_answers_503_with_retry_after(client, monkeypatch, error):
    def down(*args, **kwargs):
        raise error("connection already closed")

    client.force_login(UserFactory())
    monkeypatch.setattr("panopto_link.access.request_launch_facts", down)
    response = client.get(f"/panopto/launch/{SpaceFactory().pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert_error_page(response, 503, "temporarily unavailable", "try again")
    assert response["Retry-After"] == "15"
    assert response["Cache-Control"] == "no-store"


def test_a_database_outage_inside_middleware_answers_503_too(monkeypatch):
    """A session is saved after the view returned, in SessionMiddleware: an exception there never
    reaches `process_exception`; handler500 turns it into the same 503."""
    client = Client(raise_request_exception=False)
    monkeypatch.setattr(
        "django.contrib.sessions.middleware.SessionMiddleware.process_response", database_down
    )
    response = client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="en")
    assert_error_page(response, 503, "temporarily unavailable")
    assert response["Retry-After"] == "15"


def test_the_503_page_speaks_the_users_language(client, monkeypatch):
    client.force_login(UserFactory())
    monkeypatch.setattr("panopto_link.access.request_launch_facts", database_down)
    path = f"/panopto/launch/{SpaceFactory().pk}/"
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    hungarian = client.get(path, HTTP_ACCEPT_LANGUAGE="hu").content.decode()
    assert 'lang="en"' in english and "temporarily unavailable" in english
    assert "You can try again in 15 seconds." in english
    assert 'lang="hu"' in hungarian and "átmenetileg nem érhető el" in hungarian
    assert "15 másodperc múlva próbálhatja újra." in hungarian


def test_a_missing_page_gets_the_portals_404_page_in_its_language(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="hu")
    assert response.status_code == 404
    assert "Az oldal nem található" in response.content.decode()


def test_an_unexpected_error_shows_the_500_page_without_a_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    monkeypatch.setattr("panopto_link.access.request_launch_facts", broken)
    response = client.get(f"/panopto/launch/{SpaceFactory().pk}/", HTTP_ACCEPT_LANGUAGE="en")
    page = assert_error_page(response, 500, "Something went wrong")
    assert "secret internal detail" not in page and "RuntimeError" not in page


def test_a_wrong_method_gets_a_405_page_that_keeps_the_allow_header(client):
    response = client.get("/lti/deep-linking/return/", HTTP_ACCEPT_LANGUAGE="en")
    assert_error_page(response, 405, "does not work that way")
    assert response["Allow"] == "POST"


def test_a_head_request_for_a_wrong_method_stays_bodiless(client):
    response = client.head("/lti/deep-linking/return/")
    assert response.status_code == 405 and response.content == b""


def test_a_form_from_another_site_gets_the_csrf_page():
    client = Client(enforce_csrf_checks=True)
    UserFactory(username="ABC123")
    response = client.post(
        "/sign-in/", {"username": "ABC123", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert_error_page(response, 403, "The form has expired", "reload the page")


def test_a_request_with_too_many_fields_gets_the_400_page(client):
    fields = "&".join(f"f{i}=x" for i in range(1500))
    response = client.generic(
        "POST",
        "/sign-in/",
        fields,
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert_error_page(response, 400, "could not understand the request")


def test_a_permission_denied_gets_the_403_page(client, monkeypatch):
    from django.core.exceptions import PermissionDenied

    def refuse(*args, **kwargs):
        raise PermissionDenied("internal reason")

    client.force_login(UserFactory())
    monkeypatch.setattr("panopto_link.access.request_launch_facts", refuse)
    response = client.get(f"/panopto/launch/{SpaceFactory().pk}/", HTTP_ACCEPT_LANGUAGE="en")
    page = assert_error_page(response, 403, "Access denied")
    assert "internal reason" not in page


def test_error_pages_render_without_a_single_query(client, django_assert_num_queries):
    """They must render while the database is down: no session, no user, no menu."""
    from core.errors import server_error, service_unavailable, too_many_requests

    with django_assert_num_queries(0):
        service_unavailable()
        too_many_requests(30)
        server_error(None)


def test_a_malformed_body_posted_to_a_missing_page_is_a_404_not_a_500():
    """Django's own 404 view checks a CSRF token, reading the body: a broken multipart body
    with a CSRF cookie made it fail. Found by the fuzzer (tests/fuzz)."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    response = client.generic(
        "POST", "/no-such-page/", b"--x\r\n\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 404
    assert b"<h1" in response.content
