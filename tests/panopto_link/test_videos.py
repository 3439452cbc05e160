"""The videos element of a space's Home screen for its administrator: "Add videos from Panopto"
before the first launch (inactive, saying why), removing with a confirmation that needs no
script, the message where the list is, and the date and length of each video."""

import datetime

import pytest
from django.utils import timezone

from panopto_link.models import FolderState, PanoptoFolder, VideoLink
from tests.html import parse
from tests.panopto_link.conftest import World

pytestmark = pytest.mark.django_db

VIDEO_URL = "https://panopto.example.com/Panopto/Pages/Viewer.aspx?id=video-1"


@pytest.fixture
def world(licence, registration):
    return World()


def home(client, world, language="en"):
    response = client.get(f"/spaces/{world.course.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return parse(response).find("section", id="videos")


def open_folder(world) -> None:
    PanoptoFolder.objects.update_or_create(
        space=world.course, defaults={"state": FolderState.CREATED, "created_at": timezone.now()}
    )


@pytest.mark.parametrize("language", ["en", "hu"])
def test_the_administrator_finds_the_picker_before_the_first_launch_inactive_with_a_reason(
    client, world, language
):
    client.force_login(world.admin)
    section = home(client, world, language)
    button = section.find("button", aria_disabled="true")
    assert button is not None and "disabled" not in button.attrs
    reason = section.find(id=button.attrs["aria-describedby"])
    assert reason.attrs["class"] == "launch-reason"
    assert {
        "en": "Open the space's Panopto folder first",
        "hu": "Először nyissa meg a tér Panopto-mappáját",
    }[language] in reason.text
    # Without script the click posts and the refusal page says the same.
    response = client.post(f"/panopto/videos/{world.course.pk}/pick/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Open the space's Panopto folder first" in parse(response).text

    open_folder(world)
    section = home(client, world)
    button = section.find("form", class_="panopto-videos__pick").find("button")
    assert "aria-disabled" not in button.attrs


@pytest.mark.parametrize("who", ["member", "guest_member", "public_guest"])
def test_nobody_else_sees_the_picker(client, world, who):
    client.force_login(getattr(world, who))
    assert home(client, world).find(class_="panopto-videos__pick") is None


def test_removing_asks_first_without_script_and_says_so_beside_the_list(client, world):
    open_folder(world)
    video = VideoLink.objects.create(space=world.course, title="Előadás 1", url=VIDEO_URL)
    client.force_login(world.admin)
    remove = home(client, world).find(
        "a", href=f"/panopto/videos/{world.course.pk}/{video.pk}/remove/"
    )
    assert remove is not None  # a link to a question, not a form that removes at once
    confirm = client.get(remove.attrs["href"], HTTP_ACCEPT_LANGUAGE="en")
    assert confirm.status_code == 200
    page = parse(confirm)
    assert page.find("h1").text == "Remove the video?"
    assert "Előadás 1" in page.find("main").text
    form = page.find("main").find("form")
    cancel = form.find("a")
    assert cancel.attrs["href"] == f"/spaces/{world.course.pk}/#videos"
    assert VideoLink.objects.count() == 1  # asking removed nothing

    response = client.post(form.attrs["action"], {"action": "remove"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"].endswith("#videos")
    assert VideoLink.objects.count() == 0
    page = parse(client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en"))
    message = page.find("section", id="videos").find(class_="message")
    assert message.text == "“Előadás 1” was removed from the space's videos."
    # Said once, where the list is, not at the top of the page.
    assert page.text.count("was removed from the space's videos") == 1


def test_only_the_administrator_is_asked(client, world):
    open_folder(world)
    video = VideoLink.objects.create(space=world.course, title="A", url=VIDEO_URL)
    url = f"/panopto/videos/{world.course.pk}/{video.pk}/remove/"
    client.force_login(world.member)
    assert client.get(url).status_code == 403
    client.force_login(world.admin)
    assert client.post(url).status_code == 405
    assert (
        client.get(f"/panopto/videos/{world.course.pk}/{video.pk + 99}/remove/").status_code == 404
    )


def test_moving_and_removing_are_buttons_of_their_own(client, world):
    open_folder(world)
    for position in (1, 2, 3):
        VideoLink.objects.create(
            space=world.course, title=f"V{position}", url=VIDEO_URL, position=position
        )
    client.force_login(world.admin)
    items = home(client, world).find_all("li", class_="video-list__item")
    tools = [
        [
            control.text.split(" – ")[0]
            for control in item.find(class_="video-list__tools").iter()
            if control.tag in {"button", "a"}
        ]
        for item in items
    ]
    assert tools == [
        ["Move down", "Remove"],
        ["Move up", "Move down", "Remove"],
        ["Move up", "Remove"],
    ]


@pytest.mark.parametrize(
    ("language", "date", "length"),
    [("hu", "2026. 11. 10.", "1:34:00"), ("en", "2026-11-10", "1:34:00")],
)
def test_a_video_shows_its_date_and_length(client, world, language, date, length):
    open_folder(world)
    VideoLink.objects.create(
        space=world.course,
        title="A",
        url=VIDEO_URL,
        recorded_on=datetime.date(2026, 11, 10),
        duration_seconds=5640,
    )
    client.force_login(world.member)
    facts = home(client, world, language).find(class_="video-list__facts")
    times = facts.find_all("time")
    assert [t.text for t in times] == [date, length]
    assert [t.attrs["datetime"] for t in times] == ["2026-11-10", "PT5640S"]


@pytest.mark.parametrize("language", ["en", "hu"])
def test_the_picker_button_says_the_picker_marks_nothing_and_the_portal_adds_once(
    client, world, language
):
    """Issue 25 item 3: Panopto's own picker marks no recording as linked already (decision
    0016, the stand-in mirrors it), so the portal says so beside the button, and afterwards
    which picked videos were there (test_deep_linking)."""
    open_folder(world)
    VideoLink.objects.create(space=world.course, title="1. előadás", url="https://p.example/v")
    client.force_login(world.admin)
    section = home(client, world, language)
    button = section.find("form", class_="panopto-videos__pick").find("button")
    note = section.find(id=button.attrs["aria-describedby"])
    assert {
        "en": "does not mark the videos already here",
        "hu": "nem jelöli meg az itt már szereplő videókat",
    }[language] in note.text
