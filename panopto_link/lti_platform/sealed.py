"""The platform's sealed values (the message hint, the deep-linking `data`): dataclasses sealed
with the portal's one scheme (`core.sealed`), so the tool can neither read nor alter them, and
they expire; a value that does not open is refused with the protocol's reasons. Single use is
enforced where a value is consumed (`services.single_use_consume`)."""

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from core.sealed import Unsealable, seal, unseal
from panopto_link.lti.errors import LtiError
from panopto_link.lti.reasons import Reason

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

    def encode(self, value: T) -> str:
        return seal(self.purpose, dataclasses.asdict(value))  # type: ignore[call-overload]

    def encode_at(self, value: T, *, timestamp: int) -> str:
        """As `encode`, dated `timestamp` (for tests of expiry)."""
        return seal(
            self.purpose,
            dataclasses.asdict(value),  # type: ignore[call-overload]
            timestamp=timestamp,
        )

    def decode(self, token: str) -> T:
        try:
            payload: Any = unseal(self.purpose, token, max_age=self.max_age())
        except Unsealable as refusal:
            if refusal.expired:
                raise LtiError(self.expired, f"The {self.name} has expired.") from None
            raise LtiError(self.invalid, f"The {self.name} is not valid.") from None
        try:
            return self.kind(**payload)
        except (ValueError, TypeError):
            raise LtiError(self.invalid, f"The {self.name} is not valid.") from None
