"""The platform's signing keys: creation, rotation, the published JWKS and the signing key.
The one module that writes `PlatformKey` rows.

States move one way: next → current → previous → retired. The JWKS publishes next, current and
previous; only current signs. A next key is published before it signs, and a previous key stays
published for a grace period after it stopped signing, so that neither a token in flight nor a
tool's cached key set is left without its key during a rotation.
"""

import base64
import datetime
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import at_rest, shared_cache
from panopto_link.lti.jwks import key_set, public_jwk
from panopto_link.lti_platform.models import KeyState, PlatformKey

logger = logging.getLogger(__name__)
PUBLISHED_STATES = (KeyState.NEXT, KeyState.CURRENT, KeyState.PREVIOUS)
# The shared copy carries the time it was read from the database (a new key name: processes of
# the previous release read the plain document under the old one).
JWKS_CACHE_KEY = "panopto_link:jwks:2"
JWKS_CACHE_SECONDS = 30
# Each process also keeps the document for a few seconds, sparing the shared cache a round
# trip per request; responses tell tools how old it is (see jwks_document).
JWKS_LOCAL_SECONDS = 5
# How long a process signs with its parsed key before asking the database again which key is
# current. A rotation elsewhere reaches it within that time; until then it signs with the key
# that just became previous, which stays published for LTI_KEY_GRACE_PERIOD.
SIGNING_KEY_CHECK_SECONDS = 5


class KeyRotationRefused(Exception):
    """Rotating now could make a launch fail; the message says why and what to do."""


# --- encryption at rest ----------------------------------------------------------------------


def _encrypt(pem: bytes) -> str:
    return at_rest.encrypt(pem)


def _decrypt(token: str) -> bytes:
    return at_rest.decrypt(
        token, failure="A platform key cannot be decrypted with LTI_KEY_ENCRYPTION_KEY."
    )


# --- creation and rotation -------------------------------------------------------------------


