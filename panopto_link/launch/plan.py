"""The Panopto part of a launch: a SPEC §3 decision of `permissions.py` and a folder or a video
become a `LaunchPlan` (plain data) for the LTI platform (`lti_platform`), which seals, signs and
records it. `PanoptoTool` is how the platform asks again at the authorization and at the
deep-linking return — the same functions, at that moment.

A launch is named by its request: the space clicked in, the space whose folder is entered (a
linked one, maybe), and a video. The plan for a request is built here and nowhere else.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.urls import reverse

from panopto_link import services
from panopto_link.lti import claims
from panopto_link.lti.deep_linking import ContentItem
from panopto_link.lti.errors import AccessDenied
from panopto_link.lti.messages import Context, LaunchUser, personal_claims
from panopto_link.lti.reasons import Reason
from panopto_link.lti.substitution import Variable, substitute
from panopto_link.lti_platform.api import LaunchPlan, LaunchRequest, ToolRegistration, absolute_url
from panopto_link.models import (
    LINKED_FOLDERS_PARAMETER,
    IdentifierKind,
    PanoptoFolder,
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.permissions import (
    RECORDING_ID_PARAM,
    PersonalData,
    identifier_refusal,
    identifier_released,
    lti_roles,
    may_open_videos,
    may_pick_videos,
    names_linked_folder,
    registration_complete,
    released_personal_data,
    variable_released,
    video_picker_refusal,
)
from panopto_link.selectors import (
    FolderEntry,
    PanoptoSetting,
    SpacePanopto,
    launch_facts,
    panopto_setting,
    space_panopto,
    space_videos,
)
from virtualspaces.models import SpaceType, VirtualSpace

CONTEXT_TYPES = {
    SpaceType.SUBJECT: claims.CONTEXT_COURSE_TEMPLATE,
    SpaceType.COURSE: claims.CONTEXT_COURSE_OFFERING,
    SpaceType.OTHER: claims.CONTEXT_GROUP,
}


class LaunchKind(StrEnum):
    """What a click asks for."""

    FOLDER = "folder"  # "Continue to the Panopto system": the folder's dashboard
    PICKER = "picker"  # "Add videos from Panopto": the content picker in the space's folder
    VIDEO = "video"  # "Play": one linked video

    @property
    def message_type(self) -> str:
        if self is LaunchKind.PICKER:
            return claims.DEEP_LINKING_REQUEST
        return claims.RESOURCE_LINK_REQUEST


def tool_registration(registration: PanoptoRegistration, setting: PanoptoSetting):
    return ToolRegistration(
        client_id=registration.client_id,
        deployment_id=registration.deployment_id,
        login_url=registration.login_url,
        launch_url=registration.launch_url,
        redirect_uris=tuple(registration.redirect_uri_list),
        jwks_url=registration.jwks_url,
        tool_origins=registration.tool_origins(),
        is_enabled=registration.is_enabled,
        is_complete=registration_complete(setting.registration_facts),
    )


# --- who the user is to Panopto (issue 12) ---------------------------------------------------


def institutional_identifier(user, identifier_kind: str) -> str:
    """The user's value of the registration's institutional identifier ("" when missing)."""
    if identifier_kind == IdentifierKind.EMAIL:
        return user.email or ""
    if identifier_kind == IdentifierKind.NEPTUN_CODE:
        return user.neptun_code or ""
    return user.get_username()


def launch_user(user, registration: PanoptoRegistration) -> LaunchUser:
    """The user as Panopto sees them: the opaque `sub` always; name, e-mail address and the
    institutional identifier as the privacy level releases them (`permissions`)."""
    released = released_personal_data(registration.privacy_level)
    send_name = PersonalData.NAME in released
    send_email = PersonalData.EMAIL in released
    sends_identifier = identifier_released(
        privacy_level=registration.privacy_level, identifier_kind=registration.identifier_kind
    )
    identifier = institutional_identifier(user, registration.identifier_kind)
    return LaunchUser(
        sub=str(user.lti_subject),
        name=(user.get_full_name() or None) if send_name else None,
        given_name=(user.first_name or None) if send_name else None,
        family_name=(user.last_name or None) if send_name else None,
        email=(user.email or None) if send_email else None,
        person_sourcedid=(identifier or None) if sends_identifier else None,
    )


def _substitution_values(
    user,
    registration: PanoptoRegistration,
    sent: LaunchUser,
    *,
    context: Context,
    section_code: str,
    resource_link_id: str,
    resource_link_title: str,
) -> dict[Variable, str]:
    """The value of every variable this launch can substitute: those the privacy level
    releases (`permissions.variable_released`), and the resource link's only when the
    message names one. Any other variable is sent as written."""
    values = {
        Variable.USER_ID: sent.sub,
        Variable.USER_USERNAME: user.get_username(),
        Variable.PERSON_NAME_FULL: user.get_full_name(),
        Variable.PERSON_NAME_GIVEN: user.first_name,
        Variable.PERSON_NAME_FAMILY: user.last_name,
        Variable.PERSON_EMAIL_PRIMARY: user.email,
        Variable.CONTEXT_ID: context.id,
        Variable.CONTEXT_TITLE: context.title,
        Variable.CONTEXT_LABEL: context.label,
        Variable.COURSE_SECTION_SOURCED_ID: section_code,
    }
    if sent.person_sourcedid:
        values[Variable.PERSON_SOURCED_ID] = sent.person_sourcedid
    if resource_link_id:
        values[Variable.RESOURCE_LINK_ID] = resource_link_id
        values[Variable.RESOURCE_LINK_TITLE] = resource_link_title
    return {
        variable: value
        for variable, value in values.items()
        if variable_released(
            variable,
            privacy_level=registration.privacy_level,
            identifier_kind=registration.identifier_kind,
        )
    }


def custom_claim(
    registration: PanoptoRegistration,
    sent: LaunchUser,
    values: Mapping[Variable, str],
    *,
    item_custom: Mapping[str, str] | None = None,
    own: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The custom claim (LTI Core §5.4.6): the registration's custom parameters, then a
    video's own (Deep Linking 2.0 §3.4.1: its variables substituted as well), then the
    identifier's parameter — which content cannot override, since Panopto matches accounts on
    it — and the portal's own parameters (`linked_folders`)."""
    custom = substitute(registration.custom_parameter_items(), values)
    if item_custom:
        custom |= substitute(((str(key), str(value)) for key, value in item_custom.items()), values)
    if registration.identifier_parameter:
        if sent.person_sourcedid:
            custom[registration.identifier_parameter] = sent.person_sourcedid
        else:  # withheld by the privacy level: never a stale value from the content
            custom.pop(registration.identifier_parameter, None)
    return custom | dict(own or {})


