"""Fuzzing the deep-linking return endpoint with hostile JWTs: garbage, `alg: none`, HS256
keyed with the tool's or our own public key, huge and deeply nested headers, and tokens the
tool really signed whose claims and content items are hostile (wrong types, NUL characters,
infinities, foreign URLs, nested JSON).

The answer is the "videos linked" page or the refusal page, never a 500; only a token the
tool signed, for us, with our own unused data value and an unused nonce, links anything — and
only links into the tool's own site."""

import json
import time
import uuid
from urllib.parse import urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given
from hypothesis import strategies as st
from jwt.algorithms import RSAAlgorithm
from pylti1p3.registration import Registration

from panopto_link.lti import claims
from panopto_link.lti.origins import origin
from panopto_link.lti.substitution import key_problem
from panopto_link.models import RESERVED_CUSTOM_KEYS, VideoLink
from tests.fuzz.conftest import FuzzClient, assert_launch_data_consistent, examples, fuzz_settings
from tests.fuzz.strategies import (
    METHODS,
    b64,
    deeply_nested,
    dumps,
    encode,
    hmac_signature,
    hostile_text,
    hostile_value,
    json_values,
    raw_body,
)
from tests.jwks_server import JwksServer
from tests.lti_tool import CLIENT_ID, DEPLOYMENT_ID, ISSUER, picker_data, rsa_key_pair
from tests.robustness_report import REPORT

pytestmark = pytest.mark.django_db

PATH = "/lti/deep-linking/return/"
RS256 = RSAAlgorithm(RSAAlgorithm.SHA256)
VIDEO_URL = "https://panopto.example.com/Panopto/LTI/LTI13.aspx?id="
TOOL_ORIGIN = "https://panopto.example.com"
CLAIM_NAMES = [
    "iss",
    "aud",
    "iat",
    "exp",
    "nbf",
    "nonce",
    "azp",
    claims.DEPLOYMENT_ID,
    claims.MESSAGE_TYPE,
    claims.VERSION,
    claims.DL_DATA,
    claims.DL_CONTENT_ITEMS,
    claims.DL_MSG,
    claims.DL_LOG,
    claims.DL_ERRORMSG,
    claims.DL_ERRORLOG,
]

item = st.fixed_dictionaries(
    # Mostly items the portal takes, so that their hostile fields reach the database.
    {"type": st.sampled_from(["ltiResourceLink"] * 6 + ["link", "html", "file", ""]) | json_values},
    optional={
        "url": st.one_of(
            st.builds(lambda s: VIDEO_URL + s, hostile_text.filter(lambda s: len(s) < 3000)),
            st.builds(lambda s: VIDEO_URL + s, hostile_text.filter(lambda s: len(s) < 3000)),
            st.sampled_from(
                [
                    "https://evil.example/x",
                    "javascript:alert(1)",
                    "https://panopto.example.com\x00.evil.example/",
                    "https://panopto.example.com/\x00",
                    "//panopto.example.com/x",
                    "https://panopto.example.com:443/x",
                ]
            ),
            json_values,
        ),
        "title": hostile_text | json_values,
        "text": hostile_text | json_values,
        "custom": st.dictionaries(hostile_text, hostile_text | json_values, max_size=4)
        | json_values,
        "thumbnail": st.fixed_dictionaries({"url": hostile_text | json_values}) | json_values,
        "iframe": st.fixed_dictionaries({}, optional={"width": json_values, "height": json_values})
        | json_values,
        "window": json_values,
    },
)
claim_change = st.one_of(
    st.tuples(st.just("drop"), st.sampled_from(CLAIM_NAMES)),
    st.tuples(st.just("set"), st.sampled_from(CLAIM_NAMES), json_values),
    st.tuples(st.just("items"), st.lists(item, max_size=6)),
    st.tuples(st.just("items"), st.lists(item, min_size=51, max_size=55)),
    st.tuples(st.just("text"), st.sampled_from(CLAIM_NAMES[-4:]), hostile_text),
)
TOKEN_KINDS = [
    "signed",
    "signed",
    "signed",
    "signed_items",
    "signed_items",
    "signed_items",
    "garbage",
    "alg_none",
    "hs256_tool_key",
    "hs256_our_key",
    "huge_header",
    "nested_header",
    "hostile_header",
    "unknown_kid",
    "other_key",
]


