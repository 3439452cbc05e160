"""Which account an eduID identity signs in to (portal/eduid/services.py, decision 23): the
bound one; an existing one only through the configured, verified attribute; else a new one.
Never by a name or an e-mail alone; look-alikes are collisions, refused for IT to resolve."""

import pytest
from django.test import Client

from portal.idp_simulator.people import PEOPLE
from portal.models import ExternalIdentity, User
from tests.factories import UserFactory

EPPN = "hallgato@demo.neptun-egyetem.hu"


def person(**changes):
    attributes = {name: list(values) for name, values in PEOPLE["hallgato"].items()}
    for name, value in changes.items():
        if value is None:
            attributes.pop(name, None)
        else:
            attributes[name] = [value]
    return attributes


def signed_in_user(client: Client):
    return client.get("/").wsgi_request.user


def test_a_second_sign_in_reaches_the_same_account_and_follows_a_changed_name_and_email(saml):
    assert saml.sign_in().status_code == 302
    first = User.objects.get(username=EPPN)
    saml.client.logout()
    married = person(sn="Nagy", mail="hanna.nagy@demo.neptun-egyetem.hu")
    assert saml.sign_in(married).status_code == 302
    assert User.objects.count() == 1
    user = User.objects.get()
    assert user.pk == first.pk
    assert (user.last_name, user.email) == ("Nagy", "hanna.nagy@demo.neptun-egyetem.hu")
    assert signed_in_user(saml.client).pk == user.pk


def test_a_changed_neptun_code_is_not_applied_to_the_bound_account(saml):
    saml.sign_in()
    saml.client.logout()
    assert saml.sign_in(person(schacPersonalUniqueCode="ZZZ999")).status_code == 302
    assert User.objects.get().neptun_code == "HK7Q2D"


def test_an_existing_account_is_bound_through_the_configured_neptun_code(saml, settings):
    settings.SAML_MATCH_ATTRIBUTE = "neptun_code"
    existing = UserFactory(username="hallgato", neptun_code="HK7Q2D")
    assert saml.sign_in().status_code == 302
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.get().user == existing
    assert signed_in_user(saml.client).pk == existing.pk


def test_an_existing_account_is_bound_through_the_user_name_when_configured(saml, settings):
    settings.SAML_MATCH_ATTRIBUTE = "username"
    existing = UserFactory(username=EPPN)
    assert saml.sign_in().status_code == 302
    assert ExternalIdentity.objects.get().user == existing


@pytest.mark.parametrize(
    "look_alike",
    [
        pytest.param({"username": EPPN}, id="same-user-name"),
        pytest.param({"neptun_code": "HK7Q2D"}, id="same-neptun-code"),
    ],
)
def test_a_look_alike_account_is_a_collision_when_matching_on_it_is_not_configured(
    saml, look_alike
):
    existing = UserFactory(**look_alike)
    response = saml.sign_in()
    assert response.status_code == 403
    assert "IT support" in response.content.decode()
    assert not ExternalIdentity.objects.exists()
    assert User.objects.get() == existing
    assert not signed_in_user(saml.client).is_authenticated


@pytest.mark.parametrize(
    "match", ["", "neptun_code", "username"], ids=["no-match", "by-neptun", "by-username"]
)
def test_a_name_or_an_email_alone_never_binds_an_account(saml, settings, match):
    settings.SAML_MATCH_ATTRIBUTE = match
    # Same name and e-mail as the person, but another user name and Neptun code.
    existing = UserFactory(
        username="kovacs.hanna", first_name="Hanna", last_name="Kovács", email=EPPN
    )
    assert saml.sign_in().status_code == 302
    identity = ExternalIdentity.objects.get()
    assert identity.user != existing
    assert not existing.external_identities.exists()


def test_a_new_principal_name_for_an_account_bound_to_another_is_a_collision(saml, settings):
    settings.SAML_MATCH_ATTRIBUTE = "neptun_code"
    saml.sign_in()
    saml.client.logout()
    # The identity provider now sends another eduPersonPrincipalName with the same Neptun code.
    response = saml.sign_in(person(eduPersonPrincipalName="hkovacs@demo.neptun-egyetem.hu"))
    assert response.status_code == 403
    assert ExternalIdentity.objects.count() == 1
    assert not signed_in_user(saml.client).is_authenticated


def test_without_just_in_time_accounts_an_unknown_identity_is_refused(saml, settings):
    settings.SAML_CREATE_USERS = False
    response = saml.sign_in()
    assert response.status_code == 403
    assert not User.objects.exists()


def test_a_persistent_name_id_is_the_key_where_no_principal_name_is_released(saml):
    anonymous = person(eduPersonPrincipalName=None)
    assert saml.sign_in(anonymous, persistent_id="a8f3c2e1-opaque").status_code == 302
    identity = ExternalIdentity.objects.get()
    assert identity.subject == "persistent:a8f3c2e1-opaque"
    assert identity.user.username.startswith("eduid-")


def test_a_principal_name_of_characters_href_forbids_is_refused(saml):
    response = saml.sign_in(person(eduPersonPrincipalName="hanna kovács@x"))
    assert response.status_code == 403
    assert not User.objects.exists()


def test_a_deactivated_account_is_not_signed_in(saml):
    saml.sign_in()
    saml.client.logout()
    User.objects.update(is_active=False)
    assert saml.sign_in().status_code == 403
    assert not signed_in_user(saml.client).is_authenticated


def test_a_display_name_alone_is_kept_whole_without_guessing_its_order(saml):
    assert (
        saml.sign_in(person(givenName=None, sn=None, displayName="Kovács Hanna")).status_code == 302
    )
    user = User.objects.get()
    assert (user.first_name, user.last_name) == ("", "Kovács Hanna")
    assert user.get_full_name() == "Kovács Hanna"
