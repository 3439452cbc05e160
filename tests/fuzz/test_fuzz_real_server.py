"""Fuzzing a real server (pytest-django's live server) over a plain socket: the portal's pages
and the LTI endpoints, by every method, with hostile parameters, from every kind of user and
from nobody. Every answer's body is exactly as long as its `Content-Length` says, and every
error carries its page — what Django's test client cannot see: it ignores the header, and a
page filled in after the length was set went out as an empty "HTTP ERROR 405" (issue 15)."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import examples, fuzz_settings
from tests.fuzz.strategies import METHODS, compatibility_text, control_laced, encode, hostile_value
from tests.http_wire import wire_request
from tests.robustness_report import REPORT

pytestmark = pytest.mark.django_db(transaction=True)

ENDPOINT = "real server (Content-Length)"
TARGETS = [
    "/",
    "/sign-in/",
    "/sign-out/",
    "/studies/information/",
    "/studies/information/panopto/",
    "/spaces/public/",
    "/spaces/{space}/",
    "/panopto/launch/{space}/",
    "/panopto/videos/{space}/pick/",
    "/lti/authorize/",
    "/lti/deep-linking/return/",
    "/.well-known/jwks.json",
    "/i18n/setlang/",
    "/admin/login/",
    "/admin/virtualspaces/virtualspace/",
    "/no-such-page/",
]
NAMES = ["q", "page", "next", "folder", "username", "password", "language", "semester", "JWT"]
CSRF_SECRET = "a" * 32  # a CSRF cookie of the form Django issues, sent back as the token
BUDGET = 500


def test_every_answer_of_a_real_server_is_as_long_as_it_says(live_server, fuzz_world):
    world = fuzz_world
    users = {"member": world.member, "admin": world.admin, "anonymous": None}
    before = REPORT.requests[ENDPOINT]
    seen = {"error_pages": 0}

    def session_cookie(user) -> str:
        if user is None:
            return ""
        client = Client()
        client.force_login(user)  # a fresh session each time: the fuzzer signs out, too
        return f"sessionid={client.cookies['sessionid'].value}; "

    @fuzz_settings(BUDGET)
    @given(
        target=st.sampled_from(TARGETS),
        space=st.sampled_from([world.course.pk, world.subject.pk, 0]),
        who=st.sampled_from(list(users)),
        method=st.one_of(st.sampled_from(["GET", "POST"]), st.sampled_from(METHODS)),
        pairs=st.lists(
            st.tuples(
                st.sampled_from(NAMES), st.one_of(control_laced, compatibility_text, hostile_value)
            ),
            max_size=4,
        ),
        with_csrf=st.booleans(),
        language=st.sampled_from(["hu", "en", ""]),
    )
    def fuzz(target, space, who, method, pairs, with_csrf, language):
        path = target.replace("{space}", str(space))
        cookie = session_cookie(users[who])
        headers = {"Accept-Language": language} if language else {}
        body = b""
        if method == "GET" or method == "HEAD":
            path += "?" + encode(pairs) if pairs else ""
        else:
            if with_csrf:
                cookie += f"csrftoken={CSRF_SECRET}; "
                pairs = [*pairs, ("csrfmiddlewaretoken", CSRF_SECRET)]
            body = encode(pairs).encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookie:
            headers["Cookie"] = cookie.rstrip("; ")
        REPORT.requests[ENDPOINT] += 1
        response = wire_request(live_server.url, method, path, headers=headers, body=body)
        REPORT.statuses[response.status] += 1
        if response.status >= 500:
            REPORT.server_errors += 1
        assert response.status < 500, (method, path)
        if method == "HEAD":
            # A request line too long for the test server is refused by Python's http.server
            # before it knows the method (its 414 page comes with a body even for HEAD): that
            # answer is the test server's, not the portal's.
            assert response.body == b"" or response.status == 414, response.status
            return
        assert response.content_length_matches(), (
            method,
            path,
            response.status,
            response.headers.get("content-length"),
            len(response.body),
        )
        if response.status >= 400:
            seen["error_pages"] += 1
            assert response.body.strip(), f"{response.status} without a message"
            if response.headers.get("content-type", "").startswith("text/html"):
                assert b"<h1" in response.body, f"{response.status} page without a heading"

    fuzz()
    assert REPORT.requests[ENDPOINT] - before >= examples(BUDGET)
    assert seen["error_pages"] > 0
