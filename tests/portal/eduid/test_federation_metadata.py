"""The identity provider's metadata as a federation publishes it: a signed aggregate, checked
with the operator's certificate and its validUntil before the portal trusts a key in it; from a
URL through core.outbound, the last good copy standing in while a new one fails (issue 26)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from saml2.config import IdPConfig
from saml2.metadata import entities_descriptor, entity_descriptor
from saml2.sigver import security_context

from core import key_pairs, outbound
from portal.eduid import config
from portal.idp_simulator import idp
from portal.models import User
from tests.portal.eduid.conftest import IDP_SSO, make_idp


@pytest.fixture(scope="module")
def operator(tmp_path_factory):
    """The federation operator's key pair, which signs the aggregate."""
    key_file, cert_file = key_pairs.ensure_key_folder(
        tmp_path_factory.mktemp("operator") / "keys", common_name="federation operator"
    )
    return str(key_file), str(cert_file)


def aggregate(idp_keys, signer, *, valid_hours: int = 24 * 7) -> str:
    """An EntitiesDescriptor naming the tests' identity provider, signed with `signer`."""
    conf = IdPConfig()
    conf.load(
        idp.idp_settings(
            entity_id="https://federation.example/operator",
            sso_url=IDP_SSO,
            key_file=signer[0],
            cert_file=signer[1],
        )
    )
    member = entity_descriptor(make_idp(idp_keys).config)
    _entities, xml = entities_descriptor(
        [member], valid_hours, "https://federation.example/", "agg-1", True, security_context(conf)
    )
    return xml


def use_file(settings, tmp_path, text: str) -> None:
    path = tmp_path / "aggregate.xml"
    path.write_text(text, encoding="utf-8")
    settings.SAML_IDP_METADATA = str(path)
    config.forget_process_copies()


def test_a_signed_aggregate_checked_with_the_operators_certificate_signs_people_in(
    saml, settings, tmp_path, idp_keys, operator
):
    settings.SAML_IDP_METADATA_CERT = operator[1]
    use_file(settings, tmp_path, aggregate(idp_keys, operator))
    assert saml.sign_in().status_code == 302
    assert User.objects.exists()


@pytest.mark.parametrize("fault", ["tampered", "foreign-signer", "unsigned", "expired"])
def test_an_aggregate_that_fails_its_checks_is_not_trusted(
    saml, settings, tmp_path, idp_keys, operator, fault
):
    settings.SAML_IDP_METADATA_CERT = operator[1]
    text = aggregate(idp_keys, operator, valid_hours=-1 if fault == "expired" else 24)
    if fault == "tampered":
        text = text.replace(IDP_SSO, "https://evil.example/sso")
    elif fault == "foreign-signer":
        text = aggregate(idp_keys, idp_keys)  # signed, but not by the operator
    elif fault == "unsigned":
        text = idp.metadata_xml(make_idp(idp_keys))
    use_file(settings, tmp_path, text)
    response = saml.client.get("/saml/sign-in/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "eduID sign-in is unavailable" in response.content.decode()


class MetadataServer:
    def __init__(self, document: str) -> None:
        self.document = document
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = server.document.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/samlmetadata+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/href.xml"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_from_a_url_the_last_good_copy_stands_in_while_a_new_one_fails_its_checks(
    saml, settings, idp_keys, operator
):
    settings.SAML_IDP_METADATA_CERT = operator[1]
    settings.SAML_IDP_METADATA_MAX_AGE = 0  # every use asks for a new copy
    settings.OUTBOUND_RETRY_SECONDS = 0
    server = MetadataServer(aggregate(idp_keys, operator))
    try:
        settings.SAML_IDP_METADATA = server.url
        config.forget_process_copies()
        assert saml.sign_in().status_code == 302
        saml.client.logout()
        server.document = server.document.replace(IDP_SSO, "https://evil.example/sso")
        outbound.forget_process_memory()  # the failure is not remembered: fetched again
        response = saml.client.get("/saml/sign-in/")
        assert response.status_code == 302
        assert response["Location"].startswith(IDP_SSO)  # the good copy's, not the tampered
    finally:
        server.close()


def test_metadata_from_a_url_without_the_operators_certificate_is_a_configuration_error(
    db, settings
):
    settings.SAML_IDP_METADATA = "https://metadata.eduid.hu/current/href.xml"
    settings.SAML_IDP_METADATA_CERT = ""
    settings.SAML_ALLOW_UNSIGNED_METADATA = False
    with pytest.raises(ImproperlyConfigured, match="SAML_IDP_METADATA_CERT"):
        config.idp_metadata()


# --- fetched on a schedule, never in a request ---------------------------------------------------


def test_sign_ins_read_the_copy_the_scheduled_command_keeps_and_never_fetch(
    saml, settings, idp_keys, operator
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    settings.SAML_IDP_METADATA_CERT = operator[1]
    settings.SAML_IDP_METADATA_FETCH_IN_REQUEST = False
    server = MetadataServer(aggregate(idp_keys, operator))
    fetches = []
    handler = server.httpd.RequestHandlerClass
    original = handler.do_GET
    handler.do_GET = lambda self: (fetches.append(1), original(self))[1]
    try:
        settings.SAML_IDP_METADATA = server.url
        config.forget_process_copies()
        # No copy yet: the sign-in does not fetch, it answers the 503 page.
        assert saml.client.get("/saml/sign-in/").status_code == 503
        assert fetches == []
        out = StringIO()
        call_command("eduid_metadata", stdout=out)
        assert "signature verified" in out.getvalue() and "valid until" in out.getvalue()
        assert fetches == [1]
        assert saml.sign_in().status_code == 302
        assert fetches == [1]  # the sign-in read the kept copy
        # A tampered copy later: the command fails loudly, the good copy stays in use.
        server.document = server.document.replace(IDP_SSO, "https://evil.example/sso")
        outbound.forget_process_memory()
        settings.OUTBOUND_RETRY_SECONDS = 1
        with pytest.raises(CommandError, match="last good copy"):
            call_command("eduid_metadata", stdout=StringIO())
        saml.client.logout()
        assert saml.sign_in().status_code == 302
    finally:
        server.close()
