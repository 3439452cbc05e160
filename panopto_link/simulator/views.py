"""The stand-in's pages and LTI endpoints: OIDC login initiation, the resource-link launch, the
content picker of deep linking, its JWKS, and Panopto-like folder and viewer pages. They never
look at the portal's session or user."""

import logging
import time
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panopto_link.lti import claims
from panopto_link.simulator import keys, selectors, soap
from panopto_link.simulator.lti import (
    LaunchRefused,
    StrictMessageLaunch,
    launch_validate,
    login_redirect,
)
from panopto_link.simulator.models import PlatformRegistration
from panopto_link.simulator.picker import (
    ChoiceInvalid,
    Picker,
    PickerGone,
    launch_recording_id,
    picker_answer,
    picker_choice,
    picker_open,
    picker_restore,
)
from panopto_link.simulator.services import NotProvisioned, folder_name, launch_enter
from panopto_link.simulator.sessions import ToolSession, session_end, session_get, session_start

logger = logging.getLogger(__name__)


def _refused(request: HttpRequest, reason: str, description: str, *, status: int = 400):
    response = render(
        request,
        "panopto_simulator/refused.html",
        {"reason": reason, "description": description},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


def _not_configured(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        "not_configured",
        "The stand-in has no registration of the portal (manage.py seed_demo creates it).",
        status=HTTPStatus.SERVICE_UNAVAILABLE,
    )


# The platform reaches the login by a redirect or a cross-site form post carrying no CSRF token;
# what protects it is that it only ever redirects to the registered platform.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """OIDC login initiation (LTI Core §4.1, third-party initiated login)."""
    registration = PlatformRegistration.load()
    if registration is None:
        return _not_configured(request)
    try:
        return login_redirect(request, registration)
    except LaunchRefused as error:
        return _refused(request, error.reason, error.description)
    except Exception as error:  # pylti1p3 raises plain Exception for some refusals
        logger.warning("stand-in login refused: %s", error)
        return _refused(request, "login_refused", str(error))


def _launch_locale(body: dict) -> str:
    presentation = body.get(claims.LAUNCH_PRESENTATION) or {}
    locale = str(presentation.get("locale") or body.get("locale") or "")
    try:
        return translation.get_supported_language_variant(locale.replace("_", "-"))
    except LookupError:  # empty, or a language the stand-in does not speak
        return settings.LANGUAGE_CODE


def _validated(request: HttpRequest, endpoint: str) -> StrictMessageLaunch | HttpResponse:
    """The launch posted to one of the stand-in's endpoints, validated; or the page refusing
    it."""
    registration = PlatformRegistration.load()
    if registration is None:
        return _not_configured(request)
    try:
        return launch_validate(request, registration, endpoint=endpoint)
    except LaunchRefused as error:
        return _refused(request, error.reason, error.description)
    except Exception as error:  # pylti1p3's own refusals, some as plain Exception
        logger.warning("stand-in launch refused: %s", error)
        return _refused(request, "launch_refused", str(error))


def _not_provisioned(request: HttpRequest, missing: NotProvisioned, locale: str) -> HttpResponse:
    with translation.override(locale):
        return render(
            request,
            "panopto_simulator/not_provisioned.html",
            {"name": folder_name(title=missing.title, label=missing.label)},
            status=HTTPStatus.FORBIDDEN,
        )


# The platform posts the id_token with a cross-site form post, which carries no CSRF token; it is
# protected by the state cookie, the nonce bound to that state, and the platform's signature.
@csrf_exempt
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """The resource-link launch: validate, enter the context's folder, and go on to the
    target: the folder's page, or a recording's viewer (a video the portal linked)."""
    message = _validated(request, "launch")
    if isinstance(message, HttpResponse):
        return message
    body = message.get_launch_data()
    locale = _launch_locale(body)
    try:
        recording_id = launch_recording_id(message.target, body)
    except LaunchRefused as error:
        return _refused(request, error.reason, error.description)
    try:
        entry = launch_enter(
            body=body, is_instructor=message.check_teacher_access(), username=message.username()
        )
    except NotProvisioned as missing:
        return _not_provisioned(request, missing, locale)
    if recording_id is not None:
        # The viewer decides whether the recording is in a folder the user may enter.
        location = reverse("panopto_simulator:viewer", args=[recording_id])
    else:
        location = reverse("panopto_simulator:folder", args=[entry.folder.public_id])
    response = HttpResponseRedirect(location)
    response.status_code = 303  # See Other: the browser follows a POST with a GET
    session_start(request, response, user=entry.user, locale=locale, received=message.received())
    return response


def _picker_page(
    request: HttpRequest,
    picker: Picker,
    tool_session: ToolSession,
    *,
    chosen: list[str] | None = None,
    error: str = "",
) -> HttpResponse:
    return render(
        request,
        "panopto_simulator/picker.html",
        {"tool_session": tool_session, "picker": picker, "chosen": chosen or [], "error": error},
        status=HTTPStatus.BAD_REQUEST if error else HTTPStatus.OK,
    )


# Like the launch: a cross-site form post from the platform, protected by the state cookie, the
# nonce bound to that state, and the platform's signature rather than a CSRF token.
@csrf_exempt
@never_cache
@require_POST
def deep_link(request: HttpRequest) -> HttpResponse:
    """The content picker (Deep Linking 2.0 §4.4): an instructor's deep-linking request opens a
    page listing the recordings of the context's folder to choose from. The folder is created
    when this is the first launch from the context, as an instructor's resource-link launch
    does (docs/decisions/0004-the-stand-in-content-picker.md)."""
    message = _validated(request, "deep_link")
    if isinstance(message, HttpResponse):
        return message
    body = message.get_launch_data()
    locale = _launch_locale(body)
    try:
        entry = launch_enter(
            body=body, is_instructor=message.check_teacher_access(), username=message.username()
        )
    except NotProvisioned as missing:  # a deep-linking request without a context
        return _not_provisioned(request, missing, locale)
    with translation.override(locale):
        response = _picker_page(
            request,
            picker_open(message, folder=entry.folder),
            ToolSession(user=entry.user, locale=locale),
        )
    session_start(request, response, user=entry.user, locale=locale, received=message.received())
    return response


@never_cache
@require_POST
def deep_link_answer(request: HttpRequest) -> HttpResponse:
    """The picker's form (same-site, CSRF-protected): return the chosen recordings, or none
    when cancelled, to the platform with an auto-submitting form post of the signed response.
    """
    tool_session = session_get(request)
    registration = PlatformRegistration.load()
    if tool_session is None or registration is None:
        return render(request, "panopto_simulator/signed_out.html", status=HTTPStatus.FORBIDDEN)
    with translation.override(tool_session.locale):
        try:
            picker = picker_restore(
                request,
                registration,
                launch_id=request.POST.get("launch", ""),
                user=tool_session.user,
            )
            if request.POST.get("action") == "cancel":
                recordings = []
                msg = _("No recording was added: the choice was cancelled in Panopto.")
            else:
                chosen = request.POST.getlist("recording")
                try:
                    recordings = picker_choice(picker, chosen)
                except ChoiceInvalid as error:
                    return _picker_page(
                        request, picker, tool_session, chosen=chosen, error=str(error)
                    )
                msg = ""
            answer = picker_answer(picker, registration, recordings=recordings, msg=msg)
        except PickerGone as gone:
            return _refused(
                request,
                gone.reason,
                "The content picker is no longer open: start again from the platform.",
            )
        return render(
            request,
            "panopto_simulator/deep_link_return.html",
            {"tool_session": tool_session, "answer": answer},
        )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The stand-in's public keys, which verify its deep-linking responses."""
    response = JsonResponse(keys.jwks_document())
    response["Cache-Control"] = "public, max-age=300"
    return response


def _page(request: HttpRequest, public_id=None) -> HttpResponse:
    tool_session = session_get(request)
    if tool_session is None:
        return render(request, "panopto_simulator/signed_out.html", status=HTTPStatus.FORBIDDEN)
    with translation.override(tool_session.locale):
        # Read afresh on every request: access taken back is refused at once.
        roles = selectors.roles_of(tool_session.user)
        current = (
            selectors.access_folder(tool_session.user, public_id, roles) if public_id else None
        )
        context = {
            "tool_session": tool_session,
            "accesses": selectors.folders_of(tool_session.user, roles),
            "current": current,
        }
        return render(request, "panopto_simulator/dashboard.html", context)


@never_cache
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The folders the signed-in user may enter."""
    return _page(request)


@never_cache
@require_GET
def folder(request: HttpRequest, public_id) -> HttpResponse:
    """One folder and its recordings; 404 for a folder the user may not enter."""
    return _page(request, public_id)


@never_cache
@require_GET
def viewer(request: HttpRequest, public_id) -> HttpResponse:
    """A recording's player page, the target of a video the portal linked: Viewer or Creator
    as the user is in its folder; 404 for a recording in a folder the user may not enter."""
    tool_session = session_get(request)
    if tool_session is None:
        return render(request, "panopto_simulator/signed_out.html", status=HTTPStatus.FORBIDDEN)
    with translation.override(tool_session.locale):
        view = selectors.access_recording(tool_session.user, public_id)
        return render(
            request,
            "panopto_simulator/viewer.html",
            {"tool_session": tool_session, "view": view},
        )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(reverse("panopto_simulator:dashboard"))
    session_end(request, response)
    return response


# --- Panopto's SOAP PublicAPI (simulator/soap.py) ---------------------------------------------


def _public_api(request: HttpRequest, service: str, url_name: str) -> HttpResponse:
    """One service of Panopto's PublicAPI 4.6: its WSDL on GET (`?wsdl`), a SOAP call on POST.
    Slow or down on demand (PANOPTO_SIM_API_DELAY_SECONDS, PANOPTO_SIM_API_DOWN) for the fault
    tests, every service alike."""
    delay = float(getattr(settings, "PANOPTO_SIM_API_DELAY_SECONDS", 0) or 0)
    if delay:
        time.sleep(delay)
    if getattr(settings, "PANOPTO_SIM_API_DOWN", False):
        return HttpResponse("Service Unavailable", status=503, content_type="text/plain")
    origin = f"{request.scheme}://{request.get_host()}"
    if request.method == "GET":
        address = origin + reverse(f"panopto_simulator:{url_name}")
        return render(
            request,
            f"panopto_simulator/{service}.wsdl",
            {
                "service": service,
                "operations": tuple(soap.SERVICES[service].operations),
                "address": address,
            },
            content_type="text/xml; charset=utf-8",
        )
    status, body = soap.answer(
        request.body,
        soap_action=request.headers.get("SOAPAction", ""),
        server=request.get_host(),
        origin=origin,
        service=service,
    )
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


# SOAP endpoints are called by a server with its auth code, never by a browser: no CSRF token.


@csrf_exempt
@require_http_methods(["GET", "POST"])
def session_management(request: HttpRequest) -> HttpResponse:
    """`SessionManagement.svc`: folders and their recordings."""
    return _public_api(request, "SessionManagement", "session_management")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def user_management(request: HttpRequest) -> HttpResponse:
    """`UserManagement.svc`: users, external groups and their members."""
    return _public_api(request, "UserManagement", "user_management")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def access_management(request: HttpRequest) -> HttpResponse:
    """`AccessManagement.svc`: who may enter a folder, granted and taken back."""
    return _public_api(request, "AccessManagement", "access_management")
