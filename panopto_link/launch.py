"""The Panopto part of a launch: a SPEC §3 decision of `permissions.py` and a folder or a video
become a `LaunchPlan` (plain data) for the LTI platform (`lti_platform`), which seals, signs and
records it. `PanoptoTool` is how the platform asks again at the authorization and at the
deep-linking return — the same functions, at that moment.

A launch is named by its request: the space clicked in, the space whose folder is entered (a
linked one, maybe), and a video. The plan for a request is built here and nowhere else.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from django.urls import reverse

from panopto_link import services
from panopto_link.lti import claims
from panopto_link.lti.deep_linking import ContentItem
from panopto_link.lti.errors import AccessDenied
from panopto_link.lti.messages import Context, LaunchUser, personal_claims
from panopto_link.lti.reasons import Reason
from panopto_link.lti.substitution import Variable, key_problem, substitute
from panopto_link.lti_platform.issuer import absolute_url
from panopto_link.lti_platform.plan import LaunchPlan, LaunchRequest, ToolRegistration
from panopto_link.models import (
    LINKED_FOLDERS_PARAMETER,
    IdentifierKind,
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.permissions import (
    PersonalData,
    content_reserved_keys,
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
        reserved_custom_keys=content_reserved_keys(
            identifier_parameter=registration.identifier_parameter
        ),
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


def item_custom_sent(
    registration: PanoptoRegistration, item_custom: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """A video's custom map as its launch sends it: unchanged (Panopto's own parameters such
    as `use_panopto_sandbox` reach it as the tool returned them), but for the keys content may
    never set (`permissions.content_reserved_keys`) and keys that break the key rule. The
    deep-linking return refuses such items; a link stored before it did loses them here, and
    the launch record names them. Returns the map sent and the keys dropped, sorted."""
    reserved = content_reserved_keys(identifier_parameter=registration.identifier_parameter)
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for key, value in item_custom.items():
        if isinstance(key, str) and key_problem(key, reserved=reserved) is None:
            kept[key] = str(value)
        else:
            dropped.append(str(key))
    return kept, sorted(dropped)


def custom_claim(
    registration: PanoptoRegistration,
    sent: LaunchUser,
    values: Mapping[Variable, str],
    *,
    item_custom: Mapping[str, str] | None = None,
    own: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The custom claim (LTI Core §5.4.6), in one map: the registration's custom parameters,
    then a video's own (Deep Linking 2.0 §3.4.1: its variables substituted as well; the keys
    content may not set left out, `item_custom_sent`), then the identifier's parameter — which
    content cannot set, since Panopto matches accounts on it — and the portal's own
    parameters (`linked_folders`), which always win."""
    custom = substitute(registration.custom_parameter_items(), values)
    if item_custom:
        kept, _dropped = item_custom_sent(registration, item_custom)
        custom |= substitute(kept.items(), values)
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
    decision = entry.decision
    if kind is LaunchKind.PICKER:
        if not may_pick_videos(decision, is_own_folder=entry.owner.pk == target.space.pk):
            raise AccessDenied(
                video_picker_refusal(decision),
                "Only the space's administrator picks videos, once its folder exists.",
            )
    elif kind is LaunchKind.VIDEO:
        if video is None:
            raise AccessDenied(Reason.VIDEO_REMOVED, "The video link no longer exists.")
        if not may_open_videos(decision):
            raise AccessDenied(
                decision.refusal or Reason.VIDEO_REFUSED, "The video cannot be opened now."
            )
    elif not decision.active:
        raise AccessDenied(
            decision.refusal or Reason.NOT_VISIBLE,
            "The user may not enter this Panopto folder now.",
        )
    registration = setting.registration
    if registration is None:  # an active decision has a complete registration
        raise AccessDenied(Reason.REGISTRATION_INCOMPLETE, "Panopto is not configured.")
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
    folder = entry.folder or services.folder_ensure(space=entry.owner)
    if folder.context_used_at is None:  # from now on the context id never changes
        services.folder_mark_context_used(folder=folder)
    owner: VirtualSpace = entry.owner
    request = {"space": target.space.pk, "folder": owner.pk}
    if video is not None:
        request["video"] = video.pk
    context = Context(
        id=folder.context_id,
        label=owner.code,
        title=owner.name,
        type=CONTEXT_TYPES[SpaceType(owner.space_type)],
    )
    if kind is LaunchKind.PICKER:
        resource_link_id, title = "", owner.name
    elif video is not None:
        resource_link_id, title = video.resource_link_id, video.title
    else:
        resource_link_id, title = folder.resource_link_id, owner.name
    values = _substitution_values(
        user,
        registration,
        user_sent,
        context=context,
        section_code=owner.code,
        resource_link_id=resource_link_id,
        resource_link_title=title,
    )
    own = _linked_folders(target, entry) if video is None else None
    audit = audit_facts(registration)
    if video is not None:
        _kept, dropped = item_custom_sent(registration, video.custom)
        if dropped:  # stored before the deep-linking return refused such items
            audit["dropped_custom_keys"] = ",".join(dropped)
    custom = custom_claim(
        registration,
        user_sent,
        values,
        item_custom=video.custom if video is not None else None,
        own=own,
    )
    launch_plan = LaunchPlan(
        message_type=kind.message_type,
        user=user_sent,
        roles=lti_roles(decision),
        context=context,
        target_link_uri=registration.launch_url,
        document_target=document_target(registration, kind),
        return_url=absolute_url(reverse("virtualspaces:space_home", args=[target.space.pk])),
        resource_link_id=resource_link_id,
        title=title,
        custom=custom,
        request=request,
        space_id=target.space.pk,
        creates_context=decision.creates_context,
        audit=audit,
    )
    if kind is LaunchKind.PICKER:
        return replace(
            launch_plan,
            target_link_uri=registration.deep_linking_target,
            deep_link_return_url=absolute_url(reverse("panopto_link:deep_linking_return")),
        )
    if video is not None:
        return replace(launch_plan, target_link_uri=video.url)
    return launch_plan


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

    def now(self, *, user=None, request: LaunchRequest | None = None) -> PanoptoMoment:
        if user is None or not request or "space" not in request:
            return PanoptoMoment(panopto_setting())
        setting, target = launch_facts(user=user, space_pk=request["space"])
        return PanoptoMoment(setting, space_pk=request["space"], target=target)

    def at(self, setting: PanoptoSetting) -> PanoptoMoment:
        """Panopto as read already for this request (the click's page read the setting)."""
        return PanoptoMoment(setting)


PANOPTO = PanoptoTool()
