"""The two platform steps of a launch: login initiation (a click becomes a redirect to Panopto)
and authorization (the tool's request becomes a signed id_token). The SPEC §3 decision is taken
by `permissions.decide_folder` at both moments; nothing here re-derives it."""

import datetime
import json
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from panopto_link import keys
from panopto_link.hints import HintError, MessageHint, hint_decode, hint_encode
from panopto_link.lti import claims
from panopto_link.lti.auth_request import AuthorizationRequest, ClientInfo
from panopto_link.lti.errors import InvalidAuthRequest
from panopto_link.lti.jwks import sign
from panopto_link.lti.messages import (
    Context,
    DeepLinkingSettings,
    LaunchMessage,
    LaunchUser,
    Platform,
    Presentation,
    Recipient,
    deep_linking_request,
    resource_link_request,
)
from panopto_link.models import (
    ConsumedToken,
    FolderState,
    LaunchOutcome,
    LaunchRecord,
    LaunchStage,
    PanoptoFolder,
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.permissions import PanoptoRole, may_open_videos, may_pick_videos
from panopto_link.picker_data import picker_data_encode
from panopto_link.selectors import (
    FolderEntry,
    PanoptoSetting,
    SpacePanopto,
    panopto_setting,
    space_panopto,
)
from panopto_link.services import folder_ensure
from virtualspaces.models import SpaceType, VirtualSpace

CONTEXT_TYPES = {
    SpaceType.SUBJECT: claims.CONTEXT_COURSE_TEMPLATE,
    SpaceType.COURSE: claims.CONTEXT_COURSE_OFFERING,
    SpaceType.OTHER: claims.CONTEXT_GROUP,
}


def lti_roles(role: str, *, is_guest: bool) -> list[str]:
    """SPEC §3: administrator → Instructor (Panopto Creator); everyone else → Learner (Viewer);
    a guest of a public space also carries the institution role Guest."""
    roles = [claims.ROLE_INSTRUCTOR if role == PanoptoRole.CREATOR else claims.ROLE_LEARNER]
    if is_guest:
        roles.append(claims.INSTITUTION_GUEST)
    return roles


def absolute_url(path: str) -> str:
    return settings.LTI_ISSUER + path


def platform() -> Platform:
    return Platform(
        issuer=settings.LTI_ISSUER,
        guid=str(uuid.uuid5(uuid.NAMESPACE_URL, settings.LTI_ISSUER)),
        name="Neptun",
        product_family_code=settings.LTI_PRODUCT_FAMILY_CODE,
        version=settings.LTI_PRODUCT_VERSION,
    )


def launch_record(
    *,
    stage: str,
    outcome: str,
    reason: str = "",
    detail: str = "",
    user=None,
    space_id: int | None = None,
    context_id: str = "",
    roles: list[str] | None = None,
    message_type: str = "",
    client_id: str = "",
    hint_id: str = "",
) -> LaunchRecord:
    """Write the audit row of one launch step. Text may come from the request (a parameter's
    name in a refusal), so it is cut to the column and stripped of control characters: the
    record of a hostile request must be written too (PostgreSQL refuses NUL in text)."""
    return LaunchRecord.objects.create(
        stage=stage,
        outcome=outcome,
        reason=_plain(reason, 64),
        detail=_plain(detail, 500),
        user=user if user is not None and user.is_authenticated else None,
        space_id=space_id,
        context_id=_plain(context_id, 64),
        role_sent=_plain(" ".join(roles or []), 200),
        message_type=_plain(message_type, 64),
        client_id=_plain(client_id, 255),
        hint_id=_plain(hint_id, 64),
    )


_CONTROL_CHARACTERS = dict.fromkeys([*range(32), 127], "\ufffd")


def _plain(text: str, limit: int) -> str:
    return text[:limit].translate(_CONTROL_CHARACTERS)


# --- login initiation ------------------------------------------------------------------------


def launch_initiate(
    *,
    user,
    target: SpacePanopto,
    entry: FolderEntry,
    registration: PanoptoRegistration,
    message_type: str = claims.RESOURCE_LINK_REQUEST,
    target_link_uri: str | None = None,
    extra: dict | None = None,
) -> str:
    """Record an allowed click and return the URL of Panopto's login initiation
    (LTI Core §4.1, third-party initiated login). The caller has checked the decision is active.
    """
    decision = entry.decision
    assert decision.active and decision.role is not None  # noqa: S101 - caller's contract
    if decision.creates_context:
        folder_ensure(space=entry.owner)
    hint = MessageHint(
        user_id=user.pk,
        space_id=target.space.pk,
        folder_space_id=entry.owner.pk,
        role=decision.role.value,
        is_guest=decision.is_guest,
        message_type=message_type,
        client_id=registration.client_id,
        deployment_id=registration.deployment_id,
        target_link_uri=target_link_uri or registration.launch_url,
        extra=extra or {},
    )
    launch_record(
        stage=LaunchStage.INITIATION,
        outcome=LaunchOutcome.ACCEPTED,
        reason="context_creation" if decision.creates_context else "",
        user=user,
        space_id=target.space.pk,
        context_id=entry.folder.context_id if entry.folder else "",
        roles=lti_roles(decision.role, is_guest=decision.is_guest),
        message_type=message_type,
        client_id=registration.client_id,
        hint_id=hint.jti,
    )
    params = {
        "iss": settings.LTI_ISSUER,
        "login_hint": str(user.lti_subject),
        "target_link_uri": hint.target_link_uri,
        "lti_message_hint": hint_encode(hint),
        "client_id": registration.client_id,
        "lti_deployment_id": registration.deployment_id,
    }
    separator = "&" if "?" in registration.login_url else "?"
    return registration.login_url + separator + urlencode(params)


def launch_refused(
    *,
    user,
    target: SpacePanopto,
    entry: FolderEntry,
    message_type: str,
    reason: str | None = None,
) -> None:
    """Record a refused click. `reason` defaults to the folder decision's refusal; a click the
    folder would allow but its message type does not (a member asking for the video picker)
    names its own."""
    decision = entry.decision
    launch_record(
        stage=LaunchStage.INITIATION,
        outcome=LaunchOutcome.REFUSED,
        reason=reason or (decision.refusal.value if decision.refusal else ""),
        user=user,
        space_id=target.space.pk,
        context_id=entry.folder.context_id if entry.folder else "",
        message_type=message_type,
    )


# --- authorization ---------------------------------------------------------------------------


def client_finder(registration: PanoptoRegistration | None):
    """`find_client` for the authorization-request validation, over an already read
    registration (the single registered tool)."""
    return lambda client_id: find_client(client_id, registration=registration)


def find_client(client_id: str, *, registration: PanoptoRegistration | None) -> ClientInfo | None:
    if registration is None or registration.client_id != client_id or not client_id:
        return None
    return ClientInfo(
        client_id=registration.client_id,
        redirect_uris=tuple(registration.redirect_uri_list),
        is_enabled=registration.is_enabled,
    )


@dataclass(frozen=True)
class IssuedToken:
    id_token: str
    redirect_uri: str
    state: str | None
    created_context: bool


@dataclass(frozen=True)
class _Authorized:
    hint: MessageHint
    setting: PanoptoSetting
    target: SpacePanopto
    entry: FolderEntry
    video: VideoLink | None = None


def _check(user, request: AuthorizationRequest, setting: PanoptoSetting) -> _Authorized:
    """Every check after the request's own syntax; raises InvalidAuthRequest."""

    def refuse(error: str, description: str, reason: str | None = None) -> InvalidAuthRequest:
        return InvalidAuthRequest(
            error, description, request.redirect_uri, request.state, reason=reason
        )

    if user is None or not user.is_authenticated:
        # prompt=none: never show a sign-in page inside a launch (OIDC Core §3.1.2.6).
        raise refuse("login_required", "No user is signed in to the platform.", "not_signed_in")
    if request.login_hint != str(user.lti_subject):
        raise refuse(
            "login_required",
            "The login_hint does not name the user signed in to the platform.",
            "login_hint_mismatch",
        )
    try:
        hint = hint_decode(request.lti_message_hint)
    except HintError as error:
        raise refuse("invalid_request", error.description, error.reason) from None
    if hint.client_id != request.client_id:
        raise refuse(
            "invalid_request",
            "The lti_message_hint was issued for another client.",
            "hint_other_client",
        )
    if hint.user_id != user.pk:
        raise refuse(
            "invalid_request",
            "The lti_message_hint was issued for another user.",
            "hint_other_user",
        )
    registration = setting.registration
    if registration is None or hint.deployment_id != registration.deployment_id:
        raise refuse(
            "invalid_request",
            "The deployment of the lti_message_hint is no longer registered.",
            "hint_other_deployment",
        )
    target = space_panopto(user=user, space_pk=hint.space_id, setting=setting)
    entry = target.entry_for(hint.folder_space_id) if target else None
    if entry is None or not entry.decision.active:
        refusal = entry.decision.refusal if entry else None
        raise refuse(
            "access_denied",
            "The user may not enter this Panopto folder now"
            + (f" ({refusal.value})." if refusal else "."),
            refusal.value if refusal else "not_visible",
        )
    if entry.decision.role != hint.role or entry.decision.is_guest != hint.is_guest:
        raise refuse(
            "access_denied",
            "The user's role in the space changed since the launch began.",
            "role_changed",
        )
    video = None
    if hint.message_type == claims.DEEP_LINKING_REQUEST:
        if entry.owner.pk != target.space.pk or not may_pick_videos(entry.decision):
            raise refuse(
                "access_denied",
                "Only the space's administrator picks videos, once its folder exists.",
                "not_video_picker",
            )
    elif hint.message_type != claims.RESOURCE_LINK_REQUEST:
        raise refuse("invalid_request", "The message type is not supported.", "bad_message_type")
    video_id = hint.extra.get("video_id")
    if video_id is not None:
        video = VideoLink.objects.filter(pk=video_id, space_id=target.space.pk).first()
        if video is None or video.url != hint.target_link_uri:
            raise refuse("access_denied", "The video link no longer exists.", "video_removed")
        if not may_open_videos(entry.decision):
            raise refuse("access_denied", "The video cannot be opened now.", "video_refused")
    return _Authorized(hint=hint, setting=setting, target=target, entry=entry, video=video)


def _launch_user(user, registration: PanoptoRegistration) -> LaunchUser:
    return LaunchUser(
        sub=str(user.lti_subject),
        name=(user.get_full_name() or None) if registration.send_name else None,
        given_name=(user.first_name or None) if registration.send_name else None,
        family_name=(user.last_name or None) if registration.send_name else None,
        email=(user.email or None) if registration.send_email else None,
    )


def _linked_folders_custom(target: SpacePanopto, launched: FolderEntry) -> dict[str, str]:
    """The custom claim of a dashboard launch names the course's linked folders that the user
    may enter now (SPEC §3), so the tool can show them beside the course's own."""
    if launched.owner.pk != target.space.pk:
        return {}
    linked = [
        {
            "context_id": entry.folder.context_id,
            "label": entry.owner.code,
            "title": entry.owner.name,
            "role": entry.decision.role.value,
        }
        for entry in target.linked
        # Entering, not creating: a dashboard launch never creates a linked folder's context.
        if entry.decision.active and not entry.decision.creates_context and entry.folder
    ]
    return {"linked_folders": json.dumps(linked, ensure_ascii=False)} if linked else {}


def launch_authorize(
    *, user, request: AuthorizationRequest, setting: PanoptoSetting | None = None
) -> IssuedToken:
    """Check the tool's authorization request against the signed-in user and SPEC §3 at this
    moment, consume the hint, create the folder's context on the administrator's first launch,
    and sign the id_token. Raises InvalidAuthRequest (posted back to the tool). Writes a launch
    record either way. `setting` is the registration and licence as read at the start of this
    request (read now when not given)."""
    hint_id = ""
    try:
        checked = _check(user, request, setting or panopto_setting())
        hint = checked.hint
        hint_id = hint.jti
        with transaction.atomic():
            try:
                # No savepoint: a refused hint ends the whole transaction anyway (the
                # InvalidAuthRequest below leaves the outer block), so two round trips are saved.
                with transaction.atomic(savepoint=False):
                    ConsumedToken.objects.create(
                        kind=ConsumedToken.Kind.MESSAGE_HINT,
                        value=hint.jti,
                        expires_at=timezone.now()
                        + datetime.timedelta(seconds=settings.LTI_MESSAGE_HINT_MAX_AGE * 2),
                    )
            except IntegrityError:
                raise InvalidAuthRequest(
                    "invalid_request",
                    "The lti_message_hint has already been used.",
                    request.redirect_uri,
                    request.state,
                    reason="hint_replayed",
                ) from None
            issued = _issue(user, request, checked)
            launch_record(
                stage=LaunchStage.AUTHORIZATION,
                outcome=LaunchOutcome.ACCEPTED,
                reason="context_created" if issued.created_context else "",
                user=user,
                space_id=checked.target.space.pk,
                context_id=issued.context_id,
                roles=issued.roles,
                message_type=hint.message_type,
                client_id=request.client_id,
                hint_id=hint_id,
            )
        return IssuedToken(
            id_token=issued.id_token,
            redirect_uri=request.redirect_uri,
            state=request.state,
            created_context=issued.created_context,
        )
    except InvalidAuthRequest as refusal:
        launch_record(
            stage=LaunchStage.AUTHORIZATION,
            outcome=LaunchOutcome.REFUSED,
            reason=refusal.reason,
            detail=refusal.description,
            user=user,
            client_id=request.client_id,
            hint_id=hint_id,
        )
        raise


@dataclass(frozen=True)
class _Issued:
    id_token: str
    context_id: str
    roles: list[str]
    created_context: bool


def _issue(user, request: AuthorizationRequest, checked: _Authorized) -> _Issued:
    hint, entry, target = checked.hint, checked.entry, checked.target
    registration = checked.setting.registration
    folder = entry.folder or folder_ensure(space=entry.owner)
    created_context = False
    if entry.decision.creates_context:
        # A conditional update, not read-then-write: of many simultaneous first launches
        # exactly one changes the row; every one of them is a valid launch.
        created_context = (
            PanoptoFolder.objects.filter(pk=folder.pk, state=FolderState.NOT_CREATED).update(
                state=FolderState.CREATED, created_at=timezone.now(), created_by=user
            )
            == 1
        )
    roles = lti_roles(entry.decision.role, is_guest=entry.decision.is_guest)
    owner: VirtualSpace = entry.owner
    video = checked.video
    if video is not None:
        custom = {str(k): str(v) for k, v in video.custom.items()}
    else:
        custom = _linked_folders_custom(target, entry)
    message = LaunchMessage(
        platform=platform(),
        recipient=Recipient(client_id=request.client_id, deployment_id=hint.deployment_id),
        user=_launch_user(user, registration),
        roles=roles,
        context=Context(
            id=folder.context_id,
            label=owner.code,
            title=owner.name,
            type=CONTEXT_TYPES[owner.space_type],
        ),
        target_link_uri=hint.target_link_uri,
        nonce=request.nonce,
        presentation=Presentation(
            document_target=video.document_target if video else "window",
            return_url=absolute_url(reverse("virtualspaces:space_home", args=[target.space.pk])),
            locale=translation.get_language() or settings.LANGUAGE_CODE,
        ),
        custom=custom,
    )
    now = int(time.time())  # never rounded up: tools allow no leeway for iat
    if hint.message_type == claims.DEEP_LINKING_REQUEST:
        body = deep_linking_request(
            message,
            settings=DeepLinkingSettings(
                deep_link_return_url=absolute_url(reverse("panopto_link:deep_linking_return")),
                data=picker_data_encode(space_id=target.space.pk, user_id=user.pk),
                title=owner.name,
            ),
            now=now,
            lifetime=settings.LTI_ID_TOKEN_LIFETIME,
        )
    else:
        body = resource_link_request(
            message,
            resource_link_id=video.resource_link_id if video else folder.resource_link_id,
            resource_link_title=video.title if video else owner.name,
            now=now,
            lifetime=settings.LTI_ID_TOKEN_LIFETIME,
        )
    key = keys.signing_key()
    return _Issued(
        id_token=sign(body, private_key=key.private_key, kid=key.kid),
        context_id=folder.context_id,
        roles=roles,
        created_context=created_context,
    )
