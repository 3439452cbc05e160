"""Issue 25 item 12: a person is named in the order of the reader's language — family name first
in Hungarian (Kovács Hanna), given name first in English (Hanna Kovács) — in the admin as on the
portal's pages: the user's full name and `__str__` (by which Django's admin names a user in lists,
page titles, inlines, select widgets and messages), the user list's name column, the admin's
greeting, and the lists of launch records and access jobs and the "why" page."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.names import full_name, person_name
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.models import AccessJob, JobKind, JobReason
from tests.factories import MembershipFactory, SpaceFactory, UserFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

# The reader's language and how it writes Hanna Kovács.
ORDERS = [("hu", "Kovács Hanna"), ("en", "Hanna Kovács")]


@pytest.fixture
def hanna():
    return UserFactory(username="HALLGATO", first_name="Hanna", last_name="Kovács")


@pytest.fixture
def it_admin(client):
    """An IT administrator, Gábor Szabó, signed in to the admin."""
    client.force_login(
        UserFactory(
            username="ITADMIN",
            first_name="Gábor",
            last_name="Szabó",
            is_staff=True,
            is_superuser=True,
        )
    )
    return client


def get(client, language: str, url: str, data=None):
    """The page as the admin reads it in `language` (the language cookie, as the switch sets)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url, data)
    assert response.status_code == 200, (url, response.status_code)
    return response


# --- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "given", "family", "expected"),
    [
        ("hu", "Hanna", "Kovács", "Kovács Hanna"),
        ("hu-hu", "Hanna", "Kovács", "Kovács Hanna"),
        ("en", "Hanna", "Kovács", "Hanna Kovács"),
        ("en-gb", "Hanna", "Kovács", "Hanna Kovács"),
        ("hu", "Kristóf Benedek", "Vásárhelyi-Nagy", "Vásárhelyi-Nagy Kristóf Benedek"),
        ("en", "Kristóf Benedek", "Vásárhelyi-Nagy", "Kristóf Benedek Vásárhelyi-Nagy"),
        ("hu", " Hanna ", "", "Hanna"),
        ("en", "", "Kovács Hanna", "Kovács Hanna"),  # a whole name in one part is kept whole
        ("hu", "", "", ""),
    ],
)
def test_a_full_name_is_written_family_name_first_in_hungarian_only(
    language, given, family, expected
):
    assert full_name(given, family, language=language) == expected


@pytest.mark.parametrize(("language", "name"), ORDERS)
def test_a_users_full_name_and_str_follow_the_active_language(hanna, language, name):
    with translation.override(language):
        assert hanna.get_full_name() == name
        assert person_name(hanna) == name
        assert str(hanna) == f"{name} (HALLGATO)"


def test_a_user_without_a_name_is_named_by_the_username():
    nameless = UserFactory(username="NEVTELEN", first_name="", last_name="")
    with translation.override("hu"):
        assert (nameless.get_full_name(), str(nameless)) == ("", "NEVTELEN")
        assert person_name(nameless) == "NEVTELEN"


# --- the admin ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "name"), [("hu", "Szabó Gábor"), ("en", "Gábor Szabó")])
def test_the_admin_greets_by_the_full_name_in_the_languages_order(it_admin, language, name):
    page = parse(get(it_admin, language, reverse("admin:index")).content.decode())
    assert page.find(id="user-tools").find("strong").text == name  # not the given name alone


@pytest.mark.parametrize(("language", "name"), ORDERS)
def test_the_user_list_and_change_page_name_the_user_in_the_languages_order(
    it_admin, hanna, language, name
):
    page = parse(
        get(
            it_admin, language, reverse("admin:portal_user_changelist"), {"q": "HALLGATO"}
        ).content.decode()
    )
    assert [cell.text for cell in page.find_all("td", class_="field-full_name")] == [name]
    change = get(it_admin, language, reverse("admin:portal_user_change", args=[hanna.pk]))
    title = parse(change.content.decode()).find("title").text
    assert title.startswith(f"{name} (HALLGATO) |")


@pytest.mark.parametrize(("language", "name"), ORDERS)
def test_memberships_and_the_user_picker_name_the_user_in_the_languages_order(
    it_admin, hanna, language, name
):
    MembershipFactory(user=hanna, space=SpaceFactory(code="KORUS"))
    page = parse(
        get(
            it_admin, language, reverse("admin:virtualspaces_membership_changelist")
        ).content.decode()
    )
    assert [cell.text for cell in page.find_all("th", class_="field-user")] == [
        f"{name} (HALLGATO)"
    ]
    found = get(
        it_admin,
        language,
        reverse("admin:autocomplete"),
        {
            "app_label": "virtualspaces",
            "model_name": "membership",
            "field_name": "user",
            "term": "Kovács",
        },
    ).json()
    assert [result["text"] for result in found["results"]] == [f"{name} (HALLGATO)"]


@pytest.mark.parametrize(("language", "name"), ORDERS)
def test_launch_records_name_the_user_in_the_languages_order(it_admin, hanna, language, name):
    LaunchRecord.objects.create(
        stage=LaunchStage.INITIATION, outcome=LaunchOutcome.ACCEPTED, user=hanna
    )
    page = parse(
        get(
            it_admin, language, reverse("admin:lti_platform_launchrecord_changelist")
        ).content.decode()
    )
    assert [cell.text for cell in page.find_all("td", class_="field-user")] == [
        f"{name} (HALLGATO)"
    ]


@pytest.mark.parametrize(("language", "name"), ORDERS)
def test_access_jobs_name_the_person_in_the_languages_order_while_they_have_an_account(
    it_admin, hanna, language, name
):
    # Written in another language's order: the list reads the account, not the text kept.
    job = AccessJob.objects.create(
        kind=JobKind.REVOKE,
        reason=JobReason.MEMBERSHIP_REMOVED,
        user=hanna,
        person="Hanna Kovács (HALLGATO)" if language == "hu" else "Kovács Hanna (HALLGATO)",
        space_code="KORUS",
    )
    AccessJob.objects.create(
        kind=JobKind.REVOKE,
        reason=JobReason.PERSON_DELETED,
        user=None,
        person="Törölt Tamás (TOROLT)",
        space_code="KORUS",
    )
    url = reverse("admin:panopto_link_accessjob_changelist")
    page = parse(get(it_admin, language, url).content.decode())
    assert sorted(cell.text for cell in page.find_all("td", class_="field-person_named")) == [
        f"{name} (HALLGATO)",
        "Törölt Tamás (TOROLT)",  # no account any more: as the job was written
    ]
    change = get(it_admin, language, reverse("admin:panopto_link_accessjob_change", args=[job.pk]))
    assert f"{name} (HALLGATO) (KORUS)" in change.content.decode()


@pytest.mark.parametrize(("language", "name"), ORDERS)
def test_the_why_page_names_the_person_in_the_languages_order(it_admin, hanna, language, name):
    SpaceFactory(code="KORUS", name="Kórus")
    page = parse(
        get(
            it_admin,
            language,
            reverse("admin:panopto_link_accessjob_why"),
            {"person": "HALLGATO", "space": "KORUS"},
        ).content.decode()
    )
    conjunction = {"hu": "és", "en": "and"}[language]
    assert page.find(id="why-title").text == f"{name} (HALLGATO) {conjunction} Kórus (KORUS)"
