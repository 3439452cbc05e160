"""The Panopto screens in real Chromium: the menu, Studies → Information → Panopto, the Home
screen's Panopto element, inactive buttons' reasons, the licence, the language switch."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core import clock
from panopto_link.models import FolderState, PanoptoFolder, PanoptoLicence, PanoptoRegistration
from tests.browser.conftest import PHONE
from tests.factories import (
    CourseFactory,
    FolderFactory,
    FolderLinkFactory,
    LicenceFactory,
    MembershipFactory,
    RegistrationFactory,
    SpaceFactory,
    UserFactory,
)
from virtualspaces.models import MembershipRole, SpaceType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON_HU = "Tovább a Panopto-rendszerbe"
NOT_CREATED_HU = "Akkor érhető el, ha Szabó Gábor már megnyitotta a Panopto-mappát."


def created() -> dict:
    return {"state": FolderState.CREATED, "created_at": timezone.now()}


@pytest.fixture
def university():
    """A licensed, configured portal with one lecturer's subject and course and a student."""
    LicenceFactory()
    RegistrationFactory()
    lecturer = UserFactory(username="OKTATO", first_name="Gábor", last_name="Szabó")
    student = UserFactory(username="HALLGATO", first_name="Hanna", last_name="Kovács")
    subject = SpaceFactory(name="Analízis I", code="NPUMAT101")
    course = CourseFactory(
        name="Analízis I – előadás", code="NPUMAT101-EA-2026-27-1", subject=subject
    )
    FolderFactory(space=subject, **created())
    FolderFactory(space=course)  # the lecturer has not opened it yet
    FolderLinkFactory(course=course, linked_space=subject)
    for space in (subject, course):
        MembershipFactory(user=lecturer, space=space, role=MembershipRole.ADMINISTRATOR)
        MembershipFactory(user=student, space=space, role=MembershipRole.MEMBER)
    return {
        "lecturer": lecturer,
        "student": student,
        "subject": subject,
        "course": course,
    }


def folder(page, space, owner=None):
    return page.locator(f"#panopto-{space.pk}-{(owner or space).pk}")


def test_student_signs_in_and_finds_their_folders_in_the_menu(page, sign_in, university):
    sign_in(page, "HALLGATO")
    menu = page.get_by_role("navigation", name="Főmenü")
    menu.get_by_role("link", name="Panopto", exact=True).click()
    page.wait_for_url("**/studies/information/panopto/")
    assert page.get_by_role("heading", level=1).inner_text() == "Panopto előadásfelvételek"
    subject, course = university["subject"], university["course"]
    assert page.get_by_role("heading", name=re.compile("^Tárgyak")).is_visible()
    assert page.get_by_role("heading", name=re.compile("^Megnyitható")).is_visible()
    assert page.get_by_role("heading", name=re.compile("^Még nincs megnyitva")).is_visible()
    own = folder(page, subject)
    assert own.get_by_role("button", name=re.compile(BUTTON_HU)).is_enabled()
    assert own.locator(".launch__role").inner_text() == "Megtekintőként lép be."
    # The course's own folder waits for the lecturer: listed apart, collapsed, with no button.
    waiting = page.locator(f'[data-standing=waiting][data-space="{course.code}"]')
    assert waiting.is_hidden()
    page.get_by_text(re.compile("még meg nem nyitott")).click()
    assert "Szabó Gábor még nem nyitotta meg ezt a mappát." in waiting.inner_text()
    assert waiting.get_by_role("button").count() == 0
    # The subject's folder is listed once, with the course linking it.
    assert page.locator(f'[data-space="{subject.code}"]').count() == 1


