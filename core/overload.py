"""Load shedding: a request that waited in the app server's queue longer than its budget is
answered at once with a 503 page and Retry-After, instead of being served late
(docs/decisions/0015-shedding-load-by-queue-time.md).

gunicorn's synchronous workers take one request at a time; past capacity the rest wait in the
listen socket's queue, and every request waits alike — the queue grows until each one takes
longer than anyone waits for it. nginx stamps each request with the time it passed it on
(`X-Request-Start: t=<seconds>`, deploy/nginx/); a worker that takes a request whose stamp is
older than QUEUE_TIME_BUDGET_MS answers it in about a millisecond. The queue then drains as fast
as requests arrive, and those served waited at most the budget.

A request without the stamp (the app server asked directly: a health probe, Prometheus, a
test) is never shed, nor is one whose stamp cannot be read or is more than a minute off: a
clock that is wrong must not turn the portal away for everyone. nginx and the app servers keep
their clocks by NTP (docs/operations.md).
"""

import time
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from core import metrics
from core.errors import error_page

QUEUE_START_HEADER = "HTTP_X_REQUEST_START"
# Seconds a client is asked to wait before trying again after a shed request.
RETRY_AFTER_SECONDS = 5
# A stamp further off than this is a wrong clock or a forged header, not a queue.
_PLAUSIBLE_SECONDS = 60.0


def queue_seconds(request: HttpRequest, *, now: float | None = None) -> float | None:
    """Seconds since nginx passed the request on (its X-Request-Start, `t=1765000000.123`, in
    seconds with a fraction as nginx's $msec gives it), or None without a plausible stamp."""
    value = request.META.get(QUEUE_START_HEADER, "")
    value = value.removeprefix("t=").strip()
    if not value or len(value) > 32:
        return None
    try:
        started = float(value)
    except ValueError:
        return None
    waited = (time.time() if now is None else now) - started
    if not -_PLAUSIBLE_SECONDS < waited < _PLAUSIBLE_SECONDS:  # also NaN and infinities
        return None
    return max(waited, 0.0)


# The page of each language, rendered once per process: shedding must cost far less than
# serving, and rendering the template was most of its cost (1.4 → 0.6 ms of CPU a request).
_pages: dict[str, bytes] = {}


def overloaded(language: str) -> HttpResponse:
    """The 503 page of an overload in `language`."""
    content = _pages.get(language)
    if content is None:
        with translation.override(language):
            page = error_page(
                status=HTTPStatus.SERVICE_UNAVAILABLE,
                title=_("The portal is very busy"),
                message=_(
                    "Too many people are using the portal at this moment. Nothing you did "
                    "caused this, and nothing was lost. Please try again in a few seconds."
                ),
                retry_after=RETRY_AFTER_SECONDS,
            )
        content = _pages[language] = page.content
    response = HttpResponse(content, status=HTTPStatus.SERVICE_UNAVAILABLE)
    response["Cache-Control"] = "no-store"
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Content-Language"] = language
    return response


class QueueTimeMiddleware:
    """Answers a request that waited longer than QUEUE_TIME_BUDGET_MS with the 503 page, before
    the session, the user or any view is read (after the security headers, so the page has
    them). QUEUE_TIME_BUDGET_MS None: nothing is shed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        budget_ms = settings.QUEUE_TIME_BUDGET_MS
        if budget_ms is not None:
            waited = queue_seconds(request)
            if waited is not None and waited * 1000 > budget_ms:
                metrics.overload_shed_counted()
                # LocaleMiddleware comes later: the language of the cookie or the browser,
                # read without the session (which would cost a query).
                response = overloaded(translation.get_language_from_request(request))
                # Django's request logger would log every shed request as an error: the
                # counter says how many there were, and a log line each would add to the load.
                response._has_been_logged = True  # type: ignore[attr-defined]
                return response
        return self.get_response(request)
