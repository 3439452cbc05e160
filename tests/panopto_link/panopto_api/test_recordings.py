"""Show, its data (issue 23 item 6): panopto_confirm keeps each confirmed folder's newest
recordings in the shared cache, asked of the stand-in's GetSessionsList, newest first; a copy
younger than the refresh period is not asked again; the pages' read is one cache round trip
and shows nothing, rather than failing, while the cache is down."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from core import shared_cache
from panopto_link.models import FolderState, PanoptoFolder
from panopto_link.panopto_api.recordings import recent_recordings
from panopto_link.simulator.models import Folder as StandInFolder
from tests.core.test_shared_cache import BrokenCache
from tests.factories import FolderFactory, SpaceFactory
from tests.metrics import Counted

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = timezone.now() - datetime.timedelta(hours=1)


def confirmed(code: str) -> tuple[PanoptoFolder, StandInFolder]:
    folder = FolderFactory(
        space=SpaceFactory(code=code), state=FolderState.CREATED, created_at=LONG_AGO
    )
    stand_in = StandInFolder.objects.create(context_id=folder.context_id, name=code)
    stand_in.recordings.create(
        title="Old", duration_seconds=60, recorded_at=LONG_AGO - datetime.timedelta(days=9)
    )
    for days, title in ((3, "Second"), (1, "Newest"), (5, "Third"), (7, "Fourth")):
        stand_in.recordings.create(
            title=title,
            duration_seconds=5400 + days,
            recorded_at=LONG_AGO - datetime.timedelta(days=days),
        )
    return folder, stand_in


def run() -> str:
    out = io.StringIO()
    call_command("panopto_confirm", stdout=out)
    return out.getvalue()


def test_the_newest_three_recordings_of_a_confirmed_folder_are_kept(stand_in_api):
    folder, _stand_in = confirmed("MAT101")
    assert "refreshed for 1 folders" in run()
    folder.refresh_from_db()
    kept = recent_recordings([folder.panopto_id])[folder.panopto_id]
    assert [recording.title for recording in kept] == ["Newest", "Second", "Third"]
    assert kept[0].duration_text == "1:30:01"
    assert kept[0].start_time == LONG_AGO - datetime.timedelta(days=1)


def test_a_fresh_copy_is_not_asked_again(stand_in_api):
    confirmed("MAT102")
    run()
    with Counted() as counted:
        assert "refreshed for 0 folders" in run()
    assert (
        counted(
            "neptun_outbound_calls_total",
            party="panopto_api",
            operation="GetSessionsList",
            outcome="ok",
        )
        == 0
    )


def test_a_folder_without_recordings_kept_shows_none():
    assert recent_recordings(["not-kept", ""]) == {}


def test_with_the_cache_down_the_pages_show_no_recordings(stand_in_api, monkeypatch, settings):
    folder, _ = confirmed("MAT103")
    run()
    folder.refresh_from_db()
    settings.SHARED_CACHE_RETRY_SECONDS = 60
    monkeypatch.setattr(shared_cache, "cache", BrokenCache())
    shared_cache.reset()
    try:
        assert recent_recordings([folder.panopto_id]) == {}
    finally:
        shared_cache.reset()


# --- on the pages ------------------------------------------------------------------------------


@pytest.fixture
def member(client, registration, stand_in_api, licence):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    return user


def home(client, space, language="en"):
    from tests.html import parse

    response = client.get(f"/spaces/{space.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return parse(response.content)


def recent_titles(document) -> list[str]:
    block = document.find(data_recent_recordings=True)
    if block is None:
        return []
    return [item.find(class_="recent__name").text for item in block.find_all("li")]


def test_a_members_home_screen_shows_the_newest_recordings_from_the_cache(client, member):
    from tests.factories import MembershipFactory

    folder, _ = confirmed("MAT201")
    MembershipFactory(user=member, space=folder.space)
    assert recent_titles(home(client, folder.space)) == []  # nothing kept yet
    run()
    document = home(client, folder.space)
    assert recent_titles(document) == ["Newest", "Second", "Third"]
    assert "Newest recordings in Panopto" in document.text
    assert "1:30:01" in document.text
    hungarian = home(client, folder.space, language="hu")
    assert "A legújabb felvételek a Panoptóban" in hungarian.text


def test_someone_waiting_for_a_folder_sees_no_recordings(client, member):
    from tests.factories import MembershipFactory

    folder, _ = confirmed("MAT202")
    run()
    MembershipFactory(user=member, space=folder.space)
    PanoptoFolder.objects.filter(pk=folder.pk).update(state=FolderState.NOT_CREATED)
    assert recent_titles(home(client, folder.space)) == []


def test_the_pages_query_count_does_not_grow_with_the_recordings_shown(
    client, member, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory

    folders = [confirmed(f"MAT3{n}")[0] for n in range(3)]
    for folder in folders:
        MembershipFactory(user=member, space=folder.space)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
        return len(captured)

    page, space_home = "/studies/information/panopto/", f"/spaces/{folders[0].space.pk}/"
    run()  # confirmed: Panopto's ids kept; then no recordings kept, then all kept
    from django.core.cache import cache

    cache.clear()
    without = (queries(page), queries(space_home))
    run()
    assert "Newest" in client.get(space_home, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with_recordings = (queries(page), queries(space_home))
    assert with_recordings == without


# --- thumbnails --------------------------------------------------------------------------------


def test_the_home_screen_shows_each_recordings_thumbnail_from_the_panopto_site(client, member):
    from tests.factories import MembershipFactory

    folder, _ = confirmed("MAT401")
    MembershipFactory(user=member, space=folder.space)
    run()
    response = client.get(f"/spaces/{folder.space.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    from tests.html import parse

    block = parse(response.content).find(data_recent_recordings=True)
    images = block.find_all("img", class_="recent__thumb")
    assert len(images) == 3
    site = member_site_origin()
    assert all(image.attrs["src"].startswith(site + "/") for image in images)
    assert all(image.attrs["alt"] == "" for image in images)  # the title beside it says what it is
    # The page's Content Security Policy lets the browser load them.
    policy = response.headers["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert site in img_src.split()


def member_site_origin() -> str:
    from panopto_link.panopto_api.connection import api_connection

    connection = api_connection()
    assert connection is not None and connection.origin
    return connection.origin


@pytest.mark.parametrize(
    ("thumb_url", "kept"),
    [
        ("/Panopto/Services/FrameGrabber.svc/FrameRedirect?objectId=1", True),  # a path
        ("HTTPS://Uni.Hosted.Panopto.com:443/Panopto/thumb.jpg", True),  # same origin
        ("https://uni.hosted.panopto.com.evil.example/thumb.jpg", False),
        ("https://cdn.example/thumb.jpg", False),
        ("//cdn.example/thumb.jpg", False),  # scheme-relative: another host
        ("javascript:alert(1)", False),
        ("data:image/svg+xml,<svg/>", False),
        ("", False),
    ],
)
def test_only_thumbnails_on_the_panopto_site_are_kept(thumb_url, kept):
    from panopto_link.panopto_api.connection import ApiConnection
    from panopto_link.panopto_api.recordings import thumbnail_on_site

    connection = ApiConnection(
        site_url="https://uni.hosted.panopto.com",
        provider_name="p",
        username="u",
        application_key="k",
    )
    found = thumbnail_on_site(thumb_url, connection=connection)
    if kept:
        assert found.startswith("https://uni.hosted.panopto.com/") or found.lower().startswith(
            "https://uni.hosted.panopto.com:443/"
        )
    else:
        assert found == ""


def test_a_naive_start_time_counts_as_utc_and_every_field_survives_the_cache():
    from panopto_link.panopto_api.recordings import (
        RecentRecording,
        recent_recordings,
        recordings_keep,
    )

    naive = datetime.datetime(2026, 9, 8, 10, 15)
    recordings_keep(
        "folder-naive",
        [RecentRecording("Első óra", naive, 5400.0, "https://uni.example/t.jpg")],
    )
    (kept,) = recent_recordings(["folder-naive"])["folder-naive"]
    assert kept == RecentRecording(
        "Első óra", naive.replace(tzinfo=datetime.UTC), 5400.0, "https://uni.example/t.jpg"
    )


def test_the_panopto_page_lists_each_folders_newest_recording_and_the_home_screen_three(
    client, member
):
    from tests.factories import MembershipFactory
    from tests.html import parse

    folder, _ = confirmed("MAT501")
    MembershipFactory(user=member, space=folder.space)
    run()
    for language, title in (("en", "Newest recording in Panopto"), ("hu", "A legújabb felvétel")):
        response = client.get(
            "/studies/information/panopto/?semester=all", HTTP_ACCEPT_LANGUAGE=language
        )
        document = parse(response.content)
        assert recent_titles(document) == ["Newest"]
        assert title in document.text
    assert recent_titles(home(client, folder.space)) == ["Newest", "Second", "Third"]
