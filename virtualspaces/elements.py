"""The elements of a space's Home screen that other apps contribute (the Panopto element, its
videos), and the pages a Home screen is reached from (its breadcrumb back). This app does not
know them: each registers a provider when it is ready (`AppConfig.ready`), and the Home screen
renders what the providers return, in order."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from virtualspaces.access import AccessibleSpace


@dataclass(frozen=True)
class HomeElement:
    """A template to include in the Home screen's main column, with its own context."""

    template: str
    context: dict = field(default_factory=dict)


HomeElementProvider = Callable[[HttpRequest, AccessibleSpace], list[HomeElement]]

_providers: list[HomeElementProvider] = []


def home_element_register(provider: HomeElementProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def home_elements(request: HttpRequest, space: AccessibleSpace) -> list[HomeElement]:
    """Every registered provider's elements for this space and user."""
    return [element for provider in _providers for element in provider(request, space)]


# --- where the user came from: the Home screen's breadcrumb ----------------------------------


@dataclass(frozen=True)
class Crumb:
    """One step of a breadcrumb: a page (with its URL) or a group of the menu (without)."""

    label: str | Promise
    url: str | None = None


# A page a Home screen is reached from: its trail of crumbs, or None where the user cannot use
# it now (say, no Panopto licence). Links to a Home screen name it with ?from=<key>.
HomeOrigin = Callable[[HttpRequest, AccessibleSpace], list[Crumb] | None]

PUBLIC_SPACES = "public"
_origins: dict[str, HomeOrigin] = {}


def home_origin_register(key: str, origin: HomeOrigin) -> None:
    _origins.setdefault(key, origin)


def _public_spaces(request: HttpRequest, home: AccessibleSpace) -> list[Crumb] | None:
    if not home.space.is_public:
        return None
    return [
        Crumb(_("Virtual spaces")),
        Crumb(_("Public spaces"), reverse("virtualspaces:public_spaces")),
    ]


home_origin_register(PUBLIC_SPACES, _public_spaces)


def home_breadcrumbs(request: HttpRequest, home: AccessibleSpace) -> list[Crumb]:
    """The way back from a Home screen: the page named by ?from= when it is one; else, for a
    guest, the public spaces; else the first page registered that the user can use (the
    Panopto list, where the licence allows); else the portal's home page."""
    asked = request.GET.get("from", "")
    keys = [asked] if asked in _origins else []
    if home.access.is_guest:
        keys.append(PUBLIC_SPACES)
    keys += [key for key in _origins if key != PUBLIC_SPACES]
    for key in keys:
        trail = _origins[key](request, home)
        if trail is not None:
            return trail
    return [Crumb(_("Home"), reverse("portal:home"))]
