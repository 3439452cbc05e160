"""The authorization endpoint's refusal table, after Canvas LMS's authentication controller
spec: every required parameter missing, every wrong value, every broken hint, and every change
of circumstance between the click and the authorization. Each case asserts the exact outcome
(an error page without a form, or the error posted back with state) and that no id_token left.
"""

import time
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet

from panopto_link.lti import claims
from panopto_link.lti_platform.hints import MESSAGE_HINTS, MessageHint
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from tests.lti_tool import TOOL_LAUNCH_URL, authorization_params, form_fields, query

pytestmark = pytest.mark.django_db

AUTHORIZE = "/lti/authorize/"


@pytest.fixture
def login_params(client, world, tool):
    """The parameters pylti1p3 sends to our authorization endpoint for the member's click."""
    world.create_context()
    client.force_login(world.member)
    initiation = client.post(f"/panopto/launch/{world.course.pk}/")
    return tool.login(query(initiation["Location"])).params


def no_token_issued() -> bool:
    return not LaunchRecord.objects.filter(
        stage=LaunchStage.AUTHORIZATION, outcome=LaunchOutcome.ACCEPTED
    ).exists()


def assert_error_page(response, error: str) -> None:
    body = response.content.decode()
    assert response.status_code == 400
    assert "lti-form-post" not in body and '<form method="post" action="http' not in body
    assert error in body
    assert no_token_issued()


def assert_posted_back(response, error: str, state: str | None) -> dict:
    action, fields = form_fields(response.content.decode())
    assert response.status_code == 200
    assert action == TOOL_LAUNCH_URL
    assert fields["error"] == error
    assert fields.get("state") == state
    assert fields["error_description"]
    assert "id_token" not in fields
    assert "no-store" in response["Cache-Control"]
    assert no_token_issued()
    return fields


def get(client, params: dict, **changes):
    params = {**params}
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return client.get(AUTHORIZE + "?" + urlencode(params, doseq=True))


# --- the refusal table of the request's own parameters --------------------------------------
# The client and redirect URI are checked first: until both are trusted nothing may be sent
# anywhere, so those refusals are an error page (UNTRUSTED). Every other refusal is posted back
# to the verified redirect URI with the tool's state (POSTED_BACK). Each names its reason in the
# launch record.

UNTRUSTED = {
    "client-missing": ({"client_id": None}, "invalid_request", "client_missing"),
    "client-empty": ({"client_id": ""}, "invalid_request", "client_missing"),
    "client-unknown": ({"client_id": "someone-else"}, "unauthorized_client", "unauthorized_client"),
    "client-repeated": (
        {"client_id": ["panopto-client-1", "panopto-client-1"]},
        "invalid_request",
        "parameter_repeated",
    ),
    "client-oversized": ({"client_id": "x" * 5000}, "invalid_request", "parameter_too_long"),
    "redirect-missing": ({"redirect_uri": None}, "invalid_request", "redirect_uri_missing"),
    "redirect-foreign": (
        {"redirect_uri": "https://evil.example/steal"},
        "invalid_request",
        "redirect_uri_unregistered",
    ),
    "redirect-not-exact": (
        {"redirect_uri": TOOL_LAUNCH_URL + "?next=evil"},
        "invalid_request",
        "redirect_uri_unregistered",
    ),
    "redirect-trailing-slash": (
        {"redirect_uri": TOOL_LAUNCH_URL + "/"},
        "invalid_request",
        "redirect_uri_unregistered",
    ),
    "redirect-other-case": (
        {"redirect_uri": TOOL_LAUNCH_URL.upper()},
        "invalid_request",
        "redirect_uri_unregistered",
    ),
    "redirect-repeated": (
        {"redirect_uri": [TOOL_LAUNCH_URL, "https://evil.example/steal"]},
        "invalid_request",
        "parameter_repeated",
    ),
}


@pytest.mark.parametrize(("changes", "error", "reason"), UNTRUSTED.values(), ids=UNTRUSTED)
def test_untrusted_requests_get_an_error_page_and_nothing_is_posted(
    client, login_params, changes, error, reason
):
    assert_error_page(get(client, login_params, **changes), error)
    assert LaunchRecord.objects.get(stage=LaunchStage.AUTHORIZATION).reason == reason


def test_disabled_registration_is_an_untrusted_client(client, login_params, registration):
    registration.is_enabled = False
    registration.save()
    assert_error_page(get(client, login_params), "unauthorized_client")


