"""Reads shaped for the stand-in's pages, each in a constant number of queries. Access is read
afresh on every request: a user-level grant (`FolderAccess`, from a launch or
GrantUsersAccessToFolder) or membership of an external group with access to the folder
(`ExternalGroup`, from provisioning and SyncExternalUser). Access taken back through the API
is refused at the next request, from an existing stand-in session too."""

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404

from panopto_link.simulator.models import (
    ExternalGroup,
    Folder,
    FolderAccess,
    FolderRole,
    Recording,
    ToolUser,
)


@dataclass(frozen=True)
class FolderView:
    folder: Folder
    role: str
    recordings: list[Recording]


@dataclass(frozen=True)
class FolderEntry:
    """A folder the user may enter, as the dashboard lists it."""

    folder: Folder
    role: str
    recording_count: int

    def get_role_display(self) -> str:
        return str(FolderRole(self.role).label)


def _stronger(first: str | None, second: str | None) -> str | None:
    if FolderRole.CREATOR in (first, second):
        return FolderRole.CREATOR
    return first or second


def roles_of(user: ToolUser, *, folder_ids: list[int] | None = None) -> dict[int, str]:
    """The user's role in each folder they may enter, by folder pk (one query): the stronger
    of their own grant and their groups'."""
    grants = FolderAccess.objects.filter(user=user)
    groups = ExternalGroup.objects.filter(members=user, folder__isnull=False)
    if folder_ids is not None:
        grants = grants.filter(folder_id__in=folder_ids)
        groups = groups.filter(folder_id__in=folder_ids)
    roles: dict[int, str] = {}
    both = (
        grants.order_by()
        .values_list("folder_id", "role")
        .union(groups.order_by().values_list("folder_id", "role"))
    )
    for folder_id, role in both:
        roles[folder_id] = _stronger(roles.get(folder_id), role) or role
    return roles


def folders_of(user: ToolUser, roles: dict[int, str] | None = None) -> list[FolderEntry]:
    """The folders the user may enter, with the role and the number of recordings (two
    queries; one when the caller has the user's `roles_of` already)."""
    roles = roles_of(user) if roles is None else roles
    folders = (
        Folder.objects.filter(pk__in=list(roles))
        .annotate(recording_count=Count("recordings"))
        .order_by("name")
    )
    return [
        FolderEntry(folder=folder, role=roles[folder.pk], recording_count=folder.recording_count)
        for folder in folders
    ]


def access_folder(user: ToolUser, public_id, roles: dict[int, str] | None = None) -> FolderView:
    """One folder with its recordings; 404 alike for a folder that does not exist and one the
    user may not enter. `roles`: the user's `roles_of`, when the caller has it already."""
    folder = Folder.objects.filter(public_id=public_id).first()
    if folder is not None and roles is None:
        roles = roles_of(user, folder_ids=[folder.pk])
    role = roles.get(folder.pk) if folder is not None and roles is not None else None
    if folder is None or role is None:
        raise Http404
    recordings = list(folder.recordings.all())
    return FolderView(folder=folder, role=role, recordings=recordings)


@dataclass(frozen=True)
class RecordingView:
    recording: Recording
    role: str


def access_recording(user: ToolUser, public_id) -> RecordingView:
    """One recording with the user's role in its folder (three queries); 404 alike for a
    recording that does not exist and one in a folder the user may not enter."""
    recording = Recording.objects.select_related("folder").filter(public_id=public_id).first()
    role = (
        roles_of(user, folder_ids=[recording.folder_id]).get(recording.folder_id)
        if recording is not None
        else None
    )
    if recording is None or role is None:
        raise Http404
    return RecordingView(recording=recording, role=role)
