"""Error pages as a real server sends them: the body a browser receives is the page, and
`Content-Length` says how long it is (issue 15: `GET /sign-out/` answered 405 with
`Content-Length: 0` and a page after it, which browsers show as an empty "HTTP ERROR 405")."""

import secrets
from urllib.parse import urlencode

import pytest

from tests.http_wire import wire_request

pytestmark = pytest.mark.django_db(transaction=True)


def assert_page_as_sent(response, status: int, phrase: str) -> None:
    assert response.status == status
    assert response.headers["content-length"] == str(len(response.body)), (
        response.headers["content-length"],
        len(response.body),
    )
    assert b"<h1" in response.body and phrase.encode() in response.body


@pytest.mark.parametrize(
    ("target", "phrase"),
    [
        ("/sign-out/", "does not work that way"),
        ("/lti/deep-linking/return/", "does not work that way"),
        ("/panopto/launch/1/open/", "Page not found"),
    ],
)
def test_a_bodyless_error_is_sent_with_its_page_and_the_pages_length(live_server, target, phrase):
    response = wire_request(live_server.url, "GET", target, headers={"Accept-Language": "en"})
    assert_page_as_sent(response, 405 if "not work" in phrase else 404, phrase)


def test_switching_language_on_the_videos_linked_page_shows_a_page(live_server):
    """The "videos linked" page is the answer to the tool's POST; the language switch sends the
    browser back to its address with a GET, which the endpoint refuses with 405."""
    token = secrets.token_hex(16)  # a CSRF secret of the cookie's form, sent back as the token
    switched = wire_request(
        live_server.url,
        "POST",
        "/i18n/setlang/",
        headers={
            "Cookie": f"csrftoken={token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urlencode(
            {"language": "hu", "next": "/lti/deep-linking/return/", "csrfmiddlewaretoken": token}
        ).encode(),
    )
    assert switched.status == 302
    assert switched.headers["location"] == "/lti/deep-linking/return/"
    response = wire_request(
        live_server.url,
        "GET",
        "/lti/deep-linking/return/",
        headers={"Cookie": "django_language=hu"},
    )
    assert_page_as_sent(response, 405, "Ez a cím így nem használható")


def test_a_head_request_stays_bodiless_and_says_so(live_server):
    response = wire_request(live_server.url, "HEAD", "/sign-out/")
    assert response.status == 405 and response.body == b""