@pytest.fixture
def tool(fuzz_world, registration):
    """The tool's real key pair, published by a real JWKS server the registration names."""
    private_pem, public_pem = rsa_key_pair()
    other_private_pem, _ = rsa_key_pair()
    server = JwksServer()
    jwk = Registration.get_jwk(public_pem)
    server.document = {"keys": [jwk]}
    registration.jwks_url = server.url
    registration.save()
    yield {
        "private": RS256.prepare_key(private_pem),
        "public": public_pem.encode(),
        "kid": jwk["kid"],
        "jwk": json.dumps(jwk).encode(),
        "other_private": RS256.prepare_key(other_private_pem),
    }
    server.close()


def our_public_pem(client) -> bytes:
    """Our own published signing key, as a PEM: the classic HS256 confusion's secret."""
    key = jwt.PyJWK(client.get("/.well-known/jwks.json").json()["keys"][0]).key
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def good_claims(world) -> dict:
    now = int(time.time())
    return {
        "iss": CLIENT_ID,
        "aud": ISSUER,
        "iat": now,
        "exp": now + 300,
        "nonce": uuid.uuid4().hex,
        claims.DEPLOYMENT_ID: DEPLOYMENT_ID,
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_RESPONSE,
        claims.VERSION: "1.3.0",
        claims.DL_DATA: picker_data(space=world.course, user=world.admin),
        claims.DL_CONTENT_ITEMS: [
            {"type": "ltiResourceLink", "title": "Előadás", "url": VIDEO_URL + "1"}
        ],
    }


def unsigned(header, body: dict | bytes, signature: str = "") -> str:
    head = header if isinstance(header, bytes) else dumps(header)
    payload = body if isinstance(body, bytes) else dumps(body)
    return f"{b64(head)}.{b64(payload)}.{signature}"


def rs256_token(kid: str, body: dict, private_key) -> str:
    """Signed as the tool signs, but without PyJWT's checks of the claims: a tool (or someone
    holding its key) can sign any JSON at all."""
    signing_input = f"{b64(dumps({'alg': 'RS256', 'typ': 'JWT', 'kid': kid}))}.{b64(dumps(body))}"
    return f"{signing_input}.{b64(RS256.sign(signing_input.encode(), private_key))}"


def hmac_token(kid: str, body: dict, secret: bytes) -> str:
    signing_input = f"{b64(dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': kid}))}.{b64(dumps(body))}"
    return f"{signing_input}.{hmac_signature(signing_input, secret)}"


BUDGET = 1000
JUNK_KINDS = {"garbage", "hs256_tool_key", "huge_header", "hostile_header", "unknown_kid"}
header_strategy = st.dictionaries(
    st.sampled_from(["alg", "kid", "typ", "crit", "jku", "x5u", "jwk", "zip"])
    | st.text(max_size=5),
    json_values,
    max_size=3,
)


