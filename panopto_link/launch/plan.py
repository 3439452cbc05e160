"""The Panopto part of a launch (docs/decisions/0007): the decision and the folder or video
become a `LaunchPlan`, the plain data the platform signs. `plan` reads top to bottom."""

from dataclasses import dataclass

from django.urls import reverse

from core.users import PortalUser
from panopto_link import services
from panopto_link.launch.kinds import CONTEXT_TYPES, LaunchKind
from panopto_link.launch.sent import (
    audit_facts,
    custom_claim,
    document_target,
    item_custom_sent,
    launch_user,
    linked_folders_custom,
    substitution_values,
)
from panopto_link.lti.errors import AccessDenied
from panopto_link.lti.messages import Context, LaunchUser
from panopto_link.lti_platform.api import LaunchPlan, absolute_url
from panopto_link.models import (
    PanoptoFolder,
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.permissions import (
    identifier_refusal,
    identifier_released,
    lti_roles,
    may_open_videos,
    may_pick_videos,
    video_picker_refusal,
)
from panopto_link.reasons import PanoptoReason
from panopto_link.selectors import (
    FolderEntry,
    PanoptoSetting,
    SpacePanopto,
)
from virtualspaces.models import SpaceType, VirtualSpace

# --- the plan of a launch ----------------------------------------------------------------------
# `plan` reads top to bottom: may this kind of launch go ahead (one function per kind), who is
# sent (the identifier the privacy level promises), which folder's context, which link of it
# (one function per kind), and the custom claim.


def _folder_allowed(*, entry: FolderEntry, target: SpacePanopto, video: VideoLink | None) -> None:
    """ "Continue to the Panopto system": the folder's decision is active."""
    decision = entry.decision
    if not decision.active:
        raise AccessDenied(
            decision.refusal or PanoptoReason.NOT_VISIBLE,
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
        raise AccessDenied(PanoptoReason.VIDEO_REMOVED, "The video link no longer exists.")
    decision = entry.decision
    if not may_open_videos(decision):
        raise AccessDenied(
            decision.refusal or PanoptoReason.VIDEO_REFUSED, "The video cannot be opened now."
        )


_ALLOWED = {
    LaunchKind.FOLDER: _folder_allowed,
    LaunchKind.PICKER: _picker_allowed,
    LaunchKind.VIDEO: _video_allowed,
}


def _user_sendable(user: PortalUser, registration: PanoptoRegistration) -> LaunchUser:
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
        raise AccessDenied(PanoptoReason.VIDEO_REMOVED, "The video link no longer exists.")
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
    folder or picker launch."""
    return linked_folders_custom(target, entry) if video is None else None


def plan(
    *,
    user: PortalUser,
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
        raise AccessDenied(PanoptoReason.REGISTRATION_INCOMPLETE, "Panopto is not configured.")
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
    values = substitution_values(
        user,
        registration,
        user_sent,
        context=context,
        section_code=owner.code,
        resource_link_id=link.resource_link_id,
        resource_link_title=link.title,
    )
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
        audit=audit,
    )
