"""The admin for IT administrators: launch records in words with useful filters and no empty
choices, memberships on a page of their own rather than an inline of hundreds of rows."""

import pytest
from django.urls import reverse

from panopto_link.lti import claims
from panopto_link.lti.reasons import Reason
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.reasons import PanoptoReason
from tests.factories import CourseFactory, MembershipFactory, SpaceFactory, UserFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

RECORDS = reverse("admin:lti_platform_launchrecord_changelist")


@pytest.fixture
def it_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def records():
    space = SpaceFactory(code="MAT101")
    user = UserFactory(username="HALLGATO")
    LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.REFUSED,
        reason=Reason.HINT_REPLAYED,
        user=user,
        space=space,
    )
    LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.ACCEPTED,
        user=user,
        space=space,
        role_sent=f"{claims.ROLE_LEARNER} {claims.INSTITUTION_GUEST}",
        message_type=claims.RESOURCE_LINK_REQUEST,
    )
    LaunchRecord.objects.create(
        stage=LaunchStage.INITIATION,
        outcome=LaunchOutcome.REFUSED,
        reason=PanoptoReason.NO_LICENCE,
        space=SpaceFactory(code="FIZ201"),
    )
    LaunchRecord.objects.create(stage=LaunchStage.AUTHORIZATION, outcome=LaunchOutcome.REFUSED)
    SpaceFactory(code="UNUSED1")  # no record names it
    return space


def filters(document) -> dict[str, list[str]]:
    """Each filter's title and the texts of its choices."""
    found = {}
    for details in document.find(id="changelist-filter").find_all("details"):
        title = details.find("summary").text
        found[title] = [a.text for a in details.find_all("a")]
    return found


@pytest.mark.parametrize("language", ["en", "hu"])
def test_launch_records_are_filtered_by_outcome_reason_space_and_date_without_empty_choices(
    it_admin, records, language
):
    document = parse(it_admin.get(RECORDS, HTTP_ACCEPT_LANGUAGE=language))
    found = filters(document)
    reason = {"en": "By reason", "hu": "indok szerint"}[language]
    (reasons,) = [choices for title, choices in found.items() if reason in title]
    words = {
        "en": ["All", "message hint used again", "no valid licence"],
        "hu": ["Mind", "nincs érvényes licenc", "újra felhasznált üzenetjelző"],
    }[language]
    assert reasons == words
    for choices in found.values():
        assert all(choice.strip() for choice in choices), found  # no nameless choice
    (spaces,) = [c for t, c in found.items() if "MAT101" in " ".join(c)]
    assert len(spaces) == 3  # all, and the two spaces the records name
    assert "UNUSED1" not in " ".join(spaces)
    assert len(found) == 4  # outcome, reason, space, date


def test_launch_records_show_roles_and_kinds_in_words(it_admin, records):
    document = parse(it_admin.get(RECORDS, HTTP_ACCEPT_LANGUAGE="en"))
    rows = [row.text for row in document.find(id="result_list").find("tbody").find_all("tr")]
    assert any("Viewer, guest" in row and "launch" in row for row in rows)
    assert "purl.imsglobal.org" not in document.find(id="result_list").text


def test_the_reason_filter_filters(it_admin, records):
    document = parse(it_admin.get(RECORDS + "?reason=hint_replayed", HTTP_ACCEPT_LANGUAGE="en"))
    assert len(document.find(id="result_list").find("tbody").find_all("tr")) == 1


