"""Issue 25 items 1, 2 and 6 on the pages: a switched-off registration and a missing licence
explained where the buttons were, the reason of an inactive button as text naming the
lecturer, and the messages list's markup."""

import pytest
from django.urls import reverse
from django.utils import timezone

from panopto_link.models import FolderState, VideoLink
from tests.factories import (
    FolderFactory,
    LicenceFactory,
    MembershipFactory,
    RegistrationFactory,
    SpaceFactory,
    UserFactory,
)
from tests.html import parse
from virtualspaces.models import MembershipRole

pytestmark = pytest.mark.django_db


def home(client, space, language="en"):
    response = client.get(
        reverse("virtualspaces:space_home", args=[space.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return parse(response)


@pytest.fixture
def created_space_with_a_video():
    space = SpaceFactory(code="MAT101")
    FolderFactory(space=space, state=FolderState.CREATED, created_at=timezone.now())
    VideoLink.objects.create(
        space=space, title="1. előadás", url="https://p.example/v", thumbnail_url="/t.svg"
    )
    member = UserFactory()
    MembershipFactory(user=member, space=space, role=MembershipRole.MEMBER)
    return space, member


@pytest.mark.parametrize("language", ["en", "hu"])
def test_a_bookmarked_panopto_page_without_licence_explains_panopto_is_not_available(
    client, language
):
    RegistrationFactory()  # a registration, but no licence
    client.force_login(UserFactory())
    response = client.get(reverse("panopto_link:studies_panopto"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404  # SPEC §3: the page is not there…
    document = parse(response)
    # …and says why, in the portal's own page with its menu, not a bare "not found".
    assert (
        document.find("h1").text
        == {
            "en": "Panopto is not available at this institute",
            "hu": "A Panopto ebben az intézményben nem érhető el",
        }[language]
    )
    assert document.find(class_="user-name") is not None


def test_the_launch_urls_without_licence_still_answer_a_plain_404(client):
    space = SpaceFactory()
    user = UserFactory()
    MembershipFactory(user=user, space=space)
    RegistrationFactory()
    client.force_login(user)
    response = client.post(reverse("panopto_link:launch", args=[space.pk]))
    assert response.status_code == 404


def test_a_switched_off_registration_shows_its_reason_and_no_created_badge(
    client, created_space_with_a_video
):
    space, member = created_space_with_a_video
    LicenceFactory()
    RegistrationFactory(is_enabled=False)
    client.force_login(member)
    document = home(client, space)
    block = document.by_id(f"panopto-{space.pk}-{space.pk}")
    badge = block.find(class_="badge")
    assert badge.text == "Not available"  # not "Created": nobody gets in now
    reason = block.find(class_="launch-reason")
    assert reason.text.startswith("Panopto is not available yet")
    videos = document.find("section", id="videos")
    # Where the Play buttons were: the same reason, and thumbnails that do not look playable.
    assert videos.find("button", string="Play") is None
    assert videos.find(class_="launch-reason").text.startswith("Panopto is not available yet")
    assert "is-unplayable" in videos.find("img").attrs["class"]


def test_a_playable_video_keeps_its_play_button_and_thumbnail(client, created_space_with_a_video):
    space, member = created_space_with_a_video
    LicenceFactory()
    RegistrationFactory()
    client.force_login(member)
    videos = home(client, space).find("section", id="videos")
    assert videos.find("button", type="submit") is not None
    assert "class" not in videos.find("img").attrs


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Available once Szabó Gábor has opened the Panopto folder."),
        ("hu", "Akkor érhető el, ha Szabó Gábor már megnyitotta a Panopto-mappát."),
    ],
)
def test_a_waiting_folders_reason_is_text_naming_the_lecturer(client, language, text):
    LicenceFactory()
    RegistrationFactory()
    space = SpaceFactory()
    FolderFactory(space=space)  # not created
    lecturer = UserFactory(first_name="Gábor", last_name="Szabó")
    MembershipFactory(user=lecturer, space=space, role=MembershipRole.ADMINISTRATOR)
    member = UserFactory()
    MembershipFactory(user=member, space=space)
    client.force_login(member)
    document = home(client, space, language)
    button = document.find("button", aria_disabled="true")
    reason = document.by_id(button.attrs["aria-describedby"])
    if language == "en":
        text = text.replace("Szabó Gábor", "Gábor Szabó")  # given name first in English
    assert reason.text == text
    assert "role" not in reason.attrs  # text on the page, not a tooltip


def test_the_messages_list_keeps_its_list_role(client, created_space_with_a_video):
    """axe's listitem rule: role="status" on the <ul> took its list role away."""
    space, _member = created_space_with_a_video
    LicenceFactory()
    RegistrationFactory()
    space_admin = UserFactory()
    MembershipFactory(user=space_admin, space=space, role=MembershipRole.ADMINISTRATOR)
    client.force_login(space_admin)
    video = VideoLink.objects.get(space=space)
    client.post(
        reverse("panopto_link:manage_video", args=[space.pk, video.pk]), {"action": "remove"}
    )
    document = home(client, space)
    lists = document.find_all("ul", class_="messages")
    assert lists and all("role" not in ul.attrs for ul in lists)
    assert any(ul.parent.attrs.get("role") == "status" for ul in lists)


# --- Back after a launch (item 4) ----------------------------------------------------------------


@pytest.mark.parametrize("page", ["space", "panopto"])
def test_pages_with_launch_buttons_are_never_kept_for_the_back_button(
    client, created_space_with_a_video, page
):
    space, member = created_space_with_a_video
    LicenceFactory()
    RegistrationFactory()
    client.force_login(member)
    url = (
        reverse("virtualspaces:space_home", args=[space.pk])
        if page == "space"
        else reverse("panopto_link:studies_panopto")
    )
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
