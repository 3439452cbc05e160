"""Template context shared by every page: the menu."""

from django.http import HttpRequest


def portal_menu(request: HttpRequest) -> dict:
    return {}
