"""The Panopto elements of a space's Home screen (SPEC §4): the folder with its "Continue to
the Panopto system" button and linked folders, and the videos linked into the space (SPEC §6).
Registered with `virtualspaces.elements` when the app is ready: the Home screen does not know
Panopto."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from panopto_link.folder_blocks import folder_blocks
from panopto_link.models import VideoLink
from panopto_link.permissions import (
    may_manage_videos,
    may_open_videos,
    may_pick_videos,
    panopto_shown,
    shows_video_picker,
    video_picker_refusal,
)
from panopto_link.reasons import PanoptoReason
from panopto_link.refusals import refusal_message
from panopto_link.selectors import (
    SpacePanopto,
    request_panopto_setting,
    space_panopto,
    space_videos,
)
from virtualspaces.access import AccessibleSpace
from virtualspaces.elements import Crumb, HomeElement


@dataclass(frozen=True)
class SpaceVideos:
    """The videos linked into a space, with what the user may do with them (SPEC §6)."""

    videos: list[VideoLink]
    may_pick: bool
    shows_picker: bool  # "Add videos from Panopto" shown, inactive unless `may_pick`
    picker_refusal: Promise | None  # why it is inactive
    may_open: bool
    may_manage: bool
    refusal: PanoptoReason | None
    space_type: str  # words the refusal (`refusals.refusal_message`)
    new_tab: bool = False  # "Play" opens Panopto in a new tab (the registration says so)

    @property
    def refusal_message(self) -> Promise | None:
        """Why "Play" is not offered, said where the buttons would be."""
        return refusal_message(self.refusal, self.space_type)


def videos_of(target: SpacePanopto, *, new_tab: bool = False) -> SpaceVideos:
    decision = target.folder.decision
    space_type = target.space.space_type
    may_pick = may_pick_videos(decision, is_own_folder=True)
    return SpaceVideos(
        videos=space_videos(target.space),
        may_pick=may_pick,
        shows_picker=shows_video_picker(target.access),
        picker_refusal=(
            None if may_pick else refusal_message(video_picker_refusal(decision), space_type)
        ),
        may_open=may_open_videos(decision),
        may_manage=may_manage_videos(target.access),
        refusal=decision.refusal,
        space_type=space_type,
        new_tab=new_tab,
    )


def panopto_home_elements(request: HttpRequest, home: AccessibleSpace) -> list[HomeElement]:
    """Nothing without a valid licence (SPEC §3, first row: no Panopto element at all)."""
    setting = request_panopto_setting(request)
    if not panopto_shown(licence_valid=setting.licence_valid):
        return []
    target = space_panopto(user=request.user, space_pk=home.space.pk, setting=setting)
    if target is None or not target.folder.decision.shown:
        return []
    # The waiting folders' blocks name who opens them: one query for the element's folders.
    folder_blocks(request).prefetch_openers([target.folder, *target.linked])
    return [
        HomeElement("panopto_link/_element.html", {"panopto": target}),
        HomeElement(
            "panopto_link/_space_videos.html",
            {"target": target, "videos": videos_of(target, new_tab=setting.opens_in_new_tab)},
        ),
    ]


def panopto_list_origin(request: HttpRequest, home: AccessibleSpace) -> list[Crumb] | None:
    """Studies → Information → Panopto as the way back to it, where the licence shows it."""
    if not panopto_shown(licence_valid=request_panopto_setting(request).licence_valid):
        return None
    return [
        Crumb(_("Studies")),
        Crumb(_("Information"), reverse("portal:studies_information")),
        Crumb(_("Panopto"), reverse("panopto_link:studies_panopto")),
    ]
