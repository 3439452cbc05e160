"""Reads shaped for the Panopto screens and the launch: the institute-wide setting, and each
space's folder and linked folders with the SPEC §3 decision for one user, in a constant number
of queries."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, cast

from django.db import connection, models
from django.db.models import Exists, Field
from django.http import HttpRequest
from django.utils import timezone

from core.params import id_in_range
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
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
from virtualspaces.selectors import user_role_sql


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
    return _setting(
        registration,
        registration.licence_valid_today if registration else valid_today.exists(),
    )


def _setting(registration: PanoptoRegistration | None, licence_valid: bool) -> PanoptoSetting:
    facts = RegistrationFacts(
        is_enabled=bool(registration and registration.is_enabled),
        missing_fields=tuple(
            registration.missing_fields() if registration else PanoptoRegistration.REQUIRED_FIELDS
        ),
    )
    return PanoptoSetting(
        licence_valid=licence_valid, registration=registration, registration_facts=facts
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


def request_panopto_setting_if_read(request: HttpRequest) -> PanoptoSetting | None:
    """The setting this request has read already, or None; never a query."""
    return getattr(request, _SETTING_ATTR, None)


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


def _decided(
    *,
    space: VirtualSpace,
    course_role: str | None,
    links: list[tuple[FolderLink, str | None]],
    setting: PanoptoSetting,
) -> SpacePanopto:
    """One space's folders decided for the user whose role in it is `course_role`, with its
    links and the user's role in each linked space."""
    access = SpaceAccess(course_role, space.is_public)

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
        administers = SpaceAccess(linked_role, owner.is_public).is_administrator
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


def space_panopto(*, user, space_pk: int, setting: PanoptoSetting) -> SpacePanopto | None:
    """One space's Panopto entries for the user, or None when the space does not exist (one
    statement, see `launch_facts`). Visibility is the caller's to check (`access.is_visible`)."""
    if not id_in_range(space_pk):  # see launch_facts
        return None
    with connection.cursor() as cursor:
        cursor.execute(_space_sql(connection.vendor), [user.pk, user.pk, space_pk])
        rows = cursor.fetchall()
    spaces = _spaces_from_rows(rows, setting=setting)
    return spaces[0] if spaces else None


# --- the launch's read, in one statement -----------------------------------------------------
# A launch reads, at the click and again at the authorization (SPEC §3 "at this moment"): the
# registration, whether a licence covers today, the space with its folder and the user's role
# in it, and each linked space with its folder and the user's role there. Through the ORM that
# is three queries, each compiled anew; at the lecture-hour rush the launch is bound by such
# round trips (bench/, docs/decisions/0011). So it is one hand-written statement: a row per
# linked folder (at least one row, whatever exists), LEFT JOINs from a one-row table so that a
# missing registration or space still answers the licence. Column names come from the models'
# own metadata and each value passes the backend's and the field's converters, as the ORM's
# would; the rows become the same model instances the ORM builds, so everything after this
# function is the code the pages use. One statement also means one snapshot: a membership
# import cannot commit between the course's role and a linked space's role.


@dataclass(frozen=True)
class _Part:
    model: type[models.Model]
    alias: str

    @property
    def fields(self) -> list[Field]:
        return list(self.model._meta.concrete_fields)

    def select(self) -> str:
        qn = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{qn(field.column)}" for field in self.fields)

    def build(self, values: Sequence[Any]) -> Any:
        """The model instance of these columns (their converters applied), or None when the
        LEFT JOIN found no row."""
        if values[0] is None:  # the primary key comes first
            return None
        attnames, converters = _converters(self, connection.vendor)
        converted = list(values)
        for index, column, field_converters in converters:
            value = converted[index]
            for converter in field_converters:
                value = converter(value, column, connection)
            converted[index] = value
        return self.model.from_db(connection.alias, attnames, converted)


@cache
def _converters(part: _Part, vendor: str) -> tuple[list[str], list[tuple[int, Any, list[Any]]]]:
    """The attribute names of a part's columns, and for each column that has any, the
    backend's and the field's converters (`from_db_value`), as the ORM applies them."""
    attnames, converters = [], []
    for index, field in enumerate(part.fields):
        attnames.append(field.attname)
        column = field.get_col(part.alias)
        found = [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]
        if found:
            converters.append((index, column, found))
    return attnames, converters


_REGISTRATION = _Part(PanoptoRegistration, "r")
_SPACE = _Part(VirtualSpace, "s")
_FOLDER = _Part(PanoptoFolder, "f")
_LINK = _Part(FolderLink, "l")
_LINKED_SPACE = _Part(VirtualSpace, "ls")
_LINKED_FOLDER = _Part(PanoptoFolder, "lf")


