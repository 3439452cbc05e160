"""Response headers of the hardening that neither Django nor django-csp sets: the
Permissions-Policy (docs/security.md)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def permissions_policy_header(features: tuple[str, ...]) -> str:
    """The header denying each of `features` to the page and to every frame it could embed:
    `camera=(), microphone=(), …` (an empty allow-list)."""
    return ", ".join(f"{feature}=()" for feature in features)


class PermissionsPolicyMiddleware:
    """Sets `Permissions-Policy` on every response — the portal's pages, its error pages, the
    health checks and the static files — denying the browser features the portal never uses
    (`PERMISSIONS_POLICY`): a script injected into a page, or a frame it embeds, can ask for no
    camera, microphone, location, payment or the like. First in MIDDLEWARE, so that the answers
    of the middleware after it (health checks, metrics, static files) carry it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = permissions_policy_header(tuple(settings.PERMISSIONS_POLICY))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
