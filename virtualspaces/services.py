"""Every write to virtual spaces and memberships goes through these functions."""

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from core.csv_rows import (
    LOOKUP_CHUNK,
    CsvFileError,
    CsvImportResult,
    CsvRowProblem,
    in_chunks,
    read_csv_rows,
)
from virtualspaces.models import Membership, MembershipRole, VirtualSpace
from virtualspaces.signals import membership_roles_changed


def space_create(
    *,
    name: str,
    code: str,
    space_type: str,
    semester: str = "",
    is_public: bool = False,
    subject: VirtualSpace | None = None,
    description: str = "",
) -> VirtualSpace:
    """Create a virtual space after validating it; raises ValidationError."""
    space = VirtualSpace(
        name=name,
        code=code,
        space_type=space_type,
        semester=semester,
        is_public=is_public,
        subject=subject,
        description=description,
    )
    space.full_clean()
    space.save()
    return space


def space_save(*, space: VirtualSpace) -> VirtualSpace:
    """Save a space created or changed in the admin, validated again as every write is."""
    space.full_clean()
    space.save()
    return space


def spaces_create_missing(spaces: Sequence[VirtualSpace]) -> list[VirtualSpace]:
    """Create, in bulk, those of `spaces` whose code no space has yet (the demo's seed: a
    second run creates nothing); the others are left as they are. Returns those created."""
    taken = set(
        VirtualSpace.objects.filter(code__in=[space.code for space in spaces]).values_list(
            "code", flat=True
        )
    )
    return VirtualSpace.objects.bulk_create([s for s in spaces if s.code not in taken])


def _roles_changed(memberships: Sequence[Membership]) -> None:
    """Tell the listeners (Panopto takes a Creator role back) of the memberships whose role is
    not the one read, in the caller's transaction; the role saved is then the one read."""
    changes = [
        (m, m.role_loaded)
        for m in memberships
        if m.role_loaded is not None and m.role_loaded != m.role
    ]
    if changes:
        membership_roles_changed.send(sender=Membership, changes=changes)
    for membership in memberships:
        membership.role_loaded = membership.role


def membership_save(*, membership: Membership) -> Membership:
    """Save a membership created or changed in the admin, validated again; a changed role is
    announced in the same transaction."""
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        _roles_changed([membership])
    return membership


def memberships_create_missing(roles: Mapping[tuple[int, int], str]) -> int:
    """Give each (user id, space id) its role where the user holds no membership of the space
    yet, in bulk (the demo's seed); existing memberships keep their role. Returns how many
    were created."""
    existing = set(
        Membership.objects.filter(
            space_id__in={space_id for _user_id, space_id in roles}
        ).values_list("user_id", "space_id")
    )
    new = [
        Membership(user_id=user_id, space_id=space_id, role=role)
        for (user_id, space_id), role in roles.items()
        if (user_id, space_id) not in existing
    ]
    Membership.objects.bulk_create(new, batch_size=1000)
    return len(new)


def membership_set(*, user: Any, space: VirtualSpace, role: str) -> Membership:
    """Give the user this role in the space, creating or changing their one membership."""
    membership = Membership.objects.filter(user=user, space=space).first()
    if membership is None:
        membership = Membership(user=user, space=space, role=role)
    elif membership.role == role:
        return membership
    membership.role = role
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        _roles_changed([membership])
    return membership


# --- CSV import ------------------------------------------------------------------------------

# Accepted spellings of a role in the file: the stored value, the English and the Hungarian
# label, so a file exported from either language of the portal imports.
ROLE_ALIASES = {
    "administrator": MembershipRole.ADMINISTRATOR,
    "admin": MembershipRole.ADMINISTRATOR,
    "adminisztrátor": MembershipRole.ADMINISTRATOR,
    "oktató": MembershipRole.ADMINISTRATOR,  # a subject's or course's (docs/glossary.md)
    "oktató vagy adminisztrátor": MembershipRole.ADMINISTRATOR,  # the Hungarian label
    "member": MembershipRole.MEMBER,
    "tag": MembershipRole.MEMBER,
    "guest_member": MembershipRole.GUEST_MEMBER,
    "guest member": MembershipRole.GUEST_MEMBER,
    "guest": MembershipRole.GUEST_MEMBER,
    "vendég tag": MembershipRole.GUEST_MEMBER,
    "vendég": MembershipRole.GUEST_MEMBER,
}
HEADER_ROLE_CELLS = {"role", "szerepkör", "szerep"}


# The importer's errors and results are those of every all-or-nothing CSV import (core).
MembershipCsvError = CsvFileError


def _is_header(row: list[str]) -> bool:
    return len(row) >= 3 and row[2].lower() in HEADER_ROLE_CELLS


@dataclass
class SpaceMembershipChanges:
    """What an import does to one space the file lists (a replace's preview shows them)."""

    code: str
    name: str
    added: int = 0
    changed: int = 0
    ended: int = 0
    unchanged: int = 0
    administrators_after: int = 0