POSTED_BACK = {
    "scope-missing": ({"scope": None}, "invalid_scope", "invalid_scope"),
    "scope-wrong": ({"scope": "openid email"}, "invalid_scope", "invalid_scope"),
    "scope-repeated": ({"scope": ["openid", "openid"]}, "invalid_request", "parameter_repeated"),
    "response-type-missing": (
        {"response_type": None},
        "unsupported_response_type",
        "unsupported_response_type",
    ),
    "response-type-wrong": (
        {"response_type": "code"},
        "unsupported_response_type",
        "unsupported_response_type",
    ),
    "response-mode-missing": ({"response_mode": None}, "invalid_request", "bad_response_mode"),
    "response-mode-wrong": ({"response_mode": "fragment"}, "invalid_request", "bad_response_mode"),
    "prompt-wrong": ({"prompt": "login"}, "invalid_request", "bad_prompt"),
    "nonce-missing": ({"nonce": None}, "invalid_request", "parameter_missing"),
    "nonce-empty": ({"nonce": ""}, "invalid_request", "parameter_missing"),
    "nonce-repeated": ({"nonce": ["n1", "n2"]}, "invalid_request", "parameter_repeated"),
    "nonce-oversized": ({"nonce": "n" * 2000}, "invalid_request", "parameter_too_long"),
    "extra-oversized": ({"unknown": "z" * 10_000}, "invalid_request", "parameter_too_long"),
    "login-hint-missing": ({"login_hint": None}, "invalid_request", "parameter_missing"),
    "message-hint-missing": ({"lti_message_hint": None}, "invalid_request", "parameter_missing"),
}


@pytest.mark.parametrize(("changes", "error", "reason"), POSTED_BACK.values(), ids=POSTED_BACK)
def test_bad_parameters_are_posted_back_with_state(client, login_params, changes, error, reason):
    assert_posted_back(get(client, login_params, **changes), error, login_params["state"])
    assert LaunchRecord.objects.get(stage=LaunchStage.AUTHORIZATION).reason == reason


def test_missing_state_is_posted_back_without_one(client, login_params):
    fields = assert_posted_back(
        get(client, login_params, state=None, scope="bad"), "invalid_scope", None
    )
    assert "state" not in fields


def test_login_hint_of_another_user_is_refused(client, login_params, world):
    response = get(client, login_params, login_hint=str(world.admin.lti_subject))
    assert_posted_back(response, "login_required", login_params["state"])


def test_no_signed_in_user_gets_login_required_never_the_sign_in_page(client, login_params):
    client.logout()
    response = get(client, login_params)
    assert_posted_back(response, "login_required", login_params["state"])
    assert "/sign-in/" not in response.get("Location", "")


def test_another_signed_in_user_gets_login_required(client, login_params, world):
    client.force_login(world.guest_member)
    assert_posted_back(get(client, login_params), "login_required", login_params["state"])


def test_tampered_hint_is_refused(client, login_params):
    hint = login_params["lti_message_hint"]
    tampered = hint[:40] + ("A" if hint[40] != "A" else "B") + hint[41:]
    assert_posted_back(
        get(client, login_params, lti_message_hint=tampered),
        "invalid_request",
        login_params["state"],
    )
    assert LaunchRecord.objects.filter(reason="hint_invalid").exists()


def test_hint_from_another_platform_secret_is_refused(client, login_params):
    foreign = Fernet(Fernet.generate_key()).encrypt(b'{"user_id": 1}').decode()
    assert_posted_back(
        get(client, login_params, lti_message_hint=foreign),
        "invalid_request",
        login_params["state"],
    )


def test_expired_hint_is_refused(client, login_params):
    hint = MESSAGE_HINTS.decode(login_params["lti_message_hint"])
    old = MESSAGE_HINTS.encode_at(hint, timestamp=int(time.time()) - 3600)
    assert_posted_back(
        get(client, login_params, lti_message_hint=old), "invalid_request", login_params["state"]
    )
    assert LaunchRecord.objects.filter(reason="hint_expired").exists()


def test_replayed_hint_is_refused(client, login_params):
    first = get(client, login_params)
    assert "id_token" in form_fields(first.content.decode())[1]
    second = get(client, login_params)
    _action, fields = form_fields(second.content.decode())
    assert fields["error"] == "invalid_request" and "id_token" not in fields
    assert LaunchRecord.objects.filter(reason="hint_replayed").count() == 1


def test_hint_issued_for_another_client_is_refused(client, login_params):
    hint = replace(MESSAGE_HINTS.decode(login_params["lti_message_hint"]), client_id="other-client")
    assert_posted_back(
        get(client, login_params, lti_message_hint=MESSAGE_HINTS.encode(hint)),
        "invalid_request",
        login_params["state"],
    )
    assert LaunchRecord.objects.filter(reason="hint_other_client").exists()