def audit_facts(registration: PanoptoRegistration) -> dict[str, str]:
    """What the launch record keeps of the registration's choices besides the claims sent."""
    return {
        "privacy_level": registration.privacy_level,
        "identifier_kind": registration.identifier_kind,
        "identifier_parameter": registration.identifier_parameter,
    }


def document_target(registration: PanoptoRegistration, kind: LaunchKind) -> str:
    """Where the portal opens the launch (LTI Core §5.4.4): a new tab ("window") when the
    registration says so, else in place of the portal's page ("frame"). The content picker
    always opens in place: it comes back to the portal's page when the choice is made."""
    if kind is not LaunchKind.PICKER and registration.opens_in_new_tab:
        return claims.DOCUMENT_TARGET_WINDOW
    return claims.DOCUMENT_TARGET_FRAME


def sent_preview(registration: PanoptoRegistration) -> dict:
    """What a launch sends under the registration's settings, in the shape of a launch
    record's `sent`, for the admin to show before anyone launches: the personal claims of a
    user who has every value."""
    released = released_personal_data(registration.privacy_level)
    sample = LaunchUser(
        sub="-",
        name="-" if PersonalData.NAME in released else None,
        given_name="-" if PersonalData.NAME in released else None,
        family_name="-" if PersonalData.NAME in released else None,
        email="-" if PersonalData.EMAIL in released else None,
        person_sourcedid="-"
        if identifier_released(
            privacy_level=registration.privacy_level,
            identifier_kind=registration.identifier_kind,
        )
        else None,
    )
    custom = [key for key, _value in registration.custom_parameter_items()]
    if registration.identifier_parameter and sample.person_sourcedid:
        custom.append(registration.identifier_parameter)
    return {
        "claims": list(personal_claims(sample)),
        "custom": sorted(custom),
        "document_target": document_target(registration, LaunchKind.FOLDER),
        "tool": audit_facts(registration),
    }


