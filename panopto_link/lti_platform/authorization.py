"""The OIDC authorization endpoint's work (LTI Security Framework §5.1.1.2): a tool's request
becomes a signed id_token for the signed-in user, or a refusal — and exactly one audit row.

The request's syntax is checked by `lti.auth_request`; who may launch what is the tool's part's
to say (`ToolMoment.replan`, which asks the policy at this moment); this module binds the two
together with the message hint: sealed, bound to the user and the registration, used once.
"""

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import translation

from panopto_link.lti import claims
from panopto_link.lti.auth_request import ClientInfo, validate_authorization_request
from panopto_link.lti.errors import (
    AccessDenied,
    InvalidAuthRequest,
    LoginRequired,
    LtiError,
    UntrustedAuthRequest,
)
from panopto_link.lti.jwks import sign
from panopto_link.lti.messages import (
    DeepLinkingSettings,
    LaunchMessage,
    Presentation,
    Recipient,
    deep_linking_request,
    resource_link_request,
)
from panopto_link.lti.reasons import Reason
from panopto_link.lti_platform import keys
from panopto_link.lti_platform.hints import (
    DEEP_LINKING_DATA,
    MESSAGE_HINTS,
    DeepLinkingData,
    MessageHint,
)
from panopto_link.lti_platform.issuer import platform
from panopto_link.lti_platform.models import ConsumedToken, LaunchStage
from panopto_link.lti_platform.plan import LaunchPlan, ToolRegistration
from panopto_link.lti_platform.services import (
    AlreadyUsed,
    accepted_once,
    launch_record_accepted,
    launch_refusal_write,
    single_use_consume,
)
from panopto_link.lti_platform.tools import ToolMoment, tool_for_client


@dataclass(frozen=True)
class Issued:
    """The id_token, to be posted to the verified redirect URI with the tool's state."""

    redirect_uri: str
    fields: dict[str, str]


@dataclass(frozen=True)
class Refused:
    """A refused request. With a `redirect_uri` it is posted back there (OIDC Core §3.1.2.6);
    without one the client or redirect URI could not be trusted: an error page, nothing sent."""

    reason: StrEnum
    error: str
    description: str
    redirect_uri: str | None
    state: str | None
    # An anonymous refusal beyond its address's limit is counted, not recorded on its own, and
    # answered 429 instead, with the seconds until the limit's window ends (decision 8).
    retry_after: int | None = None

    @property
    def fields(self) -> dict[str, str]:
        fields = {"error": self.error, "error_description": self.description}
        if self.state is not None:
            fields["state"] = self.state
        return fields


def _client(tool: ToolMoment | None, client_id: str) -> ClientInfo | None:
    registration = tool.registration if tool else None
    if registration is None or registration.client_id != client_id:
        return None
    return ClientInfo(
        client_id=registration.client_id,
        redirect_uris=registration.redirect_uris,
        is_enabled=registration.is_enabled,
    )


