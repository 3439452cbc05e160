"""Choosing the identity provider when the metadata names several (a federation's aggregate):
the configured one, the federation's discovery service, or the portal's own list; an identity
provider the metadata does not name is refused with a page (issue 26, item 1)."""

import urllib.parse

import pytest
from saml2.metadata import entities_descriptor, entity_descriptor

from portal.eduid import config
from portal.idp_simulator import idp
from tests.portal.eduid.conftest import IDP_ENTITY_ID, IDP_SSO

OTHER_ID = "https://idp.other-college.example/idp/shibboleth"
OTHER_SSO = "https://idp.other-college.example/sso"


@pytest.fixture
def federation(saml, settings, tmp_path, idp_keys):
    other = idp.identity_provider(
        entity_id=OTHER_ID, sso_url=OTHER_SSO, key_file=idp_keys[0], cert_file=idp_keys[1]
    )
    members = [entity_descriptor(saml.server.config), entity_descriptor(other.config)]
    xml = str(
        entities_descriptor(members, 24, "https://federation.example/", "agg", False, None)[0]
    )
    path = tmp_path / "federation.xml"
    path.write_text(xml, encoding="utf-8")
    settings.SAML_IDP_METADATA = str(path)
    settings.SAML_IDP_ENTITY_ID = ""
    settings.SAML_DISCOVERY_URL = ""
    config.forget_process_copies()
    return saml


def test_without_a_choice_the_portal_lists_the_identity_providers(federation):
    page = federation.client.get("/saml/sign-in/?next=/studies/information/")
    assert page.status_code == 200
    html = page.content.decode()
    chosen = "/saml/sign-in/?idp=" + urllib.parse.quote(OTHER_ID, safe="")
    assert chosen in html and "next=/studies/information/" in html.replace("%2F", "/")
    assert federation.client.get(chosen).status_code == 302
    assert federation.client.get(chosen)["Location"].startswith(OTHER_SSO)


def test_the_federations_discovery_service_is_asked_and_its_answer_followed(federation, settings):
    settings.SAML_DISCOVERY_URL = "https://discovery.federation.example/ds"
    response = federation.client.get("/saml/sign-in/?next=/studies/information/")
    assert response.status_code == 302
    location = urllib.parse.urlsplit(response["Location"])
    assert location.netloc == "discovery.federation.example"
    query = dict(urllib.parse.parse_qsl(location.query))
    assert query["entityID"] == "http://testserver/saml/metadata/"
    assert query["returnIDParam"] == "idp"
    back = urllib.parse.urlsplit(query["return"])
    answered = f"{back.path}?{back.query}&idp={urllib.parse.quote(IDP_ENTITY_ID, safe='')}"
    assert federation.client.get(answered)["Location"].startswith(IDP_SSO)


def test_the_configured_identity_provider_is_used_without_asking(federation, settings):
    settings.SAML_IDP_ENTITY_ID = OTHER_ID
    assert federation.client.get("/saml/sign-in/")["Location"].startswith(OTHER_SSO)


def test_an_identity_provider_the_metadata_does_not_name_is_refused_with_a_page(federation):
    response = federation.client.get(
        "/saml/sign-in/?idp=https://evil.example/idp", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "does not know this identity provider" in response.content.decode()
