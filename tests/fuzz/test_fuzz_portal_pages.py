"""Fuzzing the login initiation (the launch button), the launch decision page, the video
launches, the Panopto pages of the portal and the sign-in: hostile path segments, parameters,
cookies and headers, from every kind of user and from nobody, by every method.

Every answer is deliberate and says what happened; a launch that goes to the tool always
carries the signed-in user's own login_hint, and nothing is half-written."""

import contextlib
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import given
from hypothesis import strategies as st

from panopto_link.models import VideoLink
from tests.factories import SpaceFactory, UserFactory
from tests.fuzz.conftest import FuzzClient, assert_launch_data_consistent, examples, fuzz_settings
from tests.fuzz.strategies import (
    METHODS,
    compatibility_text,
    control_laced,
    encode,
    hostile_text,
    hostile_value,
    notable_text,
    raw_body,
)
from tests.lti_tool import query
from tests.robustness_report import REPORT

pytestmark = pytest.mark.django_db

# Every page the fuzzer visits, how often (relative), and the parameters it reads: each of
# them gets hostile text — NULs and control characters, Unicode digits and compatibility forms —
# besides the strangers the fuzzer makes up.
PAGES: dict[str, tuple[int, list[str]]] = {
    "/panopto/launch/{space}/": (3, ["folder"]),
    "/panopto/videos/{space}/pick/": (1, []),
    "/panopto/videos/{space}/{video}/open/": (1, []),
    "/panopto/videos/{space}/{video}/manage/": (1, ["action"]),
    "/spaces/{space}/": (2, []),
    "/": (1, []),
    "/studies/information/": (1, []),
    "/sign-in/": (2, ["username", "password", "next"]),
    "/sign-out/": (1, ["next"]),
    "/i18n/setlang/": (1, ["language", "next"]),
    "/admin/login/": (1, ["username", "password", "next"]),
    "/admin/virtualspaces/virtualspace/": (
        1,
        ["q", "o", "p", "space_type__exact", "is_public__exact", "semester"],
    ),
    "/admin/virtualspaces/membership/": (1, ["q", "role__exact", "space__semester"]),
    "/admin/lti_platform/launchrecord/": (
        1,
        ["q", "stage__exact", "outcome__exact", "reason", "created_at__gte"],
    ),
    "/admin/lti_platform/platformkey/": (1, ["state__exact", "private_key_encrypted__startswith"]),
    "/admin/portal/user/": (1, ["q", "is_staff__exact", "o"]),
}
# Pages other branches add to the portal, fuzzed once they exist.
NAMED_PAGES = {
    "panopto_link:studies_panopto": ["semester"],
    "virtualspaces:public_spaces": ["q", "page"],
}
NAMES = ["folder", "action", "next", "username", "password", "language", "semester", "type", "q"]
ROLES = ["admin", "member", "guest_member", "public_guest", "anonymous"]


def page_parameters() -> dict[str, list[str]]:
    pages = {path: names for path, (_weight, names) in PAGES.items()}
    for name, names in NAMED_PAGES.items():
        with contextlib.suppress(NoReverseMatch):
            pages[reverse(name)] = names
    return pages


def page_templates() -> list[str]:
    templates = [path for path, (weight, _names) in PAGES.items() for _ in range(weight)]
    for name in NAMED_PAGES:
        with contextlib.suppress(NoReverseMatch):
            templates.extend([reverse(name)] * 2)
    return templates


# The page's own parameters, each with text that is hostile in the ways that reached the
# database or the sign-in limit before (issue 15).
own_value = st.one_of(control_laced, compatibility_text, hostile_value)


BUDGET = 1800