# The folder columns of a space and of each of its linked spaces, after the user's role in each.
_SPACE_PARTS = (_SPACE, _FOLDER, _LINK, _LINKED_SPACE, _LINKED_FOLDER)


def _sql_names() -> tuple[Callable[[_Part], str], Callable[[_Part, str], str]]:
    qn = connection.ops.quote_name

    def table(part: _Part) -> str:
        return f"{qn(part.model._meta.db_table)} {part.alias}"

    def column(part: _Part, name: str) -> str:
        return f"{part.alias}.{qn(cast(Field, part.model._meta.get_field(name)).column)}"

    return table, column


def _spaces_select_from() -> str:
    """The select list and joins both reads share: the user's role in the space and in each
    linked space (`user_role_sql`, each with the user as a parameter), then the columns of
    `_SPACE_PARTS`; a row per linked folder, one row for a space without links."""
    table, column = _sql_names()
    # Only quoted names from the models' metadata are formatted in; every value is a parameter.
    return (
        f"{user_role_sql(column(_SPACE, 'id'))}, {user_role_sql(column(_LINKED_SPACE, 'id'))}, "
        + ", ".join(part.select() for part in _SPACE_PARTS)
        + f" FROM {table(_SPACE)}"
        f" LEFT JOIN {table(_FOLDER)} ON {column(_FOLDER, 'space')} = {column(_SPACE, 'id')}"
        f" LEFT JOIN {table(_LINK)} ON {column(_LINK, 'course')} = {column(_SPACE, 'id')}"
        f" LEFT JOIN {table(_LINKED_SPACE)}"
        f" ON {column(_LINKED_SPACE, 'id')} = {column(_LINK, 'linked_space')}"
        f" LEFT JOIN {table(_LINKED_FOLDER)}"
        f" ON {column(_LINKED_FOLDER, 'space')} = {column(_LINKED_SPACE, 'id')}"
    )


def _links_order() -> str:
    _table, column = _sql_names()
    return f"{column(_LINK, 'position')}, {column(_LINKED_SPACE, 'name')}"


@cache
def _launch_sql(vendor: str) -> str:
    """The licence, the registration, and one space (`%s`) with its folders and the user's
    roles; LEFT JOINs from a one-row table, so that a missing registration or space still
    answers the licence."""
    qn = connection.ops.quote_name
    table, column = _sql_names()
    licence = PanoptoLicence._meta
    licence_valid = (
        f"EXISTS (SELECT 1 FROM {qn(licence.db_table)} lc "
        f"WHERE lc.{qn(licence.get_field('is_enabled').column)} "
        f"AND lc.{qn(licence.get_field('valid_from').column)} <= %s "
        f"AND lc.{qn(licence.get_field('valid_until').column)} >= %s)"
    )
    return (
        f"SELECT {licence_valid}, {_REGISTRATION.select()}, {_spaces_select_from()}"
        f" LEFT JOIN {table(_REGISTRATION)} ON {column(_REGISTRATION, 'id')} = 1"
        f" WHERE {column(_SPACE, 'id')} = %s"
        f" UNION ALL SELECT {licence_valid}, {_REGISTRATION.select()}, "
        + ", ".join(["NULL"] * (2 + sum(len(part.fields) for part in _SPACE_PARTS)))
        + " FROM (SELECT 1 AS one) one"
        f" LEFT JOIN {table(_REGISTRATION)} ON {column(_REGISTRATION, 'id')} = 1"
        f" WHERE NOT EXISTS (SELECT 1 FROM {table(_SPACE)} WHERE {column(_SPACE, 'id')} = %s)"
    )


@cache
def _space_sql(vendor: str) -> str:
    """One space (`%s`) with its folders and the user's roles."""
    _table, column = _sql_names()
    return (
        f"SELECT {_spaces_select_from()} WHERE {column(_SPACE, 'id')} = %s"
        f" ORDER BY {_links_order()}"
    )


@cache
def _user_spaces_sql(vendor: str, *, of_semester: bool) -> str:
    """Every space where the user (`%s`) holds a membership, with its folders and the user's
    roles; with `of_semester`, only those of one semester (`%s`) and those without one."""
    qn = connection.ops.quote_name
    _table, column = _sql_names()
    membership = Membership._meta
    members = (
        f"SELECT m.{qn(cast(Field, membership.get_field('space')).column)} "
        f"FROM {qn(membership.db_table)} m "
        f"WHERE m.{qn(cast(Field, membership.get_field('user')).column)} = %s"
    )
    semester = column(_SPACE, "semester")
    return (
        f"SELECT {_spaces_select_from()} WHERE {column(_SPACE, 'id')} IN ({members})"
        + (f" AND ({semester} = %s OR {semester} = '')" if of_semester else "")
        + f" ORDER BY {column(_SPACE, 'id')}, {_links_order()}"
    )