def _linked_folders(target: SpacePanopto, entry: FolderEntry) -> dict[str, str]:
    """The custom claim of a dashboard launch: the course's linked folders the user may enter
    now (SPEC §3), so the tool can show them beside the course's own."""
    launches_own_folder = entry.owner.pk == target.space.pk
    linked = [
        {
            "context_id": linked.folder.context_id,
            "label": linked.owner.code,
            "title": linked.owner.name,
            "role": str(linked.decision.role),
        }
        for linked in target.linked
        if linked.folder is not None
        and names_linked_folder(launches_own_folder=launches_own_folder, linked=linked.decision)
    ]
    return {LINKED_FOLDERS_PARAMETER: json.dumps(linked, ensure_ascii=False)} if linked else {}


# The custom parameter of a deep-linking request naming the recordings the space links
# already (comma-separated recording ids), so that the tool's picker can mark them.
LINKED_RECORDINGS_PARAM = "linked_recording_ids"
LINKED_RECORDINGS_MAX = 200


def _linked_recordings(space: VirtualSpace) -> dict[str, str]:
    ids = [
        str(video.custom.get(RECORDING_ID_PARAM, "")).strip()
        for video in space_videos(space)[:LINKED_RECORDINGS_MAX]
    ]
    ids = [recording_id for recording_id in ids if recording_id and "," not in recording_id]
    return {LINKED_RECORDINGS_PARAM: ",".join(ids)} if ids else {}


# --- the plan of a launch ----------------------------------------------------------------------
# `plan` reads top to bottom: may this kind of launch go ahead (one function per kind), who is
# sent (the identifier the privacy level promises), which folder's context, which link of it
# (one function per kind), and the custom claim.


def _folder_allowed(*, entry: FolderEntry, target: SpacePanopto, video: VideoLink | None) -> None:
    """ "Continue to the Panopto system": the folder's decision is active."""
    decision = entry.decision
    if not decision.active:
        raise AccessDenied(
            decision.refusal or Reason.NOT_VISIBLE,
            "The user may not enter this Panopto folder now.",
        )


def _picker_allowed(*, entry: FolderEntry, target: SpacePanopto, video: VideoLink | None) -> None:
    """ "Add videos from Panopto": the space's administrator, in a folder that exists."""
    decision = entry.decision
    if not may_pick_videos(decision, is_own_folder=entry.owner.pk == target.space.pk):
        raise AccessDenied(
            video_picker_refusal(decision),
            "Only the space's administrator picks videos, once its folder exists.",
        )


def _video_allowed(*, entry: FolderEntry, target: SpacePanopto, video: VideoLink | None) -> None:
    """ "Play": a video still linked, in a folder whose decision lets its viewers in."""
    if video is None:
        raise AccessDenied(Reason.VIDEO_REMOVED, "The video link no longer exists.")
    decision = entry.decision
    if not may_open_videos(decision):
        raise AccessDenied(
            decision.refusal or Reason.VIDEO_REFUSED, "The video cannot be opened now."
        )


_ALLOWED = {
    LaunchKind.FOLDER: _folder_allowed,
    LaunchKind.PICKER: _picker_allowed,
    LaunchKind.VIDEO: _video_allowed,
}


def _user_sendable(user, registration: PanoptoRegistration) -> LaunchUser:
    """The person as the registration sends them; refused when the privacy level promises an
    institutional identifier the user does not have."""
    user_sent = launch_user(user, registration)
    refusal = identifier_refusal(
        released=identifier_released(
            privacy_level=registration.privacy_level,
            identifier_kind=registration.identifier_kind,
        ),
        identifier=user_sent.person_sourcedid or "",
    )
    if refusal is not None:
        raise AccessDenied(refusal, "The user has no institutional identifier to send.")
    return user_sent


