"""Template context shared by every page: the menu."""

from functools import partial

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from panopto_link.pages import request_licence_valid


def portal_menu(request: HttpRequest) -> dict:
    # Lazy: only a page that shows the menu (a signed-in user's) asks for the licence, once per
    # request, so the item follows the licence dates without a restart.
    return {"panopto_menu_visible": SimpleLazyObject(partial(request_licence_valid, request))}
