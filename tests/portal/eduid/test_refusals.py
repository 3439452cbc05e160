"""Every way an eduID answer can be wrong is refused with the portal's translated 4xx page,
never a 500, and signs nobody in: real answers of pysaml2's IdP side with the tests' own keys,
unsigned, tampered, replayed, expired, for another audience or recipient, for a request never
made, signed by a foreign key, and XML-signature-wrapping attempts (decision 23)."""

import base64
import copy
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from lxml import etree

from core import key_pairs
from portal.models import User
from tests.portal.eduid.conftest import IDP_ENTITY_ID, make_idp

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"saml": SAML, "samlp": SAMLP, "ds": DS}


def assert_refused(response, status: int, words: str, client: Client) -> None:
    assert response.status_code == status, response.content.decode()[:1500]
    page = response.content.decode()
    assert words in page
    assert "Traceback" not in page
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists() or not User.objects.filter(username__startswith="oktato")


def test_an_unsigned_answer_is_refused(saml):
    started = saml.start()
    answer = saml.answer(in_response_to=started["id"], sign_assertion=False)
    assert "Signature" not in answer
    response = saml.post(answer)
    assert_refused(response, 400, "not signed as it must be", saml.client)
    assert not User.objects.exists()


def test_a_signed_response_around_an_unsigned_assertion_is_refused(saml):
    started = saml.start()
    answer = saml.answer(in_response_to=started["id"], sign_assertion=False, sign_response=True)
    response = saml.post(answer)
    assert response.status_code == 400
    assert not User.objects.exists()


def test_a_tampered_assertion_is_refused(saml):
    started = saml.start()
    answer = saml.answer(in_response_to=started["id"])
    assert "hallgato@demo.neptun-egyetem.hu" in answer
    tampered = answer.replace("hallgato@demo.neptun-egyetem.hu", "oktato@demo.neptun-egyetem.hu")
    response = saml.post(tampered)
    assert_refused(response, 400, "altered on the way", saml.client)
    assert not User.objects.exists()


def test_an_answer_signed_with_a_key_the_metadata_does_not_name_is_refused(saml, tmp_path):
    foreign_keys = key_pairs.ensure_key_folder(tmp_path / "foreign", common_name="impostor")
    impostor = make_idp(tuple(map(str, foreign_keys)), saml.sp_metadata)
    started = saml.start()
    answer = saml.answer(in_response_to=started["id"])
    forged = make_answer(impostor, saml, started["id"])
    assert forged != answer
    response = saml.post(forged)
    assert_refused(response, 400, "altered on the way", saml.client)
    assert not User.objects.exists()


def make_answer(server, saml, in_response_to):
    original, saml.server = saml.server, server
    try:
        return saml.answer(in_response_to=in_response_to)
    finally:
        saml.server = original


def test_a_replayed_answer_is_refused(saml):
    started = saml.start()
    answer = saml.answer(in_response_to=started["id"])
    assert saml.post(answer).status_code == 302
    saml.client.logout()
    response = saml.post(answer)
    assert_refused(response, 400, "Please start again", saml.client)


def test_the_shared_replay_cache_refuses_an_answer_the_session_would_still_accept(saml):
    """Another app server, or a race: the browser's session still lists the request (restored
    here as it was before the first use), and only the shared replay cache knows."""
    started = saml.start()
    answer = saml.answer(in_response_to=started["id"])
    saml_session = saml.client.cookies["saml_session"].value
    before = Session.objects.get(session_key=saml_session).session_data
    assert saml.post(answer).status_code == 302
    saml.client.logout()
    Session.objects.filter(session_key=saml_session).update(session_data=before)
    saml.client.cookies["saml_session"] = saml_session
    response = saml.post(answer)
    assert_refused(response, 400, "has been used already", saml.client)


def test_an_expired_answer_is_refused(saml, idp_keys):
    saml.server = make_idp(idp_keys, saml.sp_metadata, lifetime_minutes=-10)
    started = saml.start()
    response = saml.post(saml.answer(in_response_to=started["id"]))
    assert_refused(response, 400, "has expired", saml.client)
    assert not User.objects.exists()


def test_an_answer_for_another_audience_is_refused(saml):
    started = saml.start()
    answer = saml.answer(
        in_response_to=started["id"], sp_entity_id="https://other-sp.example/shibboleth"
    )
    assert "https://other-sp.example/shibboleth" in answer
    response = saml.post(answer)
    assert_refused(response, 400, "not valid for this portal", saml.client)
    assert not User.objects.exists()


