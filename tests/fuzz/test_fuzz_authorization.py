"""Fuzzing the OIDC authorization endpoint: every request starts as a real, fresh launch of one
user and is then damaged — parameters dropped, repeated, replaced with hostile values, the
hint tampered with or replayed, sent by someone else or by nobody, by the wrong method.

Whatever arrives, the answer is an error page (nothing posted anywhere) or a form post to the
registered redirect URI, never a 500; an id_token is only ever issued for the signed-in user
with the role SPEC §3 gives them, and a consumed hint never works twice."""

import uuid

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from panopto_link.lti import claims
from tests.fuzz.conftest import assert_launch_data_consistent, examples, fuzz_settings
from tests.fuzz.strategies import METHODS, encode, hostile_text, hostile_value, raw_body
from tests.lti_tool import TOOL_LAUNCH_URL, form_fields, query
from tests.robustness_report import REPORT

pytestmark = pytest.mark.django_db

PATH = "/lti/authorize/"
NAMES = [
    "scope",
    "response_type",
    "response_mode",
    "prompt",
    "client_id",
    "redirect_uri",
    "login_hint",
    "lti_message_hint",
    "nonce",
    "state",
]
ROLES = ["admin", "member", "guest_member", "public_guest"]
EXPECTED_ROLES = {
    "admin": [claims.ROLE_INSTRUCTOR],
    "member": [claims.ROLE_LEARNER],
    "guest_member": [claims.ROLE_LEARNER],
    "public_guest": [claims.ROLE_LEARNER, claims.INSTITUTION_GUEST],
}

mutation = st.one_of(
    st.tuples(st.just("drop"), st.sampled_from(NAMES)),
    st.tuples(st.just("repeat"), st.sampled_from(NAMES)),
    st.tuples(st.just("replace"), st.sampled_from(NAMES), hostile_value),
    st.tuples(st.just("add"), hostile_text.filter(lambda n: len(n) < 100), hostile_value),
    st.tuples(st.just("tamper_hint"), st.integers(0, 10_000), st.sampled_from("AZaz09-_=")),
    st.tuples(st.just("replay")),
)


def apply(pairs: list, operation: tuple, replayable: list[str]) -> list:
    kind = operation[0]
    if kind == "drop":
        return [(n, v) for n, v in pairs if n != operation[1]]
    if kind == "repeat":
        return pairs + [(n, v) for n, v in pairs if n == operation[1]]
    if kind == "replace":
        return [(n, operation[2] if n == operation[1] else v) for n, v in pairs]
    if kind == "add":
        return [*pairs, (operation[1], operation[2])]
    if kind == "tamper_hint":
        result = []
        for name, value in pairs:
            if name == "lti_message_hint" and isinstance(value, str) and value:
                index = operation[1] % len(value)
                value = value[:index] + operation[2] + value[index + 1 :]
            result.append((name, value))
        return result
    if kind == "replay" and replayable:
        return [(n, replayable[-1] if n == "lti_message_hint" else v) for n, v in pairs]
    return pairs


def fresh_request(client, space) -> list[tuple[str, str]]:
    """What the tool sends after a real click by this client's user (the setup is not counted
    as fuzzing: it is the portal's own button)."""
    initiation = client.post(f"/panopto/launch/{space.pk}/")
    assert initiation.status_code == 302, initiation.status_code
    login = query(initiation["Location"])
    return [
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
        ("client_id", login["client_id"]),
        ("redirect_uri", TOOL_LAUNCH_URL),
        ("login_hint", login["login_hint"]),
        ("lti_message_hint", login["lti_message_hint"]),
        ("nonce", uuid.uuid4().hex),
        ("state", uuid.uuid4().hex),
    ]


BUDGET = 1300


def test_authorization_endpoint_under_fuzzing(fuzz_world, signed_in):
    fuzz_world.create_context()
    clients = signed_in("authorization endpoint")
    issued_hints: list[str] = []
    valid: dict[str, list] = {}
    space = fuzz_world.course
    before = REPORT.requests["authorization endpoint"]
    outcomes = {"id_token": 0, "error_posted": 0, "error_page": 0, "wrong_method": 0}

    def check(response, *, launcher, sender, operations, method, transport, pairs) -> str:
        if method not in ("GET", "POST"):
            assert response.status_code == 405
            return "wrong_method"
        if response.status_code == 400:
            # An untrusted client or redirect URI, or a body Django cannot parse: a page, and
            # nothing posted anywhere.
            assert b"lti-form-post" not in response.content
            return "error_page"
        assert response.status_code == 200
        action, fields = form_fields(response.content.decode())
        assert action == TOOL_LAUNCH_URL  # never anywhere else, whatever was asked
        assert "no-store" in response["Cache-Control"]
        if "id_token" not in fields:
            untouched = not operations and transport != "raw" and sender == launcher
            assert not untouched, fields  # the fuzzer's valid requests really are valid
            assert fields["error"] and fields["error_description"]
            return "error_posted"
        sent = {
            name: value.decode("utf-8", "replace") if isinstance(value, bytes) else value
            for name, value in pairs
        }
        assert sender == launcher  # nobody launches as someone else
        hint = sent["lti_message_hint"]
        assert hint not in issued_hints, "a consumed hint was accepted again"
        issued_hints.append(hint)
        valid.pop(launcher)
        token = jwt.decode(fields["id_token"], options={"verify_signature": False})
        user = getattr(fuzz_world, sender)
        assert token["sub"] == str(user.lti_subject)
        assert token[claims.ROLES] == EXPECTED_ROLES[sender]  # never a role not granted
        assert token["nonce"] == sent["nonce"]
        assert fields.get("state") == sent.get("state")
        return "id_token"

    @fuzz_settings(BUDGET)
    @given(
        launcher=st.sampled_from(ROLES),
        sender=st.sampled_from([*ROLES, "anonymous"]),
        operations=st.lists(mutation, max_size=3),
        method=st.one_of(st.sampled_from(["GET", "POST"]), st.sampled_from(METHODS)),
        transport=st.sampled_from(["query", "form", "form", "raw"]),
        data=st.data(),
    )
    def fuzz(launcher, sender, operations, method, transport, data):
        # A hint is consumed only by an issued id_token: until then the launcher's request is
        # reused, as an attacker would reuse one (refreshed now and then, before it expires).
        pending = valid.get(launcher)
        if pending is None or pending[1] >= 200:
            pending = valid[launcher] = [fresh_request(clients[launcher].client, space), 0]
        pending[1] += 1
        pairs = pending[0]
        for operation in operations:
            pairs = apply(pairs, operation, issued_hints)
        client = clients[sender]
        if transport == "raw":
            content_type, body = data.draw(raw_body)
            response = client.send(method, PATH, body=body, content_type=content_type)
        elif transport == "form":
            response = client.send(method, PATH, body=encode(pairs))
        else:
            response = client.send(method, PATH, query=encode(pairs))
        outcome = check(
            response,
            launcher=launcher,
            sender=sender,
            operations=operations,
            method=method,
            transport=transport,
            pairs=pairs,
        )
        outcomes[outcome] += 1
        assert_launch_data_consistent()

    fuzz()
    assert_launch_data_consistent(thorough=True)
    assert REPORT.requests["authorization endpoint"] - before >= examples(BUDGET)
    # The fuzzer reached every branch: tokens issued, errors posted back, error pages.
    assert min(outcomes.values()) > 0, outcomes
