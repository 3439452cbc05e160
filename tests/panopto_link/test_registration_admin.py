"""The registration's admin page (issue 12): what a launch sends, in words; warnings about custom
parameters that are sent as written; clear errors for keys and combinations that cannot work;
confirmation before the identifier of a registration that has launched changes. And the launch
records in words."""

import pytest
from django.urls import reverse

from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.models import PanoptoRegistration

pytestmark = pytest.mark.django_db

CHANGE = reverse("admin:panopto_link_panoptoregistration_change", args=[1])


def form_data(registration: PanoptoRegistration, **changes) -> dict:
    data = {
        "is_enabled": "on",
        "client_id": registration.client_id,
        "deployment_id": registration.deployment_id,
        "login_url": registration.login_url,
        "launch_url": registration.launch_url,
        "deep_linking_url": registration.deep_linking_url,
        "redirect_uris": registration.redirect_uris,
        "jwks_url": registration.jwks_url,
        "site_url": registration.site_url,
        "privacy_level": registration.privacy_level,
        "identifier_kind": registration.identifier_kind,
        "identifier_parameter": registration.identifier_parameter,
        "custom_parameters": registration.custom_parameters,
        "launch_opens": registration.launch_opens,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def save(admin_client, registration, **changes):
    return admin_client.post(
        CHANGE, form_data(registration, **changes), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )


def test_the_page_says_in_words_what_a_launch_sends(admin_client, registration):
    registration.privacy_level = "name"
    registration.identifier_kind = "neptun_code"
    registration.identifier_parameter = "neptun_code"
    registration.custom_parameters = "section=$CourseSection.sourcedId"
    registration.save()
    body = admin_client.get(CHANGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Privacy level: name only." in body
    assert (
        "Personal data: full name, given name, family name, institutional identifier "
        "(lis.person_sourcedid)." in body
    )
    assert (
        "Identifier: Neptun code (directory identifier), as lis.person_sourcedid and as the "
        "custom parameter “neptun_code”." in body
    )
    assert "Custom parameters: neptun_code, section." in body
    assert "Panopto opens in the same window." in body


def test_the_page_says_what_the_anonymous_level_sends(admin_client, registration):
    registration.privacy_level = "anonymous"
    registration.save()
    body = admin_client.get(CHANGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Personal data: none, only the opaque user id and the roles." in body
    assert "Identifier:" not in body


def test_unknown_and_withheld_variables_are_saved_with_a_warning(admin_client, registration):
    response = save(
        admin_client,
        registration,
        privacy_level="name",
        custom_parameters="a=$Canvas.user.id\nb=$person.name.full\nc=$Person.email.primary",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "was changed successfully" in body
    assert "sent as written (variable names are case-sensitive): $Canvas.user.id, " in body
    assert "$person.name.full" in body
    assert "withholds what these variables stand for, so they are sent as written: " in body
    registration.refresh_from_db()
    assert registration.custom_parameter_items()[0] == ("a", "$Canvas.user.id")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"custom_parameters": "Course Code=1"}, "Line 1: the key “Course Code” may contain"),
        ({"custom_parameters": "a=1\na=2"}, "Line 2: the key “a” is already given above."),
        ({"custom_parameters": "just text"}, "Line 1: write each parameter as key=value."),
        ({"custom_parameters": "linked_folders=x"}, "the portal sends “linked_folders” itself"),
        ({"identifier_parameter": "neptun code"}, "Use lower-case letters, digits and"),
        (
            {"identifier_parameter": "site", "custom_parameters": "site=1"},
            "needs a key of its own",
        ),
        (
            {"identifier_kind": "email", "privacy_level": "name"},
            "The e-mail address cannot be the identifier",
        ),
    ],
)
def test_settings_that_cannot_work_are_refused_with_a_clear_message(
    admin_client, registration, changes, message
):
    before = registration.updated_at
    response = save(admin_client, registration, **changes)
    body = response.content.decode()
    assert response.status_code == 200 and message in body, body[-3000:]
    registration.refresh_from_db()
    assert registration.updated_at == before


def test_changing_the_identifier_after_launches_asks_for_confirmation(admin_client, registration):
    assert (
        "was changed successfully"
        in save(
            admin_client, registration, identifier_kind="email", privacy_level="name_and_email"
        ).content.decode()
    )  # nothing launched yet: no question
    registration.refresh_from_db()
    LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.ACCEPTED,
        client_id=registration.client_id,
    )
    body = save(admin_client, registration, identifier_kind="neptun_code").content.decode()
    assert "Panopto may open a new, empty account for each person" in body
    registration.refresh_from_db()
    assert registration.identifier_kind == "email"
    body = save(
        admin_client, registration, identifier_kind="neptun_code", confirm_identifier_change="on"
    ).content.decode()
    assert "was changed successfully" in body
    registration.refresh_from_db()
    assert registration.identifier_kind == "neptun_code"


def test_the_page_in_hungarian_says_what_a_launch_sends(admin_client, registration):
    body = admin_client.get(CHANGE, HTTP_ACCEPT_LANGUAGE="hu").content.decode()
    assert "Adatvédelmi szint: csak név." in body


def test_a_launch_record_says_in_words_what_was_sent(admin_client, world):
    record = LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.ACCEPTED,
        space=world.course,
        sent={
            "claims": ["email", "lis.person_sourcedid"],
            "custom": ["section"],
            "document_target": "window",
            "tool": {
                "privacy_level": "email",
                "identifier_kind": "username",
                "identifier_parameter": "",
            },
        },
    )
    body = admin_client.get(
        reverse("admin:lti_platform_launchrecord_change", args=[record.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Privacy level: e-mail address only." in body
    assert "Personal data: e-mail address, institutional identifier" in body
    assert "Identifier: portal username, as lis.person_sourcedid." in body
    assert "Custom parameters: section." in body
    assert "Panopto opens in a new tab." in body