def test_hint_issued_for_another_user_is_refused(client, login_params, world):
    hint = replace(MESSAGE_HINTS.decode(login_params["lti_message_hint"]), user_id=world.admin.pk)
    assert_posted_back(
        get(client, login_params, lti_message_hint=MESSAGE_HINTS.encode(hint)),
        "invalid_request",
        login_params["state"],
    )


def test_hint_claiming_a_stronger_role_is_refused(client, login_params):
    hint = replace(
        MESSAGE_HINTS.decode(login_params["lti_message_hint"]), roles=[claims.ROLE_INSTRUCTOR]
    )
    assert_posted_back(
        get(client, login_params, lti_message_hint=MESSAGE_HINTS.encode(hint)),
        "access_denied",
        login_params["state"],
    )


# --- circumstances changed between the click and the authorization ---------------------------


def test_membership_removed_since_the_click(client, login_params, world):
    world.member.memberships.all().delete()
    # The course is public: the former member would now be a guest, a different standing.
    assert_posted_back(get(client, login_params), "access_denied", login_params["state"])


def test_membership_removed_from_a_private_space_since_the_click(client, login_params, world):
    world.course.is_public = False
    world.course.save()
    world.member.memberships.all().delete()
    assert_posted_back(get(client, login_params), "access_denied", login_params["state"])


def test_licence_expired_since_the_click(client, login_params, licence):
    import datetime

    licence.valid_until = licence.valid_from = datetime.date(2020, 1, 1)
    licence.save()
    assert_posted_back(get(client, login_params), "access_denied", login_params["state"])


def test_registration_incomplete_since_the_click(client, login_params, registration):
    registration.jwks_url = ""
    registration.save()
    assert_posted_back(get(client, login_params), "access_denied", login_params["state"])


def test_deployment_changed_since_the_click(client, login_params, registration):
    registration.deployment_id = "deployment-2"
    registration.save()
    assert_posted_back(get(client, login_params), "invalid_request", login_params["state"])


def test_folder_disabled_since_the_click(client, login_params, world):
    folder = world.folder()
    folder.is_enabled = False
    folder.save()
    assert_posted_back(get(client, login_params), "access_denied", login_params["state"])


def test_member_before_the_context_exists_is_refused_even_with_a_forged_hint(
    client, world, tool, registration
):
    client.force_login(world.member)
    hint = MessageHint(
        user_id=world.member.pk,
        client_id=registration.client_id,
        deployment_id=registration.deployment_id,
        message_type=claims.RESOURCE_LINK_REQUEST,
        target_link_uri=TOOL_LAUNCH_URL,
        roles=[claims.ROLE_LEARNER],
        request={"space": world.course.pk, "folder": world.course.pk},
    )
    params = authorization_params(
        {
            "client_id": registration.client_id,
            "login_hint": str(world.member.lti_subject),
            "lti_message_hint": MESSAGE_HINTS.encode(hint),
        },
        nonce="n-1",
        state="s-1",
    )
    assert_posted_back(get(client, params), "access_denied", "s-1")
    assert LaunchRecord.objects.filter(reason="context_not_created").exists()
    assert not world.folder().is_created


def test_every_value_in_the_posted_form_is_escaped(client, login_params):
    state = '"><script>alert(1)</script>'
    response = get(client, login_params, state=state, scope="bad")
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert form_fields(body)[1]["state"] == state


def test_post_to_the_authorization_endpoint_works_like_get(client, login_params):
    response = client.post(AUTHORIZE, login_params)
    assert "id_token" in form_fields(response.content.decode())[1]


def test_other_methods_are_refused(client):
    assert client.put(AUTHORIZE).status_code == 405
    assert client.delete(AUTHORIZE).status_code == 405


# --- hostile input still leaves its record (found by tests/fuzz) ------------------------------


@pytest.mark.parametrize("name", ["bad\x00name", "\x07\x1b[31m", "x" * 3000])
def test_a_refusal_naming_a_hostile_parameter_is_recorded_without_control_characters(
    client, login_params, name
):
    """PostgreSQL stores no NUL: the refusal's record must not fail because the request named
    a parameter with one (the refusal is then a 500 and nothing is recorded)."""
    params = {**login_params, name: ["a", "b"]}
    assert_posted_back(get(client, params), "invalid_request", login_params["state"])
    record = LaunchRecord.objects.get(stage=LaunchStage.AUTHORIZATION)
    assert record.reason == "parameter_repeated" and "appears more than once" in record.detail
    assert not any(ord(character) < 32 for character in record.detail)
    assert len(record.detail) <= 500


def test_an_oversized_state_is_not_posted_back(client, login_params):
    state = "s" * 2049
    response = get(client, login_params, state=state)
    fields = assert_posted_back(response, "invalid_request", None)
    assert "state" in fields["error_description"]
    assert state not in response.content.decode()
