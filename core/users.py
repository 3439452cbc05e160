"""What the layers beneath the project need of a user (issue 22). The user model is the
project's (`portal.models.User`, above every app), so the apps and their strictly typed reads,
writes and launch plan name a user by these protocols instead of importing it."""

import uuid
from typing import Any, Protocol, cast

from django.core.exceptions import PermissionDenied


class UserRef(Protocol):
    """A user as a key: whose memberships, whose launch, who did it."""

    @property
    def pk(self) -> Any: ...


class PortalUser(UserRef, Protocol):
    """A signed-in portal user as a launch describes them to a tool (SPEC §5.3)."""

    @property
    def email(self) -> str: ...

    @property
    def first_name(self) -> str: ...

    @property
    def last_name(self) -> str: ...

    @property
    def neptun_code(self) -> str: ...

    @property
    def lti_subject(self) -> uuid.UUID: ...

    def get_full_name(self) -> str: ...

    def get_username(self) -> str: ...


def signed_in_user(user: object) -> PortalUser:
    """A view's `request.user`, which `login_required` made a signed-in user; anyone else here
    is a programming error, refused rather than described to a tool."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    return cast(PortalUser, user)
