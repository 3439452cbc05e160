"""The Panopto templates' tags: `{% panopto_folder space entry %}` (a folder's block, see
`folder_blocks`), the people who open a waiting folder, a recording's length."""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import ngettext, pgettext_lazy

from panopto_link.folder_blocks import folder_blocks, people_sentence
from panopto_link.selectors import FolderEntry, FolderRow
from virtualspaces.models import VirtualSpace
from virtualspaces.words import ByType

register = template.Library()

# A waiting folder whose space has nobody to open it, in the words of the space's type.
NOBODY_OPENED = ByType(
    teaching=pgettext_lazy(
        "subject or course",
        "Nobody has opened this folder yet. You need not do anything: it becomes available "
        "after the lecturer's first visit.",
    ),
    other=pgettext_lazy(
        "other space",
        "Nobody has opened this folder yet. You need not do anything: it becomes available "
        "after the first visit of the space's administrator.",
    ),
)


@register.simple_tag(takes_context=True)
def panopto_folder(context, space: VirtualSpace, entry: FolderEntry) -> SafeString:
    """The block of one folder (`folder_blocks`): `space` is the page's space (the launch URL's),
    `entry` its own folder or a linked one."""
    return folder_blocks(context["request"]).folder(space.pk, entry)


@register.simple_tag
def people(users) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    return people_sentence(users)


@register.simple_tag
def waiting_note(row: FolderRow) -> str:
    """Why a folder waits, naming who opens it, and that the user need do nothing."""
    count = len(row.administrators)
    if not count:
        return str(NOBODY_OPENED.of(row.owner.space_type))
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
