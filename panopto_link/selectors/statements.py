"""The hand-written reads (docs/decisions/0011): the launch's read, one space's and all of a
user's spaces with their folders and the user's roles, each in one statement."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from django.db import connection, models
from django.db.models import Field
from django.http import HttpRequest
from django.utils import timezone

from core.params import id_in_range
from core.users import UserRef
from panopto_link.models import (
    FolderLink,
    PanoptoFolder,
    PanoptoLicence,
    PanoptoRegistration,
)
from panopto_link.selectors.setting import REQUEST_SETTING_ATTR, PanoptoSetting, setting_from
from panopto_link.selectors.spaces import (
    SpacePanopto,
    decided_space,
)
from virtualspaces.models import Membership, VirtualSpace
from virtualspaces.selectors import user_role_sql

if TYPE_CHECKING:  # django-stubs' fields are generic; Django's own are not subscriptable
    AnyField: TypeAlias = Field[Any, Any]
else:
    AnyField = Field


def space_panopto(*, user: UserRef, space_pk: int, setting: PanoptoSetting) -> SpacePanopto | None:
    """One space's Panopto entries for the user, or None when the space does not exist (one
    statement, see `launch_facts`). Visibility is the caller's to check (`access.is_visible`)."""
    if not id_in_range(space_pk):  # see launch_facts
        return None
    with connection.cursor() as cursor:
        cursor.execute(_space_sql(connection.vendor), {"user": user.pk, "space": space_pk})
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
    def fields(self) -> list[AnyField]:
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
        return f"{part.alias}.{qn(cast(AnyField, part.model._meta.get_field(name)).column)}"

    return table, column


def _spaces_select_from() -> str:
    """The select list and joins both reads share: the user's role in the space and in each
    linked space (`user_role_sql`, each with the user as a parameter), then the columns of
    `_SPACE_PARTS`; a row per linked folder, one row for a space without links."""
    table, column = _sql_names()
    # Only quoted names from the models' metadata are formatted in; every value is a named
    # parameter.
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
def _launch_sql(vendor: str, *, of_client: bool = False) -> str:
    """The licence on `%(today)s`, the registration, and one space (`%(space)s`) with its
    folders and the user's (`%(user)s`) roles; LEFT JOINs from a one-row table, so that a
    missing registration or space still answers the licence. With `of_client`, the space is
    read only when the registration's client id is `%(client)s`: the platform looks a tool up
    by the client id of a request, and a tool that is not the one named reads no space."""
    qn = connection.ops.quote_name
    table, column = _sql_names()
    licence = PanoptoLicence._meta
    # Only quoted names from the models' metadata are formatted in (the line-level exemptions
    # of S608 below); every value is a named parameter.
    licence_valid = (
        f"EXISTS (SELECT 1 FROM {qn(licence.db_table)} lc "  # noqa: S608
        f"WHERE lc.{qn(licence.get_field('is_enabled').column)} "
        f"AND lc.{qn(licence.get_field('valid_from').column)} <= %(today)s "
        f"AND lc.{qn(licence.get_field('valid_until').column)} >= %(today)s)"
    )
    space_read = f"{column(_SPACE, 'id')} = %(space)s"
    space_exists = f"EXISTS (SELECT 1 FROM {table(_SPACE)} WHERE {space_read})"  # noqa: S608
    if of_client:
        registration = PanoptoRegistration._meta
        client_id = qn(cast(AnyField, registration.get_field("client_id")).column)
        space_read += f" AND {column(_REGISTRATION, 'client_id')} = %(client)s"
        space_exists = (
            f"({space_exists} AND EXISTS (SELECT 1 FROM {qn(registration.db_table)} rc "  # noqa: S608
            f"WHERE rc.{qn(registration.pk.column)} = 1 AND rc.{client_id} = %(client)s))"
        )
    return (
        f"SELECT {licence_valid}, {_REGISTRATION.select()}, {_spaces_select_from()}"  # noqa: S608
        f" LEFT JOIN {table(_REGISTRATION)} ON {column(_REGISTRATION, 'id')} = 1"
        f" WHERE {space_read}"
        f" UNION ALL SELECT {licence_valid}, {_REGISTRATION.select()}, "
        + ", ".join(["NULL"] * (2 + sum(len(part.fields) for part in _SPACE_PARTS)))
        + " FROM (SELECT 1 AS one) one"
        f" LEFT JOIN {table(_REGISTRATION)} ON {column(_REGISTRATION, 'id')} = 1"
        f" WHERE NOT {space_exists}"
    )


