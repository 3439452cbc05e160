"""Reads shaped for the virtual-space pages, each in a fixed number of queries, and the user's
standing in spaces as other apps read it (one query for any number of spaces)."""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from core.users import UserRef
from virtualspaces.models import Membership, MembershipRole, VirtualSpace
from virtualspaces.permissions import SpaceAccess

# --- the user's standing, for one space or many ------------------------------------------------


def user_role_in(user: UserRef, space: OuterRef) -> Subquery:
    """The user's role in the space `space` refers to (an `OuterRef` to a space's id), for an
    annotation, or None. The database holds at most one membership of a user in a space (the
    `membership_one_per_user_and_space` constraint), so there is no precedence to apply."""
    return Subquery(Membership.objects.filter(space_id=space, user_id=user.pk).values("role"))


def with_user_role(spaces: QuerySet[VirtualSpace], user: UserRef) -> QuerySet[VirtualSpace]:
    """The spaces, each annotated with `user_role` (see `access_of`)."""
    return spaces.annotate(user_role=user_role_in(user, OuterRef("pk")))


def access_of(space: VirtualSpace) -> SpaceAccess:
    """The user's standing in a space read through `with_user_role`."""
    # The annotation is not a model field: typed as the subquery's value, a role or None.
    role: str | None = getattr(space, "user_role", None)
    return SpaceAccess(membership_role=role, is_public=space.is_public, space_type=space.space_type)


# --- page-shaped reads -------------------------------------------------------------------------


@dataclass(frozen=True)
class SpaceMembers:
    """The Home screen's members element: how many people hold each role, and who to ask."""

    administrators: list[Any]  # users (the project's model)
    members: int
    guest_members: int

    @property
    def total(self) -> int:
        return len(self.administrators) + self.members + self.guest_members


def space_members(space: VirtualSpace) -> SpaceMembers:
    """Counts per role and the administrators' user rows (two queries)."""
    counts = dict(
        Membership.objects.filter(space=space)
        .exclude(role=MembershipRole.ADMINISTRATOR)
        .values_list("role")
        .annotate(count=Count("id"))
        .order_by()
    )
    administrators = [
        membership.user
        for membership in Membership.objects.filter(
            space=space, role=MembershipRole.ADMINISTRATOR
        ).select_related("user")
    ]
    return SpaceMembers(
        administrators=administrators,
        members=counts.get(MembershipRole.MEMBER, 0),
        guest_members=counts.get(MembershipRole.GUEST_MEMBER, 0),
    )


def public_spaces(*, user: UserRef, search: str = "") -> QuerySet[VirtualSpace]:
    """Public spaces, each annotated with the user's own role in it (`user_role`, None for a
    space the user would enter as a guest); one query per page of results."""
    spaces = with_user_role(VirtualSpace.objects.public(), user)
    search = search.strip()
    if search:
        spaces = spaces.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return spaces.order_by("name", "code")


def user_role_sql(space_id_column: str) -> str:
    """`user_role_in` as SQL, for a hand-written query that reads many things in one statement
    (panopto_link's launch read): the role of the user given as the named parameter `user` in
    the space whose id is in `space_id_column`, or NULL (one membership at most, see
    `user_role_in`)."""
    qn = connection.ops.quote_name
    membership = Membership._meta
    # Only quoted names from the model's metadata are formatted in; the user is a parameter.
    return (
        f"(SELECT m.{qn(membership.get_field('role').column)} "  # noqa: S608
        f"FROM {qn(membership.db_table)} m "
        f"WHERE m.{qn(membership.get_field('space').column)} = {space_id_column} "
        f"AND m.{qn(membership.get_field('user').column)} = %(user)s)"
    )
