"""The stand-in's REST side as OAuth2 (RFC 6749 §5.2) and IdentityServer answer: a wrong client
→ 401 invalid_client, a wrong password → 400 invalid_grant, another grant → 400
unsupported_grant_type; the API paths want a Bearer token (none, a forged or an expired one →
401) and answer 404 for a folder the stand-in does not have."""

import base64
import time

import pytest

from panopto_link.simulator import rest
from panopto_link.simulator.models import ApiClient, ApiProvider
from panopto_link.simulator.services import folder_provision

pytestmark = pytest.mark.django_db

TOKEN = "/panopto-sim/Panopto/oauth2/connect/token"
USER = "neptun\\portal-api"


@pytest.fixture
def registered():
    ApiProvider.objects.create(instance_name="neptun", application_key="the-key")
    ApiClient.objects.create(name="portal", client_id="cid", client_secret="csecret")


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def ask_token(client, *, secret="csecret", password=None, grant="password"):  # noqa: S107
    return client.post(
        TOKEN,
        {
            "grant_type": grant,
            "username": USER,
            "password": password or rest.id_provider_password(USER, "the-key"),
            "scope": "openid api",
        },
        HTTP_AUTHORIZATION=basic("cid", secret),
    )


def test_the_password_grant_gives_a_bearer_token_not_to_be_cached(client, registered):
    answer = ask_token(client)
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    document = answer.json()
    assert document["token_type"] == "Bearer" and document["expires_in"] == 3600
    assert document["scope"] == "openid api" and document["access_token"]


@pytest.mark.parametrize(
    ("kwargs", "status", "error"),
    [
        ({"secret": "wrong"}, 401, "invalid_client"),
        ({"password": "d3Jvbmc="}, 400, "invalid_grant"),
        ({"grant": "client_credentials"}, 400, "unsupported_grant_type"),
    ],
)
def test_refusals_are_oauth2s(client, registered, kwargs, status, error):
    answer = ask_token(client, **kwargs)
    assert answer.status_code == status and answer.json()["error"] == error


def test_the_api_wants_a_valid_unexpired_bearer_token(client, registered, settings):
    folder, _created = folder_provision(external_id="ctx-1", name="Fizika")
    path = f"/panopto-sim/Panopto/api/v1/folders/{folder.public_id}"
    assert client.get(path).status_code == 401
    assert client.get(path, HTTP_AUTHORIZATION="Bearer forged").status_code == 401
    token = ask_token(client).json()["access_token"]
    assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    listing = client.get(path + "/sessions", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listing["Results"] and all(set(s["Urls"]) == {"ViewerUrl"} for s in listing["Results"])
    gone = "/panopto-sim/Panopto/api/v1/folders/5e1f7e57-0000-4000-8000-000000000000"
    assert client.get(gone, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    settings.PANOPTO_SIM_REST_TOKEN_SECONDS = 0
    time.sleep(1.1)
    assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
