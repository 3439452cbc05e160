"""The stand-in follows issue 12 as Panopto does: it is told what the portal promised to send
(the claims of the privacy level, the identifier, the username parameter override) and refuses
a launch that lacks any of it; it matches the person on the override's value; its folder page
shows the identifier and custom parameters it received and where the portal opened it."""

import dataclasses
import io

import pytest
from django.test import Client
from django.utils import translation

from panopto_link.models import PanoptoRegistration
from panopto_link.simulator.demo import DEMO_LAUNCH, LaunchAgreement, connect_stand_in
from panopto_link.simulator.models import ToolUser
from panopto_link.simulator.services import registration_configure
from tests.html import Element, parse
from tests.lti_tool import CLIENT_ID, DEPLOYMENT_ID, ISSUER
from tests.panopto_link.simulator.conftest import STAND_IN_ORIGIN, launch_through_portal

pytestmark = pytest.mark.django_db


def agree(agreement: LaunchAgreement) -> None:
    connect_stand_in(
        portal_url=ISSUER,
        stand_in_origin=STAND_IN_ORIGIN,
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        launch=agreement,
        stdout=io.StringIO(),
    )


@pytest.fixture
def agreed(world, jwks_fetches, stand_in_jwks_fetches):
    """Both sides set to the demo's agreement; the course's people have Neptun codes."""
    for user, code in ((world.admin, "SZG4T1"), (world.member, "HK7Q2D")):
        user.neptun_code = code
        user.save()
    agree(DEMO_LAUNCH)
    return world


def folder_page(client: Client, answer) -> Element:
    assert answer.status_code == 303, answer.content.decode()[-800:]
    return parse(client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en"))


def custom(page: Element, key: str) -> str:
    return page.find("tr", data_custom=key).find("td").text


def test_the_folder_page_shows_the_identifier_and_custom_parameters_received(agreed):
    client = Client()
    page = folder_page(client, launch_through_portal(client, agreed.admin, agreed.course))
    assert page.find(data_received="username").text == "SZG4T1"
    assert page.find(data_received="person_sourcedid").text == "SZG4T1"
    assert custom(page, "neptun_code") == "SZG4T1"
    assert custom(page, "space_code") == "MAT101-EA"
    assert custom(page, "space_name") == "Analízis I – előadás"
    opened = page.find(data_opened=True)
    assert opened.attrs["data-opened"] == "same-window"
    assert opened.find("a").attrs["href"] == f"{ISSUER}/spaces/{agreed.course.pk}/"
    assert ToolUser.objects.get(subject=str(agreed.admin.lti_subject)).username == "SZG4T1"


def test_a_launch_opened_in_a_new_tab_says_so(agreed):
    agree(dataclasses.replace(DEMO_LAUNCH, opens="new_tab"))
    client = Client()
    page = folder_page(client, launch_through_portal(client, agreed.admin, agreed.course))
    opened = page.find(data_opened=True)
    with translation.override("hu"):  # the stand-in speaks the launch's locale, the portal's
        said = translation.gettext(
            "The portal opened Panopto in a new tab: close this tab to return to the portal."
        )
    assert opened.attrs["data-opened"] == "new-tab" and opened.text == said
    assert page.find(class_="sim-received").attrs["data-document-target"] == "window"


@pytest.mark.parametrize(
    ("portal_level", "missing"),
    [("name", "email"), ("email", "name"), ("anonymous", "name, email, lis.person_sourcedid")],
)
def test_a_launch_lacking_a_promised_claim_is_refused(agreed, portal_level, missing):
    """The portal's administrator lowered the privacy level without telling Panopto's: the
    stand-in refuses rather than open an account keyed on something else."""
    registration = PanoptoRegistration.load()
    registration.privacy_level = portal_level
    registration.save()
    answer = launch_through_portal(Client(), agreed.admin, agreed.course)
    body = answer.content.decode()
    assert answer.status_code == 400
    assert 'data-refusal="promised_claim_missing"' in body
    assert missing in body
    assert not ToolUser.objects.exists()


def test_a_username_parameter_left_as_a_variable_is_refused(agreed):
    """The identifier's parameter written as a custom parameter that the privacy level does
    not let the portal substitute: it arrives as "$Person.sourcedId", which would be the
    person's username in Panopto."""
    agree(
        LaunchAgreement(
            privacy_level="anonymous",
            identifier_parameter="",
            custom=("neptun_code=$Person.sourcedId",),
        )
    )
    standin = registration_configure(
        issuer=ISSUER,
        client_id=CLIENT_ID,
        deployment_ids=[DEPLOYMENT_ID],
        auth_login_url=ISSUER + "/lti/authorize/",
        key_set_url=ISSUER + "/.well-known/jwks.json",
        public_origin=STAND_IN_ORIGIN,
        username_parameter="neptun_code",
    )[0]
    assert standin.promised_claim_list == []
    answer = launch_through_portal(Client(), agreed.admin, agreed.course)
    assert answer.status_code == 400
    assert 'data-refusal="username_parameter_unsubstituted"' in answer.content.decode()


def test_the_demo_agreement_names_what_the_stand_in_is_promised():
    assert DEMO_LAUNCH.promised_claims() == [
        "name",
        "email",
        "lis.person_sourcedid",
        "custom.neptun_code",
    ]
    assert LaunchAgreement(privacy_level="anonymous").promised_claims() == []
