"""One identity from the portal to Panopto (issue 26, item 5): the Panopto self-test warns when
people who sign in with eduID would reach Panopto over LTI under another username than Panopto's
own SAML sign-in gives them (PANOPTO_SAML_USERNAME), which makes Panopto keep two accounts."""

import pytest
from django.utils import translation

from panopto_link.lti_platform.api import Status
from panopto_link.models import IdentifierKind, PrivacyLevel
from portal.eduid.self_test import check_one_identity_to_panopto
from portal.models import ExternalIdentity
from tests.factories import RegistrationFactory, UserFactory

IDP = "https://idp.test-university.example/idp/shibboleth"


@pytest.fixture
def bound(db):
    """A student bound by her Neptun code: her user name is not her eduPersonPrincipalName."""
    user = UserFactory(username="hallgato", neptun_code="HK7Q2D")
    ExternalIdentity.objects.create(user=user, issuer=IDP, subject="hallgato@uni.example")
    return user


@pytest.mark.parametrize(
    ("saml_username", "identifier", "status"),
    [
        ("eduPersonPrincipalName", IdentifierKind.USERNAME, Status.WARN),
        ("neptun_code", IdentifierKind.NEPTUN_CODE, Status.PASS),
        ("neptun_code", IdentifierKind.USERNAME, Status.WARN),
    ],
)
def test_the_self_test_compares_the_launch_identifier_with_panoptos_saml_username(
    saml, settings, bound, saml_username, identifier, status
):
    settings.PANOPTO_SAML_USERNAME = saml_username
    registration = RegistrationFactory(
        identifier_kind=identifier, privacy_level=PrivacyLevel.NAME_AND_EMAIL
    )
    with translation.override("en"):  # the fixture's pages left their language active
        result = check_one_identity_to_panopto(registration)
    assert result.status is status, result.detail
    if status is Status.WARN:
        assert "1 of 1" in result.detail and "docs/connecting-panopto.md" in result.action


def test_usernames_that_are_principal_names_pass(saml, settings, db):
    settings.PANOPTO_SAML_USERNAME = "eduPersonPrincipalName"
    user = UserFactory(username="hallgato@uni.example")
    ExternalIdentity.objects.create(user=user, issuer=IDP, subject="hallgato@uni.example")
    registration = RegistrationFactory(identifier_kind=IdentifierKind.USERNAME)
    assert check_one_identity_to_panopto(registration).status is Status.PASS


def test_a_privacy_level_withholding_the_identifier_is_warned(saml, settings, bound):
    settings.PANOPTO_SAML_USERNAME = "neptun_code"
    registration = RegistrationFactory(
        identifier_kind=IdentifierKind.NEPTUN_CODE, privacy_level=PrivacyLevel.ANONYMOUS
    )
    assert check_one_identity_to_panopto(registration).status is Status.WARN


def test_without_the_setting_or_eduid_there_is_no_such_check(saml, settings, bound):
    registration = RegistrationFactory()
    settings.PANOPTO_SAML_USERNAME = ""
    assert check_one_identity_to_panopto(registration) is None
    settings.PANOPTO_SAML_USERNAME = "neptun_code"
    settings.SAML_IDP_METADATA = ""
    assert check_one_identity_to_panopto(registration) is None


def test_the_check_is_part_of_the_panopto_self_test(saml, settings, bound):
    from core.outbound import Probe
    from panopto_link import self_test

    settings.PANOPTO_SAML_USERNAME = "eduPersonPrincipalName"
    RegistrationFactory(identifier_kind=IdentifierKind.USERNAME)
    no_answer = Probe(url="", error="closed")  # Panopto's URLs are not what this test is about
    report = self_test.run_self_test(prober=lambda url, want_json: no_answer)
    keys = {result.key: result.status for result in report.results}
    assert keys["one_identity"] is Status.WARN
