"""Issue 25 in real Chromium, for the items the other browser tests do not walk: Back after a
launch shows the space page as it is now (item 4); IT imports memberships by Neptun code
(item 8), reads a refusal at a course's linked folder in the launch records (item 9), and
reminds the lecturers of this term's unopened folders (item 10)."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from panopto_link.models import FolderState, PanoptoFolder
from tests.factories import (
    CourseFactory,
    FolderFactory,
    MembershipFactory,
    UserFactory,
)
from tests.world import World
from virtualspaces.models import Membership, MembershipRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_WIDTH = {"width": 1280, "height": 800}


@pytest.fixture
def world(sites) -> World:
    """The launch tests' world, with the Panopto stand-in connected on the other site."""
    world = World()
    world.stand_in = sites.stand_in
    return world


@pytest.fixture
def it_admin():
    return UserFactory(username="itadmin", is_staff=True, is_superuser=True)


def own_folder_state(page) -> str:
    return page.locator(".folder:not(.folder--linked) .badge").first.inner_text()


def test_back_after_the_first_launch_shows_the_folder_opened(new_context, world):
    """Item 4: the lecturer's first launch opens the folder; Back showed the page as it was
    before (*Még nincs megnyitva* and the first-visit hint) until reloaded. The space page is
    sent with `no-store`, so Back asks the portal again; a browser that restores it from its
    back/forward cache anyway (this Chromium, headless, does not keep pages there) reloads it
    when it is shown again."""
    page = new_context(user=world.admin).new_page()
    space_url = re.compile(rf"/spaces/{world.course.pk}/$")
    documents = []
    page.on(
        "response",
        lambda r: documents.append(r) if r.request.resource_type == "document" else None,
    )
    page.goto(f"/spaces/{world.course.pk}/")
    assert own_folder_state(page) == "Még nincs megnyitva"
    hint = page.locator(".folder:not(.folder--linked) .hint")
    assert hint.is_visible()
    assert "no-store" in documents[-1].headers["cache-control"]

    page.locator(f'form[action="/panopto/launch/{world.course.pk}/"]').first.locator(
        "button[type=submit]"
    ).click()
    page.wait_for_url(lambda url: url.startswith(world.stand_in))
    assert PanoptoFolder.objects.get(space=world.course).state == FolderState.CREATED

    documents.clear()
    page.go_back()
    page.wait_for_url(space_url)
    page.wait_for_load_state()
    assert [r.status for r in documents if space_url.search(r.url)] == [200]
    assert own_folder_state(page) == "Megnyitva"
    assert hint.count() == 0

    # Shown again from a back/forward cache: the page reloads itself.
    documents.clear()
    page.evaluate(
        "() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
    )
    page.wait_for_load_state()
    page.wait_for_function("() => performance.getEntriesByType('navigation')[0].type === 'reload'")
    assert [r.url for r in documents if space_url.search(r.url)], "the page did not reload"


def test_it_imports_a_membership_by_the_students_neptun_code(new_context, world, it_admin):
    """Item 8: the first column is the Neptun code (the demo student's was refused as an
    unknown username); the result says which identifier matched."""
    student = UserFactory(username="hallgato", neptun_code="HK7Q2D")
    csv = "neptun;tér;szerep\nHK7Q2D;MAT101;member\nVENDEG;MAT101;guest member\n"
    page = new_context(user=it_admin, viewport=ADMIN_WIDTH).new_page()
    page.goto("/admin/virtualspaces/membership/import-csv/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "tagok.csv", "mimeType": "text/csv", "buffer": csv.encode()}],
    )
    page.locator("#content-main form input[type=submit], #content-main form button").first.click()
    page.wait_for_load_state()
    messages = page.locator(".messagelist").inner_text()
    assert "1 Neptun-kód, 1 felhasználónév alapján" in messages, messages
    assert Membership.objects.filter(
        user=student, space=world.subject, role=MembershipRole.MEMBER
    ).exists()
    assert Membership.objects.filter(
        user=world.guest_member, space=world.subject, role=MembershipRole.GUEST_MEMBER
    ).exists()


def test_a_refusal_at_the_linked_folder_is_recorded_against_that_folder(
    new_context, world, it_admin
):
    """Item 9: the course's own folder is open and its subject's folder is switched off after
    the student's page was shown; the student's click is refused, and the launch records name
    the subject's folder, linked, not the course's."""
    world.create_context(world.course)
    subject_folder = world.create_context(world.subject)
    student_page = new_context(user=world.member).new_page()
    student_page.goto(f"/spaces/{world.course.pk}/")
    linked = student_page.locator(".folder--linked form.launch:not(.launch--inactive)")
    assert linked.count() == 1
    PanoptoFolder.objects.filter(pk=subject_folder.pk).update(is_enabled=False)
    linked.locator("button[type=submit]").click()
    student_page.wait_for_load_state()
    assert not student_page.url.startswith(world.stand_in)

    page = new_context(user=it_admin, viewport=ADMIN_WIDTH).new_page()
    page.goto("/admin/lti_platform/launchrecord/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    folder = rows.first.locator("td.field-folder").inner_text()
    assert folder == f"{world.subject.code} (kapcsolt)", folder
    # The reason column is *indok*, and the table fits the admin's 1,280 px.
    headers = page.locator("#result_list thead th").all_inner_texts()
    assert any(header.strip().lower() == "indok" for header in headers), headers
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_it_reminds_the_lecturers_of_this_terms_unopened_folders(new_context, world, it_admin):
    """Item 10: the term's overview lists the folders not opened yet by lecturer, and one
    click e-mails each lecturer once."""
    term = world.course.semester
    waiting = CourseFactory(code="MAT102-EA", name="Analízis II – előadás", semester=term)
    FolderFactory(space=waiting)
    world.admin.email = "szabo.gabor@example.edu"
    world.admin.save()
    MembershipFactory(user=world.admin, space=waiting, role=MembershipRole.ADMINISTRATOR)
    opened = CourseFactory(code="FIZ101-EA", semester=term)
    FolderFactory(space=opened, state=FolderState.CREATED, created_at=timezone.now())
    mail.outbox.clear()

    page = new_context(user=it_admin, viewport=ADMIN_WIDTH).new_page()
    page.goto(f"/admin/panopto_link/panoptofolder/term-overview/?semester={term}")
    row = page.locator("#term-overview tbody tr").filter(has_text="Szabó Gábor")
    assert row.count() == 1
    spaces = row.locator(".term-overview__spaces li").all_inner_texts()
    assert any(text.startswith("MAT102-EA") for text in spaces), spaces
    assert "FIZ101-EA" not in page.locator("#term-overview").inner_text()

    page.get_by_role("button", name="Emlékeztető küldése e-mailben 1 oktatónak").click()
    page.wait_for_load_state()
    assert "1 emlékeztető elküldve." in page.locator(".messagelist").inner_text()
    [message] = [m for m in mail.outbox if "szabo.gabor@example.edu" in m.to]
    assert term in message.subject and "MAT102-EA" in message.body
