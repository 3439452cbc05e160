"""Every write to virtual spaces and memberships goes through these functions."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


def membership_save(*, membership: Membership) -> Membership:
    """Save a membership created or changed in the admin, validated again."""
    membership.full_clean()
    membership.save()
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
    membership.save()
    return membership


# --- CSV import ------------------------------------------------------------------------------

# Accepted spellings of a role in the file: the stored value, the English and the Hungarian
# label, so a file exported from either language of the portal imports.
ROLE_ALIASES = {
    "administrator": MembershipRole.ADMINISTRATOR,
    "admin": MembershipRole.ADMINISTRATOR,
    "adminisztrátor": MembershipRole.ADMINISTRATOR,
    "oktató": MembershipRole.ADMINISTRATOR,  # the Hungarian label (docs/glossary.md)
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
class MembershipCsvResult(CsvImportResult):
    """A membership import's result, and how its rows' people were found: the first column
    is a Neptun code or a username, and the admin is told how many rows matched which."""

    matched_by_neptun_code: int = 0
    matched_by_username: int = 0


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


def memberships_import_csv(*, data: bytes) -> MembershipCsvResult:
    """Import memberships from CSV rows `user identifier, space code, role`.

    The user identifier is the person's Neptun code or, failing that, their username; an
    identifier that is one person's Neptun code and another's username is refused (either
    choice could give the wrong person access). Every row is validated first. If any row is
    invalid nothing is written and the result lists every problem; otherwise all rows are
    written in one transaction. Importing the same file again changes nothing. Raises
    MembershipCsvError when the file itself cannot be read.
    """
    rows = read_csv_rows(
        data, is_header=_is_header, no_rows_message=_("The file has no membership rows.")
    )
    result = MembershipCsvResult(rows=len(rows))

    identifiers = {row[0] for _line, row in rows if row}
    codes = {row[1] for _line, row in rows if len(row) > 1}
    users_by_code, users_by_name = _users_by_identifier(identifiers)
    spaces = {
        s.code: s for chunk in in_chunks(codes) for s in VirtualSpace.objects.filter(code__in=chunk)
    }

    wanted: dict[tuple[int, int], tuple[str, int]] = {}
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

    if result.problems:
        return result

    with transaction.atomic():
        existing = {
            (m.user_id, m.space_id): m
            # Lock the membership rows only, in one order: the model's default ordering joins
            # spaces and users, and FOR UPDATE would then lock those rows too — which every
            # launch's launch record needs (its foreign-key check), and deadlocked with them.
            # In chunks of the wanted (user, space) pairs, sorted (a parameter limit,
            # core.csv_rows): each chunk names at most LOOKUP_CHUNK values in all.
            for chunk in in_chunks(wanted, LOOKUP_CHUNK // 2)
            for m in Membership.objects.select_for_update(of=("self",))
            .filter(
                user_id__in={user_id for user_id, _space in chunk},
                space_id__in={space_id for _user, space_id in chunk},
            )
            .order_by("user_id", "space_id")
        }
        to_create, to_update = [], []
        for (user_id, space_id), (wanted_role, _line) in wanted.items():
            membership = existing.get((user_id, space_id))
            if membership is None:
                to_create.append(Membership(user_id=user_id, space_id=space_id, role=wanted_role))
            elif membership.role != wanted_role:
                membership.role = wanted_role
                to_update.append(membership)
        Membership.objects.bulk_create(to_create, batch_size=1000)
        Membership.objects.bulk_update(to_update, ["role"], batch_size=1000)
    result.created = len(to_create)
    result.updated = len(to_update)
    result.unchanged = len(wanted) - len(to_create) - len(to_update)
    return result
