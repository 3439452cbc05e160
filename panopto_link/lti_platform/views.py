"""The platform's endpoints, the same for every tool: the OIDC authorization endpoint, the
JWKS and the OpenID configuration. Parse, call the platform, render."""

import time
from http import HTTPStatus
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core import metrics
from core.errors import too_many_requests
from core.rate_limits import client_address
from panopto_link.lti import claims
from panopto_link.lti_platform import keys
from panopto_link.lti_platform.authorization import Issued, Refused, authorize
from panopto_link.lti_platform.issuer import absolute_url


def form_post(request: HttpRequest, action: str, fields: dict[str, str]) -> HttpResponse:
    """The auto-submitting form of OAuth 2.0 Form Post Response Mode; every value is escaped by
    the template, and nothing is cached or leaked through the Referer header."""
    response = render(
        request,
        "lti_platform/form_post.html",
        {"action": action, "fields": list(fields.items())},
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    # The page's one form may post to the validated redirect URI's origin, and nowhere else.
    target = urlsplit(action)
    response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}  # type: ignore[attr-defined]
    return response


def _answer(request: HttpRequest, outcome: Issued | Refused) -> HttpResponse:
    """The one way an authorization is answered: the id_token or the error posted to the
    verified redirect URI, or — when even that cannot be trusted — an error page."""
    if isinstance(outcome, Issued):
        return form_post(request, outcome.redirect_uri, outcome.fields)
    if outcome.retry_after is not None:
        return too_many_requests(outcome.retry_after)
    if outcome.redirect_uri is not None:
        return form_post(request, outcome.redirect_uri, outcome.fields)
    return render(
        request,
        "lti_platform/authorize_error.html",
        {"error": outcome.error, "description": outcome.description},
        status=HTTPStatus.BAD_REQUEST,
    )


# The tool reaches this endpoint by a redirect or a cross-site form post carrying no CSRF token;
# it is protected instead by the encrypted, single-use lti_message_hint bound to the signed-in
# user, the exact redirect_uri check, and prompt=none (nothing is ever shown to sign in).
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def authorization_endpoint(request: HttpRequest) -> HttpResponse:
    """The OIDC authorization endpoint (LTI Security Framework §5.1.1.2). Its time, from here
    to the answer (the session's user read, the launch, the form rendered), is observed for the
    metrics."""
    started = time.perf_counter()
    source = request.POST if request.method == "POST" else request.GET
    user = request.user if request.user.is_authenticated else None
    outcome = authorize(dict(source.lists()), user, client_address=client_address(request))
    response = _answer(request, outcome)
    metrics.authorization_observed(
        outcome=metrics.ISSUED if isinstance(outcome, Issued) else metrics.REFUSED,
        seconds=time.perf_counter() - started,
    )
    return response


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
    document = {
        "issuer": settings.LTI_ISSUER,
        "authorization_endpoint": absolute_url(reverse("lti_platform:authorize")),
        "jwks_uri": absolute_url(reverse("lti_platform:jwks")),
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
            claims.LIS,
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
