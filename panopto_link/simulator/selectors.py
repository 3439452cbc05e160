"""Reads shaped for the stand-in's pages, each in a constant number of queries."""

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404

from panopto_link.simulator.models import Folder, FolderAccess, Recording, ToolUser


@dataclass(frozen=True)
class FolderView:
    folder: Folder
    role: str
    recordings: list[Recording]


def folders_of(user: ToolUser) -> list[FolderAccess]:
    """The folders the user may enter, with the role and the number of recordings (one query)."""
    return list(
        FolderAccess.objects.filter(user=user)
        .select_related("folder")
        .annotate(recording_count=Count("folder__recordings"))
        .order_by("folder__name")
    )


def access_folder(user: ToolUser, public_id) -> FolderView:
    """One folder with its recordings; 404 alike for a folder that does not exist and one the
    user may not enter."""
    access = (
        FolderAccess.objects.select_related("folder")
        .filter(user=user, folder__public_id=public_id)
        .first()
    )
    if access is None:
        raise Http404
    recordings = list(access.folder.recordings.all())
    return FolderView(folder=access.folder, role=access.role, recordings=recordings)


@dataclass(frozen=True)
class RecordingView:
    recording: Recording
    role: str


def access_recording(user: ToolUser, public_id) -> RecordingView:
    """One recording with the user's role in its folder (two queries); 404 alike for a
    recording that does not exist and one in a folder the user may not enter."""
    recording = Recording.objects.select_related("folder").filter(public_id=public_id).first()
    access = (
        FolderAccess.objects.filter(user=user, folder_id=recording.folder_id).first()
        if recording is not None
        else None
    )
    if recording is None or access is None:
        raise Http404
    return RecordingView(recording=recording, role=access.role)
