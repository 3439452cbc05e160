"""The stand-in's own sign-in session. It is served by the same Django server as the portal, so
it must not use the portal's session (`sessionid`, `request.user`): it keeps a session of its own
under its own cookie name, on its own path, and knows users only from their launches."""

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from panopto_link.simulator.lti import cookie_path
from panopto_link.simulator.models import ToolUser

COOKIE_NAME = "panopto_sim_session"
SESSION_SECONDS = 8 * 60 * 60
_USER = "panopto_sim_user"
_LOCALE = "panopto_sim_locale"
_RECEIVED = "panopto_sim_received"


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


@dataclass(frozen=True)
class ToolSession:
    user: ToolUser
    locale: str
    received: dict | None = None  # what the last launch carried (StrictMessageLaunch.received)


def session_start(
    request: HttpRequest,
    response: HttpResponse,
    *,
    user: ToolUser,
    locale: str,
    received: dict | None = None,
) -> None:
    """Sign the user in to the stand-in (replacing any earlier stand-in session of the browser).

    The cookie is `SameSite=None; Secure`: it is set on the answer to the platform's cross-site
    form post, and a tool shown in an iframe of the portal needs it on every request."""
    old_key = request.COOKIES.get(COOKIE_NAME)
    if old_key:
        _store(old_key).delete()
    store = _store()
    store[_USER] = user.pk
    store[_LOCALE] = locale
    store[_RECEIVED] = received
    store.set_expiry(SESSION_SECONDS)
    store.create()
    response.set_cookie(
        COOKIE_NAME,
        store.session_key,
        max_age=SESSION_SECONDS,
        path=cookie_path(),
        secure=True,
        httponly=True,
        samesite="None",
    )


def session_get(request: HttpRequest) -> ToolSession | None:
    """The signed-in stand-in user, or None."""
    key = request.COOKIES.get(COOKIE_NAME)
    if not key:
        return None
    store = _store(key)
    user_pk = store.get(_USER)
    if user_pk is None:
        return None
    user = ToolUser.objects.filter(pk=user_pk).first()
    if user is None:
        return None
    locale = store.get(_LOCALE) or settings.LANGUAGE_CODE
    return ToolSession(user=user, locale=locale, received=store.get(_RECEIVED))


def session_end(request: HttpRequest, response: HttpResponse) -> None:
    key = request.COOKIES.get(COOKIE_NAME)
    if key:
        _store(key).delete()
    response.delete_cookie(COOKIE_NAME, path=cookie_path(), samesite="None")
