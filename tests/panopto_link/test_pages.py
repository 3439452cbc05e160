"""Studies → Information → Panopto: grouping, the semester filter, the empty state, and a
query count that does not grow with the spaces and links."""

import pytest
from django.urls import reverse

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


def test_url_is_where_the_menu_says():
    assert reverse("panopto_link:studies_panopto") == URL


@pytest.fixture
def student(client, licence, registration):
    user = UserFactory()
    client.force_login(user)
    return user


def page(client, query: str = "", language: str = "en"):
    response = client.get(URL + query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return parse(response)


def test_page_needs_sign_in(client, licence):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("portal:sign_in") in response["Location"]


def test_spaces_are_grouped_by_type_in_the_portals_order(client, student):
    other = SpaceFactory(space_type=SpaceType.OTHER, name="Kórus")
    course = CourseFactory(name="Analízis I – előadás")
    subject = SpaceFactory(name="Analízis I")
    for space, role in [
        (other, MembershipRole.GUEST_MEMBER),
        (course, MembershipRole.MEMBER),
        (subject, MembershipRole.ADMINISTRATOR),
    ]:
        MembershipFactory(user=student, space=space, role=role)
    document = page(client)
    headings = [section.find("h2").text for section in document.find_all("section")]
    assert headings == ["Subjects (1)", "Courses (1)", "Other spaces (1)"]
    codes = [card.attrs["data-space"] for card in document.find_all("li", class_="space-card")]
    assert codes == [subject.code, course.code, other.code]
    roles = [
        card.find(class_="badge--role").text for card in document.find_all(class_="space-card")
    ]
    assert roles == ["administrator", "member", "guest member"]


def test_hungarian_group_titles(client, student):
    MembershipFactory(user=student, space=SpaceFactory())
    MembershipFactory(user=student, space=CourseFactory())
    MembershipFactory(user=student, space=SpaceFactory(space_type=SpaceType.OTHER))
    headings = [s.find("h2").text for s in page(client, language="hu").find_all("section")]
    assert headings == ["Tárgyak (1)", "Kurzusok (1)", "Egyéb terek (1)"]


def test_each_space_links_to_its_home_screen(client, student):
    space = SpaceFactory()
    MembershipFactory(user=student, space=space)
    link = page(client).find("li", data_space=space.code).find("h3").find("a")
    assert link.attrs["href"] == reverse("virtualspaces:space_home", args=[space.pk])


def test_semester_filter_keeps_spaces_without_a_semester(client, student):
    subject = SpaceFactory()
    autumn = CourseFactory(semester="2026/27/1")
    spring = CourseFactory(semester="2025/26/2")
    for space in (subject, autumn, spring):
        MembershipFactory(user=student, space=space)
    document = page(client)
    select = document.find("select", name="semester")
    assert document.find("label", for_="id_semester") is not None
    options = [option.attrs["value"] for option in select.find_all("option")]
    assert options == ["", "2026/27/1", "2025/26/2"]
    listed = {card.attrs["data-space"] for card in document.find_all("li", class_="space-card")}
    assert listed == {subject.code, autumn.code, spring.code}

    document = page(client, "?semester=2025/26/2")
    listed = {card.attrs["data-space"] for card in document.find_all("li", class_="space-card")}
    assert listed == {subject.code, spring.code}
    chosen = document.find("option", selected=True)
    assert chosen.attrs["value"] == "2025/26/2"


def test_unknown_semester_shows_everything_and_says_so(client, student):
    MembershipFactory(user=student, space=CourseFactory(semester="2026/27/1"))
    document = page(client, "?semester=1999/00/1")
    assert document.find(class_="form-error").attrs["role"] == "alert"
    assert len(document.find_all("li", class_="space-card")) == 1


def test_other_peoples_spaces_are_not_listed(client, student):
    MembershipFactory(space=SpaceFactory(is_public=True))  # somebody else's
    document = page(client)
    assert document.find("li", class_="space-card") is None


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
    """`count` more subjects and courses for the user, each course linking its subject."""
    for _ in range(count):
        subject = SpaceFactory()
        FolderFactory(space=subject)
        course = CourseFactory(subject=subject)
        FolderFactory(space=course)
        FolderLinkFactory(course=course, linked_space=subject)
        FolderLinkFactory(course=course, linked_space=SpaceFactory(space_type=SpaceType.OTHER))
        MembershipFactory(user=user, space=subject)
        MembershipFactory(user=user, space=course, role=MembershipRole.ADMINISTRATOR)


# session, user, the registration with the licence, the user's semesters, the spaces with their
# folders and the user's role in each, the links with the linked spaces' folders and roles
PAGE_QUERIES = 6


@pytest.mark.parametrize("query", ["", "?semester=2026/27/1"])
def test_query_count_does_not_grow_with_spaces_and_links(
    client, student, django_assert_num_queries, query
):
    add_spaces(student, 1)
    with django_assert_num_queries(PAGE_QUERIES):
        document = page(client, query)
    assert len(document.find_all("li", class_="space-card")) == 2
    add_spaces(student, 6)
    with django_assert_num_queries(PAGE_QUERIES):
        document = page(client, query)
    assert len(document.find_all("li", class_="space-card")) == 14
    assert len(document.find_all(class_="folder--linked")) == 14
