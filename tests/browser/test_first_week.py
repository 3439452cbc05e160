"""The first week of a term in real Chromium, as a student and a lecturer live it (issue 14):
the student sees this semester first, searches, and finds the folders not opened yet explained
with their lecturer's name; the lecturer finds "Add videos from Panopto" before the first
launch, adds videos through the stand-in's picker, picks one already linked again, and removes
one with a confirmation, on a phone 320 px wide."""

import datetime
import re

import pytest

from core import clock
from panopto_link.models import VideoLink
from panopto_link.simulator.services import SAMPLE_RECORDINGS
from tests.factories import (
    CourseFactory,
    FolderFactory,
    MembershipFactory,
    SpaceFactory,
    UserFactory,
)
from tests.panopto_link.conftest import World
from virtualspaces.models import MembershipRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_320 = {"width": 320, "height": 640}
MIN_TARGET = 24  # px, WCAG 2.5.8 (the portal's buttons are 44)


@pytest.fixture
def term(sites, monkeypatch):
    """Autumn 2026: a student with courses this semester and last spring, a lecturer whose
    course folder is not opened yet, and the stand-in connected."""
    monkeypatch.setattr(clock, "today", lambda: datetime.date(2026, 9, 8))
    portal = sites.portal
    world = World()  # Analízis I – előadás (MAT101-EA, 2026/27/1), lecturer Gábor Szabó
    world.create_context(world.subject)
    last_spring = CourseFactory(name="Fizika II – előadás", code="FIZ102-EA", semester="2025/26/2")
    FolderFactory(
        space=last_spring, state="created", created_at=datetime.datetime.now(datetime.UTC)
    )
    MembershipFactory(user=world.member, space=last_spring)
    MembershipFactory(user=world.member, space=world.subject)
    physics = SpaceFactory(name="Fizika", code="FIZ")
    MembershipFactory(user=world.member, space=physics)
    MembershipFactory(
        user=UserFactory(first_name="Anna", last_name="Kiss"),
        space=physics,
        role=MembershipRole.ADMINISTRATOR,
    )
    world.portal = portal
    world.last_spring, world.physics = last_spring, physics
    return world


def codes(page, standing: str) -> list[str]:
    return page.locator(f"[data-standing={standing}]").evaluate_all(
        "rows => rows.map(row => row.dataset.space)"
    )


def test_a_student_sees_this_term_first_searches_and_is_told_who_opens_the_waiting_folders(
    new_context, sign_in, term
):
    page = new_context().new_page()
    sign_in(page, term.member.username)
    page.get_by_role("navigation", name="Főmenü").get_by_role("link", name="Panopto").click()
    page.wait_for_url("**/studies/information/panopto/")

    # This semester is chosen; last spring's course is one click away.
    tabs = page.get_by_role("navigation", name="Félévek")
    chosen = tabs.locator("[aria-current=true]").inner_text()
    assert " ".join(chosen.split()) == "2026/27/1 (aktuális félév)"
    assert "FIZ102-EA" not in codes(page, "ready")
    assert codes(page, "ready") == ["MAT101"]  # the subject's folder, once
    assert page.locator("[data-count=ready]").inner_text() == "1"
    assert page.locator("[data-count=waiting]").inner_text() == "2"

    # What the student is waiting for: collapsed under one explanation, with the names.
    waiting = page.locator("details.waiting")
    assert not waiting.locator("li").first.is_visible()
    waiting.locator("summary").click()
    course_note = waiting.locator('li[data-space="MAT101-EA"] .waiting-list__note').inner_text()
    assert course_note.startswith("Szabó Gábor még nem nyitotta meg ezt a mappát.")
    assert "Önnek nincs teendője" in course_note
    physics_note = waiting.locator('li[data-space="FIZ"] .waiting-list__note').inner_text()
    assert physics_note.startswith("Kiss Anna még nem nyitotta meg")
    assert waiting.get_by_role("button").count() == 0  # no grey buttons to try

    # Search by name or code, within the semester.
    page.get_by_label("Keresés név vagy kód alapján").fill("fiz")
    page.get_by_role("button", name="Keresés").click()
    page.wait_for_url(re.compile(r"q=fiz"))
    assert codes(page, "ready") == [] and codes(page, "waiting") == ["FIZ"]
    tabs.get_by_role("link", name="2025/26/2").click()
    page.wait_for_url(re.compile(r"semester=2025%2F26%2F2"))
    assert codes(page, "ready") == ["FIZ102-EA"]
    assert page.get_by_label("Keresés név vagy kód alapján").input_value() == "fiz"

    # From a folder to its space and back: the breadcrumb leads to the list.
    page.goto("/studies/information/panopto/")
    page.locator('[data-standing=ready][data-space="MAT101"] h4 a').click()
    crumbs = page.get_by_role("navigation", name="Morzsamenü")
    crumbs.get_by_role("link", name="Panopto").click()
    page.wait_for_url("**/studies/information/panopto/")


