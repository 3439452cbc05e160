"""The platform's web endpoints: the launch button, the OIDC authorization endpoint, the JWKS
and the OpenID configuration. Function views: parse, decide via the policy, call a service."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import error_page
from core.rate_limits import limit_launches
from panopto_link import keys
from panopto_link.deep_linking import deep_linking_return as deep_linking_return_service
from panopto_link.deep_linking import video_move, video_remove
from panopto_link.launches import (
    absolute_url,
    client_finder,
    launch_authorize,
    launch_initiate,
    launch_record,
    launch_refused,
)
from panopto_link.lti import claims
from panopto_link.lti.auth_request import validate_authorization_request
from panopto_link.lti.deep_linking import DeepLinkingRefused
from panopto_link.lti.errors import InvalidAuthRequest, UntrustedAuthRequest
from panopto_link.models import LaunchOutcome, LaunchStage, VideoLink
from panopto_link.permissions import may_manage_videos, may_open_videos, may_pick_videos
from panopto_link.selectors import (
    FolderEntry,
    PanoptoSetting,
    SpacePanopto,
    panopto_setting,
    space_panopto,
)


def access_launch(
    request: HttpRequest, space_pk: int
) -> tuple[PanoptoSetting, SpacePanopto, FolderEntry]:
    """The folder a launch button names, with the user's decision. 404 alike for a space that
    does not exist, one the user may not see, a folder that is not linked, or no licence."""
    setting = panopto_setting()
    target = space_panopto(user=request.user, space_pk=space_pk, setting=setting)
    if target is None:
        raise Http404
    raw = (request.POST if request.method == "POST" else request.GET).get("folder")
    if raw is None or raw == "":
        owner_pk = target.space.pk
    elif raw.isdigit() and len(raw) < 19:
        owner_pk = int(raw)
    else:
        raise Http404
    entry = target.entry_for(owner_pk)
    if entry is None:
        raise Http404
    refusal = entry.decision.refusal
    if refusal is not None and refusal.is_not_found:
        raise Http404
    return setting, target, entry


def _refused_page(request: HttpRequest, target, entry, message) -> HttpResponse:
    return render(
        request,
        "panopto_link/launch.html",
        {"target": target, "entry": entry, "decision": entry.decision, "message": message},
        status=403,
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_launches
def launch(request: HttpRequest, space_pk: int) -> HttpResponse:
    """The "Continue to the Panopto system" button (POST) and its page (GET)."""
    setting, target, entry = access_launch(request, space_pk)
    decision = entry.decision
    if request.method == "POST":
        if decision.active:
            return redirect(
                launch_initiate(
                    user=request.user, target=target, entry=entry, registration=setting.registration
                )
            )
        launch_refused(
            user=request.user,
            target=target,
            entry=entry,
            message_type=claims.RESOURCE_LINK_REQUEST,
        )
    context = {"setting": setting, "target": target, "entry": entry, "decision": decision}
    status = 403 if request.method == "POST" else 200
    return render(request, "panopto_link/launch.html", context, status=status)


def _form_post(request: HttpRequest, action: str, fields: dict[str, str | None]) -> HttpResponse:
    """The auto-submitting form of OAuth 2.0 Form Post Response Mode; every value is escaped by
    the template, and nothing is cached or leaked through the Referer header."""
    response = render(
        request,
        "panopto_link/form_post.html",
        {"action": action, "fields": [(k, v) for k, v in fields.items() if v is not None]},
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    # The page's one form may post to the validated redirect URI's origin, and nowhere else.
    target = urlsplit(action)
    response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}
    return response


# The tool reaches this endpoint by a redirect or a cross-site form post carrying no CSRF token;
# it is protected instead by the encrypted, single-use lti_message_hint bound to the signed-in
# user, the exact redirect_uri check, and prompt=none (nothing is ever shown to sign in).
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """The OIDC authorization endpoint (LTI Security Framework §5.1.1.2)."""
    source = request.POST if request.method == "POST" else request.GET
    user = request.user if request.user.is_authenticated else None
    setting = panopto_setting()  # read once: for the client check and for SPEC §3
    try:
        auth_request = validate_authorization_request(
            dict(source.lists()), find_client=client_finder(setting.registration)
        )
    except UntrustedAuthRequest as error:
        launch_record(
            stage=LaunchStage.AUTHORIZATION,
            outcome=LaunchOutcome.REFUSED,
            reason=error.error,
            detail=error.description,
            user=user,
        )
        return render(
            request,
            "panopto_link/authorize_error.html",
            {"error": error.error, "description": error.description},
            status=400,
        )
    except InvalidAuthRequest as error:
        launch_record(
            stage=LaunchStage.AUTHORIZATION,
            outcome=LaunchOutcome.REFUSED,
            reason=error.reason,
            detail=error.description,
            user=user,
            client_id=source.get("client_id", ""),
        )
        return _error_post(request, error)
    try:
        # launch_authorize writes the launch record of its own outcome.
        issued = launch_authorize(user=user, request=auth_request, setting=setting)
    except InvalidAuthRequest as error:
        return _error_post(request, error)
    return _form_post(
        request, issued.redirect_uri, {"id_token": issued.id_token, "state": issued.state}
    )


def _error_post(request: HttpRequest, error: InvalidAuthRequest) -> HttpResponse:
    return _form_post(
        request,
        error.redirect_uri,
        {"error": error.error, "error_description": error.description, "state": error.state},
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The platform's public keys (LTI Security Framework §6.3)."""
    document, age = keys.jwks_document()
    response = JsonResponse(document)
    # Counted from when the key set was read, not from now: see keys.jwks_document.
    response["Cache-Control"] = f"public, max-age={max(0, settings.LTI_JWKS_MAX_AGE - age)}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def openid_configuration(request: HttpRequest) -> JsonResponse:
    """The platform's OpenID configuration (LTI Dynamic Registration §3.5)."""
    issuer = settings.LTI_ISSUER
    document = {
        "issuer": issuer,
        "authorization_endpoint": absolute_url(reverse("panopto_link:authorize")),
        "jwks_uri": absolute_url(reverse("panopto_link:jwks")),
        "scopes_supported": ["openid"],
        "response_types_supported": ["id_token"],
        "response_modes_supported": ["form_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": [
            *claims.STANDARD_CLAIMS,
            claims.MESSAGE_TYPE,
            claims.VERSION,
            claims.DEPLOYMENT_ID,
            claims.TARGET_LINK_URI,
            claims.RESOURCE_LINK,
            claims.ROLES,
            claims.CONTEXT,
            claims.TOOL_PLATFORM,
            claims.LAUNCH_PRESENTATION,
            claims.CUSTOM,
        ],
        claims.PLATFORM_CONFIGURATION: {
            "product_family_code": settings.LTI_PRODUCT_FAMILY_CODE,
            "version": settings.LTI_PRODUCT_VERSION,
            "messages_supported": [
                {"type": claims.RESOURCE_LINK_REQUEST},
                {"type": claims.DEEP_LINKING_REQUEST},
            ],
        },
    }
    response = JsonResponse(document)
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- videos (Deep Linking 2.0) ---------------------------------------------------------------


@login_required
@require_POST
@limit_launches
def pick_videos(request: HttpRequest, space_pk: int) -> HttpResponse:
    """ "Add videos from Panopto": an LtiDeepLinkingRequest into the space's folder."""
    setting, target, _entry = access_launch(request, space_pk)
    entry = target.folder
    if not may_pick_videos(entry.decision):
        launch_refused(
            user=request.user,
            target=target,
            entry=entry,
            message_type=claims.DEEP_LINKING_REQUEST,
            reason="not_video_picker",
        )
        return _refused_page(
            request,
            target,
            entry,
            entry.decision.message or _("Only the space's administrator adds videos."),
        )
    return redirect(
        launch_initiate(
            user=request.user,
            target=target,
            entry=entry,
            registration=setting.registration,
            message_type=claims.DEEP_LINKING_REQUEST,
            target_link_uri=setting.registration.deep_linking_target,
        )
    )


# The tool posts its response from its own site: no CSRF token, no session cookie (SameSite).
# It is protected instead by the JWT's signature (the tool's registered keys), its single-use
# nonce, and our own sealed, single-use `data` value naming the space and the user.
@csrf_exempt
@require_POST
def deep_linking_return(request: HttpRequest) -> HttpResponse:
    """The deep-linking return endpoint (Deep Linking 2.0 §4.5)."""
    try:
        result = deep_linking_return_service(token=request.POST.get("JWT", ""))
    except DeepLinkingRefused as refusal:
        return render(
            request,
            "panopto_link/deep_linking_refused.html",
            {"reason": refusal.reason},
            status=400,
        )
    response = render(
        request,
        "panopto_link/deep_linking_done.html",
        {"space": result.space, "added": result.added, "response": result.response},
    )
    response["Cache-Control"] = "no-store"
    return response


def _access_video(request: HttpRequest, space_pk: int, video_pk: int):
    """The space's decision and one of its videos; 404 like `access_launch`."""
    setting, target, _entry = access_launch(request, space_pk)
    video = VideoLink.objects.filter(pk=video_pk, space_id=target.space.pk).first()
    if video is None:
        raise Http404
    return setting, target, video


@login_required
@require_POST
@limit_launches
def open_video(request: HttpRequest, space_pk: int, video_pk: int) -> HttpResponse:
    """Open a linked video: a resource-link launch to its URL with its custom parameters."""
    setting, target, video = _access_video(request, space_pk, video_pk)
    entry = target.folder
    if not may_open_videos(entry.decision):
        launch_refused(
            user=request.user,
            target=target,
            entry=entry,
            message_type=claims.RESOURCE_LINK_REQUEST,
        )
        return _refused_page(request, target, entry, entry.decision.message)
    return redirect(
        launch_initiate(
            user=request.user,
            target=target,
            entry=entry,
            registration=setting.registration,
            target_link_uri=video.url,
            extra={"video_id": video.pk},
        )
    )


@login_required
@require_POST
def manage_video(request: HttpRequest, space_pk: int, video_pk: int) -> HttpResponse:
    """Remove a video link or move it up or down: the space's administrator only."""
    _setting, target, video = _access_video(request, space_pk, video_pk)
    if not may_manage_videos(target.access):
        raise Http404
    action = request.POST.get("action")
    if action == "remove":
        video_remove(video=video)
        messages.success(request, _("The video link was removed."))
    elif action in {"up", "down"}:
        video_move(video=video, offset=-1 if action == "up" else 1)
    else:
        return error_page(
            status=400, title=_("The request cannot be processed"), message=_("Unknown action.")
        )
    return redirect(reverse("virtualspaces:space_home", args=[target.space.pk]) + "#videos")
