"""Reads shaped for the Panopto screens and the launch: the institute-wide setting, and each
space's folder and linked folders with the SPEC §3 decision for one user, in a constant number
of queries."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from panopto_link.models import (
    FolderLink,
    LaunchOutcome,
    LaunchRecord,
    LaunchStage,
    PanoptoFolder,
    PanoptoLicence,
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.permissions import (
    NEW_FOLDER,
    FolderDecision,
    FolderFacts,
    RegistrationFacts,
    decide_folder,
)
from virtualspaces.models import VirtualSpace
from virtualspaces.permissions import SpaceAccess
from virtualspaces.selectors import access_of, user_role_in, with_user_role


@dataclass(frozen=True)
class PanoptoSetting:
    """The institute-wide facts every decision starts from (one query)."""

    licence_valid: bool
    registration: PanoptoRegistration | None
    registration_facts: RegistrationFacts

    @property
    def opens_in_new_tab(self) -> bool:
        """Launch buttons open Panopto in a new tab (the registration says so)."""
        return bool(self.registration and self.registration.opens_in_new_tab)


def panopto_setting() -> PanoptoSetting:
    """The registration and whether a licence covers today, read together: one query on every
    page and launch step, so the licence dates are followed without a restart. The only place
    the licence is read."""
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


_SETTING_ATTR = "_panopto_setting"


def request_panopto_setting(request: HttpRequest) -> PanoptoSetting:
    """The setting for this request, read the first time a page asks (never across requests,
    so a licence that starts or ends today takes effect without a restart)."""
    setting = getattr(request, _SETTING_ATTR, None)
    if setting is None:
        setting = panopto_setting()
        setattr(request, _SETTING_ATTR, setting)
    return setting


@dataclass(frozen=True)
class FolderEntry:
    """One folder link as a page shows it and a launch uses it."""

    owner: VirtualSpace  # the space whose folder this is
    folder: PanoptoFolder | None  # None until the folder row is first needed
    decision: FolderDecision
    is_linked: bool = False


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
    return FolderFacts(is_enabled=folder.is_enabled, is_created=folder.is_created)


def spaces_with_panopto(spaces: QuerySet[VirtualSpace], user) -> QuerySet[VirtualSpace]:
    """The spaces with everything `spaces_panopto` reads: each space's folder and the user's
    role in it (one query), and its linked spaces with theirs (one more).

    The links' query reads the user's role in the course again, beside the linked spaces':
    a course's decisions are taken on roles read by one statement, so a membership import
    committed between the two queries cannot give one launch a Creator course and a Viewer
    linked folder of the same import (tests/panopto_link/test_launch_flow.py, the CSV race)."""
    links = FolderLink.objects.select_related(
        "linked_space", "linked_space__panopto_folder"
    ).annotate(
        linked_user_role=user_role_in(user, OuterRef("linked_space_id")),
        course_user_role=user_role_in(user, OuterRef("course_id")),
    )
    return (
        with_user_role(spaces, user)
        .select_related("panopto_folder")
        .prefetch_related(
            Prefetch("folder_links", queryset=links.order_by("position", "linked_space__name"))
        )
    )


def spaces_panopto(
    *, spaces: Iterable[VirtualSpace], setting: PanoptoSetting
) -> list[SpacePanopto]:
    """Decide every folder of the given spaces (read through `spaces_with_panopto`)."""

    def decide(access: SpaceAccess, administers: bool, folder) -> FolderDecision:
        return decide_folder(
            licence_valid=setting.licence_valid,
            registration=setting.registration_facts,
            access=access,
            administers_folder=administers,
            folder=_facts(folder),
        )

    result = []
    for space in spaces:
        links = list(space.folder_links.all())
        if links:  # the course's role as the links' statement read it (see spaces_with_panopto)
            course_role: str | None = getattr(links[0], "course_user_role", None)
            access = SpaceAccess(course_role, space.is_public)
        else:
            access = access_of(space)
        own_folder = _folder_of(space)
        linked = []
        for link in links:
            owner = link.linked_space
            role: str | None = getattr(link, "linked_user_role", None)  # see spaces_with_panopto
            administers = SpaceAccess(role, owner.is_public).is_administrator
            folder = _folder_of(owner)
            linked.append(
                FolderEntry(
                    owner=owner,
                    folder=folder,
                    decision=decide(access, administers, folder),
                    is_linked=True,
                )
            )
        result.append(
            SpacePanopto(
                space=space,
                access=access,
                folder=FolderEntry(
                    owner=space,
                    folder=own_folder,
                    decision=decide(access, access.is_administrator, own_folder),
                ),
                linked=tuple(linked),
            )
        )
    return result


def space_panopto(*, user, space_pk: int, setting: PanoptoSetting) -> SpacePanopto | None:
    """One space's Panopto entries for the user, or None when the space does not exist (two
    queries). Visibility is the caller's to check (`access.is_visible`)."""
    # order_by(): at most one row, so no ORDER BY (VirtualSpace's default sorts by three
    # columns); this runs at the click and again at the authorization.
    spaces = list(spaces_with_panopto(VirtualSpace.objects.filter(pk=space_pk).order_by(), user))
    if not spaces:
        return None
    return spaces_panopto(spaces=spaces, setting=setting)[0]


def space_videos(space: VirtualSpace) -> list[VideoLink]:
    """One query: the space's video links in order."""
    return list(VideoLink.objects.filter(space=space).order_by("position", "id"))


# --- page-shaped reads for the screens -------------------------------------------------------


def user_spaces_panopto(*, user, setting: PanoptoSetting, semester: str = "") -> list[SpacePanopto]:
    """Studies → Information → Panopto: every space where the user holds a membership of any
    role (not the public spaces they merely look at), each with its folders decided. With a
    `semester`, courses of other semesters are left out; spaces without a semester (subjects,
    other spaces) stay. Two queries, however many spaces and links."""
    spaces = VirtualSpace.objects.of_user(user)
    if semester:
        spaces = spaces.filter(Q(semester=semester) | Q(semester=""))
    return spaces_panopto(spaces=spaces_with_panopto(spaces, user), setting=setting)


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


# --- facts for the admin (issue 12) ----------------------------------------------------------


def context_id_used(context_id: str) -> bool:
    """A launch went ahead naming this context id: an accepted launch record names it (one
    query; the records of a deleted space count too)."""
    return LaunchRecord.objects.filter(
        context_id=context_id, outcome=LaunchOutcome.ACCEPTED
    ).exists()


def folder_context_used(folder: PanoptoFolder) -> bool:
    """The folder's own context id has been used: a message hint naming it was issued
    (`context_used_at`), or an accepted launch record names it."""
    return folder.context_used_at is not None or context_id_used(folder.context_id)


def registration_has_launched(registration: PanoptoRegistration) -> bool:
    """Panopto has received an id_token from this registration (one query): its accounts and
    folders now depend on what the registration sends."""
    return LaunchRecord.objects.filter(
        client_id=registration.client_id,
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.ACCEPTED,
    ).exists()