def _single_value(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = params.get(name) or []
    return values[0] if len(values) == 1 else ""


def authorize(
    params: Mapping[str, Sequence[str]], user, *, client_address: str
) -> Issued | Refused:
    """Answer an authorization request (`params`: every value received per name) for the
    signed-in `user` (None when nobody is signed in) from `client_address`. Writes exactly one
    launch record (or counts an anonymous flood's refusal in its row)."""
    client_id = _single_value(params, "client_id")
    # The hint is opened first (cryptography, no query) so that the tool's part can read its
    # registration and what the hint's request names in one go; it is judged only after the
    # client and redirect URI are trusted, in the order of the checks below.
    opened = _open_hint(_single_value(params, "lti_message_hint"))
    tool = tool_for_client(
        client_id,
        user=user,
        request=opened.request if isinstance(opened, MessageHint) and user else None,
    )
    hint: MessageHint | None = None
    plan: LaunchPlan | None = None
    try:
        request = validate_authorization_request(
            params, find_client=lambda wanted: _client(tool, wanted)
        )
        if tool is None or tool.registration is None:  # validation found the client
            raise UntrustedAuthRequest(Reason.CLIENT_UNKNOWN, "The client_id is not registered.")
        try:
            hint = _hint_for(user, request.login_hint, opened, client_id)
            plan = _replan(tool, user, hint, tool.registration)
            issued = _issue(tool, user, hint, plan, tool.registration, nonce=request.nonce)
        except LtiError as error:
            raise InvalidAuthRequest(
                error.reason,
                error.description,
                redirect_uri=request.redirect_uri,
                state=request.state,
                error=error.error,
            ) from None
        return Issued(
            redirect_uri=request.redirect_uri,
            fields={"id_token": issued}
            | ({"state": request.state} if request.state is not None else {}),
        )
    except (UntrustedAuthRequest, InvalidAuthRequest) as error:
        retry_after = launch_refusal_write(
            stage=LaunchStage.AUTHORIZATION,
            reason=error.reason,
            detail=error.description,
            user=user,
            client_address=client_address,
            space_id=plan.space_id if plan else None,
            client_id=client_id if tool is not None else "",
            hint_id=hint.jti if hint else "",
        )
        posted = error if isinstance(error, InvalidAuthRequest) else None
        return Refused(
            reason=error.reason,
            error=error.error,
            description=error.description,
            redirect_uri=posted.redirect_uri if posted else None,
            state=posted.state if posted else None,
            retry_after=retry_after,
        )


def _open_hint(token: str) -> MessageHint | LtiError:
    try:
        return MESSAGE_HINTS.decode(token)
    except LtiError as error:
        return error


def _hint_for(user, login_hint: str, opened: MessageHint | LtiError, client_id: str) -> MessageHint:
    """The message hint, checked against the signed-in user and the client."""
    if user is None or not user.is_authenticated:
        # prompt=none: never show a sign-in page inside a launch (OIDC Core §3.1.2.6).
        raise LoginRequired(Reason.NOT_SIGNED_IN, "No user is signed in to the platform.")
    if login_hint != str(user.lti_subject):
        raise LoginRequired(
            Reason.LOGIN_HINT_MISMATCH,
            "The login_hint does not name the user signed in to the platform.",
        )
    if isinstance(opened, LtiError):
        raise opened
    hint = opened
    if hint.client_id != client_id:
        raise LtiError(
            Reason.HINT_OTHER_CLIENT, "The lti_message_hint was issued for another client."
        )
    if hint.user_id != user.pk:
        raise LtiError(Reason.HINT_OTHER_USER, "The lti_message_hint was issued for another user.")
    return hint


def _replan(
    tool: ToolMoment, user, hint: MessageHint, registration: ToolRegistration
) -> LaunchPlan:
    """The tool's plan now, which must be the one the click made."""
    if hint.deployment_id != registration.deployment_id:
        raise LtiError(
            Reason.HINT_OTHER_DEPLOYMENT,
            "The deployment of the lti_message_hint is no longer registered.",
        )
    if hint.message_type not in (claims.RESOURCE_LINK_REQUEST, claims.DEEP_LINKING_REQUEST):
        raise LtiError(Reason.BAD_MESSAGE_TYPE, "The message type is not supported.")
    plan = tool.replan(user=user, message_type=hint.message_type, request=hint.request)
    if list(plan.roles) != hint.roles:
        raise AccessDenied(
            Reason.ROLE_CHANGED, "The user's role in the space changed since the launch began."
        )
    if plan.target_link_uri != hint.target_link_uri:
        raise AccessDenied(Reason.TARGET_CHANGED, "The launch's target changed since it began.")
    return plan


def _issue(
    tool: ToolMoment,
    user,
    hint: MessageHint,
    plan: LaunchPlan,
    registration: ToolRegistration,
    *,
    nonce: str,
) -> str:
    """Sign; consume the hint and write the accepted record as one (a refused hint leaves
    nothing behind); on a first launch, let the tool create the context in the same
    transaction."""
    body = _claims(user, hint, plan, registration, nonce=nonce)
    key = keys.signing_key()
    id_token = sign(body, private_key=key.private_key, kid=key.kid)
    kind, lifetime = ConsumedToken.Kind.MESSAGE_HINT, settings.LTI_MESSAGE_HINT_MAX_AGE * 2
    stage, client_id = LaunchStage.AUTHORIZATION, registration.client_id
    try:
        if not plan.creates_context:  # the launch's hot path: one statement
            accepted_once(
                kind=kind,
                value=hint.jti,
                lifetime=lifetime,
                stage=stage,
                plan=plan,
                user=user,
                client_id=client_id,
            )
        else:
            with transaction.atomic():
                single_use_consume(kind=kind, value=hint.jti, lifetime=lifetime)
                created = tool.issued(user=user, plan=plan)
                launch_record_accepted(
                    stage=stage,
                    plan=plan,
                    user=user,
                    client_id=client_id,
                    hint_id=hint.jti,
                    reason=Reason.CONTEXT_CREATED if created else None,
                )
    except AlreadyUsed:
        raise LtiError(
            Reason.HINT_REPLAYED, "The lti_message_hint has already been used."
        ) from None
    return id_token


def _claims(
    user, hint: MessageHint, plan: LaunchPlan, registration: ToolRegistration, *, nonce: str
) -> dict:
    message = LaunchMessage(
        platform=platform(),
        recipient=Recipient(client_id=registration.client_id, deployment_id=hint.deployment_id),
        user=plan.user,
        roles=plan.roles,
        context=plan.context,
        target_link_uri=plan.target_link_uri,
        nonce=nonce,
        presentation=Presentation(
            document_target=plan.document_target,
            return_url=plan.return_url,
            locale=translation.get_language() or settings.LANGUAGE_CODE,
        ),
        custom=plan.custom,
    )
    now = int(time.time())  # never rounded up: tools allow no leeway for iat
    lifetime = settings.LTI_ID_TOKEN_LIFETIME
    if plan.message_type == claims.DEEP_LINKING_REQUEST:
        data = DeepLinkingData(
            user_id=user.pk,
            client_id=registration.client_id,
            request=hint.request,
            space_id=plan.space_id,
        )
        return deep_linking_request(
            message,
            settings=DeepLinkingSettings(
                deep_link_return_url=plan.deep_link_return_url,
                data=DEEP_LINKING_DATA.encode(data),
                title=plan.title,
            ),
            now=now,
            lifetime=lifetime,
        )
    return resource_link_request(
        message,
        resource_link_id=plan.resource_link_id,
        resource_link_title=plan.title,
        now=now,
        lifetime=lifetime,
    )
