"""Reads shaped for the virtual-space pages, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from virtualspaces.models import Membership, MembershipRole, VirtualSpace


@dataclass(frozen=True)
class SpaceMembers:
    """The Home screen's members element: how many people hold each role, and who to ask."""

    administrators: list
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


def public_spaces(*, user, search: str = "") -> QuerySet[VirtualSpace]:
    """Public spaces, each annotated with the user's own role in it (`user_role`, None for a
    space the user would enter as a guest); one query per page of results."""
    spaces = VirtualSpace.objects.public().annotate(
        user_role=Subquery(
            # One membership per user and space (a unique constraint), so [:1] is the role.
            Membership.objects.filter(space=OuterRef("pk"), user=user).values("role")[:1]
        )
    )
    search = search.strip()
    if search:
        spaces = spaces.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return spaces.order_by("name", "code")
