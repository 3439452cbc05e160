"""Login initiation (LTI Core §4.1, third-party initiated login): an allowed click becomes the
URL of the tool's login endpoint, carrying the sealed message hint; a refused one is recorded."""

from enum import StrEnum
from urllib.parse import urlencode

from django.conf import settings

from panopto_link.lti.reasons import Reason
from panopto_link.lti_platform.hints import MESSAGE_HINTS, MessageHint
from panopto_link.lti_platform.models import LaunchOutcome, LaunchStage
from panopto_link.lti_platform.plan import LaunchPlan, ToolRegistration
from panopto_link.lti_platform.services import launch_record_accepted, launch_record_write


def login_initiation_url(*, user, plan: LaunchPlan, registration: ToolRegistration) -> str:
    """Record the click and return the tool's login initiation URL for `plan`."""
    hint = MessageHint(
        user_id=user.pk,
        client_id=registration.client_id,
        deployment_id=registration.deployment_id,
        message_type=plan.message_type,
        target_link_uri=plan.target_link_uri,
        roles=list(plan.roles),
        request=dict(plan.request),
    )
    launch_record_accepted(
        stage=LaunchStage.INITIATION,
        plan=plan,
        reason=Reason.CONTEXT_CREATION if plan.creates_context else None,
        user=user,
        client_id=registration.client_id,
        hint_id=hint.jti,
    )
    params = {
        "iss": settings.LTI_ISSUER,
        "login_hint": plan.user.sub,
        "target_link_uri": plan.target_link_uri,
        "lti_message_hint": MESSAGE_HINTS.encode(hint),
        "client_id": registration.client_id,
        "lti_deployment_id": registration.deployment_id,
    }
    separator = "&" if "?" in registration.login_url else "?"
    return registration.login_url + separator + urlencode(params)


def login_initiation_refused(
    *, user, reason: StrEnum, message_type: str, space_id: int, context_id: str = ""
) -> None:
    """Record a click the policy refused."""
    launch_record_write(
        stage=LaunchStage.INITIATION,
        outcome=LaunchOutcome.REFUSED,
        reason=reason,
        user=user,
        space_id=space_id,
        context_id=context_id,
        message_type=message_type,
    )
