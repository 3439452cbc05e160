"""A space's Home screen and the public spaces list."""

import pytest
from django.urls import reverse
from django.utils import timezone

from panopto_link.models import FolderState, VideoLink
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
from virtualspaces.views import PUBLIC_SPACES_PER_PAGE

pytestmark = pytest.mark.django_db


def home(client, space, language="en"):
    response = client.get(
        reverse("virtualspaces:space_home", args=[space.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return parse(response)


def test_home_screen_needs_sign_in(client):
    space = SpaceFactory(is_public=True)
    response = client.get(reverse("virtualspaces:space_home", args=[space.pk]))
    assert response.status_code == 302


def test_home_screen_header_and_elements(client, licence, registration):
    subject = SpaceFactory(name="Analízis I", code="NPUMAT101")
    course = CourseFactory(
        name="Analízis I – előadás",
        code="NPUMAT101-EA",
        semester="2026/27/1",
        subject=subject,
        description="Hétfő 10:15, K.150",
    )
    lecturer = UserFactory(first_name="Gábor", last_name="Szabó")
    user = UserFactory()
    MembershipFactory(user=lecturer, space=course, role=MembershipRole.ADMINISTRATOR)
    MembershipFactory(user=user, space=course)
    MembershipFactory(space=course)
    MembershipFactory(space=course, role=MembershipRole.GUEST_MEMBER)
    client.force_login(user)
    document = home(client, course)
    header = document.find("header", class_="space-header")
    assert header.find("h1").text == "Analízis I – előadás"
    facts = header.text
    assert "NPUMAT101-EA" in facts and "2026/27/1" in facts and "Analízis I (NPUMAT101)" in facts
    assert header.find(class_="space-header__type").text == "Course"
    assert header.find(class_="badge--role").text == "Member"
    assert "Hétfő 10:15, K.150" in document.text
    counts = [dd.text for dd in document.find("dl", class_="counts").find_all("dd")]
    assert counts == ["1", "2", "1"]
    assert "Gábor Szabó" in document.find("ul", class_="plain-list").text
    assert document.find(data_panopto_element=True) is not None
    assert document.find("section", id="videos") is not None


def test_without_a_licence_the_home_screen_shows_neither_folders_nor_videos(client, registration):
    space = SpaceFactory()
    VideoLink.objects.create(space=space, title="1. előadás", url="https://p.example/v")
    user = UserFactory()
    MembershipFactory(user=user, space=space)
    client.force_login(user)
    document = home(client, space)
    assert document.find(data_panopto_element=True) is None
    assert document.find("section", id="videos") is None
    assert "1. előadás" not in document.text


def test_hungarian_home_screen(client, licence, registration):
    space = SpaceFactory(space_type=SpaceType.OTHER)
    user = UserFactory()
    MembershipFactory(user=user, space=space, role=MembershipRole.GUEST_MEMBER)
    client.force_login(user)
    document = home(client, space, "hu")
    assert document.find(class_="space-header__type").text == "Egyéb"
    assert document.find(class_="badge--role").text == "Vendég tag"
    assert document.find("h2", id="panopto-element-heading").text == "Panopto előadásfelvételek"


# Issue 25 item 12: who runs a subject or a course is its lecturer (oktató), who runs any other
# space (a choir, a research group) its administrator (adminisztrátor).
TEACHING_HU = ("Oktató", "Oktatók", "A tér oktatói", "A tér oktatói még nem írtak leírást.")
SPACE_ADMINISTRATOR_WORDS = {
    (SpaceType.SUBJECT, "hu"): TEACHING_HU,
    (SpaceType.COURSE, "hu"): TEACHING_HU,
    (SpaceType.OTHER, "hu"): (
        "Adminisztrátor",
        "Adminisztrátorok",
        "A tér adminisztrátorai",
        "A tér adminisztrátorai még nem írtak leírást.",
    ),
    (SpaceType.COURSE, "en"): (
        "Lecturer",
        "Lecturers",
        "Taught by",
        "The space's lecturers have not written a description yet.",
    ),
    (SpaceType.OTHER, "en"): (
        "Administrator",
        "Administrators",
        "Administered by",
        "The space's administrators have not written a description yet.",
    ),
}


@pytest.mark.parametrize(("space_type", "language"), list(SPACE_ADMINISTRATOR_WORDS))
def test_the_space_administrator_is_named_by_the_spaces_type(
    client, licence, registration, space_type, language
):
    badge, count, heading, no_description = SPACE_ADMINISTRATOR_WORDS[space_type, language]
    extra = {"semester": "2026/27/1"} if space_type == SpaceType.COURSE else {}
    space = SpaceFactory(space_type=space_type, description="", **extra)
    administrator = UserFactory()
    MembershipFactory(user=administrator, space=space, role=MembershipRole.ADMINISTRATOR)
    client.force_login(administrator)
    document = home(client, space, language)
    assert document.find(class_="badge--role").text == badge
    assert document.find("dl", class_="counts").find("dt").text == count
    assert heading in [h3.text for h3 in document.find_all("h3")]
    about = document.find("section", aria_labelledby="about-heading")
    assert about.find("p", class_="muted").text == no_description


def test_guest_of_a_public_space_is_told_so_and_sees_the_panopto_element_as_guest(
    client, licence, registration
):
    space = SpaceFactory(is_public=True)
    FolderFactory(space=space, state=FolderState.CREATED, created_at=timezone.now())
    client.force_login(UserFactory())
    document = home(client, space)
    assert document.find(class_="badge--guest").text == "Guest"
    assert document.find(role="note") is not None
    role = document.find(class_="launch__role")
    assert role.text == "You will enter as a Viewer, as a guest of the space."


def test_space_without_a_folder_row_counts_as_not_created(client, licence, registration):
    space = SpaceFactory()
    user = UserFactory()
    MembershipFactory(user=user, space=space, role=MembershipRole.ADMINISTRATOR)
    client.force_login(user)
    document = home(client, space)
    block = document.by_id(f"panopto-{space.pk}-{space.pk}")
    assert block.find(class_="badge").text == "Not opened yet"
    assert block.find(class_="hint") is not None


# session, user, the space with its subject and the user's role (access_space), the
# registration with the licence, the space's folders and links with the user's roles in one
# statement (panopto_link.selectors.space_panopto), the video links, the member counts, the
# administrators, and who opens the waiting folders (their blocks name them, issue 25 item 2)
HOME_QUERIES = 9


def test_home_screen_query_count_does_not_grow_with_links_and_members(
    client, licence, registration, django_assert_num_queries
):
    course = CourseFactory(subject=SpaceFactory())
    FolderFactory(space=course)
    user = UserFactory()
    MembershipFactory(user=user, space=course)
    FolderLinkFactory(course=course, linked_space=course.subject)
    client.force_login(user)
    with django_assert_num_queries(HOME_QUERIES):
        document = home(client, course)
    assert len(document.find_all(class_="folder--linked")) == 1
    for _ in range(5):
        linked = SpaceFactory()
        FolderFactory(space=linked)
        FolderLinkFactory(course=course, linked_space=linked)
        MembershipFactory(user=user, space=linked, role=MembershipRole.ADMINISTRATOR)
        MembershipFactory(space=course, role=MembershipRole.ADMINISTRATOR)
        MembershipFactory(space=course)
        VideoLink.objects.create(space=course, title="1. előadás", url="https://p.example/v")
    with django_assert_num_queries(HOME_QUERIES):
        document = home(client, course)
    assert len(document.find_all(class_="folder--linked")) == 6
    assert len(document.find("section", id="videos").find_all("li")) == 5
    assert len(document.find("ul", class_="plain-list").find_all("li")) == 5


# --- public spaces -----------------------------------------------------------------------------


def public_list(client, query=""):
    response = client.get(reverse("virtualspaces:public_spaces") + query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return parse(response)


def listed_codes(document):
    return [row.find_all("td")[0].text for row in document.find("tbody").find_all("tr")]


def test_public_spaces_lists_only_public_spaces_with_the_users_standing(client):
    choir = SpaceFactory(name="Egyetemi kórus", is_public=True, space_type=SpaceType.OTHER)
    ethics = SpaceFactory(name="AI etika", is_public=True)
    SpaceFactory(name="Zárt tér", is_public=False)
    user = UserFactory()
    MembershipFactory(user=user, space=choir)
    client.force_login(user)
    document = public_list(client)
    assert listed_codes(document) == [ethics.code, choir.code]
    rows = document.find("tbody").find_all("tr")
    assert rows[0].find(class_="badge--guest").text == "Guest"
    assert "Enter as a guest" in rows[0].find("a").text
    assert rows[0].find("a").attrs["href"] == (
        reverse("virtualspaces:space_home", args=[ethics.pk]) + "?from=public"
    )
    assert rows[1].find(class_="badge--role").text == "Member"


def test_public_spaces_search_by_name_or_code(client):
    choir = SpaceFactory(name="Egyetemi kórus", code="NPU-KORUS", is_public=True)
    SpaceFactory(name="AI etika", code="NPU-ETIKA", is_public=True)
    client.force_login(UserFactory())
    assert listed_codes(public_list(client, "?q=kórus")) == [choir.code]
    assert listed_codes(public_list(client, "?q=npu-kor")) == [choir.code]
    empty = public_list(client, "?q=nothing-like-it").find(class_="empty-state")
    assert "No public space matches “nothing-like-it”." in empty.text


def test_public_spaces_empty_state(client):
    client.force_login(UserFactory())
    assert "There are no public spaces" in public_list(client).find(class_="empty-state").text


def test_public_spaces_are_paginated_with_a_constant_query_count(
    client, registration, django_assert_num_queries
):
    user = UserFactory()
    client.force_login(user)
    SpaceFactory.create_batch(3, is_public=True)
    # session, user, the registration with the licence (menu), count, the page (with the user's
    # role in each space)
    with django_assert_num_queries(5):
        document = public_list(client)
    assert len(listed_codes(document)) == 3
    for space in SpaceFactory.create_batch(PUBLIC_SPACES_PER_PAGE, is_public=True):
        MembershipFactory(user=user, space=space)
    with django_assert_num_queries(5):
        document = public_list(client)
    assert len(listed_codes(document)) == PUBLIC_SPACES_PER_PAGE
    assert document.find("nav", class_="pagination") is not None
    assert len(listed_codes(public_list(client, "?page=2"))) == 3


def test_entering_a_public_space_from_the_list_shows_its_home_screen_as_guest(
    client, licence, registration
):
    space = SpaceFactory(is_public=True)
    client.force_login(UserFactory())
    href = public_list(client).find("tbody").find("a").attrs["href"]
    document = parse(client.get(href, HTTP_ACCEPT_LANGUAGE="en"))
    assert document.find("h1").text == space.name
    assert document.find(class_="badge--guest") is not None
    reason = document.find("span", class_="launch-reason")
    assert reason.text == "Available once the lecturer has opened the Panopto folder."


# --- the way back from a Home screen -----------------------------------------------------------


def crumbs(client, space, query: str = "") -> list[tuple[str, str | None]]:
    url = reverse("virtualspaces:space_home", args=[space.pk]) + query
    nav = parse(client.get(url, HTTP_ACCEPT_LANGUAGE="en")).find("nav", class_="breadcrumbs")
    return [
        (item.text, item.find("a").attrs["href"] if item.find("a") else None)
        for item in nav.find_all("li")
    ]


PANOPTO_TRAIL = [
    ("Studies", None),
    ("Information", "/studies/information/"),
    ("Panopto", "/studies/information/panopto/"),
]


def test_a_members_home_screen_leads_back_to_the_panopto_list(client, licence):
    space = SpaceFactory(name="Analízis I", is_public=True)
    user = UserFactory()
    MembershipFactory(user=user, space=space)
    client.force_login(user)
    assert crumbs(client, space) == [*PANOPTO_TRAIL, ("Analízis I", None)]
    assert crumbs(client, space, "?from=panopto") == [*PANOPTO_TRAIL, ("Analízis I", None)]
    # Came from the public spaces: back there.
    assert crumbs(client, space, "?from=public") == [
        ("Virtual spaces", None),
        ("Public spaces", "/spaces/public/"),
        ("Analízis I", None),
    ]


def test_a_guests_home_screen_leads_back_to_the_public_spaces(client, licence):
    space = SpaceFactory(name="Kórus", is_public=True)
    client.force_login(UserFactory())
    expected = [("Virtual spaces", None), ("Public spaces", "/spaces/public/"), ("Kórus", None)]
    assert crumbs(client, space) == expected
    assert crumbs(client, space, "?from=nonsense") == expected


def test_without_a_licence_the_way_back_is_the_home_page(client):
    space = SpaceFactory(name="Analízis I")
    user = UserFactory()
    MembershipFactory(user=user, space=space)
    client.force_login(user)
    assert crumbs(client, space, "?from=panopto") == [("Home", "/"), ("Analízis I", None)]


def test_public_is_not_shown_as_a_role(client):
    space = SpaceFactory(is_public=True)
    user = UserFactory()
    MembershipFactory(user=user, space=space)
    client.force_login(user)
    document = parse(client.get(reverse("virtualspaces:space_home", args=[space.pk])))
    standing = document.find("dl", class_="facts").find_all("div")[-1]
    assert standing.find(class_="badge--public") is None
    assert document.find(class_="space-header__type").find(class_="badge--public") is not None
