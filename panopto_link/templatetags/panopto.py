"""`{% panopto_folder space entry %}`: one folder's state and its "Continue to the Panopto
system" button, as the Home screen and Studies → Information → Panopto both show it."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.templatetags.people import person_name
from panopto_link.models import FolderState, PanoptoRegistration
from panopto_link.permissions import ConfigurationFix, configuration_fix
from panopto_link.selectors import FolderEntry, FolderRow, request_panopto_setting
from virtualspaces.models import VirtualSpace

register = template.Library()


@dataclass(frozen=True)
class StateBadge:
    css: str
    label: Promise


def folder_state(entry: FolderEntry) -> StateBadge:
    """The folder's own facts, as a badge (not a decision: the button says what one may do)."""
    folder = entry.folder
    if folder is not None and not folder.is_enabled:
        return StateBadge("disabled", _("not enabled"))
    if folder is not None and folder.is_created:
        return StateBadge("created", FolderState.CREATED.label)
    return StateBadge("not-created", _("not opened yet"))


@dataclass(frozen=True)
class ConfigurationHelp:
    """What an IT administrator is told beside an inactive button: what to fix, and where."""

    missing_fields: list[str]
    registration_disabled: bool
    folder_disabled: bool
    admin_url: str | None


def configuration_help(
    user, registration: PanoptoRegistration | None, entry: FolderEntry
) -> ConfigurationHelp | None:
    """The help `permissions.configuration_fix` asks for, with a link to the admin page when
    the user may change it there."""
    fix = configuration_fix(is_staff=user.is_staff, refusal=entry.decision.refusal)
    if fix is ConfigurationFix.REGISTRATION:
        shown = registration or PanoptoRegistration()  # an empty one lacks every field
        if registration is None:
            url = reverse("admin:panopto_link_panoptoregistration_add")
        else:
            url = reverse("admin:panopto_link_panoptoregistration_change", args=[registration.pk])
        return ConfigurationHelp(
            missing_fields=shown.missing_field_labels(),
            registration_disabled=registration is not None and not registration.is_enabled,
            folder_disabled=False,
            admin_url=url if user.has_perm("panopto_link.change_panoptoregistration") else None,
        )
    if fix is ConfigurationFix.FOLDER and entry.folder is not None:
        url = reverse("admin:panopto_link_panoptofolder_change", args=[entry.folder.pk])
        return ConfigurationHelp(
            missing_fields=[],
            registration_disabled=False,
            folder_disabled=True,
            admin_url=url if user.has_perm("panopto_link.change_panoptofolder") else None,
        )
    return None


@register.inclusion_tag("panopto_link/_folder.html", takes_context=True)
def panopto_folder(context, space: VirtualSpace, entry: FolderEntry, compact: bool = False) -> dict:
    """`space` is the page's space (the launch URL's); `entry` its own folder or a linked one.
    `compact` leaves out the folder's name where the page names it already."""
    request = context["request"]
    setting = request_panopto_setting(request)
    return {
        "space": space,
        "entry": entry,
        "compact": compact,
        "decision": entry.decision,
        "state": folder_state(entry),
        "dom_id": f"panopto-{space.pk}-{entry.owner.pk}",
        "help": configuration_help(request.user, setting.registration, entry),
        "new_tab": setting.opens_in_new_tab,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def people(users) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    names = [person_name(user) for user in users]
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


@register.simple_tag
def waiting_note(row: FolderRow) -> str:
    """Why a folder waits, naming who opens it, and that the user need do nothing."""
    count = len(row.administrators)
    if not count:
        return str(
            _(
                "Nobody has opened this folder yet. You need not do anything: it becomes "
                "available after the first visit of the space's administrator."
            )
        )
    return ngettext(
        "%(names)s has not opened this folder yet. You need not do anything: it becomes "
        "available after their first visit.",
        "%(names)s have not opened this folder yet. You need not do anything: it becomes "
        "available after the first visit of one of them.",
        count,
    ) % {"names": people(row.administrators)}


@register.filter
def duration(seconds: int | None) -> str:
    """A recording's length as players show it: 5640 → "1:34:00", 330 → "5:30"."""
    if not seconds:
        return ""
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
