"""The registration's API settings (issue 23 item 1): the identity provider's instance name, the
API user and the application key — stored encrypted like the signing keys, never shown again,
all three or none. Without them the registration is what it was."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command

from panopto_link.models import PanoptoRegistration
from panopto_link.panopto_api.secret import application_key_decrypt, rest_client_secret_decrypt
from panopto_link.services import registration_configure

pytestmark = pytest.mark.django_db

APPLICATION_KEY = "0b9f2a6c-1d3e-4f5a-8b7c-9d0e1f2a3b4c"
API_FLAGS = ["--api-provider-name=neptun", "--api-user=portal-api", "--api-key-env=PANOPTO_KEY"]


def test_the_application_key_is_stored_encrypted_and_never_printed(monkeypatch, capsys):
    monkeypatch.setenv("PANOPTO_KEY", APPLICATION_KEY)
    call_command("panopto_configure", "--client-id=abc", *API_FLAGS)
    out = capsys.readouterr().out
    registration = PanoptoRegistration.load()
    assert registration.has_api_settings
    assert APPLICATION_KEY not in registration.api_key_encrypted
    assert application_key_decrypt(registration.api_key_encrypted) == APPLICATION_KEY
    assert APPLICATION_KEY not in out
    assert registration.api_key_encrypted not in out
    assert "not shown" in out


def test_configuring_the_same_key_again_changes_nothing(monkeypatch, capsys):
    monkeypatch.setenv("PANOPTO_KEY", APPLICATION_KEY)
    call_command("panopto_configure", "--client-id=abc", *API_FLAGS)
    stored = PanoptoRegistration.load().api_key_encrypted
    capsys.readouterr()
    call_command("panopto_configure", *API_FLAGS)
    assert "No changes." in capsys.readouterr().out
    assert PanoptoRegistration.load().api_key_encrypted == stored
    monkeypatch.setenv("PANOPTO_KEY", "another-key")
    call_command("panopto_configure", *API_FLAGS)
    registration = PanoptoRegistration.load()
    assert application_key_decrypt(registration.api_key_encrypted) == "another-key"


def test_an_empty_key_variable_is_refused(monkeypatch):
    monkeypatch.delenv("PANOPTO_KEY", raising=False)
    with pytest.raises(CommandError, match="PANOPTO_KEY"):
        call_command("panopto_configure", "--client-id=abc", *API_FLAGS)
    assert PanoptoRegistration.load() is None


def test_api_settings_are_all_three_or_none():
    with pytest.raises(ValidationError) as refused:
        registration_configure(values={"client_id": "abc", "api_provider_name": "neptun"})
    assert "api_provider_name" in refused.value.message_dict
    assert PanoptoRegistration.load() is None
    with pytest.raises(ValidationError):
        registration_configure(values={"client_id": "abc", "api_application_key": "k"})
    result = registration_configure(
        values={
            "client_id": "abc",
            "api_provider_name": "neptun",
            "api_user": "portal-api",
            "api_application_key": APPLICATION_KEY,
        }
    )
    assert result.registration.has_api_settings
    # Turned off again: all three removed together.
    result = registration_configure(
        values={"api_provider_name": "", "api_user": "", "api_application_key": ""}
    )
    assert not result.registration.has_api_settings
    assert result.registration.api_key_encrypted == ""


def test_the_instance_name_alone_is_asked_for():
    with pytest.raises(ValidationError) as refused:
        registration_configure(
            values={
                "api_provider_name": "neptun\\portal-api",
                "api_user": "portal-api",
                "api_application_key": APPLICATION_KEY,
            }
        )
    assert refused.value.message_dict["api_provider_name"]


def test_without_the_encryption_key_the_application_key_is_refused(settings, monkeypatch):
    settings.LTI_KEY_ENCRYPTION_KEYS = []
    monkeypatch.setenv("PANOPTO_KEY", APPLICATION_KEY)
    with pytest.raises(CommandError, match="LTI_KEY_ENCRYPTION_KEY"):
        call_command("panopto_configure", "--client-id=abc", *API_FLAGS)
    assert PanoptoRegistration.load() is None


def test_a_key_encrypted_under_a_retired_encryption_key_cannot_be_read(settings):
    registration_configure(
        values={
            "api_provider_name": "neptun",
            "api_user": "portal-api",
            "api_application_key": APPLICATION_KEY,
        }
    )
    settings.LTI_KEY_ENCRYPTION_KEYS = ["b3RoZXItdGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXQ="]
    with pytest.raises(ImproperlyConfigured) as refused:
        application_key_decrypt(PanoptoRegistration.load().api_key_encrypted)
    assert APPLICATION_KEY not in str(refused.value)


def test_the_admin_stores_a_typed_key_and_never_shows_it(admin_client):
    registration_configure(values={"client_id": "abc"})
    url = "/admin/panopto_link/panoptoregistration/1/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    data.update(
        {
            "api_provider_name": "neptun",
            "api_user": "portal-api",
            "api_application_key": APPLICATION_KEY,
        }
    )
    answer = admin_client.post(url, data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    registration = PanoptoRegistration.load()
    assert application_key_decrypt(registration.api_key_encrypted) == APPLICATION_KEY
    again = admin_client.get(url).content.decode()
    assert APPLICATION_KEY not in again
    assert registration.api_key_encrypted not in again
    # Saved again with the key field empty: the stored key stays.
    data["api_application_key"] = ""
    assert admin_client.post(url, data).status_code == 302
    assert PanoptoRegistration.load().api_key_encrypted == registration.api_key_encrypted


def test_the_admin_refuses_a_key_without_the_other_two(admin_client):
    registration_configure(values={"client_id": "abc"})
    url = "/admin/panopto_link/panoptoregistration/1/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["api_application_key"] = APPLICATION_KEY
    answer = admin_client.post(url, data)
    assert answer.status_code == 200
    assert "api_provider_name" in answer.context["adminform"].form.errors
    assert PanoptoRegistration.load().api_key_encrypted == ""


# --- the REST API's client (issue 23, REST) ----------------------------------------------------

REST_SECRET = "rest-client-secret+/="
REST_FLAGS = ["--api-rest-client-id=rest-client", "--api-rest-client-secret-env=PANOPTO_SECRET"]


def test_the_rest_client_secret_is_stored_encrypted_and_never_printed(monkeypatch, capsys):
    monkeypatch.setenv("PANOPTO_KEY", APPLICATION_KEY)
    monkeypatch.setenv("PANOPTO_SECRET", REST_SECRET)
    call_command("panopto_configure", "--client-id=abc", *API_FLAGS, *REST_FLAGS)
    out = capsys.readouterr().out
    registration = PanoptoRegistration.load()
    assert registration.has_rest_settings and registration.api_rest_client_id == "rest-client"
    assert REST_SECRET not in registration.api_rest_secret_encrypted
    assert rest_client_secret_decrypt(registration.api_rest_secret_encrypted) == REST_SECRET
    assert REST_SECRET not in out and registration.api_rest_secret_encrypted not in out
    assert "REST API: configured" in out
    call_command("panopto_configure", *API_FLAGS, *REST_FLAGS)
    assert "No changes." in capsys.readouterr().out


def test_the_rest_client_needs_its_id_its_secret_and_the_api_settings():
    with pytest.raises(ValidationError) as refused:
        registration_configure(values={"client_id": "abc", "api_rest_client_id": "rest-client"})
    assert "api_rest_client_id" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        registration_configure(
            values={"api_rest_client_id": "rest-client", "api_rest_client_secret": REST_SECRET}
        )
    assert "application key" in " ".join(refused.value.message_dict["api_rest_client_id"])
    assert PanoptoRegistration.load() is None


def test_without_the_rest_client_the_connection_has_no_rest(monkeypatch):
    from panopto_link.panopto_api.connection import api_connection

    monkeypatch.setenv("PANOPTO_KEY", APPLICATION_KEY)
    call_command(
        "panopto_configure", "--client-id=abc", "--site-url=https://uni.example", *API_FLAGS
    )
    connection = api_connection()
    assert connection is not None and not connection.has_rest


def test_the_admin_stores_a_typed_secret_never_shows_it_and_lets_it_be_replaced(admin_client):
    registration_configure(
        values={
            "client_id": "abc",
            "api_provider_name": "neptun",
            "api_user": "portal-api",
            "api_application_key": APPLICATION_KEY,
        }
    )
    url = "/admin/panopto_link/panoptoregistration/1/change/"
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "stored REST API client secret" in page.content.decode()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"api_rest_client_id": "rest-client", "api_rest_client_secret": REST_SECRET})
    answer = admin_client.post(url, data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    stored = PanoptoRegistration.load().api_rest_secret_encrypted
    assert rest_client_secret_decrypt(stored) == REST_SECRET
    again = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert REST_SECRET not in again and stored not in again
    assert "stored, encrypted (not shown)" in again
    data["api_rest_client_secret"] = ""  # kept
    assert admin_client.post(url, data).status_code == 302
    assert PanoptoRegistration.load().api_rest_secret_encrypted == stored
    data["api_rest_client_secret"] = "a-new-secret"  # replaced
    assert admin_client.post(url, data).status_code == 302
    replaced = PanoptoRegistration.load().api_rest_secret_encrypted
    assert rest_client_secret_decrypt(replaced) == "a-new-secret"
    data.update(  # removed, with its id
        {
            "api_rest_client_secret": "",
            "api_rest_client_id": "",
            "api_rest_client_secret_remove": "on",
        }
    )
    assert admin_client.post(url, data).status_code == 302
    assert not PanoptoRegistration.load().has_rest_settings
