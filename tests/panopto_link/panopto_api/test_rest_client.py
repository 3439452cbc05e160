"""The portal's REST client (oauthlib's password grant, through core.outbound) against the
stand-in's REST side on the live server: the token is had once and kept in the shared cache,
a 401 drops it and one new token is fetched, a folder is found by its Panopto id (one store
with the stand-in's LTI and SOAP sides) and a gone one answers None, a folder's sessions come
newest first; a wrong client secret or application key is refused with OAuth2's error code."""

import dataclasses
import logging

import pytest

from core import shared_cache
from panopto_link.lti.origins import origin
from panopto_link.panopto_api import rest
from panopto_link.simulator.services import folder_provision
from tests.metrics import Counted

pytestmark = pytest.mark.django_db(transaction=True)


def provisioned(external_id: str = "ctx-rest"):
    folder, _created = folder_provision(external_id=external_id, name="Analízis I (MAT101)")
    return folder


def token_requests(counted) -> float:
    return counted(
        "neptun_outbound_calls_total", party="panopto_api", operation="token", outcome="ok"
    )


def test_a_folder_an_lti_launch_or_soap_created_is_found_by_its_id(stand_in_rest):
    folder = provisioned()
    found = rest.folder(stand_in_rest, str(folder.public_id))
    assert found == rest.RestFolder(id=str(folder.public_id), name=folder.name, parent_id="")


def test_a_folder_panopto_does_not_have_is_none(stand_in_rest):
    folder = provisioned()
    folder_id = str(folder.public_id)
    folder.delete()
    assert rest.folder(stand_in_rest, folder_id) is None


def test_a_folders_sessions_come_newest_first_with_their_viewer_url(stand_in_rest):
    folder = provisioned()
    sessions = rest.folder_sessions(stand_in_rest, str(folder.public_id), 2)
    assert len(sessions) == 2
    assert sessions[0].start_time > sessions[1].start_time
    assert sessions[0].name and sessions[0].duration_seconds
    assert sessions[0].viewer_url.startswith(stand_in_rest.origin + "/panopto-sim/viewer/")


def test_the_token_is_fetched_once_and_kept_in_the_shared_cache(stand_in_rest):
    folder_id = str(provisioned().public_id)
    with Counted() as counted:
        for _ in range(3):
            assert rest.folder(stand_in_rest, folder_id) is not None
    assert token_requests(counted) == 1
    assert rest._kept_token(stand_in_rest)


def test_a_token_panopto_no_longer_accepts_is_dropped_and_one_new_one_fetched(stand_in_rest):
    folder_id = str(provisioned().public_id)
    shared_cache.set(rest._token_key(stand_in_rest), "a-revoked-token", 600)
    with Counted() as counted:
        assert rest.folder(stand_in_rest, folder_id) is not None
    assert token_requests(counted) == 1
    assert rest._kept_token(stand_in_rest) not in (None, "a-revoked-token")


def test_an_expired_token_is_refused_by_the_stand_in_and_replaced(stand_in_rest, settings):
    folder_id = str(provisioned().public_id)
    rest.folder(stand_in_rest, folder_id)
    settings.PANOPTO_SIM_REST_TOKEN_SECONDS = 0  # every token issued is now expired
    with pytest.raises(rest.PanoptoApiRefused, match="HTTP 401"):
        rest.folder(stand_in_rest, folder_id)
    assert rest._kept_token(stand_in_rest) is None  # not kept: dropped after the refusal


def test_a_wrong_client_secret_is_invalid_client(stand_in_rest):
    wrong = dataclasses.replace(stand_in_rest, rest_client_secret="not-the-secret")
    with pytest.raises(rest.TokenRefused) as refused:
        rest.folder(wrong, "00000000-0000-0000-0000-000000000000")
    assert refused.value.error == "invalid_client"


def test_a_wrong_application_key_is_invalid_grant(stand_in_rest):
    wrong = dataclasses.replace(stand_in_rest, application_key="not-the-key")
    with pytest.raises(rest.TokenRefused) as refused:
        rest.folder(wrong, "00000000-0000-0000-0000-000000000000")
    assert refused.value.error == "invalid_grant"


def test_a_stand_in_that_is_down_makes_the_api_unavailable(stand_in_rest, settings):
    settings.PANOPTO_SIM_API_DOWN = True
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0
    with pytest.raises(rest.PanoptoApiUnavailable):
        rest.folder(stand_in_rest, "00000000-0000-0000-0000-000000000000")


def test_credentials_go_to_the_panopto_site_alone_and_the_token_is_never_logged(
    stand_in_rest, monkeypatch, caplog
):
    sent = []
    real = rest.outbound.http_call

    def recording(method, url, **kwargs):
        sent.append((url, kwargs.get("headers") or {}))
        return real(method, url, **kwargs)

    monkeypatch.setattr(rest.outbound, "http_call", recording)
    caplog.set_level(logging.DEBUG)
    folder_id = str(provisioned().public_id)
    rest.folder(stand_in_rest, folder_id)
    shared_cache.set(rest._token_key(stand_in_rest), "a-revoked-token", 600)
    rest.folder(stand_in_rest, folder_id)
    token = rest._kept_token(stand_in_rest)
    assert token and len(sent) == 5  # token, folder; folder (401), token, folder
    assert {origin(url) for url, _headers in sent} == {stand_in_rest.origin}
    assert token not in caplog.text and stand_in_rest.rest_client_secret not in caplog.text
    assert token not in rest._token_key(stand_in_rest)
    assert stand_in_rest.rest_client_secret not in repr(stand_in_rest)


def test_a_connection_whose_urls_leave_the_site_sends_nothing(stand_in_rest, monkeypatch):
    monkeypatch.setattr(
        type(stand_in_rest), "token_url", property(lambda self: "https://elsewhere.example/t")
    )
    with pytest.raises(rest.PanoptoApiRefused, match="not on the Panopto site"):
        rest.fetch_token(stand_in_rest)
