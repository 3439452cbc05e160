"""Sessions end after `SESSION_IDLE_TIMEOUT` seconds without a request (30 minutes: OWASP ASVS
3.3.2, level 2), and at most `SESSION_COOKIE_AGE` seconds (8 hours) after the sign-in however
active the user is. Then the next request is signed out and the sign-in page says why.

Sessions live in the database, so the time of the last request is written into the session
at most once per `ACTIVITY_RESOLUTION_SECONDS`: a page or launch within a minute of the last
one writes nothing (the launch's query count stays what it was). The idle timeout is therefore
exact to within that minute. The stamps are set at the sign-in itself (Django's
`user_logged_in`), so the first page after it writes nothing either. The check runs when the
request's user is first asked for, so it costs no query of its own.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SIGNED_IN_AT = "_signed_in_at"
LAST_ACTIVITY = "_last_activity"
ACTIVITY_RESOLUTION_SECONDS = 60


def now() -> int:
    return int(time.time())


def _stamp_the_sign_in(sender, request: HttpRequest, user, **kwargs) -> None:
    moment = now()
    request.session[SIGNED_IN_AT] = moment
    request.session[LAST_ACTIVITY] = moment


def connect() -> None:
    """Stamp every sign-in (called once, from the portal's AppConfig.ready)."""
    user_logged_in.connect(_stamp_the_sign_in, dispatch_uid="core.session_timeout")


def _sign_out(request: HttpRequest, message: str) -> None:
    logout(request)
    messages.info(request, message)


class SessionTimeoutMiddleware:
    """Sign out a session idle for longer than `SESSION_IDLE_TIMEOUT` (0: no idle timeout) or
    older than `SESSION_COOKIE_AGE`; otherwise note its activity, at most once a minute. Put
    after the authentication and messages middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Checked when the request's user is first asked for, as AuthenticationMiddleware reads
        # it: a page that never asks (the JWKS, the stand-in's pages) loads no session for it.
        user = request.user
        # A lazy user, as AuthenticationMiddleware's own (which django-stubs types as a user).
        request.user = SimpleLazyObject(lambda: self._user(request, user))  # type: ignore[assignment]
        return self.get_response(request)

    def _user(self, request: HttpRequest, user):
        request.user = user  # AuthenticationMiddleware's own, for logout() and from now on
        # Without a session cookie there is nothing to look up.
        if request.session.session_key is not None and SESSION_KEY in request.session:
            self._check(request)
        return request.user

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        moment = now()
        signed_in_at = session.get(SIGNED_IN_AT)
        last_activity = session.get(LAST_ACTIVITY)
        if not isinstance(signed_in_at, int) or not isinstance(last_activity, int):
            # Signed in before these stamps existed: counted from now on.
            session[SIGNED_IN_AT] = moment
            session[LAST_ACTIVITY] = moment
            return
        idle_timeout = settings.SESSION_IDLE_TIMEOUT
        if idle_timeout and moment - last_activity > idle_timeout:
            minutes = max(1, idle_timeout // 60)
            _sign_out(
                request,
                ngettext(
                    "You were signed out after %(minutes)d minute without activity. Please "
                    "sign in again.",
                    "You were signed out after %(minutes)d minutes without activity. Please "
                    "sign in again.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        elif moment - signed_in_at > settings.SESSION_COOKIE_AGE:
            _sign_out(request, _("Your session has expired. Please sign in again."))
        elif moment - last_activity >= ACTIVITY_RESOLUTION_SECONDS:
            session[LAST_ACTIVITY] = moment