def _folder_for_launch(entry: FolderEntry) -> PanoptoFolder:
    """The folder launched into, created on first need; from this launch on its context id
    never changes."""
    folder = entry.folder or services.folder_ensure(space=entry.owner)
    if folder.context_used_at is None:
        services.folder_mark_context_used(folder=folder)
    return folder


@dataclass(frozen=True)
class _Link:
    """Where a launch of one kind points: the resource link and its title, the tool's URL, and
    for the picker where the chosen videos come back."""

    resource_link_id: str
    title: str
    target_link_uri: str
    deep_link_return_url: str = ""


def _folder_link(
    registration: PanoptoRegistration,
    owner: VirtualSpace,
    folder: PanoptoFolder,
    video: VideoLink | None,
) -> _Link:
    return _Link(folder.resource_link_id, owner.name, registration.launch_url)


def _picker_link(
    registration: PanoptoRegistration,
    owner: VirtualSpace,
    folder: PanoptoFolder,
    video: VideoLink | None,
) -> _Link:
    return _Link(
        "",
        owner.name,
        registration.deep_linking_target,
        deep_link_return_url=absolute_url(reverse("panopto_link:deep_linking_return")),
    )


def _video_link(
    registration: PanoptoRegistration,
    owner: VirtualSpace,
    folder: PanoptoFolder,
    video: VideoLink | None,
) -> _Link:
    if video is None:  # refused by _video_allowed already
        raise AccessDenied(Reason.VIDEO_REMOVED, "The video link no longer exists.")
    return _Link(video.resource_link_id, video.title, video.url)


_LINKS = {
    LaunchKind.FOLDER: _folder_link,
    LaunchKind.PICKER: _picker_link,
    LaunchKind.VIDEO: _video_link,
}


def _own_custom(
    kind: LaunchKind, target: SpacePanopto, entry: FolderEntry, video: VideoLink | None
) -> dict[str, str] | None:
    """The custom parameters the portal itself sends: the course's linked folders with a
    folder or picker launch, and with the picker the recordings linked already (to mark)."""
    own = _linked_folders(target, entry) if video is None else None
    if kind is LaunchKind.PICKER:
        own = {**(own or {}), **_linked_recordings(target.space)}
    return own


def plan(
    *,
    user,
    setting: PanoptoSetting,
    target: SpacePanopto,
    entry: FolderEntry,
    kind: LaunchKind,
    video: VideoLink | None = None,
) -> LaunchPlan:
    """The plan of a launch the policy allows: raises AccessDenied with the policy's reason when
    it does not. A first launch into a folder gives it its permanent context id first."""
    _ALLOWED[kind](entry=entry, target=target, video=video)
    registration = setting.registration
    if registration is None:  # an active decision has a complete registration
        raise AccessDenied(Reason.REGISTRATION_INCOMPLETE, "Panopto is not configured.")
    user_sent = _user_sendable(user, registration)
    folder = _folder_for_launch(entry)
    owner: VirtualSpace = entry.owner
    context = Context(
        id=folder.context_id,
        label=owner.code,
        title=owner.name,
        type=CONTEXT_TYPES[SpaceType(owner.space_type)],
    )
    link = _LINKS[kind](registration, owner, folder, video)
    values = _substitution_values(
        user,
        registration,
        user_sent,
        context=context,
        section_code=owner.code,
        resource_link_id=link.resource_link_id,
        resource_link_title=link.title,
    )
    custom = custom_claim(
        registration,
        user_sent,
        values,
        item_custom=video.custom if video is not None else None,
        own=_own_custom(kind, target, entry, video),
    )
    request = {"space": target.space.pk, "folder": owner.pk}
    if video is not None:
        request["video"] = video.pk
    return LaunchPlan(
        message_type=kind.message_type,
        user=user_sent,
        roles=lti_roles(entry.decision),
        context=context,
        target_link_uri=link.target_link_uri,
        document_target=document_target(registration, kind),
        return_url=absolute_url(reverse("virtualspaces:space_home", args=[target.space.pk])),
        deep_link_return_url=link.deep_link_return_url,
        resource_link_id=link.resource_link_id,
        title=link.title,
        custom=custom,
        request=request,
        space_id=target.space.pk,
        creates_context=entry.decision.creates_context,
        audit=audit_facts(registration),
    )


