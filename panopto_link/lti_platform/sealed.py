"""Sealed values: small payloads the portal hands to the tool and gets back (the message hint,
the deep-linking `data`) — encrypted and authenticated with Fernet (AES-CBC + HMAC-SHA256,
timestamped), so the tool can neither read nor alter them, and they expire. Each purpose has
its own key derived from SECRET_KEY. One codec serves every purpose; single use is enforced
where a value is consumed (`services.single_use_consume`)."""

import base64
import dataclasses
import hashlib
import json
from collections.abc import Callable
from functools import cache
from typing import Any, Generic, TypeVar

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from panopto_link.lti.errors import LtiError
from panopto_link.lti.reasons import Reason


@cache
def _fernet(purpose: str, secret: str) -> Fernet:
    digest = hashlib.sha256(f"panopto_link.{purpose}:".encode() + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


T = TypeVar("T")


class SealedCodec(Generic[T]):
    """Seals dataclass values of one type for one purpose.

    `decode` raises `LtiError` with `expired` or `invalid` as its reason: for a value that is
    not one the portal sealed for this purpose (altered, foreign, of another shape) and for one
    older than `max_age()` seconds.
    """

    def __init__(
        self,
        kind: type[T],
        *,
        purpose: str,
        max_age: Callable[[], int],
        invalid: Reason,
        expired: Reason,
        name: str,
    ) -> None:
        self.kind = kind
        self.purpose = purpose
        self.max_age = max_age
        self.invalid = invalid
        self.expired = expired
        self.name = name

    def _plain(self, value: T) -> bytes:
        payload = dataclasses.asdict(value)  # type: ignore[call-overload]
        return json.dumps(payload, separators=(",", ":")).encode()

    def encode(self, value: T) -> str:
        return _fernet(self.purpose, settings.SECRET_KEY).encrypt(self._plain(value)).decode()

    def encode_at(self, value: T, *, timestamp: int) -> str:
        """As `encode`, dated `timestamp` (for tests of expiry)."""
        fernet = _fernet(self.purpose, settings.SECRET_KEY)
        return fernet.encrypt_at_time(self._plain(value), timestamp).decode()

    def decode(self, token: str) -> T:
        fernet = _fernet(self.purpose, settings.SECRET_KEY)
        try:
            raw = token.encode("ascii")
            data = fernet.decrypt(raw)
        except (InvalidToken, UnicodeEncodeError, ValueError, TypeError, AttributeError):
            raise LtiError(self.invalid, f"The {self.name} is not valid.") from None
        try:
            fernet.decrypt(raw, ttl=self.max_age())
        except InvalidToken:
            raise LtiError(self.expired, f"The {self.name} has expired.") from None
        try:
            payload: Any = json.loads(data)
            return self.kind(**payload)
        except (ValueError, TypeError):
            raise LtiError(self.invalid, f"The {self.name} is not valid.") from None
