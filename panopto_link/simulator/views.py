"""The stand-in's pages and LTI endpoints: OIDC login initiation, the resource-link launch, its
JWKS, and a Panopto-like folder dashboard. They never look at the portal's session or user."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panopto_link.lti import claims
from panopto_link.simulator import keys, selectors
from panopto_link.simulator.lti import LaunchRefused, launch_validate, login_redirect
from panopto_link.simulator.models import PlatformRegistration
from panopto_link.simulator.services import NotProvisioned, folder_name, launch_enter
from panopto_link.simulator.sessions import session_end, session_get, session_start

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
        status=503,
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


# The platform posts the id_token with a cross-site form post, which carries no CSRF token; it is
# protected by the state cookie, the nonce bound to that state, and the platform's signature.
@csrf_exempt
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """The resource-link launch: validate, then enter the context's folder."""
    registration = PlatformRegistration.load()
    if registration is None:
        return _not_configured(request)
    try:
        message = launch_validate(request, registration, endpoint="launch")
    except LaunchRefused as error:
        return _refused(request, error.reason, error.description)
    except Exception as error:  # pylti1p3's own refusals, some as plain Exception
        logger.warning("stand-in launch refused: %s", error)
        return _refused(request, "launch_refused", str(error))
    body = message.get_launch_data()
    locale = _launch_locale(body)
    try:
        entry = launch_enter(body=body, is_instructor=message.check_teacher_access())
    except NotProvisioned as missing:
        with translation.override(locale):
            return render(
                request,
                "panopto_simulator/not_provisioned.html",
                {"name": folder_name(title=missing.title, label=missing.label)},
                status=403,
            )
    response = HttpResponseRedirect(
        reverse("panopto_simulator:folder", args=[entry.folder.public_id])
    )
    response.status_code = 303  # See Other: the browser follows a POST with a GET
    session_start(request, response, user=entry.user, locale=locale)
    return response


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The stand-in's public keys, which verify its deep-linking responses."""
    response = JsonResponse(keys.jwks_document())
    response["Cache-Control"] = "public, max-age=300"
    return response


def _page(request: HttpRequest, public_id=None) -> HttpResponse:
    tool_session = session_get(request)
    if tool_session is None:
        return render(request, "panopto_simulator/signed_out.html", status=403)
    with translation.override(tool_session.locale):
        current = selectors.access_folder(tool_session.user, public_id) if public_id else None
        context = {
            "tool_session": tool_session,
            "accesses": selectors.folders_of(tool_session.user),
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


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(reverse("panopto_simulator:dashboard"))
    session_end(request, response)
    return response
