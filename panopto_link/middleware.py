"""The pages' Content Security Policy learns where the registered Panopto site lives: video
thumbnails are loaded from there (and from nowhere else outside the portal, `img-src`)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from panopto_link.selectors import request_panopto_setting_if_read


class ToolImagesMiddleware:
    """Adds the registered tool's origins to `img-src` of a page that read the registration
    (a page showing video links does); costs no query. Goes after django-csp's middleware in
    MIDDLEWARE, so that its update is read when the header is written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        setting = request_panopto_setting_if_read(request)
        if setting is not None and setting.registration is not None:
            origins = setting.registration.tool_origins()
            if origins:
                update = dict(getattr(response, "_csp_update", None) or {})
                update["img-src"] = [*update.get("img-src", []), *origins]
                response._csp_update = update  # type: ignore[attr-defined]
        return response
