"""The Panopto pages and buttons: Studies → Information → Panopto, the launch buttons, the
videos linked into a space, and the deep-linking return. Each view parses, calls an `access_*`
helper, calls a service (the platform's, for launches), and renders; every SPEC §3 answer comes
from the decisions the selectors attach."""

from dataclasses import dataclass
from http import HTTPStatus
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import error_page, too_many_requests
from core.rate_limits import client_address, limit_launches
from panopto_link import services
from panopto_link.access import access_folder, access_video
from panopto_link.launch import PANOPTO, LaunchKind, LinkedVideos, plan
from panopto_link.lti.errors import AccessDenied
from panopto_link.lti_platform.content import ContentRefused, receive_content
from panopto_link.lti_platform.initiation import login_initiation_refused, login_initiation_url
from panopto_link.models import VideoLink
from panopto_link.permissions import REFUSAL_MESSAGES, may_manage_videos, panopto_shown
from panopto_link.selectors import (
    FolderEntry,
    PanoptoSetting,
    SpacePanopto,
    request_panopto_setting,
    user_semesters,
    user_spaces_panopto,
)
from virtualspaces.models import SpaceType

# --- launches --------------------------------------------------------------------------------


def _launch(
    request: HttpRequest,
    *,
    setting: PanoptoSetting,
    target: SpacePanopto,
    entry: FolderEntry,
    kind: LaunchKind,
    video: VideoLink | None = None,
) -> HttpResponse:
    """A click on a launch button: to the tool's login initiation when the policy allows it
    now, else the refusal page (403). The platform records either."""
    try:
        launch_plan = plan(
            user=request.user, setting=setting, target=target, entry=entry, kind=kind, video=video
        )
    except AccessDenied as refusal:
        folder = entry.folder
        login_initiation_refused(
            user=request.user,
            reason=refusal.reason,
            message_type=kind.message_type,
            space_id=target.space.pk,
            context_id=folder.context_id if folder else "",
        )
        return render(
            request,
            "panopto_link/launch.html",
            {
                "target": target,
                "entry": entry,
                "decision": entry.decision,
                "message": REFUSAL_MESSAGES.get(refusal.reason),
            },
            status=HTTPStatus.FORBIDDEN,
        )
    registration = PANOPTO.at(setting).registration
    if registration is None:  # an allowed plan has a registration
        raise Http404
    return redirect(
        login_initiation_url(user=request.user, plan=launch_plan, registration=registration)
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_launches
def launch(request: HttpRequest, space_pk: int) -> HttpResponse:
    """The "Continue to the Panopto system" button (POST) and its page (GET)."""
    source = request.POST if request.method == "POST" else request.GET
    found = access_folder(request, space_pk, source.get("folder"))
    if request.method == "POST":
        return _launch(
            request,
            setting=found.setting,
            target=found.target,
            entry=found.entry,
            kind=LaunchKind.FOLDER,
        )
    context = {
        "target": found.target,
        "entry": found.entry,
        "decision": found.entry.decision,
        "new_tab": found.setting.opens_in_new_tab,
    }
    return render(request, "panopto_link/launch.html", context)


@login_required
@require_POST
@limit_launches
def pick_videos(request: HttpRequest, space_pk: int) -> HttpResponse:
    """ "Add videos from Panopto": an LtiDeepLinkingRequest into the space's own folder."""
    found = access_folder(request, space_pk)
    return _launch(
        request,
        setting=found.setting,
        target=found.target,
        entry=found.target.folder,
        kind=LaunchKind.PICKER,
    )


@login_required
@require_POST
@limit_launches
def open_video(request: HttpRequest, space_pk: int, video_pk: int) -> HttpResponse:
    """Open a linked video: a resource-link launch to its URL with its custom parameters."""
    found = access_video(request, space_pk, video_pk)
    return _launch(
        request,
        setting=found.setting,
        target=found.target,
        entry=found.target.folder,
        kind=LaunchKind.VIDEO,
        video=found.video,
    )


# --- managing a space's videos ----------------------------------------------------------------

VIDEO_MOVES = {"up": -1, "down": 1}


@login_required
@require_POST
def manage_video(request: HttpRequest, space_pk: int, video_pk: int) -> HttpResponse:
    """Remove a video link or move it up or down: the space's administrator only (403 for
    anyone else who sees the space)."""
    found = access_video(request, space_pk, video_pk)
    if not may_manage_videos(found.target.access):
        return error_page(
            status=HTTPStatus.FORBIDDEN,
            title=_("Access denied"),
            message=_("Only the space's administrator manages its videos."),
        )
    action = request.POST.get("action")
    if action == "remove":
        services.video_remove(video=found.video)
        messages.success(request, _("The video link was removed."))
    elif action in VIDEO_MOVES:
        services.video_move(video=found.video, offset=VIDEO_MOVES[action])
    else:
        return error_page(
            status=HTTPStatus.BAD_REQUEST,
            title=_("The request cannot be processed"),
            message=_("Unknown action."),
        )
    return redirect(reverse("virtualspaces:space_home", args=[found.target.space.pk]) + "#videos")


# The tool posts its response from its own site: no CSRF token, no session cookie (SameSite).
# It is protected instead by the JWT's signature (the tool's registered keys), its single-use
# nonce, and our own sealed, single-use `data` value naming the space and the user.
@csrf_exempt
@require_POST
def deep_linking_return(request: HttpRequest) -> HttpResponse:
    """The deep-linking return endpoint (Deep Linking 2.0 §4.5)."""
    result = receive_content(
        request.POST.get("JWT", ""), tool=PANOPTO, client_address=client_address(request)
    )
    if isinstance(result, ContentRefused):
        if result.retry_after is not None:
            return too_many_requests(result.retry_after)
        return render(
            request,
            "panopto_link/deep_linking_refused.html",
            {"reason": result.reason},
            status=HTTPStatus.BAD_REQUEST,
        )
    linked = cast(LinkedVideos, result.accepted)  # what PanoptoTool accepts
    response = render(
        request,
        "panopto_link/deep_linking_done.html",
        {"space": linked.space, "added": linked.added, "response": result.response},
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Studies → Information → Panopto ---------------------------------------------------------

TYPE_GROUPS: tuple[tuple[str, Promise], ...] = (
    (SpaceType.SUBJECT, gettext_lazy("Subjects")),
    (SpaceType.COURSE, gettext_lazy("Courses")),
    (SpaceType.OTHER, gettext_lazy("Other spaces")),
)


@dataclass(frozen=True)
class SpaceGroup:
    space_type: str
    title: Promise
    spaces: list[SpacePanopto]


def group_by_type(spaces: list[SpacePanopto]) -> list[SpaceGroup]:
    """Subject, course and other spaces in that order; empty groups are left out."""
    groups = []
    for space_type, title in TYPE_GROUPS:
        members = [entry for entry in spaces if entry.space.space_type == space_type]
        if members:
            groups.append(SpaceGroup(space_type=space_type, title=title, spaces=members))
    return groups


class SemesterFilterForm(forms.Form):
    semester = forms.ChoiceField(label=gettext_lazy("Semester"), required=False)

    def __init__(self, *args, semesters: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["semester"]).choices = [
            ("", gettext_lazy("All semesters")),
            *((semester, semester) for semester in semesters),
        ]

    def chosen_semester(self) -> str:
        """The valid choice, or "" (every semester) for a missing or unknown one."""
        return self.cleaned_data["semester"] if self.is_valid() else ""


@login_required
def studies_panopto(request: HttpRequest) -> HttpResponse:
    """Every space the user belongs to, grouped by type, with its folders and launch buttons."""
    setting = request_panopto_setting(request)
    if not panopto_shown(licence_valid=setting.licence_valid):
        raise Http404
    form = SemesterFilterForm(request.GET or None, semesters=user_semesters(request.user))
    semester = form.chosen_semester() if form.is_bound else ""
    spaces = user_spaces_panopto(user=request.user, setting=setting, semester=semester)
    context = {
        "form": form,
        "semester": semester,
        "groups": group_by_type(spaces),
        "space_count": len(spaces),
        "panopto_setting": setting,
    }
    return render(request, "panopto_link/studies_panopto.html", context)
