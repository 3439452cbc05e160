"""`access_space`: fetch a space and authorise the user for it in one step (the Zulip way), with
404 alike for "does not exist" and "not yours", so that URLs cannot be probed."""

from dataclasses import dataclass

from django.http import Http404

from virtualspaces.models import VirtualSpace
from virtualspaces.permissions import SpaceAccess
from virtualspaces.selectors import access_of, with_user_role


@dataclass(frozen=True)
class AccessibleSpace:
    space: VirtualSpace
    access: SpaceAccess


def access_space(user, space_pk: int) -> AccessibleSpace:
    """The space (with its subject) and the user's standing in it, in one query. Raises Http404
    when it does not exist or the user may not see it."""
    space = (
        with_user_role(VirtualSpace.objects.filter(pk=space_pk), user)
        .select_related("subject")
        .order_by()
        .first()
    )
    if space is None:
        raise Http404
    access = access_of(space)
    if not access.is_visible:
        raise Http404
    return AccessibleSpace(space=space, access=access)
