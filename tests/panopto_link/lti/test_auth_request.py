"""The authorization-request validation alone: no database, no Django request. Its refusal
table runs against the endpoint itself (tests/lti_platform/test_authorization_refusals.py)."""

import pytest

from panopto_link.lti.auth_request import ClientInfo, validate_authorization_request
from panopto_link.lti.errors import InvalidAuthRequest

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