def test_inactive_button_shows_its_reason_as_text_naming_the_lecturer(page, log_in, university):
    """Issue 25 item 2: the reason was a tooltip, seen only on hover, focus or tap; it is text
    beside the button, naming the lecturer, at the desktop width and at 320 px."""
    log_in(university["student"])
    course = university["course"]
    page.goto(f"/spaces/{course.pk}/")
    button = folder(page, course).get_by_role("button", name=re.compile(BUTTON_HU))
    reason = page.locator(f"#{button.get_attribute('aria-describedby')}")
    assert reason.get_attribute("role") is None
    assert reason.is_visible()  # without hovering or focusing anything
    assert reason.inner_text() == NOT_CREATED_HU
    page.set_viewport_size({"width": 320, "height": 640})
    assert reason.is_visible()
    page.set_viewport_size({"width": 1280, "height": 800})

    # Keyboard only: Tab until the button has focus; it is focusable although inactive.
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the inactive button cannot be reached with Tab")

    # Enter "clicks": no navigation, the reason is announced as a status message.
    page.keyboard.press("Enter")
    feedback = page.locator(f"#{button.get_attribute('data-feedback')}")
    assert feedback.get_attribute("role") == "status"
    page.wait_for_function(
        "id => document.getElementById(id).textContent.length > 0", arg=feedback.get_attribute("id")
    )
    assert feedback.text_content() == NOT_CREATED_HU
    assert page.url.endswith(f"/spaces/{course.pk}/")


def test_member_waits_for_the_administrators_first_launch(new_context, live_server, university):
    course = university["course"]
    # Panopto's login initiation, played by a path of the live server: a redirect leaving the
    # browser for a host that does not resolve here could not be followed.
    stand_in_login = live_server.url + "/stand-in-panopto/oidc/login"
    PanoptoRegistration.objects.update(login_url=stand_in_login)

    def open_as(user):
        page = new_context(user).new_page()
        page.goto(f"/spaces/{course.pk}/")
        return page

    student, lecturer = open_as(university["student"]), open_as(university["lecturer"])
    button = folder(student, course).get_by_role("button", name=re.compile(BUTTON_HU))
    assert button.get_attribute("aria-disabled") == "true"

    # The lecturer's first click: the hint, then the launch towards Panopto's login (the LTI
    # exchange itself is tested elsewhere).
    own = folder(lecturer, course)
    assert "Az első belépése létrehozza" in own.locator(".hint").inner_text()
    assert own.locator(".launch__role").inner_text() == "Létrehozóként lép be."
    with lecturer.expect_navigation(url=re.compile(re.escape(stand_in_login))):
        own.get_by_role("button", name=re.compile(BUTTON_HU)).click()
    assert "lti_message_hint=" in lecturer.url and "login_hint=" in lecturer.url

    # Panopto's successful authorization marks the folder created (as launch_authorize
    # does); the member's next visit finds the button open, as Viewer.
    PanoptoFolder.objects.filter(space=course).update(**created())
    student.reload()
    button = folder(student, course).get_by_role("button", name=re.compile(BUTTON_HU))
    assert button.get_attribute("aria-disabled") is None
    role = folder(student, course).locator(".launch__role").inner_text()
    assert role == "Megtekintőként lép be."


def test_turning_the_licence_off_hides_the_menu_item_and_the_element(page, log_in, university):
    log_in(university["student"])
    course = university["course"]
    page.goto(f"/spaces/{course.pk}/")
    menu_item = page.locator("nav.main-menu [data-menu-item=panopto]")
    element = page.locator("[data-panopto-element]")
    assert menu_item.is_visible() and element.is_visible()

    PanoptoLicence.objects.update(is_enabled=False)
    page.reload()
    assert menu_item.count() == 0 and element.count() == 0
    assert page.get_by_text(BUTTON_HU).count() == 0
    response = page.goto("/studies/information/panopto/")
    assert response.status == 404
    # A bookmark of the Panopto page says why it is missing (issue 25 item 1).
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "A Panopto ebben az intézményben nem érhető el"
    assert page.locator("header .user-name").is_visible()

    # A switched-off registration: the reason where the button was, no "opened" badge.
    PanoptoLicence.objects.update(is_enabled=True)
    PanoptoRegistration.objects.update(is_enabled=False)
    page.goto(f"/spaces/{course.pk}/")
    subject_block = folder(page, course, university["subject"])  # its linked folder, opened
    assert subject_block.locator(".badge").inner_text() == "Nem érhető el"
    assert (
        subject_block.locator(".launch-reason")
        .inner_text()
        .startswith("A Panopto még nem érhető el")
    )
    assert subject_block.locator(".launch-reason").is_visible()
    PanoptoRegistration.objects.update(is_enabled=True)

    page.goto(f"/spaces/{course.pk}/")
    assert menu_item.is_visible() and element.is_visible()


