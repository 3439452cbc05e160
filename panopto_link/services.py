"""Every write to the Panopto side: folders, links, registration, launch records."""

from django.db import transaction

from panopto_link.models import FolderLink, PanoptoFolder
from virtualspaces.models import VirtualSpace


def folder_ensure(*, space: VirtualSpace) -> PanoptoFolder:
    """The space's folder, created (with its permanent context id) on first need."""
    folder, _created = PanoptoFolder.objects.get_or_create(space=space)
    return folder


def folder_set_enabled(*, space: VirtualSpace, is_enabled: bool) -> PanoptoFolder:
    folder = folder_ensure(space=space)
    if folder.is_enabled != is_enabled:
        folder.is_enabled = is_enabled
        folder.save(update_fields=["is_enabled"])
    return folder


@transaction.atomic
def folder_link_create(
    *, course: VirtualSpace, linked_space: VirtualSpace, position: int = 0
) -> FolderLink:
    """Link another space's folder into a course space; raises ValidationError for a
    non-course space, a self-link or a duplicate."""
    link = FolderLink(course=course, linked_space=linked_space, position=position)
    link.full_clean()
    link.save()
    folder_ensure(space=linked_space)
    return link
