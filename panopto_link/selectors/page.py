"""Studies → Information → Panopto: one row per folder, by where it stands."""

from dataclasses import dataclass, replace
from typing import Any

from core.users import UserRef
from panopto_link.permissions import (
    FolderStanding,
    folder_opener_role,
    folder_standing,
)
from panopto_link.selectors.setting import (
    PanoptoSetting,
)
from panopto_link.selectors.spaces import FolderEntry, SpacePanopto
from panopto_link.selectors.statements import user_spaces_panopto
from virtualspaces.models import Membership, SpaceType, VirtualSpace
from virtualspaces.permissions import SpaceAccess

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
    administrators: tuple[Any, ...] = ()  # users (the project's model)

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


def _row_order(row: FolderRow) -> tuple[Any, ...]:
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


def folder_openers(space_pks: set[int]) -> dict[int, list[Any]]:
    """The people who open each of these spaces' waiting folders
    (`permissions.folder_opener_role`), family name first: one query, none for no space."""
    if not space_pks:
        return {}
    openers: dict[int, list[Any]] = {}
    memberships = (
        Membership.objects.filter(space_id__in=space_pks, role=folder_opener_role())
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    for membership in memberships:
        openers.setdefault(membership.space_id, []).append(membership.user)
    return openers


def with_administrators(rows: list[FolderRow]) -> list[FolderRow]:
    """The waiting rows with the people who open them (`folder_openers`): one query for all
    of them, none when no folder waits."""
    waiting = {row.owner.pk for row in rows if row.standing is FolderStanding.WAITING}
    if not waiting:
        return rows
    openers = folder_openers(waiting)
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
    *, user: UserRef, setting: PanoptoSetting, semester: str = "", search: str = ""
) -> PanoptoPage:
    """The user's folders for the Panopto page, of one semester (spaces without a semester
    always stay) and matching `search`: two queries, and one more when a folder waits."""
    spaces = user_spaces_panopto(user=user, setting=setting, semester=semester)
    rows = folder_rows(spaces)
    search = search.strip()
    if search:
        rows = [row for row in rows if row.matches(search)]
    return PanoptoPage(rows=with_administrators(rows))
