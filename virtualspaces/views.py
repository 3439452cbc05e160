"""Pages of virtual spaces."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from virtualspaces.models import Membership, VirtualSpace
from virtualspaces.permissions import SpaceAccess, strongest_role


def access_space(user, pk: int) -> tuple[VirtualSpace, SpaceAccess]:
    """The space and the user's standing in it; 404 alike for "does not exist" and "not
    yours", so that URLs cannot be probed."""
    space = VirtualSpace.objects.filter(pk=pk).first()
    if space is None:
        raise Http404
    roles = list(Membership.objects.filter(user=user, space=space).values_list("role", flat=True))
    access = SpaceAccess(membership_role=strongest_role(roles), is_public=space.is_public)
    if not access.is_visible:
        raise Http404
    return space, access


@login_required
def space_home(request: HttpRequest, pk: int) -> HttpResponse:
    space, access = access_space(request.user, pk)
    return render(request, "virtualspaces/space_home.html", {"space": space, "access": access})
