"""Pages of virtual spaces: a space's Home screen and the list of public spaces."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from panopto_link.pages import request_panopto_setting
from panopto_link.selectors import SpacePanopto, space_home_panopto, space_videos
from virtualspaces.permissions import SpaceAccess
from virtualspaces.selectors import public_spaces as public_spaces_selector
from virtualspaces.selectors import space_members

PUBLIC_SPACES_PER_PAGE = 25


def access_space(request: HttpRequest, pk: int) -> SpacePanopto:
    """The space with the user's standing in it and its Panopto folders decided; 404 alike for
    "does not exist" and "not yours", so that URLs cannot be probed. The Panopto part is read
    here too, so the Home screen runs a fixed number of queries."""
    home = space_home_panopto(
        user=request.user, space_pk=pk, setting=request_panopto_setting(request)
    )
    if home is None or not home.access.is_visible:
        raise Http404
    return home


@login_required
def space_home(request: HttpRequest, pk: int) -> HttpResponse:
    """A space's Home screen: its header, the Panopto element and the videos linked into the
    space, its description and members."""
    home = access_space(request, pk)
    panopto_shown = home.folder.decision.shown  # False without a valid licence (SPEC §3)
    context = {
        "space": home.space,
        "access": home.access,
        "panopto": home,
        "panopto_shown": panopto_shown,
        # the videos linked into the space (SPEC §6), Panopto content like the element
        "target": home,
        "videos": space_videos(home) if panopto_shown else None,
        "members": space_members(home.space),
    }
    return render(request, "virtualspaces/space_home.html", context)


@login_required
def public_spaces(request: HttpRequest) -> HttpResponse:
    """Public spaces anyone signed in may enter, as a guest when not a member."""
    search = request.GET.get("q", "")[:100]
    paginator = Paginator(
        public_spaces_selector(user=request.user, search=search), PUBLIC_SPACES_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "virtualspaces/public_spaces.html",
        {
            "page": page,
            "rows": [
                (space, SpaceAccess(membership_role=space.user_role, is_public=True))
                for space in page
            ],
            "search": search.strip(),
        },
    )
