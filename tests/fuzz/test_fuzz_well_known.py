"""Fuzzing the JWKS and the OpenID configuration: any method, query, header or trailing path.
They answer their JSON (never a private key member) or a clear refusal, never a 500."""

import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import examples, fuzz_settings
from tests.fuzz.strategies import METHODS, encode, hostile_text, hostile_value, notable_text
from tests.robustness_report import REPORT

pytestmark = pytest.mark.django_db

PATHS = ["/.well-known/jwks.json", "/.well-known/openid-configuration"]
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
HEADERS = [
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_ACCEPT",
    "HTTP_ORIGIN",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_RANGE",
]
BUDGET = 1000


def test_jwks_and_openid_configuration_under_fuzzing(fuzz_world, signed_in):
    clients = signed_in("jwks and openid configuration")
    before = REPORT.requests["jwks and openid configuration"]
    answered = {"json": 0, "refused": 0}

    @fuzz_settings(BUDGET)
    @given(
        path=st.sampled_from(PATHS),
        suffix=st.sampled_from(["", "", "", "/", "x", "%00", ";a=b"])
        | hostile_text.filter(lambda s: len(s) < 200).map(lambda s: quote(s, safe="")),
        who=st.sampled_from(["anonymous", "member"]),
        method=st.one_of(st.just("GET"), st.sampled_from(METHODS)),
        pairs=st.lists(st.tuples(hostile_text, hostile_value), max_size=4),
        header=st.sampled_from(HEADERS),
        value=notable_text | hostile_text.filter(lambda s: len(s) < 4000),
    )
    def fuzz(path, suffix, who, method, pairs, header, value):
        response = clients[who].send(
            method,
            path + suffix,
            query=encode(pairs),
            headers={header: value.encode("utf-8").decode("latin-1")},
        )
        if response.status_code == 200 and method == "GET":
            answered["json"] += 1
            document = json.loads(response.content)
            if path.endswith("jwks.json"):
                for key in document["keys"]:
                    assert not PRIVATE_MEMBERS & set(key), key
                    assert key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
            else:
                assert document["id_token_signing_alg_values_supported"] == ["RS256"]
            assert "max-age" in response["Cache-Control"]
        else:
            answered["refused"] += 1

    fuzz()
    assert REPORT.requests["jwks and openid configuration"] - before >= examples(BUDGET)
    assert min(answered.values()) > 0, answered
