"""Message building and the JWKS alone: no database."""

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from panopto_link.lti import claims
from panopto_link.lti.jwks import key_set, public_jwk, sign
from panopto_link.lti.messages import (
    Context,
    DeepLinkingSettings,
    LaunchMessage,
    LaunchUser,
    Platform,
    Presentation,
    Recipient,
    deep_linking_request,
    resource_link_request,
)

PLATFORM = Platform("https://neptun.example", "guid-1", "Neptun", "neptun-panopto", "0.1.0")


def message(**changes) -> LaunchMessage:
    values = {
        "platform": PLATFORM,
        "recipient": Recipient(client_id="c1", deployment_id="d1"),
        "user": LaunchUser(sub="opaque-sub", name="Kovács Hanna", email="h@example.edu"),
        "roles": [claims.ROLE_LEARNER],
        "context": Context("ctx-1", "MAT101", "Analízis I", claims.CONTEXT_COURSE_TEMPLATE),
        "target_link_uri": "https://tool.example/launch",
        "nonce": "n-1",
        "presentation": Presentation("window", "https://neptun.example/spaces/1/", "hu"),
        "custom": {"linked_folders": "[]"},
    }
    values.update(changes)
    return LaunchMessage(**values)


def test_resource_link_request_has_every_required_claim():
    body = resource_link_request(
        message(), resource_link_id="rl-1", resource_link_title="Analízis I", now=1000, lifetime=300
    )
    assert body["iss"] == "https://neptun.example"
    assert body["aud"] == body["azp"] == "c1"
    assert body["sub"] == "opaque-sub"
    assert (body["iat"], body["exp"]) == (1000, 1300)
    assert body["nonce"] == "n-1"
    assert body[claims.MESSAGE_TYPE] == "LtiResourceLinkRequest"
    assert body[claims.VERSION] == "1.3.0"
    assert body[claims.DEPLOYMENT_ID] == "d1"
    assert body[claims.TARGET_LINK_URI] == "https://tool.example/launch"
    assert body[claims.RESOURCE_LINK] == {"id": "rl-1", "title": "Analízis I"}
    assert body[claims.ROLES] == [claims.ROLE_LEARNER]
    assert body[claims.CONTEXT] == {
        "id": "ctx-1",
        "label": "MAT101",
        "title": "Analízis I",
        "type": [claims.CONTEXT_COURSE_TEMPLATE],
    }
    assert body[claims.TOOL_PLATFORM]["guid"] == "guid-1"
    assert body[claims.LAUNCH_PRESENTATION]["locale"] == "hu"
    assert body[claims.CUSTOM] == {"linked_folders": "[]"}
    assert body["name"] == "Kovács Hanna" and body["email"] == "h@example.edu"


def test_personal_claims_are_left_out_when_withheld():
    body = resource_link_request(
        message(user=LaunchUser(sub="s")),
        resource_link_id="rl",
        resource_link_title="t",
        now=1,
        lifetime=1,
    )
    assert not {"name", "given_name", "family_name", "email"} & set(body)


def test_deep_linking_request_carries_its_settings():
    body = deep_linking_request(
        message(),
        settings=DeepLinkingSettings(deep_link_return_url="https://neptun.example/r", data="d"),
        now=1,
        lifetime=60,
    )
    assert body[claims.MESSAGE_TYPE] == "LtiDeepLinkingRequest"
    assert claims.RESOURCE_LINK not in body
    dl = body[claims.DEEP_LINKING_SETTINGS]
    assert dl["deep_link_return_url"] == "https://neptun.example/r"
    assert dl["accept_types"] == ["ltiResourceLink"]
    assert dl["accept_multiple"] is True and dl["data"] == "d"


@pytest.fixture(scope="module")
def private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_jwk_has_every_member_tools_look_for_and_verifies_a_signature(private_key):
    jwk = public_jwk(private_key.public_key(), kid="k1")
    assert {k: jwk[k] for k in ("kty", "alg", "use", "kid", "e")} == {
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": "k1",
        "e": "AQAB",
    }
    token = sign({"sub": "x"}, private_key=private_key, kid="k1")
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": "k1", "typ": "JWT"}
    public = jwt.PyJWK(jwk).key
    assert jwt.decode(token, public, algorithms=["RS256"]) == {"sub": "x"}
    assert key_set([jwk]) == {"keys": [jwk]}