def test_deep_linking_return_under_fuzzing(fuzz_world, tool, signed_in, client):
    fuzz_world.create_context()
    world = fuzz_world
    our_pem = our_public_pem(client)
    sender = FuzzClient(client, "deep-linking return")  # the tool's post: no portal session
    signed_by_admin = signed_in("deep-linking return")["admin"]
    before = REPORT.requests["deep-linking return"]
    outcomes = {"linked": 0, "refused": 0, "other": 0}

    def token_for(kind: str, changes: list, items: list, header_extra, junk) -> str:
        body = good_claims(world)
        if kind == "signed_items":  # every claim right, the content items hostile
            changes = [("items", items)]
        for change in changes:
            if change[0] == "drop":
                body.pop(change[1], None)
            elif change[0] in ("set", "text"):
                body[change[1]] = change[2]
            elif change[0] == "items":
                body[claims.DL_CONTENT_ITEMS] = change[1]
        if kind == "garbage":
            return junk
        if kind == "alg_none":
            return unsigned({"alg": "none", "kid": tool["kid"]}, body)
        if kind == "hs256_tool_key":
            return hmac_token(tool["kid"], body, tool["public"] if junk else tool["jwk"])
        if kind == "hs256_our_key":
            return hmac_token(tool["kid"], body, our_pem)
        if kind == "huge_header":
            return unsigned({"alg": "RS256", "kid": tool["kid"], "x": "A" * 100_000}, body, junk)
        if kind == "nested_header":
            return unsigned(deeply_nested(20_000), body, "sig")
        if kind == "hostile_header":
            return unsigned(header_extra, body, junk[:200])
        kid = (junk[:300] or "unknown") if kind == "unknown_kid" else tool["kid"]
        key = tool["other_private"] if kind == "other_key" else tool["private"]
        return rs256_token(kid, body, key)

    @fuzz_settings(BUDGET)
    @given(
        kind=st.sampled_from(TOKEN_KINDS),
        shape=st.sampled_from(
            ["form", "form", "form", "form", "repeated", "missing", "raw", "method"]
        ),
        with_session=st.booleans(),
        data=st.data(),
    )
    def fuzz(kind, shape, with_session, data):
        # Drawn only when this example uses them: drawing is most of a fuzzer's time.
        changes = data.draw(st.lists(claim_change, max_size=2)) if kind == "signed" else []
        items = data.draw(st.lists(item, min_size=1, max_size=4)) if kind == "signed_items" else []
        header = data.draw(header_strategy) if kind == "hostile_header" else {}
        junk = data.draw(hostile_text) if kind in JUNK_KINDS or shape == "repeated" else ""
        last_video = VideoLink.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        token = token_for(kind, changes, items, header, junk)
        client = signed_by_admin if with_session else sender
        if shape == "raw":
            content_type, body = data.draw(raw_body)
            response = client.send("POST", PATH, body=body, content_type=content_type)
        elif shape == "method":
            method = data.draw(st.sampled_from(METHODS))
            response = client.send(method, PATH, query=encode([("JWT", token)]))
        else:
            pairs = {"form": [("JWT", token)], "repeated": [("JWT", token), ("JWT", junk)]}.get(
                shape, []
            )
            extra = data.draw(st.lists(st.tuples(hostile_text, hostile_value), max_size=2))
            response = client.send("POST", PATH, body=encode(pairs + extra))

        if response.status_code == 200:
            outcomes["linked"] += 1
            assert kind.startswith("signed")  # nothing else may link a video
            # The page that goes on to the "videos linked" page of the portal's own site.
            assert b'/linked/" id="lti-form-post"' in response.content
        elif response.status_code == 400:
            outcomes["refused"] += 1
        else:
            outcomes["other"] += 1
        for video in VideoLink.objects.filter(pk__gt=last_video):
            assert urlsplit(video.url).scheme == "https", video.url
            # RFC 6454 (issue 21): `https://panopto.example.com:443/x` lives at the tool's origin.
            assert origin(video.url) == TOOL_ORIGIN, video.url
            # Issue 20, finding 1: no stored key the portal reserves or the key rule refuses.
            assert all(
                key_problem(key, reserved=RESERVED_CUSTOM_KEYS) is None for key in video.custom
            )
            for text in (video.title, video.text, video.url, video.thumbnail_url):
                assert "\x00" not in text
        assert_launch_data_consistent()

    fuzz()
    assert_launch_data_consistent(thorough=True)
    assert REPORT.requests["deep-linking return"] - before >= examples(BUDGET)
    assert min(outcomes.values()) > 0, outcomes
