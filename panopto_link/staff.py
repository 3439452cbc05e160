"""What the portal gives and sends IT's staff: the helpdesk's group (its rights are named in
`permissions.staff.HELPDESK_PERMISSIONS`) and the term's reminder e-mails to lecturers whose folders
nobody has opened yet (issue 25 items 10 and 11)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.names import person_name
from panopto_link.permissions.staff import HELPDESK_GROUP, helpdesk_permissions
from panopto_link.selectors import LecturerFolders


def helpdesk_group_ensure() -> Any:
    """The helpdesk's group with exactly `permissions.staff.helpdesk_permissions()` (created, or its
    permissions set again: idempotent). Returns the group."""
    group, _created = Group.objects.get_or_create(name=HELPDESK_GROUP)
    wanted = helpdesk_permissions()
    found = [
        permission
        for permission in Permission.objects.select_related("content_type").filter(
            codename__in={name.split(".", 1)[1] for name in wanted}
        )
        if f"{permission.content_type.app_label}.{permission.codename}" in wanted
    ]
    group.permissions.set(found)
    return group


# --- this term's reminders (issue 25 item 10) ---------------------------------------------------


@dataclass(frozen=True)
class RemindersSent:
    sent: int
    without_email: list[str]  # the lecturers who have no e-mail address, by name


def term_reminders_send(
    *,
    semester: str,
    groups: list[LecturerFolders],
    portal_url: str,
    progress: Callable[[int, int, str], None] | None = None,
) -> RemindersSent:
    """E-mail each lecturer of `groups` the term's spaces whose Panopto folders wait for
    their first visit, with each space's address (`portal_url` + its page), through Django's
    e-mail (EMAIL_BACKEND; the demo's prints to the console), in the portal's default
    language, one message each over one connection. Lecturers without an e-mail address are
    returned by name; the group of spaces without an administrator is nobody's to mail.
    `progress(done, total, name)` is called after each message."""
    mailed = [group for group in groups if group.lecturer is not None and group.lecturer.email]
    without = [
        person_name(group.lecturer)
        for group in groups
        if group.lecturer is not None and not group.lecturer.email
    ]
    with translation.override(settings.LANGUAGE_CODE), get_connection() as connection:
        for done, group in enumerate(mailed, start=1):
            lines = "\n".join(
                f"- {space.name} ({space.code}): "
                f"{portal_url.rstrip('/')}{reverse('virtualspaces:space_home', args=[space.pk])}"
                for space in group.spaces
            )
            subject = _("Panopto: open your folders before term %(semester)s") % {
                "semester": semester
            }
            body = _(
                "Dear %(name)s,\n\n"
                "The Panopto folders of these spaces of term %(semester)s have not been opened "
                "yet, so their students cannot enter them:\n\n%(spaces)s\n\n"
                "Open each once: on the space's page click “Continue to the Panopto system”. "
                "Your first visit creates the folder, and then the students enter at once.\n\n"
                "The portal"
            ) % {"name": person_name(group.lecturer), "semester": semester, "spaces": lines}
            EmailMessage(subject, body, to=[group.lecturer.email], connection=connection).send()
            if progress is not None:
                progress(done, len(mailed), person_name(group.lecturer))
    return RemindersSent(sent=len(mailed), without_email=without)
