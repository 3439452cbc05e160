"""Sealed values: small payloads the portal hands out and gets back (the message hint, the
deep-linking `data`, the outcome of a deep-linking return on its way to the page that shows
it) — encrypted and authenticated with Fernet (AES-CBC + HMAC-SHA256, timestamped), so nobody
on the way can read or alter them, and they expire. Each purpose has its own key derived from
SECRET_KEY. The one sealing scheme of the portal (docs/decisions/0007); single use is enforced
where a value is consumed, not here."""

import base64
import hashlib
import json
import zlib
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class Unsealable(Exception):
    """Not a value the portal sealed for this purpose (altered, foreign, of another shape), or
    one older than the age allowed (`expired`)."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@cache
def _fernet(purpose: str, secret: str) -> Fernet:
    # The derivation the LTI platform's values had before this module served every purpose:
    # a value sealed by the previous release still opens.
    digest = hashlib.sha256(f"panopto_link.{purpose}:".encode() + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(
    purpose: str, payload: Any, *, timestamp: int | None = None, compress: bool = False
) -> str:
    """`payload` (anything JSON can carry) sealed for `purpose`; dated `timestamp` when given
    (for tests of expiry), else now. `compress` for a payload of free text that travels in a
    URL (a deep-linking return's messages): it must be opened with `compress` too."""
    fernet = _fernet(purpose, settings.SECRET_KEY)
    plain = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    if compress:
        plain = zlib.compress(plain)
    if timestamp is None:
        return fernet.encrypt(plain).decode()
    return fernet.encrypt_at_time(plain, timestamp).decode()


def unseal(purpose: str, token: str, *, max_age: int, compress: bool = False) -> Any:
    """The payload sealed for `purpose` in `token`; raises Unsealable."""
    fernet = _fernet(purpose, settings.SECRET_KEY)
    try:
        raw = token.encode("ascii")
        data = fernet.decrypt(raw)
    except (InvalidToken, UnicodeEncodeError, ValueError, TypeError, AttributeError):
        raise Unsealable(expired=False) from None
    try:
        fernet.decrypt(raw, ttl=max_age)
    except InvalidToken:
        raise Unsealable(expired=True) from None
    try:
        return json.loads(zlib.decompress(data) if compress else data)
    except (ValueError, zlib.error):
        raise Unsealable(expired=False) from None
