"""The whole launch in real Chromium, with the portal and the Panopto stand-in on different
sites (the live server as localhost, the stand-in as 127.0.0.1 on the same port), so that
cookies behave as they do between a real portal and Panopto: an administrator creates the folder
and enters as Creator, then a member and a guest of the public course enter as Viewer; and the
administrator picks recordings in the stand-in's content picker, which a student then plays.

These tests fail when a cookie the cross-site form post needs is not `SameSite=None; Secure`:
the stand-in then answers "State not found" instead of its folder page."""

import re

import pytest

from panopto_link.models import VideoLink
from panopto_link.simulator.services import SAMPLE_RECORDINGS
from tests.browser.conftest import Sites
from tests.panopto_link.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(sites) -> World:
    return World()


def open_panopto_button(page, space) -> None:
    """The space's Home screen, whose Panopto element has the button."""
    page.goto(f"/spaces/{space.pk}/")


def launch_button(page, space):
    # Found by its form, not its label: the same in Hungarian and English.
    return page.locator(f'form[action="/panopto/launch/{space.pk}/"] button[type=submit]').first


def launch(new_context, sign_in, sites: Sites, user, space):
    """Sign in to the portal in a fresh browser, click the button, wait for the stand-in."""
    context = new_context()
    page = context.new_page()
    sign_in(page, user.username)
    open_panopto_button(page, space)
    launch_button(page, space).click()
    page.wait_for_url(lambda url: url.startswith(sites.stand_in))
    page.wait_for_load_state()
    return context, page


def assert_in_folder(page, sites: Sites, *, name: str, role: str) -> None:
    html = page.content()
    assert page.url.startswith(sites.stand_in + "/panopto-sim/folders/"), (page.url, html[-800:])
    folder = page.locator("section.sim-folder")
    assert folder.get_attribute("data-role") == role
    assert page.locator("section.sim-folder h1").inner_text() == name


def assert_cross_site_cookies(context, sites: Sites) -> None:
    """The stand-in's own cookies survive a cross-site form post; the portal's need not."""
    stand_in = {c["name"]: c for c in context.cookies(sites.stand_in + "/panopto-sim/")}
    state_cookies = [c for name, c in stand_in.items() if name.startswith("lti1p3-state-")]
    assert state_cookies and "panopto_sim_session" in stand_in, list(stand_in)
    for cookie in [*state_cookies, stand_in["panopto_sim_session"]]:
        assert (cookie["sameSite"], cookie["secure"], cookie["httpOnly"]) == ("None", True, True)
    portal = {c["name"]: c for c in context.cookies(sites.portal)}
    assert portal["sessionid"]["sameSite"] == "Lax"
    assert "panopto_sim_session" not in portal


def test_administrator_then_member_then_public_guest_launch_across_sites(
    new_context, sign_in, sites, world
):
    name = "Analízis I – előadás (MAT101-EA)"

    # Before the administrator's first click the member sees why the link is inactive (SPEC §3).
    context = new_context()
    page = context.new_page()
    sign_in(page, world.member.username)
    open_panopto_button(page, world.course)
    # The reason names the course's administrator (issue 25 item 2).
    assert "Akkor érhető el, ha Szabó Gábor már megnyitotta a Panopto-mappát." in page.content()
    context.close()

    context, page = launch(new_context, sign_in, sites, world.admin, world.course)
    assert_in_folder(page, sites, name=name, role="creator")
    assert_cross_site_cookies(context, sites)
    assert page.locator(".sim-recording").count() == 3

    context, page = launch(new_context, sign_in, sites, world.member, world.course)
    assert_in_folder(page, sites, name=name, role="viewer")
    assert_cross_site_cookies(context, sites)

    context, page = launch(new_context, sign_in, sites, world.public_guest, world.course)
    assert_in_folder(page, sites, name=name, role="viewer")
    assert world.public_guest.memberships.count() == 0  # a guest of the public course


