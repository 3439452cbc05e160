"""The per-user limit on launch clicks (core.rate_limits): beyond it a clear 429 page."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def launch_limit(settings):
    settings.RATE_LIMIT_LAUNCH = (3, 60)


def click(client, space):
    return client.post(f"/panopto/launch/{space.pk}/", HTTP_ACCEPT_LANGUAGE="en")


def test_launch_clicks_beyond_the_limit_get_the_429_page(client, world, launch_limit):
    world.create_context()
    client.force_login(world.member)
    assert [click(client, world.course).status_code for _ in range(3)] == [302, 302, 302]
    refused = click(client, world.course)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Too many attempts" in page and "wait a little" in page
    # The decision page (GET) is not a launch and stays reachable.
    assert client.get(f"/panopto/launch/{world.course.pk}/").status_code == 200


def test_one_users_clicks_do_not_hold_back_another(client, world, launch_limit):
    world.create_context()
    client.force_login(world.member)
    for _ in range(4):
        click(client, world.course)
    other = Client()
    other.force_login(world.guest_member)
    assert click(other, world.course).status_code == 302


@pytest.mark.parametrize("path", ["pick/", "1/open/"])
def test_video_launches_count_against_the_same_limit(client, world, launch_limit, path):
    world.create_context()
    client.force_login(world.admin)
    for _ in range(3):
        click(client, world.course)
    response = client.post(f"/panopto/videos/{world.course.pk}/{path}")
    assert response.status_code == 429
