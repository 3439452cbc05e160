"""The Panopto part of a launch: a SPEC §3 decision of `permissions.py` and a folder or a video
become a `LaunchPlan` (plain data) for the LTI platform (`lti_platform`), which seals, signs and
records it. `PanoptoTool` is how the platform asks again at the authorization and at the
deep-linking return — the same functions, at that moment.

A launch is named by its request: the space clicked in, the space whose folder is entered (a
linked one, maybe), and a video. The plan for a request is built here and nowhere else.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from django.urls import reverse

from panopto_link import services
from panopto_link.lti import claims
from panopto_link.lti.deep_linking import ContentItem
from panopto_link.lti.errors import AccessDenied
from panopto_link.lti.messages import Context, LaunchUser
from panopto_link.lti.reasons import Reason
from panopto_link.lti_platform.issuer import absolute_url
from panopto_link.lti_platform.plan import LaunchPlan, LaunchRequest, ToolRegistration
from panopto_link.models import PanoptoRegistration, VideoLink
from panopto_link.permissions import (
    RECORDING_ID_PARAM,
    lti_roles,
    may_open_videos,
    may_pick_videos,
    names_linked_folder,
    registration_complete,
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


def _launch_user(user, registration: PanoptoRegistration) -> LaunchUser:
    return LaunchUser(
        sub=str(user.lti_subject),
        name=(user.get_full_name() or None) if registration.send_name else None,
        given_name=(user.first_name or None) if registration.send_name else None,
        family_name=(user.last_name or None) if registration.send_name else None,
        email=(user.email or None) if registration.send_email else None,
    )


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
    return {"linked_folders": json.dumps(linked, ensure_ascii=False)} if linked else {}


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
    folder = entry.folder or services.folder_ensure(space=entry.owner)
    owner: VirtualSpace = entry.owner
    request = {"space": target.space.pk, "folder": owner.pk}
    if video is not None:
        request["video"] = video.pk
    dashboard = LaunchPlan(
        message_type=kind.message_type,
        user=_launch_user(user, registration),
        roles=lti_roles(decision),
        context=Context(
            id=folder.context_id,
            label=owner.code,
            title=owner.name,
            type=CONTEXT_TYPES[SpaceType(owner.space_type)],
        ),
        target_link_uri=registration.launch_url,
        document_target="window",
        return_url=absolute_url(reverse("virtualspaces:space_home", args=[target.space.pk])),
        resource_link_id=folder.resource_link_id,
        title=owner.name,
        custom=_linked_folders(target, entry),
        request=request,
        space_id=target.space.pk,
        creates_context=decision.creates_context,
    )
    if kind is LaunchKind.PICKER:
        return replace(
            dashboard,
            target_link_uri=registration.deep_linking_target,
            resource_link_id="",
            deep_link_return_url=absolute_url(reverse("panopto_link:deep_linking_return")),
            custom=_linked_recordings(target.space),
        )
    if video is not None:
        return replace(
            dashboard,
            target_link_uri=video.url,
            document_target=video.document_target,
            resource_link_id=video.resource_link_id,
            title=video.title,
            custom={str(key): str(value) for key, value in video.custom.items()},
        )
    return dashboard


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