def _thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint: a kid derived from the key itself."""
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _new_key(state: str, *, now: datetime.datetime) -> PlatformKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    provisional = public_jwk(private_key.public_key(), kid="")
    kid = _thumbprint(provisional)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return PlatformKey.objects.create(
        kid=kid,
        state=state,
        public_jwk={**provisional, "kid": kid},
        private_key_encrypted=_encrypt(pem),
        created_at=now,
        activated_at=now if state == KeyState.CURRENT else None,
    )


def keys_ensure() -> None:
    """Create the first current and next keys if they are missing. Safe to call from several
    processes at once: the partial unique indexes let only one of them create each key."""
    if PlatformKey.objects.filter(state=KeyState.CURRENT).exists() and (
        PlatformKey.objects.filter(state=KeyState.NEXT).exists()
    ):
        return
    now = timezone.now()
    for state in (KeyState.CURRENT, KeyState.NEXT):
        if PlatformKey.objects.filter(state=state).exists():
            continue
        try:
            with transaction.atomic():
                _new_key(state, now=now)
        except IntegrityError:
            pass  # another process created it a moment ago
    _forget_jwks()


def keys_ensure_after_migrate(*, using: str, plan=None, **kwargs) -> None:
    """The post_migrate receiver (the lti_platform app's AppConfig): `manage.py migrate` leaves the
    database with its first key set, so that a fresh deployment or demo is ready (`/readyz`)
    without a first request or `lti_rotate_key` (issue 20 finding 7). Only after `migrate`
    itself (`flush` sends the signal without a plan), only on the default database, and only
    once every migration is applied: a migration to an earlier state leaves the keys alone."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    if plan is None or using != "default":
        return
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    keys_ensure()


def _forget_jwks() -> None:
    forget_process_copies()
    try:
        shared_cache.delete(JWKS_CACHE_KEY)
    except shared_cache.SharedCacheUnavailable:  # the cached copy expires within seconds
        logger.warning("cache unavailable; the cached JWKS expires by itself")


@dataclass
class RotationReport:
    promoted: str | None = None
    demoted: str | None = None
    created_next: str | None = None
    retired: list[str] = field(default_factory=list)


@transaction.atomic
def keys_rotate(
    *,
    grace_seconds: int | None = None,
    min_next_age_seconds: int | None = None,
    now: datetime.datetime | None = None,
) -> RotationReport:
    """Promote next to current and current to previous, create a new next key, and retire
    previous keys that stopped signing more than `grace_seconds` ago.

    Raises KeyRotationRefused when the next key was published less than the JWKS cache lifetime
    ago: a tool holding an older copy of our key set would not know the new signing key.
    """
    now = now or timezone.now()
    grace = settings.LTI_KEY_GRACE_PERIOD if grace_seconds is None else grace_seconds
    min_age = settings.LTI_JWKS_MAX_AGE if min_next_age_seconds is None else min_next_age_seconds
    report = RotationReport()
    forget_process_copies()  # this process sees the rotation at once; the others within seconds
    keys = list(PlatformKey.objects.select_for_update().exclude(state=KeyState.RETIRED))
    by_state: dict[str, list[PlatformKey]] = {}
    for key in keys:
        by_state.setdefault(key.state, []).append(key)
    current = next(iter(by_state.get(KeyState.CURRENT, [])), None)
    upcoming = next(iter(by_state.get(KeyState.NEXT, [])), None)

    if current is None and upcoming is None:
        keys_ensure()
        report.promoted = PlatformKey.objects.get(state=KeyState.CURRENT).kid
        report.created_next = PlatformKey.objects.get(state=KeyState.NEXT).kid
        return report
    if upcoming is not None and (now - upcoming.created_at).total_seconds() < min_age:
        raise KeyRotationRefused(
            f"The next key was published {int((now - upcoming.created_at).total_seconds())} s "
            f"ago; tools may cache the key set for {min_age} s. Rotate again after that."
        )

    for key in by_state.get(KeyState.PREVIOUS, []):
        if key.deactivated_at and (now - key.deactivated_at).total_seconds() >= grace:
            key.state = KeyState.RETIRED
            key.retired_at = now
            key.private_key_encrypted = ""  # nothing left to sign with, nothing to leak
            key.save(update_fields=["state", "retired_at", "private_key_encrypted"])
            report.retired.append(key.kid)
    if current is not None:
        current.state = KeyState.PREVIOUS
        current.deactivated_at = now
        current.save(update_fields=["state", "deactivated_at"])
        report.demoted = current.kid
    if upcoming is None:
        upcoming = _new_key(KeyState.NEXT, now=now)
    upcoming.state = KeyState.CURRENT
    upcoming.activated_at = now
    upcoming.save(update_fields=["state", "activated_at"])
    report.promoted = upcoming.kid
    report.created_next = _new_key(KeyState.NEXT, now=now).kid
    transaction.on_commit(_forget_jwks)
    return report


# --- reading ---------------------------------------------------------------------------------


# (taken into this process at, monotonic; read from the database at, epoch; document)
_jwks_in_process: tuple[float, float, dict] | None = None


def jwks_document() -> tuple[dict, int]:
    """The published key set (next, current, previous) and its age in seconds.

    Kept for a few seconds in each process and for half a minute in the shared cache; a
    rotation clears both here and the shared copy everywhere. A stale copy is harmless: the key
    that signs after a rotation was published as next at least LTI_JWKS_MAX_AGE before, and a
    tool is told to keep a copy only for LTI_JWKS_MAX_AGE minus its age, so no tool keeps a
    copy made before that key existed beyond the moment it starts signing."""
    global _jwks_in_process
    now = time.time()
    held = _jwks_in_process
    if held is not None and time.monotonic() - held[0] < JWKS_LOCAL_SECONDS:
        return held[2], max(0, int(now - held[1]))
    try:
        shared = shared_cache.get(JWKS_CACHE_KEY)
    except shared_cache.SharedCacheUnavailable:  # an outage must not take the JWKS down
        logger.warning("cache unavailable; serving the JWKS from the database")
        shared = None
    if shared is None:
        keys_ensure()
        read_at = time.time()
        rows = PlatformKey.objects.filter(state__in=PUBLISHED_STATES).order_by("created_at")
        shared = (read_at, key_set(row.public_jwk for row in rows))
        try:
            shared_cache.set(JWKS_CACHE_KEY, shared, JWKS_CACHE_SECONDS)
        except shared_cache.SharedCacheUnavailable:  # the same outage as above
            logger.warning("cache unavailable; the JWKS was not cached")
    _jwks_in_process = (time.monotonic(), *shared)
    return shared[1], max(0, int(now - shared[0]))


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: RSAPrivateKey


_signing_lock = threading.Lock()
_signing_key: SigningKey | None = None
_signing_key_checked_at = float("-inf")  # time.monotonic() of the last look at the database


def forget_process_copies() -> None:
    """Drop this process's copies of the key set and of the current kid, so the next use reads
    them again (after a rotation here; and between tests, which swap the database)."""
    global _jwks_in_process, _signing_key_checked_at
    _jwks_in_process = None
    _signing_key_checked_at = float("-inf")


def signing_key() -> SigningKey:
    """The current key, parsed once per process and again only when the current key changes.
    Costs one indexed query for the current kid every SIGNING_KEY_CHECK_SECONDS at most; the
    PEM is parsed only on a change."""
    global _signing_key, _signing_key_checked_at
    cached = _signing_key
    if cached is not None and time.monotonic() - _signing_key_checked_at < (
        SIGNING_KEY_CHECK_SECONDS
    ):
        return cached
    kid = PlatformKey.objects.filter(state=KeyState.CURRENT).values_list("kid", flat=True).first()
    if kid is None:
        keys_ensure()
        kid = PlatformKey.objects.values_list("kid", flat=True).get(state=KeyState.CURRENT)
    checked_at = time.monotonic()
    if cached is not None and cached.kid == kid:
        _signing_key_checked_at = checked_at
        return cached
    with _signing_lock:
        if _signing_key is not None and _signing_key.kid == kid:
            _signing_key_checked_at = checked_at
            return _signing_key
        encrypted = PlatformKey.objects.values_list("private_key_encrypted", flat=True).get(kid=kid)
        private_key = serialization.load_pem_private_key(_decrypt(encrypted), password=None)
        if not isinstance(private_key, RSAPrivateKey):
            raise ImproperlyConfigured("The current platform key is not an RSA key.")
        _signing_key = SigningKey(kid=kid, private_key=private_key)
        _signing_key_checked_at = checked_at
        return _signing_key
