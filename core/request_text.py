"""Text the database cannot store never reaches it from a request.

PostgreSQL refuses a NUL character in any text value, in a query's parameters as much as in a
row: `?q=%00` on a search page made the query fail and the page answer 500 (issue 15). Rather
than guarding each view, every request whose parameters (query string, form fields, URL path
values) hold such a character is answered here with the portal's 400 page, before its view runs.

The LTI protocol endpoints are left to answer for themselves: another party posts to them by
protocol (which is why they are CSRF-exempt), and the protocol says how a bad request is
answered — the authorization endpoint posts its error back to the verified redirect URI with
`state` (SPEC §5.2), the deep-linking return records its refusal. They never store a parameter
as it came (tests/lti_platform/test_unstorable_text.py, tests/fuzz/).
"""

import logging
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, QueryDict

from core.errors import bad_request

logger = logging.getLogger(__name__)

# What PostgreSQL cannot hold in a text value. (Parameters are decoded with replacement
# characters, so they never carry a lone surrogate, the only other unencodable text.)
UNSTORABLE_CHARACTERS = frozenset("\x00")


def holds_unstorable_text(values: Iterable[str]) -> bool:
    return any(not UNSTORABLE_CHARACTERS.isdisjoint(value) for value in values)


def _parameters(query: QueryDict) -> Iterable[str]:
    for name, values in query.lists():
        yield name
        yield from values


def _posted(request: HttpRequest) -> QueryDict:
    # Read as CsrfViewMiddleware reads it: a body that cannot be read is the view's to answer.
    # (A malformed one raises Django's own 400 errors here, as it would in the view.)
    try:
        return request.POST
    except OSError:
        return QueryDict()


class UnstorableTextMiddleware:
    """Refuse, with the 400 page, a request whose parameters hold text the database cannot
    store — except at the CSRF-exempt protocol endpoints, which answer it themselves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if getattr(view_func, "csrf_exempt", False):
            return None
        path_values = [str(value) for value in (*view_args, *view_kwargs.values())]
        if (
            holds_unstorable_text(path_values)
            or holds_unstorable_text(_parameters(request.GET))
            or holds_unstorable_text(_parameters(_posted(request)))
        ):
            logger.info("refused a %s request whose parameters hold a NUL", request.method)
            return bad_request(request, ValueError("unstorable text in a parameter"))
        return None
