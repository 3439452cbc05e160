"""Deep Linking 2.0 on the platform side (SPEC §5.5, §6): the return endpoint's service that
turns a verified LtiDeepLinkingResponse into the space's video links, and the writes that manage
them afterwards (remove, reorder)."""

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from panopto_link.launches import launch_record
from panopto_link.lti.deep_linking import (
    DeepLinkingRefused,
    DeepLinkingResponse,
    verify_deep_linking_response,
)
from panopto_link.models import (
    ConsumedToken,
    LaunchOutcome,
    LaunchStage,
    VideoLink,
)
from panopto_link.permissions import may_pick_videos
from panopto_link.picker_data import PICKER_DATA_MAX_AGE, PickerDataError, picker_data_decode
from panopto_link.selectors import panopto_setting, space_panopto
from panopto_link.tool_keys import ToolKeysUnavailable, tool_public_key
from virtualspaces.models import VirtualSpace


@dataclass(frozen=True)
class LinkedVideos:
    space: VirtualSpace
    added: list[VideoLink]
    response: DeepLinkingResponse


def _consume(kind: str, value: str, reason: str) -> None:
    try:
        with transaction.atomic():
            ConsumedToken.objects.create(
                kind=kind,
                value=value,
                expires_at=timezone.now() + datetime.timedelta(seconds=PICKER_DATA_MAX_AGE * 2),
            )
    except IntegrityError:
        raise DeepLinkingRefused(reason, "This response has already been used.") from None


def deep_linking_return(*, token: str) -> LinkedVideos:
    """Verify the tool's response before trusting any of it, then add its ltiResourceLink
    items to the space named by our own `data` value, all in one transaction.

    Raises DeepLinkingRefused (with a reason code); a refusal writes nothing but its launch
    record. Does not use the browser's session: the sealed `data` names the space and user.
    """
    user = None
    space_id = None
    try:
        setting = panopto_setting()
        registration = setting.registration
        if registration is None or not registration.is_complete():
            raise DeepLinkingRefused("not_configured", "The Panopto registration is incomplete.")

        def find_key(kid: str):
            try:
                return tool_public_key(registration.jwks_url, kid)
            except ToolKeysUnavailable as error:
                raise DeepLinkingRefused("tool_keys_unavailable", str(error)) from None

        response = verify_deep_linking_response(
            token,
            issuer=settings.LTI_ISSUER,
            client_id=registration.client_id,
            deployment_id=registration.deployment_id,
            find_key=find_key,
            allowed_origins=registration.tool_origins(),
            now=int(time.time()),
        )
        try:
            data = picker_data_decode(response.data)
        except PickerDataError as error:
            raise DeepLinkingRefused(error.reason, error.description) from None
        space_id = data.space_id
        user = get_user_model().objects.filter(pk=data.user_id, is_active=True).first()
        target = space_panopto(user=user, space_pk=data.space_id, setting=setting) if user else None
        if target is None or not may_pick_videos(target.folder.decision):
            raise DeepLinkingRefused(
                "not_video_picker", "Only the space's administrator adds videos to it."
            )
        with transaction.atomic():
            _consume(ConsumedToken.Kind.DEEP_LINKING_NONCE, response.nonce, "nonce_replayed")
            _consume(ConsumedToken.Kind.DEEP_LINKING_DATA, data.jti, "data_replayed")
            start = (
                VideoLink.objects.filter(space=target.space).aggregate(last=Max("position"))["last"]
                or 0
            )
            added = VideoLink.objects.bulk_create(
                [
                    VideoLink(
                        space=target.space,
                        title=item.title,
                        text=item.text,
                        url=item.url,
                        custom=item.custom,
                        thumbnail_url=item.thumbnail_url,
                        document_target=item.document_target,
                        width=item.width,
                        height=item.height,
                        position=start + index,
                        created_by=user,
                    )
                    for index, item in enumerate(response.items, start=1)
                ]
            )
            launch_record(
                stage=LaunchStage.DEEP_LINKING_RETURN,
                outcome=LaunchOutcome.ACCEPTED,
                reason=f"added_{len(added)}",
                detail=(response.errorlog or response.log)[:500],
                user=user,
                space_id=target.space.pk,
                context_id=target.folder.folder.context_id if target.folder.folder else "",
                client_id=registration.client_id,
                hint_id=data.jti,
            )
        return LinkedVideos(space=target.space, added=added, response=response)
    except DeepLinkingRefused as refusal:
        launch_record(
            stage=LaunchStage.DEEP_LINKING_RETURN,
            outcome=LaunchOutcome.REFUSED,
            reason=refusal.reason,
            detail=refusal.description,
            user=user,
            space_id=space_id,
        )
        raise


def video_remove(*, video: VideoLink) -> None:
    video.delete()


@transaction.atomic
def video_move(*, video: VideoLink, offset: int) -> None:
    """Move a video up (-1) or down (+1) among its space's videos."""
    # Only the video rows: the default ordering would join the space and lock it as well.
    videos = list(
        VideoLink.objects.select_for_update(of=("self",))
        .filter(space_id=video.space_id)
        .order_by("position", "id")
    )
    index = next(i for i, v in enumerate(videos) if v.pk == video.pk)
    other = index + offset
    if not 0 <= other < len(videos):
        return
    videos[index], videos[other] = videos[other], videos[index]
    for position, item in enumerate(videos, start=1):
        item.position = position
    VideoLink.objects.bulk_update(videos, ["position"])