def test_launch_and_portal_pages_under_fuzzing(fuzz_world, signed_in):
    world = fuzz_world
    world.create_context()
    world.create_context(world.subject)
    private = SpaceFactory(code="PRIV01")
    video = VideoLink.objects.create(
        space=world.course, title="Előadás", url="https://panopto.example.com/v", position=1
    )
    templates = page_templates()
    own_parameters = page_parameters()
    clients = signed_in("launch and portal pages")
    clients["member_csrf"] = FuzzClient(Client(enforce_csrf_checks=True), "launch and portal pages")
    clients["member_csrf"].client.force_login(world.member)
    it_administrator = UserFactory(username="itadmin", is_staff=True, is_superuser=True)
    clients["it_administrator"] = FuzzClient(Client(), "launch and portal pages")
    clients["it_administrator"].client.force_login(it_administrator)
    subjects = {role: getattr(world, role, None) for role in ROLES}
    subjects["member_csrf"] = world.member
    subjects["it_administrator"] = it_administrator
    known_spaces = [world.course.pk, world.course.pk, world.subject.pk, private.pk, 10**6]
    segment = st.one_of(
        st.sampled_from(known_spaces).map(str),
        st.sampled_from(known_spaces).map(str),
        st.sampled_from(["0", "-1", "9" * 30, "1e3", "01", "١٢", "1.0", "%00", "%2e%2e"]),
        hostile_text.filter(lambda s: len(s) < 300).map(lambda s: quote(s, safe="")),
    )
    before = REPORT.requests["launch and portal pages"]
    launched = {"tool": 0, "nul_refused": 0}

    @fuzz_settings(BUDGET)
    @given(
        template=st.sampled_from(templates),
        who=st.sampled_from([*ROLES, "member_csrf", "it_administrator"]),
        method=st.one_of(st.sampled_from(["GET", "POST"]), st.sampled_from(METHODS)),
        shape=st.sampled_from(["plain", "plain", "params", "params", "own", "raw", "headers"]),
        data=st.data(),
    )
    def fuzz(template, who, method, shape, data):
        path = template
        if "{space}" in template:
            path = path.replace("{space}", data.draw(segment, label="space"))
        if "{video}" in template:
            path = path.replace("{video}", data.draw(st.sampled_from([str(video.pk), "0"])))
        client = clients[who]
        kwargs = {}
        pairs = []
        if shape == "params":
            pairs = data.draw(
                st.lists(
                    st.tuples(st.sampled_from(NAMES) | hostile_text, hostile_value), max_size=5
                )
            )
        elif shape == "own":
            # Every parameter the page reads, each with hostile text.
            names = own_parameters.get(template) or NAMES
            pairs = [(name, data.draw(own_value, label=name)) for name in names]
        if pairs and method == "GET":
            kwargs["query"] = encode(pairs)
        elif pairs:
            kwargs["body"] = encode(pairs)
        elif shape == "raw":
            kwargs["content_type"], kwargs["body"] = data.draw(raw_body)
        elif shape == "headers":
            header = data.draw(
                st.sampled_from(
                    [
                        "HTTP_COOKIE",
                        "HTTP_ACCEPT_LANGUAGE",
                        "HTTP_HOST",
                        "HTTP_X_FORWARDED_FOR",
                        "HTTP_REFERER",
                        "HTTP_ORIGIN",
                    ]
                )
            )
            value = data.draw(notable_text | hostile_text.filter(lambda s: len(s) < 5000))
            if header == "HTTP_COOKIE":
                name = data.draw(st.sampled_from(["sessionid", "csrftoken", "django_language"]))
                value = f"{name}={value}"
            # A WSGI server hands header bytes on as latin-1 text (PEP 3333): so does this.
            kwargs["headers"] = {header: value.encode("utf-8").decode("latin-1")}
        response = client.send(method, path, **kwargs)
        in_form = method == "POST" or "query" in kwargs
        if in_form and any(isinstance(v, str) and "\x00" in v for _n, v in pairs):
            # A NUL in any parameter never reaches a view (core.request_text), nor PostgreSQL:
            # the 400 page — unless the CSRF check or the URL refused the request first.
            assert response.status_code in {400, 403, 404}, response.status_code
            if response.status_code == 403:
                assert who == "member_csrf" and method == "POST"
            launched["nul_refused"] += response.status_code == 400
        if template == "/sign-out/" and subjects[who] is not None:
            client.client.force_login(subjects[who])  # signed out: sign the browser in again

        if response.status_code == 302 and "panopto.example.com" in response["Location"]:
            # A launch went to the tool: only ever as the user who is signed in.
            launched["tool"] += 1
            params = query(response["Location"])
            user = subjects[who]
            assert user is not None
            assert params["login_hint"] == str(user.lti_subject)
            assert urlsplit(response["Location"]).path == "/Panopto/oidc/login"
        assert_launch_data_consistent()

    fuzz()
    assert_launch_data_consistent(thorough=True)
    assert REPORT.requests["launch and portal pages"] - before >= examples(BUDGET)
    assert launched["tool"] > 0 and launched["nul_refused"] > 0, launched