def rows_fit(page) -> None:
    """Nothing scrolls sideways at 320 px, and every control is a comfortable target."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_320["width"]
    for control in page.locator("#videos button, #videos a.button").all():
        if control.is_visible():
            box = control.bounding_box()
            assert box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET, box


def test_a_lecturer_adds_videos_picks_one_again_and_removes_one_on_a_phone(new_context, term):
    course = term.course
    context = new_context(term.admin, viewport=PHONE_320, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"/spaces/{course.pk}/")
    rows_fit(page)

    # Before the first launch the picker is there, inactive, and a tap says why.
    pick = page.locator("#videos .panopto-videos__pick button")
    assert pick.get_attribute("aria-disabled") == "true"
    pick.tap(force=True)  # aria-disabled: Playwright would wait for it to be enabled
    feedback = page.locator("#videos-pick-feedback")
    feedback.wait_for(state="visible")
    page.wait_for_function("() => document.getElementById('videos-pick-feedback').textContent")
    assert feedback.inner_text().startswith("Először nyissa meg a tér Panopto-mappáját")
    assert page.url.endswith(f"/spaces/{course.pk}/")

    # The first launch opens the folder in the stand-in; back in the portal, the picker is on.
    page.locator(f'form[action="/panopto/launch/{course.pk}/"] button').first.tap()
    page.wait_for_url(re.compile("/panopto-sim/folders/"))
    page.goto(f"{term.portal}/spaces/{course.pk}/")

    def pick_recordings(*titles: str) -> None:
        page.locator(f'form[action="/panopto/videos/{course.pk}/pick/"] button').tap()
        page.wait_for_url(re.compile("/panopto-sim/deep-link/"))
        for title in titles:
            page.get_by_label(title).check()
        page.locator("button[name=action][value=add]").tap()
        # Back on the space's page at once, its videos section saying what was added.
        page.wait_for_url(re.compile(rf"/spaces/{course.pk}/#videos$"))

    first, second, third = (recording[0] for recording in SAMPLE_RECORDINGS)
    pick_recordings(first, second)
    said = page.locator("#videos .messages li").all_inner_texts()
    assert said == [f"A portál 2 videót hozzáadott a térhez: „{first}”, „{second}”."]
    assert page.locator("header .user-name").inner_text() == "Szabó Gábor"  # signed in

    # Picked again (Panopto's picker does not mark it): not linked twice, and the page says so.
    page.goto(f"/spaces/{course.pk}/")
    page.locator(f'form[action="/panopto/videos/{course.pk}/pick/"] button').tap()
    page.wait_for_url(re.compile("/panopto-sim/deep-link/"))
    page.get_by_label(second).check()
    page.get_by_label(third).check()
    page.locator("button[name=action][value=add]").tap()
    page.wait_for_url(re.compile(rf"/spaces/{course.pk}/#videos$"))
    said = page.locator("#videos .messages li").all_inner_texts()
    assert said[0] == f"A portál 1 videót hozzáadott a térhez: „{third}”."
    assert said[1].endswith(f": „{second}”.")
    assert list(VideoLink.objects.filter(space=course).values_list("title", flat=True)) == [
        first,
        second,
        third,
    ]

    # The list on the phone: dates and lengths, comfortable buttons, no sideways scrolling.
    page.goto(f"/spaces/{course.pk}/")
    rows_fit(page)
    facts = page.locator("#videos .video-list__facts").first.inner_text()
    assert re.search(r"Felvéve: \d{4}\. \d{2}\. \d{2}\. · Hossz: 1:34:00", facts), facts

    # Removing asks first; cancelling keeps the video, confirming removes it and says so
    # where the list is.
    item = page.locator("#videos .video-list__item").filter(has_text=second)
    item.get_by_role("link", name=re.compile("^Eltávolítás")).tap()
    page.wait_for_url(re.compile("/remove/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Eltávolítja a videót?"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_320["width"]
    page.get_by_role("link", name="Mégse").tap()
    page.wait_for_url(re.compile(rf"/spaces/{course.pk}/#videos"))
    assert VideoLink.objects.filter(space=course).count() == 3
    item.get_by_role("link", name=re.compile("^Eltávolítás")).tap()
    page.wait_for_url(re.compile("/remove/"))
    page.locator("main form button[name=action][value=remove]").tap()
    page.wait_for_url(re.compile(rf"/spaces/{course.pk}/#videos"))
    assert VideoLink.objects.filter(space=course).count() == 2
    message = page.locator("#videos .message")
    assert message.inner_text() == f"„{second}” ezután nem jelenik meg a tér videói között."
    assert message.is_visible() and message.bounding_box()["y"] < 2000
    rows_fit(page)
