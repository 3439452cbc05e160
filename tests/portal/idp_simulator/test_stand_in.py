"""The stand-in eduID identity provider of the demo: its form signs the demo's people in and its
signed answer, posted back, signs them in to the portal (the demo's accounts matched on the
Neptun code, as portal/settings/dev.py configures)."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.test import Client

from portal.eduid import config
from portal.models import ExternalIdentity
from tests.factories import UserFactory


@pytest.fixture
def stand_in(db, settings, tmp_path):
    """The portal trusting the stand-in, each reading the other's metadata from a file (the
    test client serves no HTTP for core.outbound to fetch from)."""
    settings.SAML_IDP_METADATA = ""
    settings.SAML_NEPTUN_CODE_ATTRIBUTE = "schacPersonalUniqueCode"
    settings.SAML_MATCH_ATTRIBUTE = "neptun_code"
    idp_file, sp_file = Path(tmp_path) / "idp.xml", Path(tmp_path) / "sp.xml"
    idp_file.write_bytes(Client().get("/idp-sim/metadata/").content)
    settings.SAML_IDP_METADATA = str(idp_file)
    config.forget_process_copies()
    sp_file.write_bytes(Client().get("/saml/metadata/").content)
    settings.EDUID_SIMULATOR_SP_METADATA = str(sp_file)
    yield Client()
    config.forget_process_copies()


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return unescape(match.group(1))


def test_the_stand_ins_form_signs_the_demo_student_in_to_her_account(stand_in):
    student = UserFactory(username="hallgato", neptun_code="HK7Q2D")
    to_idp = stand_in.get("/saml/sign-in/?next=/studies/information/")
    assert to_idp.status_code == 302 and "/idp-sim/sso/?SAMLRequest=" in to_idp["Location"]
    form = stand_in.get(to_idp["Location"], HTTP_ACCEPT_LANGUAGE="hu")
    assert "Belépés eduID-val" in form.content.decode()
    answer = stand_in.post(
        "/idp-sim/sso/",
        {
            "SAMLRequest": hidden(form.content.decode(), "SAMLRequest"),
            "RelayState": hidden(form.content.decode(), "RelayState"),
            "username": "hallgato",
            "password": "demo",
        },
    )
    page = answer.content.decode()
    assert 'action="http://testserver/saml/acs/"' in page
    back = stand_in.post(
        "/saml/acs/",
        {"SAMLResponse": hidden(page, "SAMLResponse"), "RelayState": hidden(page, "RelayState")},
    )
    assert back.status_code == 302 and back["Location"] == "/studies/information/"
    assert stand_in.get("/").wsgi_request.user.pk == student.pk
    assert ExternalIdentity.objects.get().subject == "hallgato@demo.neptun-egyetem.hu"


def test_a_wrong_password_at_the_stand_in_shows_its_form_again(stand_in):
    form = stand_in.get(stand_in.get("/saml/sign-in/")["Location"]).content.decode()
    again = stand_in.post(
        "/idp-sim/sso/",
        {
            "SAMLRequest": hidden(form, "SAMLRequest"),
            "username": "hallgato",
            "password": "wrong",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Wrong user name or password." in again.content.decode()
    assert "SAMLResponse" not in again.content.decode()


@pytest.mark.parametrize("query", ["", "?SAMLRequest=garbage"])
def test_the_stand_in_refuses_a_missing_or_unreadable_request_with_a_page(stand_in, query):
    response = stand_in.get("/idp-sim/sso/" + query)
    assert response.status_code == 400
