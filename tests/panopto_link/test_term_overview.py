"""This term's overview (issue 25 item 10): the term's folders not opened yet, by lecturer, as
a page and a command, and the reminder e-mails."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from panopto_link.models import FolderState
from panopto_link.selectors import term_overview
from tests.factories import CourseFactory, FolderFactory, MembershipFactory, UserFactory
from tests.html import parse
from virtualspaces.models import MembershipRole

pytestmark = pytest.mark.django_db

TERM = "2026/27/2"
PAGE = reverse("admin:panopto_link_panoptofolder_term_overview")


@pytest.fixture
def term():
    """Szabó Gábor's two courses wait, Kiss Anna's one is open, one course has nobody."""
    szabo = UserFactory(first_name="Gábor", last_name="Szabó", email="szabo.gabor@example.edu")
    kiss = UserFactory(first_name="Anna", last_name="Kiss", email="kiss.anna@example.edu")
    nomail = UserFactory(first_name="Béla", last_name="Aba", email="")
    waiting = [CourseFactory(code=f"MAT10{n}-EA", semester=TERM) for n in (1, 2)]
    for course in waiting:
        FolderFactory(space=course)
        MembershipFactory(user=szabo, space=course, role=MembershipRole.ADMINISTRATOR)
        MembershipFactory(space=course)  # a student: not the one reminded
    opened = CourseFactory(code="FIZ101-EA", semester=TERM)
    FolderFactory(space=opened, state=FolderState.CREATED, created_at=timezone.now())
    MembershipFactory(user=kiss, space=opened, role=MembershipRole.ADMINISTRATOR)
    nomail_course = CourseFactory(code="KEM101-EA", semester=TERM)
    MembershipFactory(user=nomail, space=nomail_course, role=MembershipRole.ADMINISTRATOR)
    switched_off = CourseFactory(code="BIO101-EA", semester=TERM)
    FolderFactory(space=switched_off, is_enabled=False)
    MembershipFactory(user=kiss, space=switched_off, role=MembershipRole.ADMINISTRATOR)
    CourseFactory(code="NOBODY-EA", semester=TERM)
    CourseFactory(code="OTHER-EA", semester="2026/27/1")  # another term
    return {"szabo": szabo}


def test_the_overview_lists_the_terms_unopened_folders_by_lecturer(term):
    groups = term_overview(TERM)
    assert [
        (group.lecturer.last_name if group.lecturer else None, [s.code for s in group.spaces])
        for group in groups
    ] == [
        ("Aba", ["KEM101-EA"]),
        ("Szabó", ["MAT101-EA", "MAT102-EA"]),
        (None, ["NOBODY-EA"]),
    ]


def test_the_command_lists_them_and_sends_one_reminder_per_lecturer_with_an_address(
    term, capsys, settings
):
    settings.LTI_ISSUER = "https://neptun.example.edu"
    call_command("panopto_term_overview", "--semester", TERM)
    listed = capsys.readouterr().out
    assert "Term 2026/27/2: 4 folders not opened yet." in listed
    assert "MAT102-EA" in listed and "FIZ101-EA" not in listed and "BIO101-EA" not in listed
    assert mail.outbox == []
    call_command("panopto_term_overview", "--semester", TERM, "--send-reminders")
    out = capsys.readouterr().out
    assert "[1/1] reminder sent to" in out and "1 reminders sent." in out
    assert "No e-mail address, not reminded:" in out
    [message] = mail.outbox
    assert message.to == ["szabo.gabor@example.edu"]
    assert TERM in message.subject
    assert "MAT101-EA" in message.body and "MAT102-EA" in message.body
    assert "https://neptun.example.edu/spaces/" in message.body


def test_the_commands_english_lines_name_lecturers_given_name_first_whatever_the_language(
    term, capsys
):
    with translation.override("hu"):  # a command run with the portal's default language
        call_command("panopto_term_overview", "--semester", TERM)
    listed = capsys.readouterr().out
    assert "Gábor Szabó <szabo.gabor@example.edu>: 2" in listed
    assert "Szabó Gábor" not in listed


def test_the_command_refuses_a_term_without_spaces(term):
    with pytest.raises(CommandError, match="No space has the semester 1999/00/1"):
        call_command("panopto_term_overview", "--semester", "1999/00/1")


def test_the_admin_page_shows_the_overview_and_sends_the_reminders(admin_client, term):
    document = parse(admin_client.get(PAGE + f"?semester={TERM}", HTTP_ACCEPT_LANGUAGE="en"))
    rows = document.find(id="term-overview").find("tbody").find_all("tr")
    assert [row.find("th").text for row in rows] == [
        "Béla Aba",
        "Gábor Szabó",
        "No administrator: nobody can open these",
    ]
    response = admin_client.post(PAGE, {"semester": TERM})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["szabo.gabor@example.edu"]]


def test_who_may_only_view_folders_sees_the_overview_but_sends_nothing(client, term):
    from panopto_link.staff import helpdesk_group_ensure

    helpdesk = UserFactory(is_staff=True)
    helpdesk.groups.add(helpdesk_group_ensure())
    client.force_login(helpdesk)
    page = client.get(PAGE + f"?semester={TERM}")
    assert page.status_code == 200
    assert b'type="submit" class="default"' not in page.content
    assert client.post(PAGE, {"semester": TERM}).status_code == 403
    assert mail.outbox == []


def test_a_made_up_semester_shows_the_default_term(admin_client, term):
    response = admin_client.get(PAGE + "?semester=<script>")
    assert response.status_code == 200
    assert b"<script>" not in response.content
