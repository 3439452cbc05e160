"""`access_*` helpers of the Panopto pages: fetch what a URL names and authorise the user for it
in one step, answering 404 alike for "does not exist", "not yours", "not linked" and "no
licence", so that URLs cannot be probed (SPEC §3, first two rows)."""

from dataclasses import dataclass

from django.http import Http404, HttpRequest

from core.params import id_param
from panopto_link.models import VideoLink
from panopto_link.permissions import refused_as_not_found
from panopto_link.selectors import (
    FolderEntry,
    PanoptoSetting,
    SpacePanopto,
    request_launch_facts,
)


@dataclass(frozen=True)
class FolderTarget:
    setting: PanoptoSetting
    target: SpacePanopto
    entry: FolderEntry


def access_folder(request: HttpRequest, space_pk: int, folder: str | None = None) -> FolderTarget:
    """The folder a launch button names — the space's own, or a linked one by its owner's id
    (`folder`) — with the user's decision."""
    setting, target = request_launch_facts(request, space_pk)
    if target is None:
        raise Http404
    if folder is None or folder == "":
        owner_pk: int | None = target.space.pk
    else:
        owner_pk = id_param(folder)
    entry = target.entry_for(owner_pk) if owner_pk is not None else None
    if entry is None or refused_as_not_found(entry.decision.refusal):
        raise Http404
    return FolderTarget(setting=setting, target=target, entry=entry)


@dataclass(frozen=True)
class VideoTarget:
    setting: PanoptoSetting
    target: SpacePanopto
    video: VideoLink


def access_video(request: HttpRequest, space_pk: int, video_pk: int) -> VideoTarget:
    """One of a space's videos, with the space's own folder decided."""
    found = access_folder(request, space_pk)
    video = VideoLink.objects.filter(pk=video_pk, space=found.target.space).first()
    if video is None:
        raise Http404
    return VideoTarget(setting=found.setting, target=found.target, video=video)
