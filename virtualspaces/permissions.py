"""Who may see a virtual space, and in which capacity. The one place this is decided."""

from dataclasses import dataclass

from django.utils.functional import Promise

from virtualspaces.models import MembershipRole
from virtualspaces.words import role_label


@dataclass(frozen=True)
class SpaceAccess:
    """A user's standing in one space: their membership role, or guest of a public space.
    `space_type` words the role (a subject's administrator is its lecturer: `role_label`)."""

    membership_role: str | None
    is_public: bool
    space_type: str

    @property
    def is_visible(self) -> bool:
        """Members of any role see the space; anyone signed in sees a public one."""
        return self.membership_role is not None or self.is_public

    @property
    def is_administrator(self) -> bool:
        return self.membership_role == MembershipRole.ADMINISTRATOR

    @property
    def role_label(self) -> str | Promise | None:
        """The membership role as people read it in this space; None for a guest."""
        return role_label(self.membership_role, self.space_type) if self.membership_role else None

    @property
    def is_guest(self) -> bool:
        """A signed-in non-member looking at a public space."""
        return self.membership_role is None and self.is_public


def membership_csv_may_replace(*, may_delete_memberships: bool) -> bool:
    """A CSV import that replaces the listed spaces' memberships ends some of them: it takes
    the right to delete memberships, not only to add and change them (the helpdesk has those
    two: panopto_link.permissions.staff.HELPDESK_PERMISSIONS)."""
    return may_delete_memberships
