"""Reads shaped for the Panopto screens and the launch: each space's folder and linked folders
with the SPEC §3 decision for one user, in a constant number of queries."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, Prefetch, Q, QuerySet
from django.utils import timezone

from panopto_link.models import (
    FolderLink,
    PanoptoFolder,
    PanoptoLicence,
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.permissions import (
    NEW_FOLDER,
    FolderDecision,
    FolderFacts,
    Refusal,
    RegistrationFacts,
    decide_folder,
    may_manage_videos,
    may_open_videos,
    may_pick_videos,
)
from virtualspaces.models import Membership, VirtualSpace
from virtualspaces.permissions import SpaceAccess, strongest_role


@dataclass(frozen=True)
class PanoptoSetting:
    """The institute-wide facts every decision starts from (one query)."""

    licence_valid: bool
    registration: PanoptoRegistration | None
    registration_facts: RegistrationFacts


def panopto_setting() -> PanoptoSetting:
    """The registration and whether a licence covers today, read together: one query on every
    page and launch step, so the licence dates are followed without a restart."""
    valid_today = PanoptoLicence.objects.valid_on(timezone.localdate())
    registration = (
        PanoptoRegistration.objects.filter(pk=1)
        .annotate(licence_valid_today=Exists(valid_today))
        .first()
    )
    facts = RegistrationFacts(
        is_enabled=bool(registration and registration.is_enabled),
        missing_fields=tuple(
            registration.missing_fields() if registration else PanoptoRegistration.REQUIRED_FIELDS
        ),
    )
    return PanoptoSetting(
        licence_valid=(registration.licence_valid_today if registration else valid_today.exists()),
        registration=registration,
        registration_facts=facts,
    )


@dataclass(frozen=True)
class FolderEntry:
    """One folder link as a page shows it and a launch uses it."""

    owner: VirtualSpace  # the space whose folder this is
    folder: PanoptoFolder | None  # None until the folder row is first needed
    decision: FolderDecision

    @property
    def is_linked(self) -> bool:
        return False


@dataclass(frozen=True)
class LinkedFolderEntry(FolderEntry):
    link: FolderLink | None = None

    @property
    def is_linked(self) -> bool:
        return True


@dataclass(frozen=True)
class SpacePanopto:
    """A space with the user's standing in it, its own folder and its linked folders."""

    space: VirtualSpace
    access: SpaceAccess
    folder: FolderEntry
    linked: tuple[LinkedFolderEntry, ...]

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
    return FolderFacts(is_enabled=folder.is_enabled, is_created=folder.is_created)


def spaces_with_panopto(spaces: QuerySet[VirtualSpace]) -> QuerySet[VirtualSpace]:
    """The spaces, with everything `spaces_panopto` reads, fetched up front."""
    return spaces.select_related("panopto_folder").prefetch_related(
        Prefetch(
            "folder_links",
            queryset=FolderLink.objects.select_related(
                "linked_space", "linked_space__panopto_folder"
            ).order_by("position", "linked_space__name"),
        )
    )


