"""The service provider's endpoints: start the sign-in, the assertion consumer service, the
published metadata. djangosaml2's views, with the portal's refusals (a translated 4xx page for
every way an answer can be wrong, never a 500) and the shared replay cache."""

import calendar
import logging
import time
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from djangosaml2 import views as saml_views
from djangosaml2.utils import available_idps
from saml2.response import StatusError, UnsolicitedResponse
from saml2.sigver import SignatureError
from saml2.time_util import str_to_time
from saml2.validate import ResponseLifetimeExceed, ToEarly

from core import shared_cache
from core.errors import error_page
from portal.eduid import config
from portal.eduid.backends import REFUSAL

logger = logging.getLogger(__name__)

# Kept at least this long when an assertion states no NotOnOrAfter of its own (it always does
# in a bearer confirmation; a safety floor only).
REPLAY_FLOOR_SECONDS = 10 * 60


class AssertionReplayed(Exception):
    """The assertion's ID was consumed before, here or on another app server."""


def _not_configured() -> None:
    if not config.enabled():
        raise Http404


def _metadata_unavailable() -> HttpResponse:
    return error_page(
        status=HTTPStatus.SERVICE_UNAVAILABLE,
        title=_("eduID sign-in is unavailable"),
        message=_(
            "The portal cannot reach the identity provider's details at the moment. Please try "
            "again in a few minutes, or sign in with your portal password if you have one."
        ),
        retry_after=60,
    )


class SignInView(saml_views.LoginView):
    """GET /saml/sign-in/?next=…: the AuthnRequest, signed, sent to the identity provider by
    redirect."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _not_configured()
        if request.user.is_authenticated:
            return super().get(request, *args, **kwargs)  # djangosaml2 sends them on
        try:
            providers = available_idps(config.sp_config(request), langpref=get_language())
        except config.MetadataUnavailable as error:
            logger.warning("eduID sign-in: the identity provider's metadata: %s", error)
            return _metadata_unavailable()
        if not providers:
            logger.warning("eduID sign-in: the metadata names no identity provider")
            return _metadata_unavailable()
        chosen = request.GET.get("idp") or settings.SAML_IDP_ENTITY_ID
        next_url = request.GET.get("next", "")
        if not chosen:
            if len(providers) == 1:
                chosen = next(iter(providers))
            elif settings.SAML_DISCOVERY_URL:
                return self._to_discovery(request, next_url)
            else:
                return self._choose(request, providers, next_url)
        if chosen not in providers:
            return refusal_page(
                HTTPStatus.BAD_REQUEST,
                _("The portal does not know this identity provider. %(again)s")
                % {"again": _("Please start again from the portal's sign-in page.")},
            )
        # djangosaml2 reads the identity provider from the query.
        query = request.GET.copy()
        query["idp"] = chosen
        request.GET = query  # type: ignore[assignment]  # a copy with the choice added
        try:
            return super().get(request, *args, **kwargs)
        except config.MetadataUnavailable as error:
            logger.warning("eduID sign-in: the identity provider's metadata: %s", error)
            return _metadata_unavailable()

    def _to_discovery(self, request: HttpRequest, next_url: str) -> HttpResponse:
        """The federation's discovery service (SAML IdP Discovery Protocol): it sends the
        person back here with the chosen identity provider in `idp`."""
        back = request.build_absolute_uri(reverse("eduid:sign_in"))
        if next_url:
            back += "?" + urlencode({"next": next_url})
        query = urlencode({"entityID": config.entity_id(), "return": back, "returnIDParam": "idp"})
        return HttpResponseRedirect(f"{settings.SAML_DISCOVERY_URL}?{query}")

    def _choose(
        self, request: HttpRequest, providers: dict[str, str], next_url: str
    ) -> HttpResponse:
        """Several identity providers and no discovery service: the portal's own list."""
        choices = sorted(
            ((name or entity, entity) for entity, name in providers.items()),
            key=lambda pair: pair[0].casefold(),
        )
        return render(
            request,
            "portal/eduid_choose.html",
            {"choices": choices, "next": next_url},
        )


def refusal_page(status: int, message: str) -> HttpResponse:
    return error_page(status=status, title=_("eduID sign-in refused"), message=message)


