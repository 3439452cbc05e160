"""The writes of Panopto's API side (SPEC §7): what a lookup in Panopto found about a folder.
Provisioning writes through the folder services of `panopto_link.services`."""

from django.utils import timezone

from panopto_link.models import FolderState, PanoptoFolder


def folder_found_in_panopto(*, folder: PanoptoFolder, panopto_id: str) -> None:
    """Panopto's API found the folder under its external id: keep Panopto's id."""
    PanoptoFolder.objects.filter(pk=folder.pk).update(
        panopto_id=panopto_id[:64], panopto_checked_at=timezone.now(), panopto_missing_since=None
    )


def folder_missing_in_panopto(*, folder: PanoptoFolder) -> bool:
    """Panopto's API did not find a folder the portal holds created (never created there, or
    deleted since): it counts as not created again — members wait, and its administrator's
    next launch creates it anew under the same context id. A conditional update: a folder a
    launch has just marked created again is left alone. True when it changed."""
    now = timezone.now()
    changed = PanoptoFolder.objects.filter(
        pk=folder.pk, state=FolderState.CREATED, created_at=folder.created_at
    ).update(
        state=FolderState.NOT_CREATED,
        panopto_missing_since=now,
        panopto_checked_at=now,
        panopto_id="",
    )
    return changed == 1
