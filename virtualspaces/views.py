"""Pages of virtual spaces: a space's Home screen and the list of public spaces."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from virtualspaces.access import access_space
from virtualspaces.elements import home_breadcrumbs, home_elements
from virtualspaces.selectors import access_of, space_members
from virtualspaces.selectors import public_spaces as public_spaces_selector
from virtualspaces.words import space_words

PUBLIC_SPACES_PER_PAGE = 25


# Never kept for the Back button: after a launch the folder may be open and the page's
# "not opened yet" stale (issue 25 item 4); the browser asks for it again instead.
@never_cache
@login_required
def space_home(request: HttpRequest, pk: int) -> HttpResponse:
    """A space's Home screen: its header, the elements other apps contribute (Panopto's, for
    one), its description and members."""
    home = access_space(request.user, pk)
    elements = [
        # Each element's template is escaped as it renders; the result is HTML already.
        mark_safe(render_to_string(element.template, element.context, request))  # noqa: S308
        for element in home_elements(request, home)
    ]
    context = {
        "space": home.space,
        "access": home.access,
        "breadcrumbs": home_breadcrumbs(request, home),
        "elements": elements,
        "members": space_members(home.space),
        "words": space_words(home.space.space_type),
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
            "rows": [(space, access_of(space)) for space in page],
            "search": search.strip(),
        },
    )
