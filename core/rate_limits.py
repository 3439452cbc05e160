"""Rate limits on launch initiation (per user) and on sign-in (per user name and per address; the
portal's sign-in and the admin's alike), counted in the shared cache so that every app server
sees the same count.

Fixed windows: one counter per identity and window, taken with an atomic increment (Redis INCR;
a lock in local memory), so simultaneous requests cannot all slip under the limit.

When the shared cache is down the limits do not fail open and do not lock anyone out: they
are counted in this process's memory until the cache answers again (see docs/security.md). A
user then gets at most the limit per app process instead of per deployment.
"""

import contextlib
import hashlib
import logging
import math
import time
import unicodedata
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse

from core import shared_cache
from core.errors import too_many_requests

logger = logging.getLogger(__name__)

_local = LocMemCache("portal-rate-limits", {"OPTIONS": {"MAX_ENTRIES": 50_000}})


@dataclass(frozen=True)
class Rate:
    """At most `limit` attempts per `window` seconds."""

    limit: int
    window: int


def configured_rate(name: str) -> Rate | None:
    """The rate of a setting (`(limit, window)`, see `env_rate`), or None when it is off."""
    value = getattr(settings, name)
    return Rate(*value) if value else None


@dataclass(frozen=True)
class Taken:
    """One attempt counted against one limit."""

    key: str
    count: int
    allowed: bool
    retry_after: int
    shared: bool  # counted in the shared cache (False: in this process's memory)


def _key(scope: str, identity: str, window_index: int) -> str:
    # Hashed: user names and addresses never appear in cache keys.
    digest = hashlib.sha256(f"{scope}\x00{identity}".encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{window_index}"


def _increment(store, key: str, timeout: int) -> int:
    store.add(key, 0, timeout)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.add(key, 0, timeout)
        return store.incr(key)


def rate_limit_take(*, scope: str, identity: str, rate: Rate, now: float | None = None) -> Taken:
    """Count one attempt; `allowed` is False once the window's count exceeds the limit."""
    now = time.time() if now is None else now
    window_index = int(now // rate.window)
    key = _key(scope, identity, window_index)
    timeout = rate.window + 1
    try:
        count, shared = _increment(shared_cache, key, timeout), True
    except shared_cache.SharedCacheUnavailable:
        count, shared = _increment(_local, key, timeout), False
    retry_after = max(1, math.ceil((window_index + 1) * rate.window - now))
    return Taken(
        key=key, count=count, allowed=count <= rate.limit, retry_after=retry_after, shared=shared
    )


def rate_limit_release(taken: Taken) -> None:
    """Give an attempt back (a sign-in that succeeded does not use up the allowance)."""
    store = shared_cache if taken.shared else _local
    # The window may have ended, or the cache gone away: then there is nothing to give back.
    with contextlib.suppress(ValueError, shared_cache.SharedCacheUnavailable):
        store.decr(taken.key)


def client_address(request: HttpRequest) -> str:
    """The client's IP address. Behind `TRUSTED_PROXY_HOPS` proxies that each append to
    X-Forwarded-For, the address the outermost trusted proxy saw; never a value the client
    chose (the leftmost entries are the client's to write)."""
    hops = settings.TRUSTED_PROXY_HOPS
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


# --- launch initiation -----------------------------------------------------------------------


def limit_launches(view):
    """Refuse a signed-in user's launch clicks (POST) beyond `RATE_LIMIT_LAUNCH` with the 429
    page. Put below `login_required`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        rate = configured_rate("RATE_LIMIT_LAUNCH")
        if rate is not None and request.method == "POST" and request.user.is_authenticated:
            taken = rate_limit_take(scope="launch", identity=str(request.user.pk), rate=rate)
            if not taken.allowed:
                logger.warning("launch rate limit reached by user %s", request.user.pk)
                return too_many_requests(taken.retry_after)
        return view(request, *args, **kwargs)

    return wrapped


# --- sign-in ---------------------------------------------------------------------------------

# A user name longer than this never signs in (the form refuses it); the count only needs a
# bounded, stable key for it.
_LONGEST_NAME_COUNTED = 1024


def sign_in_identity(username: str) -> str:
    """The name a sign-in attempt counts against: the user name as Django's sign-in form reads
    it before it authenticates (`UsernameField`: stripped, then NFKC-normalised), case-folded
    and normalised again. Every spelling that could sign in as one account — fullwidth or
    mathematical letters and digits, another case, spaces around it — is that account's count;
    a spelling of its own would otherwise bring ten fresh guesses."""
    from django.contrib.auth.forms import UsernameField  # needs the app registry

    name = UsernameField().to_python(username[:_LONGEST_NAME_COUNTED]) or ""
    return unicodedata.normalize("NFKC", name.casefold())


@dataclass(frozen=True)
class SignInAttempt:
    taken: tuple[Taken, ...]

    @property
    def allowed(self) -> bool:
        return all(taken.allowed for taken in self.taken)

    @property
    def retry_after(self) -> int:
        return max((t.retry_after for t in self.taken if not t.allowed), default=0)


def sign_in_attempt(request: HttpRequest) -> SignInAttempt:
    """Count a sign-in attempt against its user name and its address. Every attempt takes a
    slot before the password is checked, so parallel guesses cannot overtake the count."""
    taken = []
    username = request.POST.get(get_user_model().USERNAME_FIELD, "")
    for scope, identity, setting in (
        ("sign_in", sign_in_identity(username), "RATE_LIMIT_SIGN_IN"),
        ("sign_in_address", client_address(request), "RATE_LIMIT_SIGN_IN_ADDRESS"),
    ):
        rate = configured_rate(setting)
        if rate is not None:
            taken.append(rate_limit_take(scope=scope, identity=identity, rate=rate))
    attempt = SignInAttempt(taken=tuple(taken))
    if not attempt.allowed:
        logger.warning("sign-in rate limit reached from %s", client_address(request))
    return attempt


def sign_in_succeeded(attempt: SignInAttempt) -> None:
    """A correct password gives its slots back: a lecture hall signing in from one address is
    not held back, only failed guesses add up."""
    for taken in attempt.taken:
        rate_limit_release(taken)


def _signed_in_by(request: HttpRequest, response: HttpResponse) -> bool:
    # Django's LoginView (the portal's and the admin's) redirects only once the form was valid
    # and `login()` has put the user on the request, or when someone already signed in posts
    # to it (no password is checked then). A refused password re-renders the form.
    return response.status_code in (301, 302, 303) and request.user.is_authenticated


def limit_sign_ins(view):
    """The sign-in limits around a sign-in view: the portal's and the admin's share this one
    implementation, so a name refused on one is refused on the other. Every POST is counted
    against its user name (`sign_in_identity`) and its address before the password is checked;
    beyond `RATE_LIMIT_SIGN_IN` / `RATE_LIMIT_SIGN_IN_ADDRESS` the answer is the 429 page; a
    sign-in that succeeded gives its attempts back."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        attempt = sign_in_attempt(request)
        if not attempt.allowed:
            return too_many_requests(attempt.retry_after)
        response = view(request, *args, **kwargs)
        if _signed_in_by(request, response):
            sign_in_succeeded(attempt)
        return response

    return wrapped
