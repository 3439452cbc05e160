"""What the platform seals into the values that travel through the tool and come back: the
message hint of a launch (LTI Core §4.1, `lti_message_hint`) and the `data` of a deep-linking
request (Deep Linking 2.0 §4.4.1)."""

import uuid
from dataclasses import dataclass, field

from django.conf import settings

from panopto_link.lti.reasons import Reason
from panopto_link.lti_platform.sealed import SealedCodec

# The content picker is a page a person works in; an hour is generous and still bounded.
DEEP_LINKING_DATA_MAX_AGE = 3600


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class MessageHint:
    """What a click decided, bound to its user and registration, for the authorization."""

    user_id: int
    client_id: str
    deployment_id: str
    message_type: str
    target_link_uri: str
    roles: list[str]  # the LTI roles decided at the click: a change refuses the launch
    request: dict[str, int]  # the tool's part's own request (`plan.LaunchRequest`)
    jti: str = field(default_factory=_new_id)


@dataclass(frozen=True)
class DeepLinkingData:
    """Who asked the content picker for what: the deep-linking return is a cross-site POST
    without the portal's session cookie, so this names the user and the request instead."""

    user_id: int
    client_id: str
    request: dict[str, int]
    space_id: int | None  # for the audit rows of the return
    jti: str = field(default_factory=_new_id)


MESSAGE_HINTS = SealedCodec(
    MessageHint,
    purpose="message_hint",
    max_age=lambda: settings.LTI_MESSAGE_HINT_MAX_AGE,
    invalid=Reason.HINT_INVALID,
    expired=Reason.HINT_EXPIRED,
    name="lti_message_hint",
)
DEEP_LINKING_DATA = SealedCodec(
    DeepLinkingData,
    purpose="picker_data",
    max_age=lambda: DEEP_LINKING_DATA_MAX_AGE,
    invalid=Reason.WRONG_DATA,
    expired=Reason.DATA_EXPIRED,
    name="data value",
)
