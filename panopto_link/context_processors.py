"""Template context of every page: whether the menu shows Studies → Information → Panopto."""

from functools import partial

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from panopto_link.permissions import panopto_shown
from panopto_link.selectors import request_panopto_setting


def _menu_item_shown(request: HttpRequest) -> bool:
    return panopto_shown(licence_valid=request_panopto_setting(request).licence_valid)


def panopto_menu(request: HttpRequest) -> dict:
    # Lazy: only a page that shows the menu (a signed-in user's) reads the setting, once per
    # request, so the item follows the licence dates without a restart (SPEC §3, first row).
    return {"panopto_menu_visible": SimpleLazyObject(partial(_menu_item_shown, request))}
