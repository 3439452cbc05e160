"""The LTI message hint: what a click decided, carried through the tool and back.

Encrypted and authenticated with Fernet (AES-CBC + HMAC-SHA256, with a timestamp): the tool
cannot read or alter it, and it expires. Single use is enforced where it is consumed, at the
authorization endpoint (`ConsumedToken`).
"""

import base64
import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class HintError(Exception):
    """The hint cannot be used; `reason` is a short code for the launch record."""

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(description)
        self.reason = reason
        self.description = description


@dataclass(frozen=True)
class MessageHint:
    user_id: int
    space_id: int  # the space whose page the click came from
    folder_space_id: int  # the space that owns the folder launched into (a linked one, maybe)
    role: str
    is_guest: bool
    message_type: str
    client_id: str
    deployment_id: str
    target_link_uri: str
    extra: dict = field(default_factory=dict)
    jti: str = field(default_factory=lambda: uuid.uuid4().hex)


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"panopto_link.message_hint:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def hint_encode(hint: MessageHint) -> str:
    payload = json.dumps(asdict(hint), separators=(",", ":")).encode()
    return _fernet().encrypt(payload).decode("ascii")


def hint_decode(token: str, *, max_age: int | None = None) -> MessageHint:
    """The hint inside `token`; raises HintError when it is altered, foreign or expired."""
    max_age = settings.LTI_MESSAGE_HINT_MAX_AGE if max_age is None else max_age
    fernet = _fernet()
    try:
        raw = token.encode("ascii")
        payload = fernet.decrypt(raw)
    except (InvalidToken, UnicodeEncodeError, ValueError):
        raise HintError("hint_invalid", "The lti_message_hint is not valid.") from None
    try:
        fernet.decrypt(raw, ttl=max_age)
    except InvalidToken:
        raise HintError("hint_expired", "The lti_message_hint has expired.") from None
    try:
        return MessageHint(**json.loads(payload))
    except (TypeError, ValueError):
        raise HintError("hint_invalid", "The lti_message_hint is not valid.") from None
