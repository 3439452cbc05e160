"""What Panopto learns of a person (issue 12): the privacy level, the institutional identifier
(lis.person_sourcedid and its custom parameter), custom parameters with substitution variables,
and what the launch records keep of it. Each launch goes through the real pylti1p3 tool, which
verifies the id_token's signature before its claims are read."""

import json

import jwt
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from panopto_link.lti import claims
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.models import IdentifierKind, PrivacyLevel, VideoLink
from panopto_link.reasons import PanoptoReason
from panopto_link.refusals import REFUSAL_MESSAGES
from tests.lti_tool import form_fields, query, run_launch

pytestmark = pytest.mark.django_db

PERSONAL = {"name", "given_name", "family_name", "email", claims.LIS}
EXPECTED_PERSONAL = {
    PrivacyLevel.ANONYMOUS: set(),
    PrivacyLevel.NAME: {"name", "given_name", "family_name", claims.LIS},
    PrivacyLevel.EMAIL: {"email", claims.LIS},
    PrivacyLevel.NAME_AND_EMAIL: PERSONAL,
}


def configure(registration, **values):
    for name, value in values.items():
        setattr(registration, name, value)
    registration.full_clean()
    registration.save()


def launch_data(user, space, tool, *, folder=None, language: str | None = None) -> dict:
    """A member's or administrator's launch, verified by pylti1p3; its claims. In `language`
    (the language cookie's) when given, else in the portal's default language."""
    client = Client()
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    result = run_launch(client, space.pk, folder=folder.pk if folder else None, tool=tool)
    assert "id_token" in result.fields, result.fields
    return tool.launch(result.fields, result.login.cookies).get_launch_data()


@pytest.fixture
def member(world):
    member = world.member
    member.first_name, member.last_name = "Hanna", "Kovács"
    member.neptun_code = "QX7K2D"
    member.save()
    world.create_context()
    return member


# --- privacy levels ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", list(PrivacyLevel))
def test_the_id_token_carries_exactly_the_personal_claims_of_the_privacy_level(
    world, tool, registration, member, level
):
    configure(registration, privacy_level=level, identifier_kind=IdentifierKind.NEPTUN_CODE)
    data = launch_data(member, world.course, tool)
    assert PERSONAL & set(data) == EXPECTED_PERSONAL[level]
    assert data["sub"] == str(member.lti_subject)
    assert data[claims.ROLES] == [claims.ROLE_LEARNER]
    if "name" in data:  # the launch's language is the portal's default, Hungarian
        assert (data["name"], data["given_name"], data["family_name"]) == (
            "Kovács Hanna",
            "Hanna",
            "Kovács",
        )
    if "email" in data:
        assert data["email"] == member.email
    if claims.LIS in data:
        assert data[claims.LIS] == {"person_sourcedid": "QX7K2D"}
    body = json.dumps(data, ensure_ascii=False)
    for withheld, value in (
        ("name", "Kovács"),
        ("email", member.email),
        (claims.LIS, "QX7K2D"),
        (claims.LIS, member.username),
    ):
        if withheld not in EXPECTED_PERSONAL[level]:
            assert value not in body, (level, withheld)


@pytest.mark.parametrize(("language", "name"), [("hu", "Kovács Hanna"), ("en", "Hanna Kovács")])
def test_the_name_claim_is_ordered_as_the_launchs_locale_writes_names(
    world, tool, registration, member, language, name
):
    """OIDC Core §5.1: `name` is the full name "ordered according to the End-User's locale",
    the locale the launch sends; the two parts go apart, whatever the language."""
    configure(registration, privacy_level=PrivacyLevel.NAME)
    data = launch_data(member, world.course, tool, language=language)
    assert data["locale"] == language
    assert data[claims.LAUNCH_PRESENTATION]["locale"] == language
    assert (data["name"], data["given_name"], data["family_name"]) == (name, "Hanna", "Kovács")


def test_a_new_registration_minimises_what_panopto_learns(db):
    from panopto_link.models import PanoptoRegistration

    assert PanoptoRegistration().privacy_level == PrivacyLevel.NAME


# --- the institutional identifier --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (IdentifierKind.USERNAME, lambda user: user.username),
        (IdentifierKind.EMAIL, lambda user: user.email),
        (IdentifierKind.NEPTUN_CODE, lambda user: user.neptun_code),
    ],
)
def test_the_identifier_is_sent_as_lis_person_sourcedid_and_its_custom_parameter(
    world, tool, registration, member, kind, expected
):
    configure(
        registration,
        privacy_level=PrivacyLevel.NAME_AND_EMAIL,
        identifier_kind=kind,
        identifier_parameter="panopto_user",
    )
    data = launch_data(member, world.course, tool)
    assert data[claims.LIS]["person_sourcedid"] == expected(member)
    assert data[claims.CUSTOM]["panopto_user"] == expected(member)
    assert data["sub"] != expected(member)  # sub stays the opaque id


