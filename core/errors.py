"""How the portal answers when something goes wrong: one rendering path for every error page.

- A database that cannot be reached (stopped, restarting, refusing connections) is an outage,
  not a bug: the user gets a translated 503 page with Retry-After, and the next request tries
  a fresh connection (`conn_health_checks`), so the app recovers without a restart.
- Responses that carry a status but no body (Django's 405 from `require_http_methods`, a bare
  `HttpResponseNotFound()`) get the portal's error page, so no answer is ever an empty page.
- Every other unexpected exception gets the 500 page; none shows a traceback.

The pages render without a request context: no context processor, no session, no user, so they
never touch the database that may be the very thing that is down.
"""

import logging
import sys
from http import HTTPStatus

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core import metrics

logger = logging.getLogger(__name__)

# Errors that mean "the database cannot be reached now", not "this request is wrong".
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# Seconds a client is asked to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 15
# Marks a request whose database outage is counted in the metrics already (core.metrics).
_OUTAGE_COUNTED = "neptun.database_outage_counted"


def error_page(
    *,
    status: int,
    title: str,
    message: str,
    retry_after: int | None = None,
    template: str = "errors/page.html",
    back: tuple[str, str] | None = None,
) -> HttpResponse:
    """The portal's error page with this status, rendered without touching the database.
    `back` is the URL and text of the way back (the home page when None)."""
    context = {
        "status": status,
        "title": title,
        "message": message,
        "retry_after": retry_after,
        "back": back,
    }
    response = HttpResponse(render_to_string(template, context), status=status)
    response["Cache-Control"] = "no-store"
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def service_unavailable(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 page of a database outage, and the request counted in the metrics once: its
    503 may be made twice, for the view's exception and then for a session save that failed
    after it (handler500)."""
    if request is None or not request.META.get(_OUTAGE_COUNTED):
        metrics.database_unavailable_counted()
        if request is not None:
            request.META[_OUTAGE_COUNTED] = True
    return error_page(
        status=HTTPStatus.SERVICE_UNAVAILABLE,
        title=_("The portal is temporarily unavailable"),
        message=_(
            "The portal cannot reach its database at the moment. Nothing you did caused this, "
            "and nothing was lost. Please try again in a minute."
        ),
        retry_after=RETRY_AFTER_SECONDS,
    )


def too_many_requests(retry_after: int) -> HttpResponse:
    return error_page(
        status=HTTPStatus.TOO_MANY_REQUESTS,
        title=_("Too many attempts"),
        message=_(
            "You have tried this too many times in a short while. Please wait a little and "
            "try again."
        ),
        retry_after=retry_after,
    )


def _bodyless_page(status: int) -> tuple[str, str]:
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        return (
            _("This address does not work that way"),
            _("The page cannot be opened like this. Please use the portal's links and buttons."),
        )
    if status == HTTPStatus.NOT_FOUND:
        return (
            _("Page not found"),
            _("This page does not exist, or it is not available to you."),
        )
    if status == HTTPStatus.FORBIDDEN:
        return (_("Access denied"), _("You may not do this."))
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return (_("Something went wrong"), _("The portal could not complete your request."))
    return (_("The request cannot be processed"), _("The portal could not understand the request."))


class ErrorPagesMiddleware:
    """Turns an unreachable database into a 503 page and gives bodiless errors a page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= HTTPStatus.BAD_REQUEST
            and not response.streaming
            and not response.content
            and request.method != "HEAD"
        ):
            title, message = _bodyless_page(response.status_code)
            page = error_page(status=response.status_code, title=title, message=message)
            response.content = page.content
            response["Content-Type"] = page["Content-Type"]
            # CommonMiddleware (inside this one) has already declared the empty body's length:
            # a browser would read 0 bytes of the page and show an empty "HTTP ERROR" instead.
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning(
                "database unavailable: %s %s", request.method, request.path, exc_info=True
            )
            return service_unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an exception no view handled. Also sees the ones raised inside middleware
    (a session saved after the database went away), which `process_exception` does not."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    return error_page(
        status=HTTPStatus.INTERNAL_SERVER_ERROR,
        title=_("Something went wrong"),
        message=_(
            "The portal could not complete your request. The error has been recorded; please "
            "try again later."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from another site, or from a page open for too long."""
    return error_page(
        status=HTTPStatus.FORBIDDEN,
        title=_("The form has expired"),
        message=_(
            "The portal could not confirm that this form was sent from its own page. Please go "
            "back, reload the page and try again."
        ),
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request the portal refuses to read (too many fields, a bad host name)."""
    return error_page(
        status=HTTPStatus.BAD_REQUEST,
        title=_("The request cannot be processed"),
        message=_(
            "The portal could not understand the request. If you followed a link, please start "
            "again from the portal's home page."
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the same page for "does not exist" and "not yours" (templates/404.html).
    Unlike Django's default it does not check a CSRF token first: that reads the request body,
    and a malformed one would turn a 404 into a 500."""
    try:
        return HttpResponse(render_to_string("404.html"), status=HTTPStatus.NOT_FOUND)
    except TemplateDoesNotExist:
        title, message = _bodyless_page(HTTPStatus.NOT_FOUND)
        return error_page(status=HTTPStatus.NOT_FOUND, title=title, message=message)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403."""
    return error_page(
        status=HTTPStatus.FORBIDDEN,
        title=_("Access denied"),
        message=_("You may not open this page or do this."),
    )
