"""Sealed values: small JSON payloads the portal hands to the tool and gets back — encrypted
and authenticated with Fernet (AES-CBC + HMAC-SHA256, timestamped), so the tool can neither
read nor alter them, and they expire. Each purpose has its own key derived from SECRET_KEY."""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SealError(Exception):
    """The value is not one we sealed for this purpose (`reason` "invalid"), or has expired
    (`reason` "expired")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@cache
def _fernet(purpose: str, secret: str) -> Fernet:
    digest = hashlib.sha256(f"panopto_link.{purpose}:".encode() + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(payload: dict, *, purpose: str) -> str:
    data = json.dumps(payload, separators=(",", ":")).encode()
    return _fernet(purpose, settings.SECRET_KEY).encrypt(data).decode("ascii")


def seal_at(payload: dict, *, purpose: str, timestamp: int) -> str:
    """As `seal`, dated `timestamp` (for tests of expiry)."""
    data = json.dumps(payload, separators=(",", ":")).encode()
    return _fernet(purpose, settings.SECRET_KEY).encrypt_at_time(data, timestamp).decode("ascii")


def unseal(token: str, *, purpose: str, max_age: int) -> dict:
    """The payload of a sealed value; raises SealError."""
    fernet = _fernet(purpose, settings.SECRET_KEY)
    try:
        raw = token.encode("ascii")
        data = fernet.decrypt(raw)
    except (InvalidToken, UnicodeEncodeError, ValueError, TypeError, AttributeError):
        raise SealError("invalid") from None
    try:
        fernet.decrypt(raw, ttl=max_age)
    except InvalidToken:
        raise SealError("expired") from None
    try:
        payload = json.loads(data)
    except ValueError:
        raise SealError("invalid") from None
    if not isinstance(payload, dict):
        raise SealError("invalid")
    return payload
