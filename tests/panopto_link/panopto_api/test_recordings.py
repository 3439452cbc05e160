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
