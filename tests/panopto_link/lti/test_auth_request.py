"""The authorization-request validation alone: no database, no Django request."""

import pytest

from panopto_link.lti.auth_request import ClientInfo, validate_authorization_request
from panopto_link.lti.errors import InvalidAuthRequest, UntrustedAuthRequest

REDIRECT = "https://tool.example/launch"
CLIENT = ClientInfo(client_id="c1", redirect_uris=(REDIRECT,), is_enabled=True)


def find(client_id: str):
    return {"c1": CLIENT, "off": ClientInfo("off", (REDIRECT,), False)}.get(client_id)


def good(**changes) -> dict[str, list[str]]:
    params = {
        "scope": ["openid"],
        "response_type": ["id_token"],
        "response_mode": ["form_post"],
        "prompt": ["none"],
        "client_id": ["c1"],
        "redirect_uri": [REDIRECT],
        "state": ["st-1"],
        "nonce": ["n-1"],
        "login_hint": ["user-sub"],
        "lti_message_hint": ["hint"],
    }
    for name, value in changes.items():
        if value is None:
            params.pop(name)
        else:
            params[name] = value if isinstance(value, list) else [value]
    return params


def test_a_good_request_is_returned_typed():
    request = validate_authorization_request(good(), find_client=find)
    assert request.client_id == "c1" and request.redirect_uri == REDIRECT
    assert request.state == "st-1" and request.nonce == "n-1"
    assert request.login_hint == "user-sub" and request.lti_message_hint == "hint"


def test_prompt_and_state_are_optional():
    request = validate_authorization_request(good(prompt=None, state=None), find_client=find)
    assert request.state is None


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"client_id": None}, "invalid_request"),
        ({"client_id": ""}, "invalid_request"),
        ({"client_id": "unknown"}, "unauthorized_client"),
        ({"client_id": "off"}, "unauthorized_client"),
        ({"client_id": ["c1", "c1"]}, "invalid_request"),
        ({"redirect_uri": None}, "invalid_request"),
        ({"redirect_uri": "https://evil.example/launch"}, "invalid_request"),
        ({"redirect_uri": REDIRECT + "/"}, "invalid_request"),
        ({"redirect_uri": REDIRECT + "?x=1"}, "invalid_request"),
        ({"redirect_uri": REDIRECT.upper()}, "invalid_request"),
        ({"redirect_uri": [REDIRECT, REDIRECT]}, "invalid_request"),
        ({"client_id": "x" * 5000}, "invalid_request"),
    ],
    ids=[
        "client-missing",
        "client-empty",
        "client-unknown",
        "client-disabled",
        "client-repeated",
        "redirect-missing",
        "redirect-foreign",
        "redirect-trailing-slash",
        "redirect-extra-query",
        "redirect-other-case",
        "redirect-repeated",
        "client-oversized",
    ],
)
def test_untrusted_client_or_redirect_is_never_answered_to(changes, error):
    with pytest.raises(UntrustedAuthRequest) as refused:
        validate_authorization_request(good(**changes), find_client=find)
    assert refused.value.error == error


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"scope": None}, "invalid_scope"),
        ({"scope": "openid profile"}, "invalid_scope"),
        ({"response_type": None}, "unsupported_response_type"),
        ({"response_type": "code"}, "unsupported_response_type"),
        ({"response_mode": None}, "invalid_request"),
        ({"response_mode": "query"}, "invalid_request"),
        ({"prompt": "login"}, "invalid_request"),
        ({"nonce": None}, "invalid_request"),
        ({"nonce": ""}, "invalid_request"),
        ({"login_hint": None}, "invalid_request"),
        ({"lti_message_hint": None}, "invalid_request"),
        ({"nonce": ["a", "b"]}, "invalid_request"),
        ({"scope": ["openid", "openid"]}, "invalid_request"),
        ({"nonce": "n" * 2000}, "invalid_request"),
        ({"unknown_parameter": "z" * 10_000}, "invalid_request"),
    ],
    ids=[
        "scope-missing",
        "scope-wrong",
        "response-type-missing",
        "response-type-wrong",
        "response-mode-missing",
        "response-mode-wrong",
        "prompt-wrong",
        "nonce-missing",
        "nonce-empty",
        "login-hint-missing",
        "message-hint-missing",
        "nonce-repeated",
        "scope-repeated",
        "nonce-oversized",
        "extra-oversized",
    ],
)
def test_other_refusals_go_back_to_the_verified_redirect_uri_with_state(changes, error):
    with pytest.raises(InvalidAuthRequest) as refused:
        validate_authorization_request(good(**changes), find_client=find)
    assert refused.value.error == error
    assert refused.value.redirect_uri == REDIRECT
    assert refused.value.state == "st-1"


def test_repeated_state_is_refused_without_echoing_either_copy():
    with pytest.raises(InvalidAuthRequest) as refused:
        validate_authorization_request(good(state=["a", "b"]), find_client=find)
    assert refused.value.state is None


@pytest.mark.parametrize("length", [2049, 100_000])
def test_an_oversized_state_is_refused_without_echoing_it(length):
    """Issue 15: a state over 2,048 characters was refused, and posted back all the same."""
    with pytest.raises(InvalidAuthRequest) as refused:
        validate_authorization_request(good(state="s" * length), find_client=find)
    assert refused.value.error == "invalid_request"
    assert "state" in refused.value.description
    assert refused.value.state is None


def test_a_state_of_the_largest_allowed_length_is_echoed():
    request = validate_authorization_request(good(state="s" * 2048), find_client=find)
    assert request.state == "s" * 2048
