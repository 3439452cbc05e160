"""pysaml2's identity provider, configured for one service provider's metadata and one key
pair. Used by the stand-in's views and by the tests, which build real signed answers with it
(and with keys of their own)."""

import shutil
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server


def idp_settings(
    *,
    entity_id: str,
    sso_url: str,
    key_file: str,
    cert_file: str,
    sp_metadata: str = "",
    lifetime_minutes: int = 5,
) -> dict[str, Any]:
    return {
        "entityid": entity_id,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": key_file,
        "cert_file": cert_file,
        "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
        "service": {
            "idp": {
                "name": "eduID stand-in",
                "endpoints": {
                    "single_sign_on_service": [
                        (sso_url, BINDING_HTTP_REDIRECT),
                        (sso_url, BINDING_HTTP_POST),
                    ]
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "policy": {
                    "default": {
                        "lifetime": {"minutes": lifetime_minutes},
                        "attribute_restrictions": None,
                        "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                    }
                },
            }
        },
    }


def identity_provider(**settings: Any) -> Server:
    """A pysaml2 Server (IdP) with `idp_settings(**settings)`."""
    config = IdPConfig()
    config.load(idp_settings(**settings))
    return Server(config=config)


def metadata_xml(server: Server) -> str:
    return str(entity_descriptor(server.config))


def signed_answer(
    server: Server,
    *,
    person: dict[str, list[str]],
    in_response_to: str | None,
    destination: str,
    sp_entity_id: str,
    sign_assertion: bool = True,
    sign_response: bool = False,
    persistent_id: str = "",
) -> str:
    """The SAML Response (XML text) for `person`, its assertion signed with the server's key
    and its NameID persistent (`persistent_id`, or else the person's eduPersonPrincipalName:
    the stand-in's people are fictional, a real provider sends an opaque value)."""
    principal = persistent_id or person["eduPersonPrincipalName"][0]
    name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=principal)
    response = server.create_authn_response(
        identity=person,
        in_response_to=in_response_to,
        destination=destination,
        sp_entity_id=sp_entity_id,
        name_id=name_id,
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
        sign_assertion=sign_assertion,
        sign_response=sign_response,
    )
    return str(response)
