"""The portal's own passwords beside eduID (PASSWORD_SIGN_IN), and today's session rules for a
session begun with eduID."""

import pytest
from django.test import Client

from core import session_timeout
from tests.factories import UserFactory

PASSWORD = "secret-pass-1"  # tests.factories.UserFactory's


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", ["/sign-in/", "/admin/login/"])
def test_with_passwords_for_administrators_only_a_student_cannot_use_one(db, settings, page):
    settings.PASSWORD_SIGN_IN = "administrators"
    staff = UserFactory(is_staff=True)  # the admin's own form wants staff: still refused
    client = Client()
    response = client.post(page, {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 200  # the form again, with its error
    assert not signed_in(client)


@pytest.mark.parametrize("page", ["/sign-in/", "/admin/login/"])
def test_with_passwords_for_administrators_only_a_break_glass_administrator_signs_in(
    db, settings, page
):
    settings.PASSWORD_SIGN_IN = "administrators"
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    response = client.post(page, {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)


def test_with_passwords_for_everyone_a_student_signs_in_with_a_password(db, settings):
    settings.PASSWORD_SIGN_IN = "everyone"
    student = UserFactory()
    client = Client()
    client.post("/sign-in/", {"username": student.username, "password": PASSWORD})
    assert signed_in(client)


def test_the_sign_in_page_offers_eduid_when_configured(saml):
    page = saml.client.get("/sign-in/?next=/studies/information/", HTTP_ACCEPT_LANGUAGE="hu")
    html = page.content.decode()
    assert 'href="/saml/sign-in/?next=/studies/information/"' in html
    assert "Belépés eduID-val" in html
    english = saml.client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in with eduID" in english


def test_without_eduid_the_sign_in_page_has_no_eduid_button_and_saml_is_404(db, settings):
    settings.SAML_IDP_METADATA = ""
    client = Client()
    assert "eduid-sign-in" not in client.get("/sign-in/").content.decode()
    assert client.get("/saml/sign-in/").status_code == 404
    assert client.get("/saml/metadata/").status_code == 404


def test_the_next_page_survives_the_round_trip(saml):
    started = saml.start(next_url="/studies/information/")
    answer = saml.answer(in_response_to=started["id"])
    response = saml.post(answer, started["relay_state"])
    assert response["Location"] == "/studies/information/"


def test_an_eduid_session_is_signed_out_after_the_idle_timeout(saml, settings, monkeypatch):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    now = [1_800_000_000]
    monkeypatch.setattr(session_timeout, "now", lambda: now[0])
    assert saml.sign_in().status_code == 302
    assert saml.client.session[session_timeout.SIGNED_IN_AT] == now[0]
    assert saml.client.get("/").status_code == 200
    now[0] += 30 * 60 + 1
    response = saml.client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert not signed_in(saml.client)
