"""The Panopto pages and buttons: Studies → Information → Panopto, the launch buttons, the
videos linked into a space, and the deep-linking return. Each view parses, calls an `access_*`
helper, calls a service (the platform's, for launches), and renders; every SPEC §3 answer comes
from the decisions the selectors attach."""

from dataclasses import dataclass
from http import HTTPStatus
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import error_page, too_many_requests
from core.rate_limits import client_address, limit_launches
from core.users import signed_in_user
from panopto_link import services
from panopto_link.access import access_folder, access_video
from panopto_link.folder_blocks import Words, folder_blocks
from panopto_link.launch.kinds import LaunchKind
from panopto_link.launch.plan import plan
from panopto_link.launch.tool import PANOPTO, LinkedVideos
from panopto_link.lti.errors import AccessDenied
from panopto_link.lti_platform.api import (
    ContentRefused,
    login_initiation_refused,
    login_initiation_url,
    receive_content,
)
from panopto_link.models import VideoLink
from panopto_link.permissions import may_manage_videos, panopto_shown
from panopto_link.refusals import refusal_message
from panopto_link.selectors import (
    FolderEntry,
    FolderRow,
    PanoptoSetting,
    SpacePanopto,
    panopto_page,
    request_panopto_setting,
    space_videos_by_id,
    user_semesters,
)
from panopto_link.video_linking import LinkingOutcome, item_refusal_message, linking_messages
from virtualspaces.models import SpaceType, VirtualSpace
from virtualspaces.semesters import current_semester
from virtualspaces.words import ByType

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
            user=signed_in_user(request.user),
            setting=setting,
            target=target,
            entry=entry,
            kind=kind,
            video=video,
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
                "enter_as": Words().enter_as(entry.decision),
                "message": refusal_message(refusal.reason, entry.owner.space_type),
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
        "enter_as": Words().enter_as(found.entry.decision),
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


MAY_NOT_MANAGE = ByType(
    teaching=pgettext_lazy("subject or course", "Only the lecturer manages the space's videos."),
    other=pgettext_lazy("other space", "Only the space's administrator manages its videos."),
)


def _may_not_manage(space: VirtualSpace) -> HttpResponse:
    return error_page(
        status=HTTPStatus.FORBIDDEN,
        title=_("Access denied"),
        message=str(MAY_NOT_MANAGE.of(space.space_type)),
        back=(
            reverse("virtualspaces:space_home", args=[space.pk]),
            _("Back to the space (%(space)s)") % {"space": space.name},
        ),
    )


def _videos_of(space_pk: int) -> str:
    return reverse("virtualspaces:space_home", args=[space_pk]) + "#videos"


@login_required
@require_POST
def manage_video(request: HttpRequest, space_pk: int, video_pk: int) -> HttpResponse:
    """Remove a video link (the confirmation page's form) or move it up or down: the space's
    administrator only (403 for anyone else who sees the space)."""
    found = access_video(request, space_pk, video_pk)
    if not may_manage_videos(found.target.access):
        return _may_not_manage(found.target.space)
    action = request.POST.get("action")
    if action == "remove":
        services.video_remove(video=found.video)
        messages.success(
            request,
            _("“%(title)s” was removed from the space's videos.") % {"title": found.video.title},
            extra_tags="videos",
        )
    elif action in VIDEO_MOVES:
        services.video_move(video=found.video, offset=VIDEO_MOVES[action])
    else:
        return error_page(
            status=HTTPStatus.BAD_REQUEST,
            title=_("The request cannot be processed"),
            message=_("Unknown action."),
        )
    return redirect(_videos_of(found.target.space.pk))


@login_required
@require_http_methods(["GET"])
def remove_video(request: HttpRequest, space_pk: int, video_pk: int) -> HttpResponse:
    """ "Remove": asks first, on a page of its own (no script needed); its form posts to
    `manage_video`."""
    found = access_video(request, space_pk, video_pk)
    if not may_manage_videos(found.target.access):
        return _may_not_manage(found.target.space)
    return render(
        request,
        "panopto_link/remove_video.html",
        {"space": found.target.space, "video": found.video, "back": _videos_of(space_pk)},
    )


