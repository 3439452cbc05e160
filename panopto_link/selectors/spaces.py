"""A space's folders with the SPEC §3 decision for one user (built from the rows the statements
read), its videos, its semesters, and the facts the admin asks of used context ids."""

from dataclasses import dataclass

from django.utils.functional import Promise

from core.users import UserRef
from panopto_link.lti_platform.api import client_issued, context_launched
from panopto_link.models import (
    FolderLink,
    PanoptoFolder,
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.permissions import (
    NEW_FOLDER,
    FolderDecision,
    FolderFacts,
    decide_folder,
)
from panopto_link.refusals import refusal_message
from panopto_link.selectors.setting import PanoptoSetting
from virtualspaces.models import VirtualSpace
from virtualspaces.permissions import SpaceAccess


@dataclass(frozen=True)
class FolderEntry:
    """One folder link as a page shows it and a launch uses it."""

    owner: VirtualSpace  # the space whose folder this is
    folder: PanoptoFolder | None  # None until the folder row is first needed
    decision: FolderDecision
    is_linked: bool = False

    @property
    def message(self) -> Promise | None:
        """Why the link is hidden or inactive, naming who runs the folder's space in the words
        of its type (`refusals.refusal_message`); None when it is active."""
        return refusal_message(self.decision.refusal, self.owner.space_type)


@dataclass(frozen=True)
class SpacePanopto:
    """A space with the user's standing in it, its own folder and its linked folders."""

    space: VirtualSpace
    access: SpaceAccess
    folder: FolderEntry
    linked: tuple[FolderEntry, ...]

    def entry_for(self, owner_pk: int) -> FolderEntry | None:
        """The entry of the space's own folder, or of the linked folder owned by `owner_pk`."""
        if owner_pk == self.space.pk:
            return self.folder
        return next((entry for entry in self.linked if entry.owner.pk == owner_pk), None)


def _folder_of(space: VirtualSpace) -> PanoptoFolder | None:
    try:
        return space.panopto_folder
    except PanoptoFolder.DoesNotExist:
        return None


def _facts(folder: PanoptoFolder | None) -> FolderFacts:
    if folder is None:
        return NEW_FOLDER
    return FolderFacts(
        is_enabled=folder.is_enabled,
        is_created=folder.is_created,
        missing_in_panopto=folder.panopto_missing_since is not None,
    )


def decided_space(
    *,
    space: VirtualSpace,
    course_role: str | None,
    links: list[tuple[FolderLink, str | None]],
    setting: PanoptoSetting,
) -> SpacePanopto:
    """One space's folders decided for the user whose role in it is `course_role`, with its
    links and the user's role in each linked space."""
    access = SpaceAccess(course_role, space.is_public, space.space_type)

    def decide(administers: bool, folder: PanoptoFolder | None) -> FolderDecision:
        return decide_folder(
            licence_valid=setting.licence_valid,
            registration=setting.registration_facts,
            access=access,
            administers_folder=administers,
            folder=_facts(folder),
        )

    linked = []
    for link, linked_role in links:
        owner = link.linked_space
        folder = _folder_of(owner)
        administers = SpaceAccess(linked_role, owner.is_public, owner.space_type).is_administrator
        linked.append(
            FolderEntry(
                owner=owner, folder=folder, decision=decide(administers, folder), is_linked=True
            )
        )
    own_folder = _folder_of(space)
    return SpacePanopto(
        space=space,
        access=access,
        folder=FolderEntry(
            owner=space, folder=own_folder, decision=decide(access.is_administrator, own_folder)
        ),
        linked=tuple(linked),
    )


def space_videos(space: VirtualSpace) -> list[VideoLink]:
    """One query: the space's video links in order."""
    return list(VideoLink.objects.filter(space=space).order_by("position", "id"))


def space_videos_by_id(space: VirtualSpace, ids: list[int]) -> dict[int, VideoLink]:
    """One query: those of the space's video links, by id (a removed one is missing)."""
    return {video.pk: video for video in VideoLink.objects.filter(space=space, pk__in=ids)}


def user_semesters(user: UserRef) -> list[str]:
    """The semesters of the user's spaces, newest first (one query)."""
    semesters = (
        VirtualSpace.objects.of_user(user)
        .exclude(semester="")
        .values_list("semester", flat=True)
        .distinct()
        .order_by("-semester")
    )
    return list(semesters)


# --- facts for the admin (issue 12) ----------------------------------------------------------


def context_id_used(context_id: str) -> bool:
    """A launch went ahead naming this context id (the platform's records say so, one query;
    the records of a deleted space count too)."""
    return context_launched(context_id)


def folder_context_used(folder: PanoptoFolder) -> bool:
    """The folder's own context id has been used: a message hint naming it was issued
    (`context_used_at`), or an accepted launch record names it."""
    return folder.context_used_at is not None or context_id_used(folder.context_id)


def registration_has_launched(registration: PanoptoRegistration) -> bool:
    """Panopto has received an id_token from this registration (one query): its accounts and
    folders now depend on what the registration sends."""
    return client_issued(registration.client_id)