def test_language_switch_changes_the_text_and_keeps_the_page(page, log_in, university):
    log_in(university["student"])
    path = "/studies/information/panopto/?semester=2026%2F27%2F1"
    page.goto(path)
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Panopto előadásfelvételek"
    assert page.locator("html").get_attribute("lang") == "hu"

    page.get_by_role("button", name=re.compile("^EN")).click()
    page.wait_for_load_state()
    assert page.url.endswith(path)
    assert heading.inner_text() == "Panopto lecture recordings"
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.get_by_role("button", name=re.compile("Continue to the Panopto system")).count() >= 1
    )
    assert page.locator(".semester-tabs [aria-current=true]").get_attribute("data-semester") == (
        "2026/27/1"
    )

    page.get_by_role("button", name=re.compile("^HU")).click()
    page.wait_for_load_state()
    assert page.url.endswith(path)
    assert heading.inner_text() == "Panopto előadásfelvételek"


# --- how it looks --------------------------------------------------------------------------------

SCREENSHOTS = Path(settings.BASE_DIR) / (
    "docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else "test-artifacts/screenshots"
)


@pytest.fixture
def demo_semester(university):
    """University's data filled out for pictures: more spaces in several states."""
    student, lecturer = university["student"], university["lecturer"]
    algebra = SpaceFactory(name="Lineáris algebra", code="NPUMAT102")
    FolderFactory(space=algebra, is_enabled=False)
    practice = CourseFactory(
        name="Analízis I – gyakorlat 1",
        code="NPUMAT101-GY1-2026-27-1",
        subject=university["subject"],
    )
    FolderFactory(space=practice, **created())
    FolderLinkFactory(course=practice, linked_space=university["subject"])
    choir = SpaceFactory(name="Egyetemi kórus", code="NPU-KORUS", space_type=SpaceType.OTHER)
    FolderFactory(space=choir, **created())
    for space, role in [
        (algebra, MembershipRole.MEMBER),
        (practice, MembershipRole.MEMBER),
        (choir, MembershipRole.GUEST_MEMBER),
    ]:
        MembershipFactory(user=student, space=space, role=role)
        MembershipFactory(user=lecturer, space=space, role=MembershipRole.ADMINISTRATOR)
    for _ in range(3):
        MembershipFactory(space=university["course"])
    university["course"].description = "Hétfő 10:15–12:00, K.150 előadó. Zárthelyi: a 7. héten."
    university["course"].save()
    return university


def test_screenshot_pages_on_desktop_and_phone(context, log_in, demo_semester, monkeypatch):
    """Takes the README's screenshots (`make screenshots` writes them to docs/screenshots/),
    and checks that neither page scrolls sideways on a 375 px wide phone. The Panopto page
    shows ready folders and, opened, the ones not opened yet."""
    monkeypatch.setattr(clock, "today", lambda: datetime.date(2026, 9, 14))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(demo_semester["student"])
    course = demo_semester["course"]
    page = context.new_page()
    page.goto("/studies/information/panopto/")
    page.locator("details.waiting summary").click()
    page.screenshot(path=SCREENSHOTS / "studies-information-panopto.png", full_page=True)
    page.goto(f"/spaces/{course.pk}/")
    folder(page, course).get_by_role("button", name=re.compile(BUTTON_HU)).hover()
    page.screenshot(path=SCREENSHOTS / "space-home.png", full_page=True)

    phone = context.new_page()
    phone.set_viewport_size(PHONE)
    for path, name in [
        ("/studies/information/panopto/", "studies-information-panopto-phone.png"),
        (f"/spaces/{course.pk}/", "space-home-phone.png"),
    ]:
        phone.goto(path)
        if "panopto" in path:
            phone.locator("details.waiting summary").click()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        phone.screenshot(path=SCREENSHOTS / name, full_page=True)
    for name in ("studies-information-panopto.png", "space-home.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000


@pytest.mark.parametrize("name", [("Gábor", "Szabó"), ("Kristóf Benedek", "Vásárhelyi-Nagy")])
def test_the_signed_in_name_is_whole_in_the_header_at_320_px(page, log_in, name):
    """Issue 25 item 7: the name was cut to two letters (an ellipsis) at 320 px."""
    user = UserFactory(username="NARROW", first_name=name[0], last_name=name[1])
    log_in(user)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    shown = page.locator("header .user-name")
    assert shown.inner_text() == f"{name[1]} {name[0]}"
    assert shown.evaluate("e => e.scrollWidth <= e.clientWidth")  # nothing cut off
    box = shown.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    # And the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