def test_a_spaces_page_links_to_its_memberships_instead_of_listing_them(it_admin):
    course = CourseFactory()
    for _ in range(30):
        MembershipFactory(space=course)
    response = it_admin.get(
        reverse("admin:virtualspaces_virtualspace_change", args=[course.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    document = parse(response)
    assert document.find("select", name="memberships-0-role") is None  # no inline rows
    link = document.find("a", href=f"/admin/virtualspaces/membership/?space__id__exact={course.pk}")
    assert link.text == "30 memberships: see, search and edit them"
    listing = parse(it_admin.get(link.attrs["href"], HTTP_ACCEPT_LANGUAGE="en"))
    rows = listing.find(id="result_list").find("tbody").find_all("tr")
    assert len(rows) == 30
    # The linked folders' inline stays, every field with its label.
    inline = document.find(id="folder_links-group")
    assert inline is not None


def test_memberships_are_paginated(it_admin):
    course = CourseFactory()
    for _ in range(55):
        MembershipFactory(space=course)
    document = parse(it_admin.get(reverse("admin:virtualspaces_membership_changelist")))
    assert len(document.find(id="result_list").find("tbody").find_all("tr")) == 50
    assert document.find(class_="paginator") is not None


def test_the_admin_loads_the_projects_styles(it_admin):
    document = parse(it_admin.get(reverse("admin:index")))
    sheets = [link.attrs["href"] for link in document.find_all("link", rel="stylesheet")]
    assert any(href.endswith("portal/admin.css") for href in sheets)


def test_a_courses_page_shows_its_linked_folders_without_panopto_patching_the_space_admin(
    it_admin,
):
    """Issue 22: the space's admin offers inlines to other apps (space_admin_inline_register);
    Panopto's linked folders use it instead of rewriting VirtualSpaceAdmin.inlines at import."""
    from panopto_link.admin.folders import FolderLinkInline
    from virtualspaces.admin import VirtualSpaceAdmin

    assert FolderLinkInline not in VirtualSpaceAdmin.inlines
    course = CourseFactory(code="MAT101-EA")
    page = it_admin.get(reverse("admin:virtualspaces_virtualspace_change", args=[course.pk]))
    assert 'name="folder_links-TOTAL_FORMS"' in page.content.decode()


def test_a_link_added_in_the_admin_is_written_by_the_service_which_ensures_the_folder(it_admin):
    """One write path (issue 22): the admin saves a folder link through
    services.folder_link_save, which validates it and gives the linked space its folder row —
    which the admin's own form never did."""
    from panopto_link.models import FolderLink, PanoptoFolder

    subject = SpaceFactory(code="MAT101")
    course = CourseFactory(code="MAT101-EA", subject=subject)
    response = it_admin.post(
        reverse("admin:panopto_link_folderlink_add"),
        {"course": course.pk, "linked_space": subject.pk, "position": 0},
    )
    assert response.status_code == 302
    assert FolderLink.objects.filter(course=course, linked_space=subject).exists()
    assert PanoptoFolder.objects.filter(space=subject).exists()


# --- issue 25 item 9: the folder, the title, the column's name ---------------------------------


def test_a_record_names_the_folder_own_or_linked(it_admin, django_assert_max_num_queries):
    """A refusal at a course's linked subject folder was read as a refusal at the course."""
    from tests.factories import FolderFactory

    subject = SpaceFactory(code="MAT101")
    course = CourseFactory(code="MAT101-EA", subject=subject)
    own = FolderFactory(space=course)
    linked = FolderFactory(space=subject)
    LaunchRecord.objects.create(
        stage=LaunchStage.INITIATION,
        outcome=LaunchOutcome.REFUSED,
        reason=PanoptoReason.CONTEXT_NOT_CREATED,
        space=course,
        context_id=linked.context_id,
    )
    LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.ACCEPTED,
        space=course,
        context_id=own.context_id,
    )
    document = parse(it_admin.get(RECORDS, HTTP_ACCEPT_LANGUAGE="en"))
    folders = [
        td.text for td in document.find(id="result_list").find_all("td", class_="field-folder")
    ]
    assert sorted(folders) == ["MAT101 (linked)", "MAT101-EA"]


def test_the_folder_column_costs_one_query_whatever_the_number_of_records(it_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import FolderFactory

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert it_admin.get(RECORDS).status_code == 200
        return len(queries)

    def add_records(count: int) -> None:
        for _ in range(count):
            folder = FolderFactory(space=SpaceFactory())
            LaunchRecord.objects.create(
                stage=LaunchStage.AUTHORIZATION,
                outcome=LaunchOutcome.ACCEPTED,
                space=folder.space,
                context_id=folder.context_id,
            )

    add_records(2)
    few = page_queries()
    add_records(10)
    assert page_queries() == few


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "2026-11-10 15:05:09 – authorization: accepted"), ("hu", "2026. 11. 10. 15:05:09")],
)
def test_a_records_title_is_in_local_time_and_the_readers_language(
    it_admin, settings, language, title
):
    import datetime

    settings.TIME_ZONE = "Europe/Budapest"
    record = LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.ACCEPTED,
        created_at=datetime.datetime(2026, 11, 10, 14, 5, 9, tzinfo=datetime.UTC),
    )
    response = it_admin.get(
        reverse("admin:lti_platform_launchrecord_change", args=[record.pk]),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    heading = parse(response).find("h2")
    assert heading is not None and heading.text.startswith(title), heading


@pytest.mark.parametrize(
    ("language", "four", "one", "title"),
    [
        ("hu", "4 bejegyzés", "1 bejegyzés", "Belépési napló"),
        ("en", "4 launch records", "1 launch record", "Launch records"),
    ],
)
def test_the_launch_records_are_counted_as_entries_of_the_log(
    it_admin, records, language, four, one, title
):
    """A record is a *bejegyzés* of the *belépési napló*: "4 bejegyzés", never "4 belépési
    napló" (issue 25 item 12; Django's own count writes the plural name after the number)."""
    document = parse(it_admin.get(RECORDS, HTTP_ACCEPT_LANGUAGE=language))
    assert " ".join(document.find(class_="paginator").text.split()) == four
    document = parse(it_admin.get(RECORDS + "?reason=hint_replayed", HTTP_ACCEPT_LANGUAGE=language))
    assert " ".join(document.find(class_="paginator").text.split()) == one
    index = it_admin.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language)
    assert f'<a href="{RECORDS}">{title}</a>' in index.content.decode()
