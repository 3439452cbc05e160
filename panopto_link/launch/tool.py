"""Panopto as a tool of the LTI platform: how the platform asks again at the authorization and
at the picker's return (`PanoptoTool`, `PanoptoMoment`), with the registration as it stands."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from panopto_link import services
from panopto_link.launch.kinds import LaunchKind
from panopto_link.launch.plan import plan
from panopto_link.lti import claims
from panopto_link.lti.deep_linking import ContentItem
from panopto_link.lti.errors import AccessDenied
from panopto_link.lti_platform.api import LaunchPlan, LaunchRequest, ToolRegistration
from panopto_link.models import (
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.permissions import (
    content_reserved_keys,
    may_pick_videos,
    registration_complete,
    video_picker_refusal,
)
from panopto_link.reasons import PanoptoReason
from panopto_link.selectors import (
    PanoptoSetting,
    SpacePanopto,
    launch_facts,
    panopto_setting,
    space_panopto,
)
from virtualspaces.models import VirtualSpace


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
            raise AccessDenied(PanoptoReason.NOT_VISIBLE, "The virtual space no longer exists.")
        return target

    def replan(self, *, user, message_type: str, request: LaunchRequest) -> LaunchPlan:
        target = self._target(user, request)
        entry = target.entry_for(request.get("folder", 0))
        if entry is None:
            raise AccessDenied(
                PanoptoReason.NOT_VISIBLE, "The folder is no longer linked to the space."
            )
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
