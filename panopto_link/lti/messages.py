"""Building the claim sets of the LTI messages this platform sends (LTI Core §5, Deep Linking
2.0 §4.4). The caller decides who, where and with which role; this module only spells it."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from panopto_link.lti import claims


@dataclass(frozen=True)
class Platform:
    issuer: str
    guid: str
    name: str
    product_family_code: str
    version: str


@dataclass(frozen=True)
class Recipient:
    """The tool registration a message is addressed to."""

    client_id: str
    deployment_id: str


@dataclass(frozen=True)
class LaunchUser:
    """The user as the tool sees them. `sub` is stable and opaque (LTI Core §5.3.6); the
    personal claims are None when the institute's privacy setting withholds them.
    `person_sourcedid` is the institutional identifier (LTI Core §5.4.5), sent in the `lis`
    claim."""

    sub: str
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    person_sourcedid: str | None = None


# The personal claims an id_token may carry beside `sub`, in the order they are named: OIDC
# Core §5.1 standard claims, and the LIS claim's person_sourcedid (LTI Core §5.4.5).
PERSONAL_CLAIMS = ("name", "given_name", "family_name", "email", "lis.person_sourcedid")


def personal_claims(user: LaunchUser) -> tuple[str, ...]:
    """The names (from PERSONAL_CLAIMS) of the personal claims a message for `user` carries."""
    values = (user.name, user.given_name, user.family_name, user.email, user.person_sourcedid)
    return tuple(name for name, value in zip(PERSONAL_CLAIMS, values, strict=True) if value)


@dataclass(frozen=True)
class Context:
    id: str
    label: str
    title: str
    type: str


@dataclass(frozen=True)
class Presentation:
    document_target: str
    return_url: str
    locale: str


@dataclass(frozen=True)
class DeepLinkingSettings:
    deep_link_return_url: str
    data: str
    accept_types: Sequence[str] = ("ltiResourceLink",)
    accept_presentation_document_targets: Sequence[str] = ("iframe", "window")
    accept_multiple: bool = True
    auto_create: bool = True
    title: str = ""
    text: str = ""


@dataclass(frozen=True)
class LaunchMessage:
    """Everything one launch says, whatever its message type."""

    platform: Platform
    recipient: Recipient
    user: LaunchUser
    roles: Sequence[str]
    context: Context
    target_link_uri: str
    nonce: str
    presentation: Presentation
    custom: Mapping[str, str] = field(default_factory=dict)


def _common_claims(
    message: LaunchMessage, *, message_type: str, now: int, lifetime: int
) -> dict[str, Any]:
    user = message.user
    body: dict[str, Any] = {
        # OIDC Core §2 / LTI Security Framework §5.1.2
        "iss": message.platform.issuer,
        "aud": message.recipient.client_id,
        "azp": message.recipient.client_id,
        "sub": user.sub,
        "iat": now,
        "exp": now + lifetime,
        "nonce": message.nonce,
        claims.MESSAGE_TYPE: message_type,
        claims.VERSION: claims.LTI_VERSION,
        claims.DEPLOYMENT_ID: message.recipient.deployment_id,
        claims.TARGET_LINK_URI: message.target_link_uri,
        claims.ROLES: list(message.roles),
        claims.CONTEXT: {
            "id": message.context.id,
            "label": message.context.label,
            "title": message.context.title,
            "type": [message.context.type],
        },
        claims.TOOL_PLATFORM: {
            "guid": message.platform.guid,
            "name": message.platform.name,
            "product_family_code": message.platform.product_family_code,
            "version": message.platform.version,
        },
        claims.LAUNCH_PRESENTATION: {
            "document_target": message.presentation.document_target,
            "return_url": message.presentation.return_url,
            "locale": message.presentation.locale,
        },
        "locale": message.presentation.locale,
    }
    for name in ("name", "given_name", "family_name", "email"):
        value = getattr(user, name)
        if value:
            body[name] = value
    if user.person_sourcedid:
        body[claims.LIS] = {claims.LIS_PERSON_SOURCEDID: user.person_sourcedid}
    if message.custom:
        body[claims.CUSTOM] = dict(message.custom)
    return body


def resource_link_request(
    message: LaunchMessage,
    *,
    resource_link_id: str,
    resource_link_title: str,
    now: int,
    lifetime: int,
) -> dict[str, Any]:
    """The claim set of an LtiResourceLinkRequest (LTI Core §5.3)."""
    body = _common_claims(
        message, message_type=claims.RESOURCE_LINK_REQUEST, now=now, lifetime=lifetime
    )
    body[claims.RESOURCE_LINK] = {"id": resource_link_id, "title": resource_link_title}
    return body


def deep_linking_request(
    message: LaunchMessage, *, settings: DeepLinkingSettings, now: int, lifetime: int
) -> dict[str, Any]:
    """The claim set of an LtiDeepLinkingRequest (Deep Linking 2.0 §4.4)."""
    body = _common_claims(
        message, message_type=claims.DEEP_LINKING_REQUEST, now=now, lifetime=lifetime
    )
    dl_settings: dict[str, Any] = {
        "deep_link_return_url": settings.deep_link_return_url,
        "accept_types": list(settings.accept_types),
        "accept_presentation_document_targets": list(settings.accept_presentation_document_targets),
        "accept_multiple": settings.accept_multiple,
        "auto_create": settings.auto_create,
        "data": settings.data,
    }
    if settings.title:
        dl_settings["title"] = settings.title
    if settings.text:
        dl_settings["text"] = settings.text
    body[claims.DEEP_LINKING_SETTINGS] = dl_settings
    return body
