"""Reads shaped for the Panopto screens and the launch: the institute-wide setting, and each
space's folder and linked folders with the SPEC §3 decision for one user, in a constant number
of queries."""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
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
    FolderStanding,
    RegistrationFacts,
    decide_folder,
    folder_opener_role,
    folder_standing,
)
from virtualspaces.models import Membership, SpaceType, VirtualSpace
from virtualspaces.permissions import SpaceAccess
from virtualspaces.selectors import access_of, user_role_in, with_user_role


@dataclass(frozen=True)
class PanoptoSetting:
    """The institute-wide facts every decision starts from (one query)."""

    licence_valid: bool
    registration: PanoptoRegistration | None
    registration_facts: RegistrationFacts


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


def space_videos_by_id(space: VirtualSpace, ids: list[int]) -> dict[int, VideoLink]:
    """One query: those of the space's video links, by id (a removed one is missing)."""
    return {video.pk: video for video in VideoLink.objects.filter(space=space, pk__in=ids)}


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


# --- Studies → Information → Panopto, one row per folder ----------------------------------------


@dataclass(frozen=True)
class FolderRow:
    """One folder on the Panopto page, shown once however many of the user's courses link it.

    `entry` is the decided entry the button launches with, through `launch_space` (the folder's
    own space when the user belongs to it, else the first course that links it); `linked_from`
    are the user's courses linking the folder; `administrators` open a waiting folder."""

    entry: FolderEntry
    launch_space: VirtualSpace
    access: SpaceAccess | None  # the user's standing in the folder's own space, if a member
    linked_from: tuple[VirtualSpace, ...]
    standing: FolderStanding
    administrators: tuple = ()

    @property
    def owner(self) -> VirtualSpace:
        return self.entry.owner

    def matches(self, search: str) -> bool:
        """Whether the folder's space or one of the courses linking it has `search` in its
        name or code (case-insensitive)."""
        needle = search.casefold()
        return any(
            needle in space.name.casefold() or needle in space.code.casefold()
            for space in (self.owner, *self.linked_from)
        )


def _row_order(row: FolderRow) -> tuple:
    """Subjects, courses, other spaces; courses of the newest semester first; then by name."""
    space = row.owner
    type_rank: dict[str, int] = {SpaceType.SUBJECT: 0, SpaceType.COURSE: 1, SpaceType.OTHER: 2}
    newest_first = [-ord(char) for char in space.semester]
    return (type_rank.get(space.space_type, 3), newest_first, space.name.casefold(), space.code)


def folder_rows(spaces: list[SpacePanopto]) -> list[FolderRow]:
    """The folders of the given spaces, each once: a space's own folder, and each linked folder
    under the courses linking it (SPEC §3: linked folders shown with the course). A folder the
    user reaches both as a member of its space and through a course launches through its own
    space; one reached through several courses, through the first. Folders not shown by the
    policy are left out."""
    own: dict[int, SpacePanopto] = {item.space.pk: item for item in spaces}
    via: dict[int, list[tuple[SpacePanopto, FolderEntry]]] = {}
    for item in spaces:
        for entry in item.linked:
            via.setdefault(entry.owner.pk, []).append((item, entry))
    rows = []
    for owner_pk in dict.fromkeys([*own, *via]):
        linking = via.get(owner_pk, [])
        courses = tuple(course.space for course, _entry in linking)
        if owner_pk in own:
            item = own[owner_pk]
            entry, launch_space, access = item.folder, item.space, item.access
        else:
            course, entry = linking[0]
            launch_space, access = course.space, None
        if not entry.decision.shown:
            continue
        rows.append(
            FolderRow(
                entry=entry,
                launch_space=launch_space,
                access=access,
                linked_from=courses,
                standing=folder_standing(entry.decision),
            )
        )
    return sorted(rows, key=_row_order)


def with_administrators(rows: list[FolderRow]) -> list[FolderRow]:
    """The waiting rows with the people who open them (`permissions.folder_opener_role`): one
    query for all of them, none when no folder waits."""
    waiting = {row.owner.pk for row in rows if row.standing is FolderStanding.WAITING}
    if not waiting:
        return rows
    openers: dict[int, list] = {}
    memberships = (
        Membership.objects.filter(space_id__in=waiting, role=folder_opener_role())
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    for membership in memberships:
        openers.setdefault(membership.space_id, []).append(membership.user)
    return [
        replace(row, administrators=tuple(openers.get(row.owner.pk, ())))
        if row.owner.pk in waiting
        else row
        for row in rows
    ]


@dataclass(frozen=True)
class PanoptoPage:
    """Studies → Information → Panopto: the folders found, by where they stand."""

    rows: list[FolderRow]

    def standing(self, standing: FolderStanding) -> list[FolderRow]:
        return [row for row in self.rows if row.standing is standing]

    @property
    def ready(self) -> list[FolderRow]:
        return self.standing(FolderStanding.READY)

    @property
    def waiting(self) -> list[FolderRow]:
        return self.standing(FolderStanding.WAITING)

    @property
    def unavailable(self) -> list[FolderRow]:
        return self.standing(FolderStanding.UNAVAILABLE)


def panopto_page(
    *, user, setting: PanoptoSetting, semester: str = "", search: str = ""
) -> PanoptoPage:
    """The user's folders for the Panopto page, of one semester (spaces without a semester
    always stay) and matching `search`: two queries, and one more when a folder waits."""
    spaces = user_spaces_panopto(user=user, setting=setting, semester=semester)
    rows = folder_rows(spaces)
    search = search.strip()
    if search:
        rows = [row for row in rows if row.matches(search)]
    return PanoptoPage(rows=with_administrators(rows))
