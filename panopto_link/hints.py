"""The LTI message hint: what a click decided, carried through the tool and back, sealed
(`panopto_link.sealed`). Single use is enforced where it is consumed, at the authorization
endpoint (`ConsumedToken`)."""

import uuid
from dataclasses import asdict, dataclass, field

from django.conf import settings

from panopto_link.sealed import SealError, seal, unseal

PURPOSE = "message_hint"


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


def hint_encode(hint: MessageHint) -> str:
    return seal(asdict(hint), purpose=PURPOSE)


def hint_decode(token: str, *, max_age: int | None = None) -> MessageHint:
    """The hint inside `token`; raises HintError when it is altered, foreign or expired."""
    max_age = settings.LTI_MESSAGE_HINT_MAX_AGE if max_age is None else max_age
    try:
        return MessageHint(**unseal(token, purpose=PURPOSE, max_age=max_age))
    except SealError as error:
        if error.reason == "expired":
            raise HintError("hint_expired", "The lti_message_hint has expired.") from None
        raise HintError("hint_invalid", "The lti_message_hint is not valid.") from None
    except TypeError:
        raise HintError("hint_invalid", "The lti_message_hint is not valid.") from None