def spaces_panopto(
    *, user, spaces: Iterable[VirtualSpace], setting: PanoptoSetting
) -> list[SpacePanopto]:
    """Decide every folder of the given spaces for the user. The spaces should come from
    `spaces_with_panopto`; this adds one query for the user's memberships."""
    spaces = list(spaces)
    owner_ids = {space.pk for space in spaces}
    for space in spaces:
        owner_ids.update(link.linked_space_id for link in space.folder_links.all())
    roles: dict[int, list[str]] = {}
    if user.is_authenticated and owner_ids:
        # order_by(): Membership's default ordering would join the spaces and users to sort
        # rows whose order nothing here depends on.
        for space_id, role in (
            Membership.objects.filter(user=user, space_id__in=owner_ids)
            .order_by()
            .values_list("space_id", "role")
        ):
            roles.setdefault(space_id, []).append(role)

    def access_to(space: VirtualSpace) -> SpaceAccess:
        return SpaceAccess(
            membership_role=strongest_role(roles.get(space.pk, [])), is_public=space.is_public
        )

    def decide(access: SpaceAccess, owner: VirtualSpace, folder) -> FolderDecision:
        return decide_folder(
            licence_valid=setting.licence_valid,
            registration=setting.registration_facts,
            access=access,
            administers_folder=access_to(owner).is_administrator,
            folder=_facts(folder),
        )

    result = []
    for space in spaces:
        access = access_to(space)
        own_folder = _folder_of(space)
        linked = tuple(
            LinkedFolderEntry(
                owner=link.linked_space,
                folder=_folder_of(link.linked_space),
                decision=decide(access, link.linked_space, _folder_of(link.linked_space)),
                link=link,
            )
            for link in space.folder_links.all()
        )
        result.append(
            SpacePanopto(
                space=space,
                access=access,
                folder=FolderEntry(
                    owner=space, folder=own_folder, decision=decide(access, space, own_folder)
                ),
                linked=linked,
            )
        )
    return result


def space_panopto(*, user, space_pk: int, setting: PanoptoSetting) -> SpacePanopto | None:
    """One space's Panopto entries for the user, or None when the space does not exist."""
    # Not first(): at most one row, so no ORDER BY (VirtualSpace's default sorts by three
    # columns) and no LIMIT; this runs twice in every launch.
    spaces = list(spaces_with_panopto(VirtualSpace.objects.filter(pk=space_pk).order_by()))
    if not spaces:
        return None
    return spaces_panopto(user=user, spaces=spaces, setting=setting)[0]


@dataclass(frozen=True)
class SpaceVideos:
    """The videos linked into a space, with what the user may do with them (SPEC §6)."""

    videos: list[VideoLink]
    may_pick: bool
    may_open: bool
    may_manage: bool
    refusal: Refusal | None


def space_videos(target: SpacePanopto) -> SpaceVideos:
    """One query: the space's video links in order."""
    decision = target.folder.decision
    return SpaceVideos(
        videos=list(VideoLink.objects.filter(space=target.space).order_by("position", "id")),
        may_pick=may_pick_videos(decision),
        may_open=may_open_videos(decision),
        may_manage=may_manage_videos(target.access),
        refusal=decision.refusal,
    )


# --- page-shaped reads for the screens -------------------------------------------------------


def user_spaces_panopto(*, user, setting: PanoptoSetting, semester: str = "") -> list[SpacePanopto]:
    """Studies → Information → Panopto: every space where the user holds a membership of any
    role (not the public spaces they merely look at), each with its folders decided. With a
    `semester`, courses of other semesters are left out; spaces without a semester (subjects,
    other spaces) stay. Four queries, however many spaces and links."""
    spaces = VirtualSpace.objects.of_user(user)
    if semester:
        spaces = spaces.filter(Q(semester=semester) | Q(semester=""))
    return spaces_panopto(user=user, spaces=spaces_with_panopto(spaces), setting=setting)


def user_semesters(user) -> list[str]:
    """The semesters of the user's spaces, newest first (one query)."""
    semesters = (
        VirtualSpace.objects.of_user(user)
        .exclude(semester="")
        .values_list("semester", flat=True)
        .distinct()
        .order_by("-semester")
    )
    return list(semesters)


def space_home_panopto(*, user, space_pk: int, setting: PanoptoSetting) -> SpacePanopto | None:
    """The Home screen's space (with its subject) and its Panopto folders, or None when the
    space does not exist. Visibility is the caller's to check (`access.is_visible`)."""
    spaces = VirtualSpace.objects.filter(pk=space_pk).select_related("subject")
    space = spaces_with_panopto(spaces).first()
    if space is None:
        return None
    return spaces_panopto(user=user, spaces=[space], setting=setting)[0]