def test_an_answer_for_another_recipient_is_refused(saml):
    started = saml.start()
    answer = saml.answer(
        in_response_to=started["id"], destination="https://other-sp.example/saml/acs/"
    )
    response = saml.post(answer)
    assert response.status_code == 400
    assert "_auth_user_id" not in saml.client.session
    assert not User.objects.exists()


@pytest.mark.parametrize("in_response_to", [None, "id-never-sent"], ids=["unsolicited", "unknown"])
def test_an_answer_to_a_request_this_browser_never_made_is_refused(saml, in_response_to):
    saml.start()
    response = saml.post(saml.answer(in_response_to=in_response_to))
    assert_refused(response, 400, "did not ask for this sign-in", saml.client)
    assert not User.objects.exists()


def test_an_answer_to_another_browsers_request_is_refused(saml):
    started = saml.start()  # the victim's browser asked
    answer = saml.answer(in_response_to=started["id"])
    attacker = Client()
    saml.client = attacker
    response = saml.post(answer)
    assert_refused(response, 400, "did not ask for this sign-in", attacker)
    assert not User.objects.exists()


# --- XML signature wrapping ---------------------------------------------------------------


def _wrapped(answer: str, how: str) -> str:
    """The answer with an unsigned assertion for `oktato` made the one a careless reader sees,
    the signed original kept where a careless signature check still finds it."""
    root = etree.fromstring(answer.encode())
    signed = root.find("saml:Assertion", NS)
    evil = copy.deepcopy(signed)
    evil.set("ID", "id-" + uuid.uuid4().hex)
    for signature in evil.findall("ds:Signature", NS):
        evil.remove(signature)
    for value in evil.iter(f"{{{SAML}}}AttributeValue", f"{{{SAML}}}NameID"):
        if value.text and "hallgato" in value.text:
            value.text = value.text.replace("hallgato", "oktato")
    if how == "evil-first":  # XSW: the forged assertion before the signed one
        signed.addprevious(evil)
    elif how == "original-inside":  # XSW: the signed one hidden inside the forged one
        root.replace(signed, evil)
        evil.append(signed)
    elif how == "original-in-extensions":  # XSW: the signed one parked in Extensions
        root.replace(signed, evil)
        extensions = etree.SubElement(root, f"{{{SAMLP}}}Extensions")
        root.insert(1, extensions)
        extensions.append(signed)
    elif how == "same-id":  # XSW: the forged one takes the signed one's ID
        evil.set("ID", signed.get("ID"))
        signed.addprevious(evil)
    return etree.tostring(root).decode()


@pytest.mark.parametrize(
    "how", ["evil-first", "original-inside", "original-in-extensions", "same-id"]
)
def test_an_xml_signature_wrapping_attempt_is_refused(saml, how):
    started = saml.start()
    wrapped = _wrapped(saml.answer(in_response_to=started["id"]), how)
    assert "oktato@demo.neptun-egyetem.hu" in wrapped
    response = saml.post(wrapped)
    assert 400 <= response.status_code < 500, response.content.decode()[:1500]
    assert "Traceback" not in response.content.decode()
    assert "_auth_user_id" not in saml.client.session
    assert not User.objects.filter(username__startswith="oktato").exists()


@pytest.mark.parametrize(
    "value",
    [
        "not base64 at all!",
        base64.b64encode(b"<not-saml/>").decode(),
        base64.b64encode(b"\x00\xff garbage").decode(),
        base64.b64encode(
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
        ).decode(),
        "",
    ],
    ids=["not-base64", "not-saml", "binary", "external-entity", "empty"],
)
def test_a_malformed_answer_gets_a_4xx_page_never_a_500(saml, value):
    saml.start()
    response = saml.client.post("/saml/acs/", {"SAMLResponse": value})
    assert 400 <= response.status_code < 500
    assert "root:" not in response.content.decode()


def test_a_post_without_an_answer_gets_the_400_page(saml):
    response = saml.client.post("/saml/acs/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The sign-in answer is missing" in response.content.decode()


def test_the_refusal_page_speaks_hungarian(saml):
    started = saml.start()
    answer = saml.answer(in_response_to=started["id"], sign_assertion=False)
    response = saml.post(answer, language="hu")
    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="hu">' in page
    assert "Az eduID-belépés elutasítva" in page
    assert "nincs az előírt módon aláírva" in page


def test_the_identity_providers_entity_id_is_the_one_configured(saml):
    assert IDP_ENTITY_ID in saml.answer()