def test_at_the_anonymous_level_neither_the_identifier_nor_its_parameter_is_sent(
    world, tool, registration, member
):
    configure(
        registration,
        privacy_level=PrivacyLevel.ANONYMOUS,
        identifier_kind=IdentifierKind.NEPTUN_CODE,
        identifier_parameter="panopto_user",
    )
    data = launch_data(member, world.course, tool)
    assert claims.LIS not in data
    assert "panopto_user" not in data.get(claims.CUSTOM, {})


def test_the_email_cannot_be_the_identifier_at_a_level_that_withholds_it(registration):
    registration.privacy_level = PrivacyLevel.NAME
    registration.identifier_kind = IdentifierKind.EMAIL
    with pytest.raises(ValidationError) as error:
        registration.full_clean()
    assert "identifier_kind" in error.value.message_dict


def test_a_user_without_the_identifier_is_refused_with_words_not_sent_something_else(
    client, world, registration, member
):
    configure(registration, identifier_kind=IdentifierKind.NEPTUN_CODE)
    member.neptun_code = ""
    member.save()
    client.force_login(member)
    response = client.post(f"/panopto/launch/{world.course.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert str(REFUSAL_MESSAGES[PanoptoReason.IDENTIFIER_MISSING]) in response.content.decode()
    record = LaunchRecord.objects.get(stage=LaunchStage.INITIATION)
    assert (record.outcome, record.reason) == (
        LaunchOutcome.REFUSED,
        PanoptoReason.IDENTIFIER_MISSING,
    )


# --- custom parameters and substitution ----------------------------------------------------


EVERY_VARIABLE = """
user_id=$User.id
username=$User.username
sourced_id=$Person.sourcedId
full_name=$Person.name.full
given=$Person.name.given
family=$Person.name.family
email=$Person.email.primary
context_id=$Context.id
context_title=$Context.title
context_label=$Context.label
section=$CourseSection.sourcedId
resource_link=$ResourceLink.id
resource_title=$ResourceLink.title
unknown=$Canvas.user.id
wrong_case=$person.name.full
text=Neptun – $Context.id
"""


def test_every_listed_variable_is_substituted_and_the_rest_sent_as_written(
    world, tool, registration, member
):
    configure(
        registration,
        privacy_level=PrivacyLevel.NAME_AND_EMAIL,
        identifier_kind=IdentifierKind.NEPTUN_CODE,
        custom_parameters=EVERY_VARIABLE,
    )
    folder = world.folder()
    custom = launch_data(member, world.course, tool)[claims.CUSTOM]
    assert custom == {
        "user_id": str(member.lti_subject),
        "username": member.username,
        "sourced_id": "QX7K2D",
        "full_name": "Kovács Hanna",
        "given": "Hanna",
        "family": "Kovács",
        "email": member.email,
        "context_id": folder.context_id,
        "context_title": "Analízis I – előadás",
        "context_label": "MAT101-EA",
        "section": "MAT101-EA",
        "resource_link": folder.resource_link_id,
        "resource_title": "Analízis I – előadás",
        "unknown": "$Canvas.user.id",
        "wrong_case": "$person.name.full",
        "text": "Neptun – $Context.id",
    }


def test_variables_the_privacy_level_withholds_are_sent_as_written(
    world, tool, registration, member
):
    configure(
        registration,
        privacy_level=PrivacyLevel.ANONYMOUS,
        identifier_kind=IdentifierKind.NEPTUN_CODE,
        custom_parameters=EVERY_VARIABLE,
    )
    custom = launch_data(member, world.course, tool)[claims.CUSTOM]
    withheld = {
        "username": "$User.username",
        "sourced_id": "$Person.sourcedId",
        "full_name": "$Person.name.full",
        "given": "$Person.name.given",
        "family": "$Person.name.family",
        "email": "$Person.email.primary",
    }
    assert {key: custom[key] for key in withheld} == withheld
    assert custom["user_id"] == str(member.lti_subject)  # sub is never withheld
    assert custom["section"] == "MAT101-EA"


def test_a_linked_folder_launch_substitutes_the_linked_space(world, tool, registration, member):
    configure(registration, custom_parameters="section=$CourseSection.sourcedId\nid=$Context.id")
    subject_folder = world.create_context(world.subject)
    custom = launch_data(member, world.course, tool, folder=world.subject)[claims.CUSTOM]
    assert custom == {"section": "MAT101", "id": subject_folder.context_id}


def test_the_picker_names_no_resource_link_so_its_variable_is_sent_as_written(
    client, world, tool, registration
):
    configure(registration, custom_parameters="link=$ResourceLink.id\nlabel=$Context.label")
    world.create_context()
    client.force_login(world.admin)
    initiation = client.post(f"/panopto/videos/{world.course.pk}/pick/")
    assert initiation.status_code == 302
    login = tool.login(query(initiation["Location"]))
    body = client.get(login.auth_url).content.decode()

    _action, fields = form_fields(body)
    data = jwt.decode(fields["id_token"], options={"verify_signature": False})
    assert data[claims.CUSTOM] == {"link": "$ResourceLink.id", "label": "MAT101-EA"}
    assert data[claims.LAUNCH_PRESENTATION]["document_target"] == "frame"


def test_a_video_substitutes_its_own_custom_parameters_but_cannot_replace_the_identifier(
    world, tool, registration, member
):
    configure(
        registration,
        identifier_kind=IdentifierKind.NEPTUN_CODE,
        identifier_parameter="panopto_user",
        custom_parameters="site=neptun",
    )
    video = VideoLink.objects.create(
        space=world.course,
        title="1. előadás",
        url="https://panopto.example.com/Panopto/LTI/LTI13.aspx",
        custom={"session": "abc", "link": "$ResourceLink.id", "panopto_user": "someone-else"},
    )
    client = Client()
    client.force_login(member)
    initiation = client.post(f"/panopto/videos/{world.course.pk}/{video.pk}/open/")
    login = tool.login(query(initiation["Location"]))

    _action, fields = form_fields(client.get(login.auth_url).content.decode())
    data = tool.launch(fields, login.cookies).get_launch_data()
    assert data[claims.CUSTOM] == {
        "site": "neptun",
        "session": "abc",
        "link": video.resource_link_id,
        "panopto_user": "QX7K2D",
    }


# --- what the launch records keep -------------------------------------------------------------


def test_the_accepted_records_keep_what_was_sent_but_no_personal_value(
    world, tool, registration, member
):
    configure(
        registration,
        privacy_level=PrivacyLevel.NAME,
        identifier_kind=IdentifierKind.NEPTUN_CODE,
        identifier_parameter="panopto_user",
        custom_parameters="section=$CourseSection.sourcedId",
        launch_opens="new_tab",
    )
    launch_data(member, world.course, tool)
    records = LaunchRecord.objects.filter(outcome=LaunchOutcome.ACCEPTED)
    assert {record.stage for record in records} == {
        LaunchStage.INITIATION,
        LaunchStage.AUTHORIZATION,
    }
    for record in records:
        assert record.sent == {
            "claims": ["name", "given_name", "family_name", "lis.person_sourcedid"],
            "custom": ["panopto_user", "section"],
            "document_target": "window",
            "tool": {
                "privacy_level": "name",
                "identifier_kind": "neptun_code",
                "identifier_parameter": "panopto_user",
            },
        }
        assert "QX7K2D" not in json.dumps(record.sent) and "Kovács" not in json.dumps(record.sent)


# --- where a launch opens ------------------------------------------------------------------------


@pytest.mark.parametrize("opens", ["same_window", "new_tab"])
def test_launch_forms_open_a_new_tab_only_when_the_registration_says_so(
    client, world, registration, member, opens
):
    from tests.html import parse

    configure(registration, launch_opens=opens)
    video = VideoLink.objects.create(
        space=world.course, title="1. előadás", url="https://panopto.example.com/v"
    )
    client.force_login(member)
    home = parse(client.get(f"/spaces/{world.course.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    launch_page = parse(
        client.get(f"/panopto/launch/{world.course.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    )
    forms = [
        home.find("form", action=f"/panopto/launch/{world.course.pk}/"),
        home.find("form", action=f"/panopto/videos/{world.course.pk}/{video.pk}/open/"),
        launch_page.find("form", action=f"/panopto/launch/{world.course.pk}/"),
    ]
    for form in forms:
        assert form.attrs["method"] == "post"
        if opens == "new_tab":
            assert (form.attrs.get("target"), form.attrs.get("rel")) == ("_blank", "noopener")
            note = home.by_id(form.attrs["data-opened-note"]) or launch_page.by_id(
                form.attrs["data-opened-note"]
            )
            assert note.attrs["role"] == "status" and "new tab" in note.attrs["data-message"]
        else:
            assert "target" not in form.attrs


@pytest.mark.parametrize(("opens", "target"), [("same_window", "frame"), ("new_tab", "window")])
def test_the_id_token_says_where_the_platform_opened_panopto(
    world, tool, registration, member, opens, target
):
    configure(registration, launch_opens=opens)
    data = launch_data(member, world.course, tool)
    assert data[claims.LAUNCH_PRESENTATION]["document_target"] == target
