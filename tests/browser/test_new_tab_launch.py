"""A registration that opens Panopto in a new tab (issue 12), in real Chromium with the portal
and the stand-in on two sites: the launch is the same POST with every check, the folder opens in
a new page that cannot script the portal's window, and the portal's page stays and says where
the folder went."""

import io

import pytest
from django.utils import translation

from core.names import full_name
from panopto_link.models import PanoptoRegistration
from panopto_link.simulator.demo import connect_stand_in
from tests.browser.conftest import Sites
from tests.browser.test_cross_site_launch import assert_in_folder, launch_button
from tests.factories import LicenceFactory, RegistrationFactory
from tests.panopto_link.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_tab_world(live_server, settings) -> tuple[Sites, World]:
    sites = Sites(live_server.url)
    settings.LTI_ISSUER = sites.portal
    LicenceFactory()
    RegistrationFactory(launch_opens="new_tab")
    connect_stand_in(portal_url=sites.portal, stand_in_origin=sites.stand_in, stdout=io.StringIO())
    assert PanoptoRegistration.load().opens_in_new_tab
    return sites, World()


def test_the_folder_opens_in_a_new_tab_and_the_portal_page_says_so(
    new_context, sign_in, new_tab_world
):
    sites, world = new_tab_world
    course = world.course
    context = new_context()
    page = context.new_page()
    sign_in(page, world.admin.username)
    home = f"{sites.portal}/spaces/{course.pk}/"
    page.goto(home)
    form = page.locator(f'form[action="/panopto/launch/{course.pk}/"]').first
    assert form.get_attribute("method") == "post"
    assert form.get_attribute("target") == "_blank"
    assert "noopener" in form.get_attribute("rel").split()

    with context.expect_page() as opened:
        launch_button(page, course).click()
    folder_page = opened.value
    folder_page.wait_for_url(lambda url: url.startswith(sites.stand_in + "/panopto-sim/folders/"))
    folder_page.wait_for_load_state()
    assert_in_folder(folder_page, sites, name="Analízis I – előadás (MAT101-EA)", role="creator")
    # The tool's page cannot reach back into the portal's window.
    assert folder_page.evaluate("window.opener") is None
    assert folder_page.locator("[data-opened]").get_attribute("data-opened") == "new-tab"

    # The portal's page is where it was, and says where the folder went.
    assert page.url == home
    note = page.locator(f"#panopto-{course.pk}-{course.pk}-opened")
    with translation.override("hu"):
        expected = translation.gettext(
            "The Panopto folder opened in a new tab; this page stays open."
        )
    note.wait_for(state="visible")
    assert note.inner_text().strip() == expected
    assert note.get_attribute("role") == "status"
    assert len(context.pages) == 2


def launch_in_new_tab(new_context, sign_in, sites: Sites, user, space):
    context = new_context()
    page = context.new_page()
    sign_in(page, user.username)
    page.goto(f"/spaces/{space.pk}/")
    with context.expect_page() as opened:
        launch_button(page, space).click()
    folder_page = opened.value
    folder_page.wait_for_url(lambda url: url.startswith(sites.stand_in + "/panopto-sim/"))
    folder_page.wait_for_load_state()
    return folder_page


def test_a_member_entering_in_a_new_tab_is_still_the_signed_in_member(
    new_context, sign_in, new_tab_world
):
    """The new tab carries the same session: the message hint names the signed-in member, and
    the stand-in sees the member as Viewer."""
    sites, world = new_tab_world
    name = "Analízis I – előadás (MAT101-EA)"
    launch_in_new_tab(new_context, sign_in, sites, world.admin, world.course)  # creates it
    folder_page = launch_in_new_tab(new_context, sign_in, sites, world.member, world.course)
    assert_in_folder(folder_page, sites, name=name, role="viewer")
    # Named in the order of the stand-in page's language (the launch's locale), as the portal.
    language = folder_page.locator("html").get_attribute("lang")
    shown = folder_page.locator(".sim-header__user").inner_text()
    assert shown == full_name(world.member.first_name, world.member.last_name, language=language)