def launch_facts(*, user, space_pk: int) -> tuple[PanoptoSetting, SpacePanopto | None]:
    """The setting and one space's Panopto entries for the user (None when the space does not
    exist), in one statement — what `panopto_setting` and `space_panopto` read in three."""
    if not id_in_range(space_pk):
        # A URL's id beyond what the database stores names no space: the ORM's lookups answer
        # so, but a bound parameter would overflow (SQLite's OverflowError, PostgreSQL's
        # "bigint out of range") and answer 500.
        space_pk = 0
    today = timezone.localdate()
    params = [today, today, user.pk, user.pk, space_pk, today, today, space_pk]
    with connection.cursor() as cursor:
        cursor.execute(_launch_sql(connection.vendor), params)
        rows = cursor.fetchall()
    first = rows[0]
    after = 1 + len(_REGISTRATION.fields)
    registration = _REGISTRATION.build(first[1:after])
    licence_valid = bool(first[0])
    if registration is not None:
        registration.licence_valid_today = licence_valid
    setting = _setting(registration, licence_valid)
    spaces = _spaces_from_rows(
        sorted((row[after:] for row in rows), key=_link_sort_key), setting=setting
    )
    return setting, (spaces[0] if spaces else None)


def request_launch_facts(
    request: HttpRequest, space_pk: int
) -> tuple[PanoptoSetting, SpacePanopto | None]:
    """`launch_facts` for this request's user; the setting is kept for the rest of the request
    (`request_panopto_setting`), so the page around a launch button reads it no more."""
    setting, target = launch_facts(user=request.user, space_pk=space_pk)
    setattr(request, _SETTING_ATTR, setting)
    return setting, target


def _link_sort_key(row: Sequence[Any]) -> tuple:
    """The launch's rows in the links' order (position, then the linked space's name); done
    here because a UNION's ORDER BY may name only its output columns."""
    values = _part_values(row)
    position = _field_value(values, _LINK, "position")
    name = _field_value(values, _LINKED_SPACE, "name")
    return (position is None, position or 0, name or "")


def _field_value(values: dict[_Part, Sequence[Any]], part: _Part, name: str) -> Any:
    index = next(i for i, field in enumerate(part.fields) if field.name == name)
    return values[part][index]


def _spaces_from_rows(
    rows: Iterable[Sequence[Any]], *, setting: PanoptoSetting
) -> list[SpacePanopto]:
    """The spaces of `_spaces_select_from`'s rows (a space's rows next to each other), each
    decided for the user, as the same model instances the ORM would build."""
    result: list[SpacePanopto] = []
    space: Any = None
    course_role: str | None = None
    links: list[tuple[FolderLink, str | None]] = []
    for row in rows:
        values = _part_values(row)
        if space is None or values[_SPACE][0] != space.pk:
            if space is not None:
                result.append(
                    _decided(space=space, course_role=course_role, links=links, setting=setting)
                )
            space = _SPACE.build(values[_SPACE])
            if space is None:  # the launch's space does not exist
                return result
            space._state.fields_cache["panopto_folder"] = _FOLDER.build(values[_FOLDER])
            course_role, links = row[0], []
        link = _LINK.build(values[_LINK])
        if link is None:
            continue
        linked_space = _LINKED_SPACE.build(values[_LINKED_SPACE])
        linked_space._state.fields_cache["panopto_folder"] = _LINKED_FOLDER.build(
            values[_LINKED_FOLDER]
        )
        link._state.fields_cache["course"] = space
        link._state.fields_cache["linked_space"] = linked_space
        links.append((link, row[1]))
    if space is not None:
        result.append(_decided(space=space, course_role=course_role, links=links, setting=setting))
    return result


def _part_values(row: Sequence[Any]) -> dict[_Part, Sequence[Any]]:
    values = {}
    start = 2  # the user's role in the space, in the linked space
    for part in _SPACE_PARTS:
        end = start + len(part.fields)
        values[part] = row[start:end]
        start = end
    return values


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
    other spaces) stay. One statement, however many spaces and links (see `launch_facts`)."""
    params: list[Any] = [user.pk, user.pk, user.pk] + ([semester] if semester else [])
    with connection.cursor() as cursor:
        cursor.execute(_user_spaces_sql(connection.vendor, of_semester=bool(semester)), params)
        rows = cursor.fetchall()
    return _spaces_from_rows(rows, setting=setting)


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