@dataclass
class MembershipCsvResult(CsvImportResult):
    """A membership import's result (or its preview), and how its rows' people were found:
    the first column is a Neptun code or a username, and the admin is told how many rows
    matched which. `plan_digest` names the exact changes, so that a confirmed preview writes
    what it showed and nothing else."""

    replace: bool = False
    ended: int = 0
    matched_by_neptun_code: int = 0
    matched_by_username: int = 0
    spaces: list[SpaceMembershipChanges] = field(default_factory=list)
    plan_digest: str = ""

    @property
    def spaces_by_ended(self) -> list[SpaceMembershipChanges]:
        """The spaces, those losing most memberships first (what a preview's reader checks)."""
        return sorted(self.spaces, key=lambda space: (-space.ended, space.code))

    @property
    def spaces_without_administrator(self) -> list[SpaceMembershipChanges]:
        return [space for space in self.spaces if self.replace and not space.administrators_after]


class MembershipCsvPlanChanged(Exception):
    """The memberships changed between a replace's preview and its confirmation: nothing was
    written; `result` is the new preview to show."""

    def __init__(self, result: MembershipCsvResult) -> None:
        super().__init__("The memberships changed since the preview.")
        self.result = result


def _users_by_identifier(identifiers: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The users whose Neptun code, and those whose username, is one of `identifiers`."""
    User = get_user_model()
    by_code = {
        u.neptun_code: u
        for chunk in in_chunks(identifiers)
        for u in User.objects.filter(neptun_code__in=chunk)
    }
    by_name = {
        u.username: u
        for chunk in in_chunks(identifiers)
        for u in User.objects.filter(username__in=chunk)
    }
    return by_code, by_name


# (user id, space id) → (role, the line that asked for it)
Wanted = dict[tuple[int, int], tuple[str, int]]


def _read_membership_rows(
    data: bytes, *, replace: bool
) -> tuple[MembershipCsvResult, Wanted, dict[int, VirtualSpace]]:
    """The file's rows checked and resolved to users and spaces: every problem is listed in
    the result; nothing is written."""
    rows = read_csv_rows(
        data, is_header=_is_header, no_rows_message=_("The file has no membership rows.")
    )
    result = MembershipCsvResult(rows=len(rows), replace=replace)

    identifiers = {row[0] for _line, row in rows if row}
    codes = {row[1] for _line, row in rows if len(row) > 1}
    users_by_code, users_by_name = _users_by_identifier(identifiers)
    spaces = {
        s.code: s for chunk in in_chunks(codes) for s in VirtualSpace.objects.filter(code__in=chunk)
    }

    wanted: Wanted = {}
    for line, row in rows:
        reason = None
        if len(row) != 3:
            reason = _("Expected 3 columns (user, space code, role), found %(count)d.") % {
                "count": len(row)
            }
        else:
            identifier, code, role_text = row
            role = ROLE_ALIASES.get(role_text.lower())
            by_code = users_by_code.get(identifier)
            by_name = users_by_name.get(identifier)
            if by_code is None and by_name is None:
                reason = _("No user has the Neptun code or the username “%(user)s”.") % {
                    "user": identifier
                }
            elif by_code is not None and by_name is not None and by_code.pk != by_name.pk:
                reason = _(
                    "“%(user)s” is the Neptun code of %(by_code)s and the username of "
                    "%(by_name)s; correct one of them before importing."
                ) % {"user": identifier, "by_code": by_code, "by_name": by_name}
            elif code not in spaces:
                reason = _("No virtual space with the code “%(code)s”.") % {"code": code}
            elif role is None:
                reason = _(
                    "Unknown role “%(role)s”; use administrator, member or guest member."
                ) % {"role": role_text}
            else:
                if by_code is not None:
                    user = by_code
                    result.matched_by_neptun_code += 1
                else:
                    user = by_name
                    result.matched_by_username += 1
                key = (user.pk, spaces[code].pk)
                earlier = wanted.get(key)
                if earlier and earlier[0] != role:
                    reason = _(
                        "The same user and space already appear on line %(line)d with another role."
                    ) % {"line": earlier[1]}
                elif not earlier:
                    wanted[key] = (role, line)
        if reason:
            result.problems.append(CsvRowProblem(line=line, row=tuple(row), reason=reason))
    listed = {space.pk: space for space in spaces.values()}
    return result, wanted, listed


def _existing_memberships(
    wanted: Wanted, space_ids: set[int], *, replace: bool, lock: bool
) -> dict[tuple[int, int], Membership]:
    """The memberships an import may change: every membership of the listed spaces when it
    replaces them, the wanted (user, space) pairs' otherwise; locked when `lock`.

    Only the membership rows are locked, in one order: the model's default ordering joins
    spaces and users, and FOR UPDATE would then lock those rows too — which every launch's
    launch record needs (its foreign-key check), and deadlocked with them. In chunks, sorted
    (a parameter limit, core.csv_rows): each chunk names at most LOOKUP_CHUNK values in all."""
    base = Membership.objects.select_for_update(of=("self",)) if lock else Membership.objects.all()
    if replace:
        queries = (
            base.filter(space_id__in=chunk).order_by("space_id", "user_id")
            for chunk in in_chunks(space_ids)
        )
    else:
        queries = (
            base.filter(
                user_id__in={user_id for user_id, _space in chunk},
                space_id__in={space_id for _user, space_id in chunk},
            ).order_by("user_id", "space_id")
            for chunk in in_chunks(wanted, LOOKUP_CHUNK // 2)
        )
    return {(m.user_id, m.space_id): m for query in queries for m in query}


def _plan(
    result: MembershipCsvResult,
    wanted: Wanted,
    listed: dict[int, VirtualSpace],
    existing: dict[tuple[int, int], Membership],
) -> tuple[list[Membership], list[Membership], list[int]]:
    """The memberships to create, to change and (replacing) to end; counts them in `result`,
    per space too, and names the whole plan by its digest."""
    changes = {
        pk: SpaceMembershipChanges(code=space.code, name=space.name) for pk, space in listed.items()
    }
    to_create: list[Membership] = []
    to_update: list[Membership] = []
    for (user_id, space_id), (wanted_role, _line) in wanted.items():
        space = changes[space_id]
        if wanted_role == MembershipRole.ADMINISTRATOR:
            space.administrators_after += 1
        membership = existing.get((user_id, space_id))
        if membership is None:
            to_create.append(Membership(user_id=user_id, space_id=space_id, role=wanted_role))
            space.added += 1
        elif membership.role != wanted_role:
            membership.role = wanted_role
            to_update.append(membership)
            space.changed += 1
        else:
            space.unchanged += 1
    to_end: list[int] = []
    if result.replace:
        for key, membership in existing.items():
            if key not in wanted:
                to_end.append(membership.pk)
                changes[membership.space_id].ended += 1
    result.created, result.updated, result.ended = len(to_create), len(to_update), len(to_end)
    result.unchanged = len(wanted) - len(to_create) - len(to_update)
    result.spaces = list(changes.values())
    plan = sorted(
        [("add", m.user_id, m.space_id, m.role) for m in to_create]
        + [("change", m.pk, 0, m.role) for m in to_update]
        + [("end", pk, 0, "") for pk in to_end]
    )
    result.plan_digest = hashlib.sha256(repr(plan).encode()).hexdigest()
    return to_create, to_update, to_end


def memberships_csv_preview(*, data: bytes, replace: bool) -> MembershipCsvResult:
    """What `memberships_import_csv` would do with the file now — every problem, or the
    counts per space and the plan's digest — without writing anything. Raises
    MembershipCsvError when the file itself cannot be read."""
    result, wanted, listed = _read_membership_rows(data, replace=replace)
    if not result.problems:
        existing = _existing_memberships(wanted, set(listed), replace=replace, lock=False)
        _plan(result, wanted, listed, existing)
    return result


def memberships_import_csv(
    *, data: bytes, replace: bool = False, expected_digest: str | None = None
) -> MembershipCsvResult:
    """Import memberships from CSV rows `user identifier, space code, role`.

    The user identifier is the person's Neptun code or, failing that, their username; an
    identifier that is one person's Neptun code and another's username is refused (either
    choice could give the wrong person access). Every row is validated first. If any row is
    invalid nothing is written and the result lists every problem; otherwise all rows are
    written in one transaction. Importing the same file again changes nothing.

    With `replace`, the file's rows are the whole of each listed space's memberships (as a
    Neptun export for a term is): a membership of a listed space that no row names ends, by
    the model's delete so that its `post_delete` signal is sent for each one; spaces the file
    does not list are not touched. With `expected_digest` (a confirmed preview's), nothing is
    written unless the changes are exactly those previewed: MembershipCsvPlanChanged is raised
    with the new preview otherwise. Raises MembershipCsvError when the file cannot be read.
    """
    result, wanted, listed = _read_membership_rows(data, replace=replace)
    if result.problems:
        return result

    with transaction.atomic():
        existing = _existing_memberships(wanted, set(listed), replace=replace, lock=True)
        to_create, to_update, to_end = _plan(result, wanted, listed, existing)
        if expected_digest is not None and expected_digest != result.plan_digest:
            raise MembershipCsvPlanChanged(result)
        Membership.objects.bulk_create(to_create, batch_size=1000)
        Membership.objects.bulk_update(to_update, ["role"], batch_size=1000)
        _roles_changed(to_update)
        for chunk in in_chunks(to_end):
            # QuerySet.delete() sends pre_delete and post_delete for every row it deletes
            # (it fetches them when anything listens): what ends with a membership hooks there.
            Membership.objects.filter(pk__in=chunk).delete()
    return result


# --- ending memberships (issue 24) ---------------------------------------------------------------


def memberships_end_expired(*, today: datetime.date) -> int:
    """End the memberships whose last day (`ends_on`) is before `today`: deleted as a removal in
    the admin is, one query's delete, so every listener of a membership's end (Panopto takes
    the access back) hears each of them in the same transaction. Returns how many ended."""
    with transaction.atomic():
        _deleted, by_model = Membership.objects.filter(ends_on__lt=today).delete()
    return by_model.get(Membership._meta.label, 0)