def _reason(exception: BaseException | None) -> tuple[int, str]:
    """The status and the person's words for why an answer was refused."""
    again = _("Please start again from the portal's sign-in page.")
    if isinstance(exception, AssertionReplayed):
        return HTTPStatus.BAD_REQUEST, _("This sign-in answer has been used already. %(again)s") % {
            "again": again
        }
    if isinstance(exception, ResponseLifetimeExceed | ToEarly):
        return HTTPStatus.BAD_REQUEST, _(
            "The identity provider's answer has expired or is not valid yet (check the "
            "computer's clock). %(again)s"
        ) % {"again": again}
    if isinstance(exception, UnsolicitedResponse):
        return HTTPStatus.BAD_REQUEST, _(
            "The portal did not ask for this sign-in, or it was answered already. %(again)s"
        ) % {"again": again}
    if isinstance(exception, StatusError):
        return HTTPStatus.FORBIDDEN, _("The identity provider did not sign you in. %(again)s") % {
            "again": again
        }
    if isinstance(exception, PermissionDenied):
        return HTTPStatus.FORBIDDEN, _("The portal could not sign you in with this identity.")
    if isinstance(exception, SignatureError):
        return HTTPStatus.BAD_REQUEST, _(
            "The identity provider's answer is not signed as it must be, or it was altered on "
            "the way. %(again)s"
        ) % {"again": again}
    # Anything else pysaml2 refuses: a wrong audience or recipient, conditions out of their
    # time (pysaml2 says "Condition not OK" for both), an answer from an identity provider the
    # portal does not know, XML that is not a SAML answer.
    return HTTPStatus.BAD_REQUEST, _(
        "The identity provider's answer is not valid for this portal, or it has expired. %(again)s"
    ) % {"again": again}


class AssertionConsumerServiceView(saml_views.AssertionConsumerServiceView):
    """POST /saml/acs/: the identity provider's answer. djangosaml2 and pysaml2 check the
    signature, audience, recipient, times and InResponseTo (portal/eduid/config.py); this view
    adds the shared replay cache and the portal's refusal pages."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _not_configured()
        if (
            not isinstance(request.POST.get("SAMLResponse"), str)
            or len(request.POST.getlist("SAMLResponse")) != 1
        ):
            return refusal_page(
                HTTPStatus.BAD_REQUEST,
                _("The sign-in answer is missing. Please start again from the sign-in page."),
            )
        try:
            return super().post(request, *args, **kwargs)
        except config.MetadataUnavailable as error:
            logger.warning("eduID answer: the identity provider's metadata: %s", error)
            return _metadata_unavailable()

    def custom_validation(self, response: Any) -> None:
        """Each assertion is consumed once across every app server: its ID is added to the
        shared cache until its NotOnOrAfter has passed (after which pysaml2 refuses it anyway).
        While the shared cache is down, the answer still had to name the request this browser's
        session started, which is consumed with it (djangosaml2's outstanding queries)."""
        assertion = response.assertion
        expires = time.time() + REPLAY_FLOOR_SECONDS
        for confirmation in assertion.subject.subject_confirmation:
            data = confirmation.subject_confirmation_data
            if data is not None and data.not_on_or_after:
                expires = calendar.timegm(str_to_time(data.not_on_or_after))
        lifetime = max(expires - time.time(), 0) + settings.SAML_CLOCK_SKEW_SECONDS + 60
        key = f"eduid:assertion:{response.issuer()}:{assertion.id}"
        try:
            fresh = shared_cache.add(key, 1, lifetime)
        except shared_cache.SharedCacheUnavailable:
            logger.warning("eduID answer: the replay cache is down; the session binding stands")
            return
        if not fresh:
            # djangosaml2 turns any exception here into a bare "validation error": kept for
            # handle_acs_failure's page.
            self._validation_error = AssertionReplayed(assertion.id)
            raise self._validation_error

    def handle_acs_failure(
        self,
        request: HttpRequest,
        exception: BaseException | None = None,
        status: int = HTTPStatus.FORBIDDEN,
        **kwargs: Any,
    ) -> HttpResponse:
        refusal = getattr(request, REFUSAL, None)
        if refusal is not None:
            return refusal_page(HTTPStatus.FORBIDDEN, str(refusal.message))
        cause = getattr(self, "_validation_error", None) or exception
        if isinstance(cause, ImproperlyConfigured):
            raise cause
        code, message = _reason(cause)
        logger.info("eduID answer refused: %s", type(cause).__name__ if cause else "unknown")
        return refusal_page(code, message)


class MetadataView(saml_views.MetadataView):
    """GET /saml/metadata/: the service provider's metadata, for the federation's registry
    (and the entity id itself, as is customary)."""

    def get_sp_config(self, request: HttpRequest) -> Any:
        # Ours alone: published even while the identity provider's cannot be had.
        return config.sp_config(request, with_idp=False)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _not_configured()
        return super().get(request, *args, **kwargs)