# --- the platform asks again: PanoptoTool ----------------------------------------------------


@dataclass(frozen=True)
class LinkedVideos:
    """What a deep-linking return stored (`AcceptedContent` for the platform's audit)."""

    space: VirtualSpace
    user_id: int
    context_id: str
    added: list[VideoLink]
    already_linked: list[VideoLink] = field(default_factory=list)

    @property
    def space_id(self) -> int:
        return self.space.pk

    @property
    def summary(self) -> str:
        summary = f"{len(self.added)} video(s) linked."
        if self.already_linked:
            summary += f" {len(self.already_linked)} linked already."
        return summary


class PanoptoMoment:
    """Panopto as it stands for one request: the registration and licence read once, and the
    space a launch names with it when it is known (`selectors.launch_facts`)."""

    def __init__(
        self,
        setting: PanoptoSetting,
        *,
        space_pk: int | None = None,
        target: SpacePanopto | None = None,
    ) -> None:
        self.setting = setting
        self.read_space_pk = space_pk  # the space read with the setting, when there was one
        self.target = target  # None when that space does not exist
        registration = setting.registration
        self.registration = tool_registration(registration, setting) if registration else None

    def _target(self, user, request: LaunchRequest) -> SpacePanopto:
        space_pk = request.get("space", 0)
        if space_pk == self.read_space_pk:
            target = self.target
        else:
            target = space_panopto(user=user, space_pk=space_pk, setting=self.setting)
        if target is None:
            raise AccessDenied(Reason.NOT_VISIBLE, "The virtual space no longer exists.")
        return target

    def replan(self, *, user, message_type: str, request: LaunchRequest) -> LaunchPlan:
        target = self._target(user, request)
        entry = target.entry_for(request.get("folder", 0))
        if entry is None:
            raise AccessDenied(Reason.NOT_VISIBLE, "The folder is no longer linked to the space.")
        video = None
        if message_type == claims.DEEP_LINKING_REQUEST:
            kind = LaunchKind.PICKER
        elif "video" in request:
            kind = LaunchKind.VIDEO
            video = VideoLink.objects.filter(pk=request["video"], space=target.space).first()
        else:
            kind = LaunchKind.FOLDER
        return plan(
            user=user, setting=self.setting, target=target, entry=entry, kind=kind, video=video
        )

    def issued(self, *, user, plan: LaunchPlan) -> bool:
        return services.folder_mark_created(context_id=plan.context.id, user=user)

    def accept_content(
        self, *, user, request: LaunchRequest, items: Sequence[ContentItem]
    ) -> LinkedVideos:
        target = self._target(user, request)
        decision = target.folder.decision
        if not may_pick_videos(decision, is_own_folder=True):
            raise AccessDenied(
                video_picker_refusal(decision), "Only the space's administrator adds videos to it."
            )
        linked = services.video_links_add(space=target.space, items=items, user=user)
        folder = target.folder.folder
        return LinkedVideos(
            space=target.space,
            user_id=user.pk,
            context_id=folder.context_id if folder else "",
            added=linked.added,
            already_linked=linked.already_linked,
        )


class PanoptoTool:
    """The institute's Panopto site as a tool of the LTI platform (`lti_platform.tools`)."""

    def now(
        self, *, user=None, request: LaunchRequest | None = None, client_id: str | None = None
    ) -> PanoptoMoment:
        if user is None or not request or "space" not in request:
            return PanoptoMoment(panopto_setting())
        setting, target = launch_facts(user=user, space_pk=request["space"], client_id=client_id)
        return PanoptoMoment(setting, space_pk=request["space"], target=target)

    def at(self, setting: PanoptoSetting) -> PanoptoMoment:
        """Panopto as read already for this request (the click's page read the setting)."""
        return PanoptoMoment(setting)


PANOPTO = PanoptoTool()
