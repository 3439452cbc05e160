"""The deep-linking return (Deep Linking 2.0 §4.5): the tool's signed answer from its content
picker is verified before any of it is trusted, then handed to the tool's part to store — in
one transaction with the consumption of its nonce and of our `data` value, and one audit row.

It does not use the browser's session: the answer arrives as a cross-site form post, which
carries no SameSite=Lax cookie. Our sealed `data` value names the user and the request.
"""

import time
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from panopto_link.lti.deep_linking import DeepLinkingResponse, verify_deep_linking_response
from panopto_link.lti.errors import AccessDenied, InvalidDeepLinkingResponse, LtiError
from panopto_link.lti.reasons import Reason
from panopto_link.lti_platform.hints import DEEP_LINKING_DATA, DEEP_LINKING_DATA_MAX_AGE
from panopto_link.lti_platform.models import ConsumedToken, LaunchOutcome, LaunchStage
from panopto_link.lti_platform.services import (
    AlreadyUsed,
    launch_record_write,
    launch_refusal_write,
    single_use_consume,
)
from panopto_link.lti_platform.tool_keys import ToolKeysUnavailable, tool_public_key
from panopto_link.lti_platform.tools import AcceptedContent, LaunchTool
from virtualspaces.models import VirtualSpace


@dataclass(frozen=True)
class Received:
    response: DeepLinkingResponse
    accepted: AcceptedContent


@dataclass(frozen=True)
class ContentRefused:
    reason: StrEnum
    description: str
    retry_after: int | None = None  # an anonymous refusal beyond its limit: answered 429


def _consume(kind: ConsumedToken.Kind, value: str, reason: StrEnum) -> None:
    try:
        single_use_consume(kind=kind, value=value, lifetime=DEEP_LINKING_DATA_MAX_AGE * 2)
    except AlreadyUsed:
        raise InvalidDeepLinkingResponse(reason, "This response has already been used.") from None


def _refused_summary(response: DeepLinkingResponse) -> str:
    """The items refused for their custom map, for the launch record: key and problem each."""
    if not response.refused_items:
        return ""
    named = ", ".join(f"{item.key or '-'} ({item.problem})" for item in response.refused_items)
    return f"{len(response.refused_items)} item(s) refused for their custom parameters: {named}."


def receive_content(
    token: str, *, tool: LaunchTool, client_address: str
) -> Received | ContentRefused:
    """Verify the tool's response JWT and let the tool's part store its items. Writes exactly
    one launch record; a refusal writes nothing else."""
    user = None
    space_id = None
    hint_id = ""
    try:
        moment = tool.now()
        registration = moment.registration
        if registration is None or not registration.is_complete:
            raise InvalidDeepLinkingResponse(
                Reason.NOT_CONFIGURED, "The tool's registration is incomplete."
            )

        def find_key(kid: str):
            try:
                return tool_public_key(registration.jwks_url, kid)
            except ToolKeysUnavailable as error:
                raise InvalidDeepLinkingResponse(Reason.TOOL_KEYS_UNAVAILABLE, str(error)) from None

        response = verify_deep_linking_response(
            token,
            issuer=settings.LTI_ISSUER,
            client_id=registration.client_id,
            deployment_id=registration.deployment_id,
            find_key=find_key,
            allowed_origins=registration.tool_origins,
            now=int(time.time()),
            reserved_keys=registration.reserved_custom_keys,
        )
        data = DEEP_LINKING_DATA.decode(response.data)
        if data.client_id != registration.client_id:
            raise InvalidDeepLinkingResponse(
                Reason.WRONG_DATA, "The data value was issued for another client."
            )
        hint_id = data.jti
        # The space may have been deleted since the picker opened: a record must not name it.
        space_id = data.space_id
        user = get_user_model().objects.filter(pk=data.user_id, is_active=True).first()
        if user is None:
            raise AccessDenied(Reason.USER_INACTIVE, "The user is no longer active.")
        with transaction.atomic():
            _consume(ConsumedToken.Kind.DEEP_LINKING_NONCE, response.nonce, Reason.NONCE_REPLAYED)
            _consume(ConsumedToken.Kind.DEEP_LINKING_DATA, data.jti, Reason.DATA_REPLAYED)
            accepted = moment.accept_content(user=user, request=data.request, items=response.items)
            launch_record_write(
                stage=LaunchStage.DEEP_LINKING_RETURN,
                outcome=LaunchOutcome.ACCEPTED,
                reason=Reason.VIDEOS_ADDED,
                detail=" ".join(
                    filter(
                        None,
                        [
                            accepted.summary,
                            _refused_summary(response),
                            response.errorlog or response.log,
                        ],
                    )
                ),
                user=user,
                space_id=accepted.space_id,
                context_id=accepted.context_id,
                client_id=registration.client_id,
                hint_id=hint_id,
            )
        return Received(response=response, accepted=accepted)
    except LtiError as refusal:
        if space_id is not None and not VirtualSpace.objects.filter(pk=space_id).exists():
            space_id = None
        retry_after = launch_refusal_write(
            stage=LaunchStage.DEEP_LINKING_RETURN,
            reason=refusal.reason,
            detail=refusal.description,
            user=user,
            client_address=client_address,
            space_id=space_id,
            hint_id=hint_id,
        )
        return ContentRefused(
            reason=refusal.reason, description=refusal.description, retry_after=retry_after
        )
