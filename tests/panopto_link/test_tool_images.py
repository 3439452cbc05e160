"""Video thumbnails come from the registered Panopto site and from nowhere else outside the
portal: `img-src` names the tool's origins on pages that show them, and no `https:` wildcard
(found from outside, issue 15; it also lets the demo's plain-http thumbnails appear)."""

import pytest

from panopto_link.models import VideoLink

pytestmark = pytest.mark.django_db


def img_src(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directive = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    return directive.split()[1:]


def test_a_space_with_videos_lets_images_come_from_the_tool_only(client, world):
    world.create_context()
    VideoLink.objects.create(
        space=world.course,
        title="1. előadás",
        url="https://panopto.example.com/Panopto/LTI/LTI13.aspx?id=1",
        thumbnail_url="https://panopto.example.com/thumb/1.png",
    )
    client.force_login(world.member)
    response = client.get(f"/spaces/{world.course.pk}/")
    assert 'src="https://panopto.example.com/thumb/1.png"' in response.content.decode()
    assert img_src(response) == ["'self'", "https://panopto.example.com"]


def test_pages_that_show_no_video_allow_the_portals_own_images_only(client, world):
    assert img_src(client.get("/sign-in/")) == ["'self'"]
    client.force_login(world.member)
    response = client.get("/spaces/public/")
    assert "https:" not in img_src(response)