# The tool posts its response from its own site: no CSRF token, no session cookie (SameSite).
# It is protected instead by the JWT's signature (the tool's registered keys), its single-use
# nonce, and our own sealed, single-use `data` value naming the space and the user.
@csrf_exempt
@require_POST
def deep_linking_return(request: HttpRequest) -> HttpResponse:
    """The deep-linking return endpoint (Deep Linking 2.0 §4.5). What was linked is shown by
    `videos_linked`, a page of the portal's own site that the browser reaches next: this
    cross-site post carries no session cookie, so a page rendered here would show nobody
    signed in."""
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
    outcome = LinkingOutcome(
        space_id=linked.space.pk,
        user_id=linked.user_id,
        added=[video.pk for video in linked.added],
        already_linked=[video.pk for video in linked.already_linked],
        msg=result.response.msg,
        errormsg=result.response.errormsg,
        skipped_items=result.response.skipped_items,
        refused=[
            [item.title, item.key, item.problem.value] for item in result.response.refused_items
        ],
    )
    response = render(
        request,
        "panopto_link/deep_linking_continue.html",
        {
            "action": reverse("panopto_link:videos_linked", args=[linked.space.pk]),
            "outcome": outcome.seal(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def videos_linked(request: HttpRequest, space_pk: int) -> HttpResponse:
    """Where the browser lands after a content picker: the space's page, its videos section
    saying what was added (issue 25 item 5: no separate result page, no extra click). The
    user's own outcome only (signed, for this user and space), 400 for any other value."""
    outcome = LinkingOutcome.open(request.GET.get("outcome", "")[:4000])
    if outcome is None or outcome.space_id != space_pk or outcome.user_id != request.user.pk:
        return error_page(
            status=HTTPStatus.BAD_REQUEST,
            title=_("The request cannot be processed"),
            message=_("This link is not valid any more. The videos are on the space's page."),
        )
    found = access_folder(request, space_pk)
    videos = space_videos_by_id(found.target.space, [*outcome.added, *outcome.already_linked])
    linking_messages(
        request,
        added=[videos[pk] for pk in outcome.added if pk in videos],
        already_linked=[videos[pk] for pk in outcome.already_linked if pk in videos],
        refused=[item_refusal_message(*item) for item in outcome.refused],
        outcome=outcome,
    )
    return redirect(_videos_of(found.target.space.pk))


# --- Studies → Information → Panopto ---------------------------------------------------------

TYPE_GROUPS: tuple[tuple[str, Promise], ...] = (
    (SpaceType.SUBJECT, gettext_lazy("Subjects")),
    (SpaceType.COURSE, gettext_lazy("Courses")),
    (SpaceType.OTHER, gettext_lazy("Other spaces")),
)
ALL_SEMESTERS = "all"
SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class RowGroup:
    space_type: str
    title: Promise
    rows: list[FolderRow]


def group_by_type(rows: list[FolderRow]) -> list[RowGroup]:
    """Subject, course and other spaces' folders in that order; empty groups are left out."""
    groups = []
    for space_type, title in TYPE_GROUPS:
        members = [row for row in rows if row.owner.space_type == space_type]
        if members:
            groups.append(RowGroup(space_type=space_type, title=title, rows=members))
    return groups


@dataclass(frozen=True)
class SemesterOption:
    value: str  # the query value: a semester, or ALL_SEMESTERS
    label: str
    is_current: bool  # today's semester
    chosen: bool
    query: str  # the page's query string choosing it (the search kept)


@dataclass(frozen=True)
class SemesterChoice:
    semester: str  # the filter: a semester, or "" for every semester
    unknown: bool  # the query named a semester the user has no space in
    options: list[SemesterOption]


def semester_choice(
    asked: str | None, *, semesters: list[str], current: str, search: str
) -> SemesterChoice:
    """Today's semester by default when the user has spaces in it (else every semester); the
    user's other semesters, and every semester, one link away."""
    unknown = False
    if asked is None or asked == "":
        semester = current if current in semesters else ""
    elif asked == ALL_SEMESTERS:
        semester = ""
    elif asked in semesters:
        semester = asked
    else:
        semester, unknown = "", True

    def query(value: str) -> str:
        params = {"semester": value, **({"q": search} if search else {})}
        return "?" + urlencode(params)

    options = [
        SemesterOption(
            value=value,
            label=value,
            is_current=value == current,
            chosen=value == semester,
            query=query(value),
        )
        for value in semesters
    ]
    options.append(
        SemesterOption(
            value=ALL_SEMESTERS,
            label=str(gettext_lazy("All semesters")),
            is_current=False,
            chosen=semester == "",
            query=query(ALL_SEMESTERS),
        )
    )
    return SemesterChoice(semester=semester, unknown=unknown, options=options)


@never_cache  # fresh after Back from a launch, as the Home screen (issue 25 item 4)
@login_required
def studies_panopto(request: HttpRequest) -> HttpResponse:
    """Every folder of the spaces the user belongs to: ready ones first, the ones waiting for
    their administrator's first visit together, of today's semester unless another is chosen,
    and matching the search."""
    setting = request_panopto_setting(request)
    if not panopto_shown(licence_valid=setting.licence_valid):
        # A bookmark of the page: it is not there (404, as SPEC §3 says), and the page says why.
        return render(request, "panopto_link/not_available.html", status=HTTPStatus.NOT_FOUND)
    search = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]
    choice = semester_choice(
        request.GET.get("semester"),
        semesters=user_semesters(request.user),
        current=current_semester(),
        search=search,
    )
    page = panopto_page(user=request.user, setting=setting, semester=choice.semester, search=search)
    blocks = folder_blocks(request)
    blocks.keep_recordings_of(page.ready)  # only ready folders show recordings
    context = {
        "semesters": choice,
        "search": search,
        "page": page,
        "ready_groups": [(group, blocks.rows(group.rows)) for group in group_by_type(page.ready)],
        "unavailable_rows": blocks.rows(page.unavailable),
        "panopto_setting": setting,
    }
    return render(request, "panopto_link/studies_panopto.html", context)
