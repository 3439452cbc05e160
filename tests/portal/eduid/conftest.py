"""An identity provider of the tests' own: pysaml2's IdP side (portal.idp_simulator.idp) with
a key pair made for the test session, and the portal configured to trust it through a metadata
file. `saml` drives the whole round: the portal's AuthnRequest, the IdP's signed answer, the
post back to the assertion consumer service."""

import base64
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from saml2 import BINDING_HTTP_REDIRECT

from core import key_pairs
from portal.eduid import config
from portal.idp_simulator import idp
from portal.idp_simulator.people import PEOPLE

IDP_ENTITY_ID = "https://idp.test-university.example/idp/shibboleth"
IDP_SSO = "https://idp.test-university.example/idp/profile/SAML2/Redirect/SSO"
ACS = "http://testserver/saml/acs/"
SP_ENTITY_ID = "http://testserver/saml/metadata/"


@pytest.fixture(scope="session")
def idp_keys(tmp_path_factory) -> tuple[str, str]:
    key_file, cert_file = key_pairs.ensure_key_folder(
        tmp_path_factory.mktemp("idp") / "keys", common_name="test IdP"
    )
    return str(key_file), str(cert_file)


@dataclass
class SamlRound:
    client: Client
    server: object
    sp_metadata: str

    def start(self, next_url: str = "") -> dict[str, str]:
        """The portal's sign-in redirect, parsed: the AuthnRequest's id and the RelayState."""
        url = "/saml/sign-in/" + (f"?next={urllib.parse.quote(next_url)}" if next_url else "")
        response = self.client.get(url)
        assert response.status_code == 302, response.content[:500]
        location = urllib.parse.urlsplit(response["Location"])
        assert location.geturl().startswith(IDP_SSO)
        query = dict(urllib.parse.parse_qsl(location.query))
        request = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        return {"id": request.message.id, "relay_state": query.get("RelayState", "")}

    def answer(self, person="hallgato", *, in_response_to=None, **options) -> str:
        """A signed answer for `person`: a name in the stand-in's directory, or attributes."""
        options.setdefault("destination", ACS)
        options.setdefault("sp_entity_id", SP_ENTITY_ID)
        attributes = dict(PEOPLE[person]) if isinstance(person, str) else person
        return idp.signed_answer(
            self.server, person=attributes, in_response_to=in_response_to, **options
        )

    def post(self, xml: str, relay_state: str = "", language: str = "en"):
        return self.client.post(
            "/saml/acs/",
            {
                "SAMLResponse": base64.b64encode(xml.encode()).decode(),
                "RelayState": relay_state,
            },
            HTTP_ACCEPT_LANGUAGE=language,
        )

    def sign_in(self, person="hallgato", **options):
        started = self.start()
        return self.post(
            self.answer(person, in_response_to=started["id"], **options), started["relay_state"]
        )


def make_idp(idp_keys, sp_metadata: str = "", **options):
    key_file, cert_file = idp_keys
    return idp.identity_provider(
        entity_id=IDP_ENTITY_ID,
        sso_url=IDP_SSO,
        key_file=key_file,
        cert_file=cert_file,
        sp_metadata=sp_metadata,
        **options,
    )


@pytest.fixture
def saml(db, settings, tmp_path, idp_keys) -> SamlRound:
    """The portal trusting the tests' identity provider; a fresh browser (Client)."""
    metadata_file = Path(tmp_path) / "idp-metadata.xml"
    settings.SAML_MATCH_ATTRIBUTE = ""
    settings.SAML_CREATE_USERS = True
    metadata_file.write_text(idp.metadata_xml(make_idp(idp_keys)), encoding="utf-8")
    settings.SAML_IDP_METADATA = str(metadata_file)
    settings.SAML_NEPTUN_CODE_ATTRIBUTE = "schacPersonalUniqueCode"
    config.forget_process_copies()
    sp_metadata = Client().get("/saml/metadata/").content.decode()
    yield SamlRound(
        client=Client(), server=make_idp(idp_keys, sp_metadata), sp_metadata=sp_metadata
    )
    config.forget_process_copies()