def test_linked_folder_shows_on_the_members_stand_in_dashboard(new_context, sign_in, sites, world):
    launch(new_context, sign_in, sites, world.admin, world.subject)
    launch(new_context, sign_in, sites, world.admin, world.course)
    _context, page = launch(new_context, sign_in, sites, world.member, world.course)
    links = page.locator(".sim-folders__link")
    folders = [
        (link.locator(".sim-folders__name").inner_text(), link.get_attribute("data-role"))
        for link in links.all()
    ]
    assert folders == [
        ("Analízis I (MAT101)", "viewer"),
        ("Analízis I – előadás (MAT101-EA)", "viewer"),
    ]


def button_of(page, action: str):
    """A portal button found by its form's action: the same in Hungarian and English."""
    return page.locator(f'form[action="{action}"] button[type=submit]').first


def test_administrator_picks_two_recordings_and_a_student_plays_one_across_sites(
    new_context, sign_in, sites, world
):
    """Deep linking both ways across sites: the portal's deep-linking request is a cross-site
    form post to the stand-in's picker (its state cookie must be SameSite=None), the picker's
    answer a cross-site form post back to the portal (which needs no cookie at all), and the
    student's "Play" a resource-link launch that lands on the recording's viewer."""
    course = world.course
    first, second = SAMPLE_RECORDINGS[0][0], SAMPLE_RECORDINGS[2][0]
    context, page = launch(new_context, sign_in, sites, world.admin, course)  # creates the folder

    open_panopto_button(page, course)
    button_of(page, f"/panopto/videos/{course.pk}/pick/").click()
    page.wait_for_url(sites.stand_in + "/panopto-sim/deep-link/")
    assert page.locator("input[name=recording]").count() == 3, page.content()[-800:]
    page.get_by_label(first).check()  # checkboxes found by their labels, as a person does
    page.get_by_label(second).check()
    assert_cross_site_cookies(context, sites)
    page.locator("button[name=action][value=add]").click()

    # The tool's cross-site post comes without the portal's session; the portal's own page that
    # follows shows what was linked, signed in (name, menu, sign-out).
    page.wait_for_url(re.compile(re.escape(sites.portal) + r"/spaces/\d+/#videos$"))
    assert page.locator("header .user-name").is_visible()
    said = page.locator("main #videos .messages li").all_inner_texts()
    assert len(said) == 1 and first in said[0] and second in said[0], page.content()[-800:]
    videos = list(VideoLink.objects.filter(space=course))
    assert [video.title for video in videos] == [first, second]
    # Panopto's shape: one launch URL, the recording named in the custom map.
    assert {video.url for video in videos} == {sites.stand_in + "/panopto-sim/launch/"}
    assert all(video.custom.keys() == {"context_delivery"} for video in videos)
    # Already on the space's page (no "back" link to click).
    assert page.locator("#videos .video-list strong").all_inner_texts() == [first, second]
    context.close()

    context = new_context()
    page = context.new_page()
    sign_in(page, world.member.username)
    open_panopto_button(page, course)
    button_of(page, f"/panopto/videos/{course.pk}/{videos[1].pk}/open/").click()
    page.wait_for_url(lambda url: url.startswith(sites.stand_in + "/panopto-sim/viewer/"))
    viewer = page.locator("article.sim-viewer")
    assert viewer.get_attribute("data-role") == "viewer", page.content()[-800:]
    assert viewer.locator("h1").inner_text() == second
    delivery = videos[1].custom["context_delivery"]
    assert page.url == f"{sites.stand_in}/panopto-sim/viewer/{delivery}/"
    assert_cross_site_cookies(context, sites)

    # The stand-in's own forms pass Django's CSRF check in a real browser (its Origin header).
    page.locator(".sim-header form button[type=submit]").click()
    page.wait_for_url(sites.stand_in + "/panopto-sim/")
    assert page.locator("main h1").inner_text() == "Nincs bejelentkezve"  # "You are not signed in"