@cache
def _space_sql(vendor: str) -> str:
    """One space (`%(space)s`) with its folders and the user's roles."""
    _table, column = _sql_names()
    return (
        f"SELECT {_spaces_select_from()} WHERE {column(_SPACE, 'id')} = %(space)s"
        f" ORDER BY {_links_order()}"
    )


@cache
def _user_spaces_sql(vendor: str, *, of_semester: bool) -> str:
    """Every space where the user (`%(user)s`) holds a membership, with its folders and the user's
    roles; with `of_semester`, only those of one semester (`%(semester)s`) and those without one."""
    qn = connection.ops.quote_name
    _table, column = _sql_names()
    membership = Membership._meta
    # Only quoted names from the models' metadata are formatted in; every value is a named
    # parameter.
    members = (
        f"SELECT m.{qn(cast(AnyField, membership.get_field('space')).column)} "  # noqa: S608
        f"FROM {qn(membership.db_table)} m "
        f"WHERE m.{qn(cast(AnyField, membership.get_field('user')).column)} = %(user)s"
    )
    semester = column(_SPACE, "semester")
    return (
        f"SELECT {_spaces_select_from()} WHERE {column(_SPACE, 'id')} IN ({members})"
        + (f" AND ({semester} = %(semester)s OR {semester} = '')" if of_semester else "")
        + f" ORDER BY {column(_SPACE, 'id')}, {_links_order()}"
    )


def launch_facts(
    *, user: UserRef, space_pk: int, client_id: str | None = None
) -> tuple[PanoptoSetting, SpacePanopto | None]:
    """The setting and one space's Panopto entries for the user (None when the space does not
    exist), in one statement — what `panopto_setting` and `space_panopto` read in three. With a
    `client_id`, the space is read only when the registration is that client's (None else)."""
    if not id_in_range(space_pk):
        # A URL's id beyond what the database stores names no space: the ORM's lookups answer
        # so, but a bound parameter would overflow (SQLite's OverflowError, PostgreSQL's
        # "bigint out of range") and answer 500.
        space_pk = 0
    today = timezone.localdate()
    params = {"today": today, "user": user.pk, "space": space_pk, "client": client_id}
    with connection.cursor() as cursor:
        cursor.execute(_launch_sql(connection.vendor, of_client=client_id is not None), params)
        rows = cursor.fetchall()
    first = rows[0]
    after = 1 + len(_REGISTRATION.fields)
    registration = _REGISTRATION.build(first[1:after])
    licence_valid = bool(first[0])
    if registration is not None:
        registration.licence_valid_today = licence_valid
    setting = setting_from(registration, licence_valid)
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
    setattr(request, REQUEST_SETTING_ATTR, setting)
    return setting, target


def _link_sort_key(row: Sequence[Any]) -> tuple[Any, ...]:
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
                    decided_space(
                        space=space, course_role=course_role, links=links, setting=setting
                    )
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
        result.append(
            decided_space(space=space, course_role=course_role, links=links, setting=setting)
        )
    return result


def _part_values(row: Sequence[Any]) -> dict[_Part, Sequence[Any]]:
    values = {}
    start = 2  # the user's role in the space, in the linked space
    for part in _SPACE_PARTS:
        end = start + len(part.fields)
        values[part] = row[start:end]
        start = end
    return values


# --- page-shaped reads for the screens -------------------------------------------------------


def user_spaces_panopto(
    *, user: UserRef, setting: PanoptoSetting, semester: str = ""
) -> list[SpacePanopto]:
    """Studies → Information → Panopto: every space where the user holds a membership of any
    role (not the public spaces they merely look at), each with its folders decided. With a
    `semester`, courses of other semesters are left out; spaces without a semester (subjects,
    other spaces) stay. One statement, however many spaces and links (see `launch_facts`)."""
    params = {"user": user.pk, "semester": semester}
    with connection.cursor() as cursor:
        cursor.execute(_user_spaces_sql(connection.vendor, of_semester=bool(semester)), params)
        rows = cursor.fetchall()
    return _spaces_from_rows(rows, setting=setting)
