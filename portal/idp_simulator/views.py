"""The stand-in identity provider's pages: its metadata, and its single sign-on service, which
shows a sign-in form for the demo's people and posts its signed answer back to the portal.

It learns of the portal as an identity provider does: from the service provider metadata the
portal publishes (EDUID_SIMULATOR_SP_METADATA, fetched through core.outbound), and it sends its
answer only to an assertion consumer service named there."""

import base64
import hmac
import logging
from pathlib import Path

import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.server import Server

from core import key_pairs, outbound
from portal.idp_simulator import idp
from portal.idp_simulator.people import PEOPLE

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "demo"  # noqa: S105 - the demo's published password, as the portal's
METRICS_DOCUMENT = "idp_simulator_sp_metadata"
MAX_SP_METADATA_BYTES = 256 * 1024


def _keys() -> tuple[str, str]:
    key_file, cert_file = key_pairs.ensure_key_folder(
        Path(settings.EDUID_SIMULATOR_KEY_FOLDER), common_name="eduID stand-in"
    )
    return str(key_file), str(cert_file)


def _fetch_sp_metadata(url: str) -> str:
    budget = outbound.timeout_seconds()
    try:
        with outbound._get(url, budget=budget, accept="application/xml") as response:
            response.raise_for_status()
            content = outbound._read_body(response, budget=budget, max_bytes=MAX_SP_METADATA_BYTES)
    except requests.RequestException as error:
        raise outbound.OutboundUnavailable(f"cannot be fetched: {error}") from error
    return content.decode("utf-8")


def _sp_metadata() -> str:
    source = settings.EDUID_SIMULATOR_SP_METADATA
    if source.startswith(("http://", "https://")):
        return outbound.get_json(
            source, document=METRICS_DOCUMENT, max_age=60, fetch=_fetch_sp_metadata
        )
    return Path(source).read_text(encoding="utf-8")


def _server(request: HttpRequest, *, with_sp: bool = True) -> Server:
    key_file, cert_file = _keys()
    return idp.identity_provider(
        entity_id=request.build_absolute_uri(reverse("idp_simulator:metadata")),
        sso_url=request.build_absolute_uri(reverse("idp_simulator:sso")),
        key_file=key_file,
        cert_file=cert_file,
        sp_metadata=_sp_metadata() if with_sp else "",
    )


def metadata(request: HttpRequest) -> HttpResponse:
    xml = idp.metadata_xml(_server(request, with_sp=False))
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")


def _refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "idp_simulator/refused.html", {"message": message}, status=status)


@require_http_methods(["GET", "POST"])
def sso(request: HttpRequest) -> HttpResponse:
    """GET: the portal's AuthnRequest (redirect binding), answered with the sign-in form.
    POST: the form, answered with the signed SAML answer, posted to the portal."""
    data = request.GET if request.method == "GET" else request.POST
    saml_request = data.get("SAMLRequest", "")
    relay_state = data.get("RelayState", "")
    if not saml_request:
        return _refused(request, _("No sign-in request was received from a service."))
    try:
        server = _server(request)
        # The portal sends its request by redirect; the form carries it on as it came.
        authn_request = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        answer_to = server.response_args(authn_request.message, [BINDING_HTTP_POST])
    except outbound.OutboundUnavailable:
        return _refused(request, _("The service's metadata cannot be fetched."), status=502)
    except Exception:  # pysaml2 refuses a request in many ways; the stand-in says so
        logger.info("eduID stand-in: an unreadable sign-in request", exc_info=True)
        return _refused(
            request, _("The sign-in request cannot be read, or its service is unknown.")
        )
    context = {"saml_request": saml_request, "relay_state": relay_state, "error": ""}
    if request.method == "GET":
        return render(request, "idp_simulator/sign_in.html", context)
    username = request.POST.get("username", "").strip().lower()
    password = request.POST.get("password", "")
    person = PEOPLE.get(username)
    if person is None or not hmac.compare_digest(password.encode(), DEMO_PASSWORD.encode()):
        context["error"] = _("Wrong user name or password.")
        context["username"] = username
        return render(request, "idp_simulator/sign_in.html", context, status=200)
    answer = idp.signed_answer(
        server,
        person=person,
        in_response_to=answer_to["in_response_to"],
        destination=answer_to["destination"],
        sp_entity_id=answer_to["sp_entity_id"],
    )
    return render(
        request,
        "idp_simulator/post.html",
        {
            "destination": answer_to["destination"],
            "saml_response": base64.b64encode(answer.encode()).decode(),
            "relay_state": relay_state,
        },
    )
