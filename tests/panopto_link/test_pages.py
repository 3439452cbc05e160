"""Studies → Information → Panopto: ready folders first, waiting ones together with who opens
them, each folder once, today's semester by default, the search, the empty states, and a query
count that does not grow with the spaces and links."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core import clock
from panopto_link.models import FolderState
from tests.factories import (
    CourseFactory,
    FolderFactory,
    FolderLinkFactory,
    MembershipFactory,
    SpaceFactory,
    UserFactory,
)
from tests.html import parse
from virtualspaces.models import MembershipRole, SpaceType

pytestmark = pytest.mark.django_db

URL = "/studies/information/panopto/"
CREATED = {"state": FolderState.CREATED, "created_at": timezone.now()}


def test_url_is_where_the_menu_says():
    assert reverse("panopto_link:studies_panopto") == URL


@pytest.fixture(autouse=True)
def autumn_2026(monkeypatch):
    """Today is in the first semester of 2026/27 (the portal's clock, core.clock)."""
    monkeypatch.setattr(clock, "today", lambda: datetime.date(2026, 10, 5))


@pytest.fixture
def student(client, licence, registration):
    user = UserFactory()
    client.force_login(user)
    return user


def page(client, query: str = "", language: str = "en"):
    response = client.get(URL + query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return parse(response)


def rows(document, standing: str | None = None) -> list[str]:
    """The codes of the folders listed, in order (of one standing)."""
    found = (
        document.find_all(data_standing=standing)
        if standing
        else document.find_all(data_standing=True)
    )
    return [row.attrs["data-space"] for row in found]


def test_page_needs_sign_in(client, licence):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("portal:sign_in") in response["Location"]


def test_ready_folders_are_grouped_by_type_in_the_portals_order(client, student):
    other = SpaceFactory(space_type=SpaceType.OTHER, name="Kórus")
    course = CourseFactory(name="Analízis I – előadás")
    subject = SpaceFactory(name="Analízis I")
    for space, role in [
        (other, MembershipRole.GUEST_MEMBER),
        (course, MembershipRole.MEMBER),
        (subject, MembershipRole.ADMINISTRATOR),
    ]:
        MembershipFactory(user=student, space=space, role=role)
        FolderFactory(space=space, **CREATED)
    document = page(client)
    ready = document.find("section", class_="standing--ready")
    headings = [section.find("h3").text for section in ready.find_all("section")]
    assert headings == ["Subjects (1)", "Courses (1)", "Other spaces (1)"]
    assert rows(document) == [subject.code, course.code, other.code]
    roles = [row.find(class_="badge--role").text for row in document.find_all(data_standing=True)]
    # Badges capitalised (glossary); a subject's administrator is its lecturer (issue 25 item 12).
    assert roles == ["Lecturer", "Member", "Guest member"]


def test_hungarian_group_titles(client, student):
    for space in (SpaceFactory(), CourseFactory(), SpaceFactory(space_type=SpaceType.OTHER)):
        MembershipFactory(user=student, space=space)
        FolderFactory(space=space, **CREATED)
    ready = page(client, language="hu").find("section", class_="standing--ready")
    headings = [section.find("h3").text for section in ready.find_all("section")]
    assert headings == ["Tárgyak (1)", "Kurzusok (1)", "Egyéb terek (1)"]


def test_each_folder_links_to_its_spaces_home_screen(client, student):
    space = SpaceFactory()
    FolderFactory(space=space, **CREATED)
    MembershipFactory(user=student, space=space)
    link = page(client).find("li", data_space=space.code).find("h4").find("a")
    assert link.attrs["href"] == reverse("virtualspaces:space_home", args=[space.pk]) + (
        "?from=panopto"
    )


@pytest.fixture
def lecturer():
    return UserFactory(username="OKTATO", first_name="Gábor", last_name="Szabó")


def test_waiting_folders_come_after_the_ready_ones_with_who_opens_them(client, student, lecturer):
    ready, waiting = SpaceFactory(name="B nyitott"), SpaceFactory(name="A zárt")
    FolderFactory(space=ready, **CREATED)
    FolderFactory(space=waiting)
    for space in (ready, waiting):
        MembershipFactory(user=student, space=space)
        MembershipFactory(user=lecturer, space=space, role=MembershipRole.ADMINISTRATOR)
    document = page(client)
    assert rows(document) == [ready.code, waiting.code]
    counts = {dd.attrs["data-count"]: dd.text for dd in document.find_all("dd", data_count=True)}
    assert counts == {"ready": "1", "waiting": "1"}
    # Collapsed under one explanation, with no inactive button to try.
    details = document.find("section", class_="standing--waiting").find("details")
    assert "open" not in details.attrs
    item = details.find("li", data_space=waiting.code)
    assert item.find("button") is None
    assert item.find(class_="waiting-list__note").text == (
        "Gábor Szabó has not opened this folder yet. You need not do anything: it becomes "
        "available after their first visit."
    )
    hungarian = page(client, language="hu").find("li", data_space=waiting.code)
    assert hungarian.find(class_="waiting-list__note").text.startswith(
        "Szabó Gábor még nem nyitotta meg ezt a mappát."
    )


def test_a_folder_waiting_for_two_lecturers_names_both(client, student, lecturer):
    space = SpaceFactory()
    FolderFactory(space=space)
    MembershipFactory(user=student, space=space)
    MembershipFactory(user=lecturer, space=space, role=MembershipRole.ADMINISTRATOR)
    other = UserFactory(first_name="Anna", last_name="Kiss")
    MembershipFactory(user=other, space=space, role=MembershipRole.ADMINISTRATOR)
    note = page(client).find("li", data_space=space.code).find(class_="waiting-list__note")
    assert note.text.startswith("Anna Kiss and Gábor Szabó have not opened this folder yet.")


def test_the_lecturers_own_new_folder_is_ready_for_them_to_open(client, student):
    space = SpaceFactory()
    MembershipFactory(user=student, space=space, role=MembershipRole.ADMINISTRATOR)
    document = page(client)
    assert rows(document, "ready") == [space.code]
    hint = document.find("li", data_space=space.code).find(class_="hint")
    assert hint.text == "Your first visit creates the space's Panopto folder."


def test_a_subject_folder_linked_by_several_courses_is_listed_once(client, student, lecturer):
    subject = SpaceFactory(name="Analízis I", code="MAT101")
    FolderFactory(space=subject)
    courses = [CourseFactory(name=f"Analízis I – {kind}", subject=subject) for kind in ("ea", "gy")]
    MembershipFactory(user=lecturer, space=subject, role=MembershipRole.ADMINISTRATOR)
    for course in courses:
        FolderFactory(space=course, **CREATED)
        FolderLinkFactory(course=course, linked_space=subject)
        MembershipFactory(user=student, space=course)
    document = page(client)
    assert rows(document) == [courses[0].code, courses[1].code, subject.code]
    assert rows(document, "waiting") == [subject.code]
    item = document.find("li", data_space=subject.code)
    linked = [link.text for link in item.find_all("a")]
    assert linked == ["Analízis I – ea", "Analízis I – gy"]
    # Once the lecturer opens it, it is ready, and its button launches through a course.
    FolderFactory._meta.model.objects.filter(space=subject).update(**CREATED)
    document = page(client)
    row = document.find("li", data_space=subject.code)
    assert row.attrs["data-standing"] == "ready"
    form = row.find("form")
    assert form.attrs["action"] == reverse("panopto_link:launch", args=[courses[0].pk])
    assert form.find("input", name="folder").attrs["value"] == str(subject.pk)
    assert len(document.find_all(id=f"panopto-{courses[0].pk}-{subject.pk}")) == 1
    assert document.find(id=f"panopto-{courses[1].pk}-{subject.pk}") is None


def test_a_subject_the_user_belongs_to_launches_through_itself(client, student):
    subject = SpaceFactory()
    FolderFactory(space=subject, **CREATED)
    course = CourseFactory(subject=subject)
    FolderLinkFactory(course=course, linked_space=subject)
    for space in (subject, course):
        MembershipFactory(user=student, space=space)
    row = page(client).find("li", data_space=subject.code)
    assert row.find("form").attrs["action"] == reverse("panopto_link:launch", args=[subject.pk])
    assert row.find("input", name="folder") is None
    assert [link.text for link in row.find_all("a")][1:] == [course.name]


@pytest.fixture
def two_semesters(student):
    subject = SpaceFactory(name="Analízis I")
    autumn = CourseFactory(semester="2026/27/1", name="Őszi kurzus")
    spring = CourseFactory(semester="2025/26/2", name="Tavaszi kurzus")
    for space in (subject, autumn, spring):
        MembershipFactory(user=student, space=space)
    return subject, autumn, spring


def test_todays_semester_is_chosen_by_default_and_the_others_are_a_link_away(client, two_semesters):
    subject, autumn, spring = two_semesters
    document = page(client)
    assert set(rows(document)) == {subject.code, autumn.code}
    tabs = document.find("nav", class_="semester-tabs")
    links = {a.attrs["data-semester"]: a for a in tabs.find_all("a")}
    assert list(links) == ["2026/27/1", "2025/26/2", "all"]
    assert links["2026/27/1"].attrs.get("aria-current") == "true"
    assert "(this semester)" in links["2026/27/1"].text

    document = page(client, links["2025/26/2"].attrs["href"])
    assert set(rows(document)) == {subject.code, spring.code}
    document = page(client, links["all"].attrs["href"])
    assert set(rows(document)) == {subject.code, autumn.code, spring.code}
    chosen = document.find("nav", class_="semester-tabs").find("a", aria_current="true")
    assert chosen.attrs["data-semester"] == "all"


def test_without_spaces_in_todays_semester_every_semester_is_shown(
    client, two_semesters, monkeypatch
):
    subject, autumn, spring = two_semesters
    monkeypatch.setattr(clock, "today", lambda: datetime.date(2028, 10, 5))
    assert set(rows(page(client))) == {subject.code, autumn.code, spring.code}


def test_unknown_semester_shows_everything_and_says_so(client, two_semesters):
    document = page(client, "?semester=1999/00/1")
    assert document.find(class_="form-error").attrs["role"] == "alert"
    assert len(rows(document)) == 3


@pytest.mark.parametrize(
    ("search", "found"),
    [("őszi", ["autumn"]), ("analízis", ["subject"]), ("SP", None), ("nincs ilyen", [])],
)
def test_search_by_name_or_code_within_the_semester(client, two_semesters, search, found):
    subject, autumn, _spring = two_semesters
    spaces = {"subject": subject, "autumn": autumn}
    document = page(client, f"?semester=2026/27/1&q={search}")
    expected = (
        [subject.code, autumn.code] if found is None else [spaces[name].code for name in found]
    )
    assert rows(document) == expected
    assert document.find("input", name="q").attrs["value"] == search
    if not expected:
        assert "No folder matches" in document.find(class_="empty-state").text


def test_a_linked_folder_is_found_by_its_courses_name(client, student):
    subject = SpaceFactory(name="Valami egészen más", code="X1")
    course = CourseFactory(name="Fizika gyakorlat", subject=subject)
    FolderLinkFactory(course=course, linked_space=subject)
    MembershipFactory(user=student, space=course)
    assert set(rows(page(client, "?q=fizika"))) == {course.code, subject.code}


def test_other_peoples_spaces_are_not_listed(client, student):
    MembershipFactory(space=SpaceFactory(is_public=True))  # somebody else's
    assert rows(page(client)) == []


@pytest.mark.parametrize("language", ["hu", "en"])
def test_empty_state_explains_itself_and_points_to_public_spaces(client, student, language):
    document = page(client, language=language)
    empty = document.find(class_="empty-state")
    assert {
        "en": "You are not a member of any virtual space yet.",
        "hu": "Még egyetlen virtuális térnek sem tagja.",
    }[language] in empty.text
    assert empty.find("a").attrs["href"] == reverse("virtualspaces:public_spaces")


def add_spaces(user, count: int) -> None:
    """`count` more subjects and courses for the user, each course linking its subject and an
    other space, whose folders wait for their administrators."""
    for _ in range(count):
        subject = SpaceFactory()
        FolderFactory(space=subject)
        course = CourseFactory(subject=subject)
        FolderFactory(space=course)
        FolderLinkFactory(course=course, linked_space=subject)
        FolderLinkFactory(course=course, linked_space=SpaceFactory(space_type=SpaceType.OTHER))
        MembershipFactory(user=user, space=subject)
        MembershipFactory(user=UserFactory(), space=subject, role=MembershipRole.ADMINISTRATOR)
        MembershipFactory(user=user, space=course, role=MembershipRole.ADMINISTRATOR)


# session, user, the registration with the licence, the user's semesters, the spaces with their
# folders, links and the user's roles in one statement (selectors.user_spaces_panopto), and the
# administrators of the waiting folders (asked only when a folder waits)
PAGE_QUERIES = 6


@pytest.mark.parametrize("query", ["", "?semester=2026/27/1", "?semester=all&q=SP"])
def test_query_count_does_not_grow_with_spaces_and_links(
    client, student, django_assert_num_queries, query
):
    add_spaces(student, 1)
    with django_assert_num_queries(PAGE_QUERIES):
        document = page(client, query)
    assert len(rows(document)) == 3
    assert len(rows(document, "waiting")) == 2
    add_spaces(student, 6)
    with django_assert_num_queries(PAGE_QUERIES):
        document = page(client, query)
    assert len(rows(document)) == 21
    assert len(document.find_all(class_="waiting-list__note")) == 14


def test_no_query_for_administrators_when_no_folder_waits(
    client, student, django_assert_num_queries
):
    for _ in range(3):
        space = SpaceFactory()
        FolderFactory(space=space, **CREATED)
        MembershipFactory(user=student, space=space)
    with django_assert_num_queries(PAGE_QUERIES - 1):
        assert len(rows(page(client), "ready")) == 3
