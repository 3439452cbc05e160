"""The stand-in's LTI 1.3 tool side, on pylti1p3's Django integration (OIDC login, message
launch, cache data storage), held to more than the library checks by itself.

Plain pylti1p3 2.0 tolerates a replayed nonce, a missing `exp` or `iat`, any token age, a wrong
`azp`, a `target_link_uri` or deployment other than the login initiation named, any message type
at any launch URL, and redirects its login to whatever `target_link_uri` it is given. The
stand-in refuses each of these (see `StrictMessageLaunch.validate_strictly` and
`login_initiation_check`), so the portal is tested against a tool at least as strict as a
careful production tool.

The stand-in has two endpoints the platform posts id_tokens to (its redirect URIs): the launch
URL takes resource-link launches, whose target is its dashboard or a recording's viewer; the
deep-linking URL takes an instructor's content-picker request (`launch_target`).
"""

import datetime
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import jwt
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.exception import LtiException
from pylti1p3.tool_config import ToolConfDict

from panopto_link.lti import claims
from panopto_link.lti.substitution import is_variable
from panopto_link.simulator import platform_jwks
from panopto_link.simulator.keys import tool_key
from panopto_link.simulator.models import ConsumedNonce, LoginState, PlatformRegistration

CLOCK_SKEW_SECONDS = 10  # an `iat` this far ahead of our clock still counts as now
MAX_TOKEN_AGE_SECONDS = 600  # an id_token issued longer ago is refused whatever its `exp`
LOGIN_STATE_SECONDS = 300  # as long as pylti1p3's state cookie lives
# How long a validated launch is kept for the page that follows it: a content picker is a page
# a person works in (pylti1p3 would keep it a day).
LAUNCH_DATA_SECONDS = 3600
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "nonce"]


class LaunchRefused(LtiException):
    """A login or launch the stand-in refuses; `reason` is a short code for tests and logs."""

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(description)
        self.reason = reason
        self.description = description


def cookie_path() -> str:
    return reverse("panopto_simulator:dashboard")


def own_url(registration: PlatformRegistration, name: str, *args) -> str:
    return registration.public_origin.rstrip("/") + reverse(f"panopto_simulator:{name}", args=args)


# The message type each endpoint (view name) the platform posts an id_token to accepts.
ENDPOINT_MESSAGE_TYPES = {
    "launch": claims.RESOURCE_LINK_REQUEST,
    "deep_link": claims.DEEP_LINKING_REQUEST,
}


@dataclass(frozen=True)
class LaunchTarget:
    """A URL of the stand-in that a launch may name as its `target_link_uri`: the endpoint the
    id_token is posted to (its URL is the redirect URI the login sends, and it decides the
    message type), whether only an instructor may launch it, and the recording a viewer URL
    names."""

    endpoint: str
    instructor_only: bool = False
    recording_id: uuid.UUID | None = None


def launch_target(registration: PlatformRegistration, url: object) -> LaunchTarget | None:
    """What a target link URI names on the stand-in, or None for any URL that is not exactly
    one of its launch targets (another origin, a query, an unknown path). A login naming such
    a URL is refused: redirecting to it would make the login an open redirect."""
    origin = registration.public_origin.rstrip("/")
    if not isinstance(url, str) or not url.startswith(origin + "/"):
        return None
    try:
        match = resolve(url[len(origin) :])
    except Resolver404:
        return None
    if (
        match.url_name is None
        or match.namespace != "panopto_simulator"
        or url != own_url(registration, match.url_name, *match.args, *match.kwargs.values())
    ):
        return None
    if match.url_name == "launch":
        return LaunchTarget(endpoint="launch")
    if match.url_name == "viewer":  # a recording chosen in the content picker
        return LaunchTarget(endpoint="launch", recording_id=match.kwargs["public_id"])
    if match.url_name == "deep_link":
        return LaunchTarget(endpoint="deep_link", instructor_only=True)
    return None


def tool_conf(registration: PlatformRegistration) -> ToolConfDict:
    """pylti1p3's configuration for the one platform the stand-in serves."""
    conf = ToolConfDict(
        {
            registration.issuer: [
                {
                    "default": True,
                    "client_id": registration.client_id,
                    "auth_login_url": registration.auth_login_url,
                    # Required by pylti1p3 but unused: the stand-in calls no platform service.
                    "auth_token_url": registration.issuer,
                    "key_set_url": registration.key_set_url,
                    "key_set": None,
                    "deployment_ids": registration.deployment_id_list,
                }
            ]
        }
    )
    key = tool_key()
    conf.set_private_key(registration.issuer, key.private_pem, client_id=registration.client_id)
    conf.set_public_key(registration.issuer, key.public_pem, client_id=registration.client_id)
    return conf


class CrossSiteCookieService(DjangoCookieService):
    """pylti1p3's state cookies, always `SameSite=None; Secure`.

    The platform posts the id_token back with a cross-site form post, which carries only
    SameSite=None cookies; pylti1p3 marks them so only when `request.is_secure()`, so over the
    demo's plain http they would be Lax and the launch would fail with "State not found".
    Browsers accept Secure cookies from http://localhost and http://127.0.0.1."""

    def update_response(self, response: HttpResponse) -> None:
        for name, data in self._cookie_data_to_set.items():
            response.set_cookie(
                name,
                data["value"],
                max_age=data["exp"],
                path=cookie_path(),
                secure=True,
                httponly=True,
                samesite="None",
            )


# --- login initiation ------------------------------------------------------------------------


def _param(request: HttpRequest, name: str) -> str:
    # The login initiation may come as a GET or a form POST (LTI Core §4.1).
    return (request.GET.get(name) or request.POST.get(name) or "").strip()


def login_initiation_check(
    request: HttpRequest, registration: PlatformRegistration
) -> tuple[str, LaunchTarget]:
    """Check the initiation's parameters against the registration; return the target link URI
    and what it names. Raises LaunchRefused."""
    if _param(request, "iss") != registration.issuer:
        raise LaunchRefused("unknown_issuer", "The issuer is not registered with the stand-in.")
    client_id = _param(request, "client_id")
    if client_id and client_id != registration.client_id:
        raise LaunchRefused("unknown_client", "The client_id is not registered for this issuer.")
    deployment_id = _param(request, "lti_deployment_id")
    if deployment_id and deployment_id not in registration.deployment_id_list:
        raise LaunchRefused("unknown_deployment", "The lti_deployment_id is not registered.")
    if not _param(request, "login_hint"):
        raise LaunchRefused("no_login_hint", "The login_hint is missing.")
    target_link_uri = _param(request, "target_link_uri")
    target = launch_target(registration, target_link_uri)
    if target is None:
        raise LaunchRefused(
            "foreign_target_link_uri",
            "The target_link_uri is not a launch URL of the stand-in; it is never redirected to.",
        )
    return target_link_uri, target


def login_redirect(request: HttpRequest, registration: PlatformRegistration) -> HttpResponse:
    """The answer to a checked login initiation: pylti1p3's redirect to the platform's
    authorization endpoint, with its state cookie, and the initiation stored under the state."""
    target_link_uri, target = login_initiation_check(request, registration)
    oidc = DjangoOIDCLogin(
        request,
        tool_conf(registration),
        cookie_service=CrossSiteCookieService(DjangoRequest(request)),
        launch_data_storage=DjangoCacheDataStorage(),
    )
    # The redirect_uri is the endpoint of the checked target (one of the stand-in's registered
    # redirect URIs), never a value taken unchecked from the request.
    response = oidc.redirect(own_url(registration, target.endpoint))
    sent = parse_qs(urlsplit(response["Location"]).query)
    login_state_create(
        state=sent["state"][0],
        nonce=sent["nonce"][0],
        client_id=registration.client_id,
        deployment_id=_param(request, "lti_deployment_id"),
        target_link_uri=target_link_uri,
    )
    return response


def login_state_create(
    *, state: str, nonce: str, client_id: str, deployment_id: str, target_link_uri: str
) -> LoginState:
    """Store what a login initiation named; forget the expired ones on the way."""
    now = timezone.now()
    LoginState.objects.filter(expires_at__lt=now).delete()
    ConsumedNonce.objects.filter(expires_at__lt=now).delete()
    return LoginState.objects.create(
        state=state,
        nonce=nonce,
        client_id=client_id,
        deployment_id=deployment_id,
        target_link_uri=target_link_uri,
        expires_at=now + datetime.timedelta(seconds=LOGIN_STATE_SECONDS),
    )


def nonce_consume(
    nonce: str, *, keep_seconds: int = MAX_TOKEN_AGE_SECONDS + LOGIN_STATE_SECONDS
) -> bool:
    """Record the nonce (or another single-use value) as used, remembered for as long as it
    could come back; False when it was used before (on any app server)."""
    expires_at = timezone.now() + datetime.timedelta(seconds=keep_seconds)
    try:
        with transaction.atomic():
            ConsumedNonce.objects.create(nonce=nonce, expires_at=expires_at)
    except IntegrityError:
        return False
    return True


# --- the launch ------------------------------------------------------------------------------


class StrictMessageLaunch(DjangoMessageLaunch):
    """pylti1p3's message launch with the stand-in's own signature step and the checks the
    library leaves out. `endpoint` names the view receiving it (see ENDPOINT_MESSAGE_TYPES);
    once validated, `target` is what the launch's target link URI names."""

    target: LaunchTarget

    def __init__(
        self, request: HttpRequest, registration: PlatformRegistration, *, endpoint: str
    ) -> None:
        super().__init__(
            request,
            tool_conf(registration),
            cookie_service=CrossSiteCookieService(DjangoRequest(request, post_only=True)),
            launch_data_storage=DjangoCacheDataStorage(),
        )
        self.set_launch_data_lifetime(LAUNCH_DATA_SECONDS)
        self._standin = registration
        self._endpoint = endpoint

    def validate(self) -> "StrictMessageLaunch":
        """pylti1p3 2.0's validation chain, in its order, with `validate_strictly` before the
        launch is saved: nothing is remembered from a launch that is refused."""
        if self._restored:
            raise LtiException("Can't validate restored launch")
        self._validated = True
        try:
            return (
                self.validate_state()
                .validate_jwt_format()
                .validate_nonce()
                .validate_registration()
                .validate_jwt_signature()
                .validate_deployment()
                .validate_message()
                .validate_strictly()
                .save_launch_data()
            )
        except Exception:
            self._validated = False
            raise

    def validate_jwt_signature(self) -> "StrictMessageLaunch":
        """RS256 only, the key from our cached JWKS (refetched once on an unknown kid), and
        `exp`, `iat`, `nonce` required, with a small clock skew."""
        header = self._jwt.get("header", {})
        if header.get("alg") != "RS256":
            raise LaunchRefused("bad_algorithm", "The id_token must be signed with RS256.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise LaunchRefused("no_kid", "The id_token header names no key (kid).")
        try:
            key = platform_jwks.platform_key(self._standin.key_set_url, kid)
        except platform_jwks.KeySetUnavailable as error:
            raise LaunchRefused("key_set_unavailable", str(error)) from None
        if key is None:
            raise LaunchRefused("unknown_kid", "The platform's key set has no key with this kid.")
        try:
            jwt.decode(
                self._get_id_token(),
                key,
                algorithms=["RS256"],
                leeway=CLOCK_SKEW_SECONDS,
                # The audience is checked by validate_strictly, which also knows about azp.
                options={"require": REQUIRED_CLAIMS, "verify_aud": False},
            )
        except jwt.MissingRequiredClaimError as error:
            raise LaunchRefused(
                "missing_claim", f"The id_token has no {error.claim} claim."
            ) from None
        except jwt.ExpiredSignatureError:
            raise LaunchRefused("expired", "The id_token has expired.") from None
        except jwt.ImmatureSignatureError:
            raise LaunchRefused(
                "issued_in_future", "The id_token is issued in the future."
            ) from None
        except jwt.InvalidTokenError as error:
            raise LaunchRefused("invalid_token", f"The id_token is not valid: {error}") from None
        return self

    def validate_strictly(self) -> "StrictMessageLaunch":
        """What pylti1p3 does not check. The nonce is consumed last, once all else passed."""
        body: Mapping = self._get_jwt_body()
        message_type = body.get(claims.MESSAGE_TYPE)
        if message_type != ENDPOINT_MESSAGE_TYPES[self._endpoint]:
            raise LaunchRefused(
                "wrong_message_type", f"This URL does not accept {message_type} messages."
            )
        iat = body["iat"]
        if not isinstance(iat, int | float) or iat < time.time() - MAX_TOKEN_AGE_SECONDS:
            raise LaunchRefused("too_old", "The id_token was issued too long ago.")
        self._check_audience(body)
        self._check_promises(body)
        login = LoginState.objects.filter(
            state=self._get_request_param("state"), expires_at__gte=timezone.now()
        ).first()
        if login is None:
            raise LaunchRefused("unknown_state", "The login this launch answers has expired.")
        if body["nonce"] != login.nonce:
            raise LaunchRefused("nonce_not_of_state", "The nonce was not issued with this state.")
        if body.get(claims.TARGET_LINK_URI) != login.target_link_uri:
            raise LaunchRefused(
                "target_link_uri_mismatch",
                "The target_link_uri differs from the one of the login initiation.",
            )
        target = launch_target(self._standin, login.target_link_uri)
        if target is None or target.endpoint != self._endpoint:
            raise LaunchRefused(
                "wrong_endpoint", "The id_token was posted to another URL than its target's."
            )
        if login.deployment_id and body.get(claims.DEPLOYMENT_ID) != login.deployment_id:
            raise LaunchRefused(
                "deployment_mismatch",
                "The deployment_id differs from the one of the login initiation.",
            )
        if target.instructor_only and not self.check_teacher_access():
            raise LaunchRefused(
                "not_instructor", "Only an instructor of the course may choose its content."
            )
        if not nonce_consume(body["nonce"]):
            raise LaunchRefused("nonce_replayed", "The nonce has already been used.")
        self.target = target
        return self

    def _check_promises(self, body: Mapping) -> None:
        """What the platform promised to send (the stand-in's registration says what) must be
        in every launch, and the username parameter override's value must be a value, not a
        variable the platform left unsubstituted: Panopto would otherwise match the person on
        something else and open a second account for them."""
        missing = [
            name
            for name in self._standin.promised_claim_list
            if not promised_claim_present(body, name)
        ]
        if missing:
            raise LaunchRefused(
                "promised_claim_missing",
                f"The id_token lacks what the platform promised to send: {', '.join(missing)}.",
            )
        parameter = self._standin.username_parameter
        if parameter:
            value = custom_value(body, parameter)
            if not value:
                raise LaunchRefused(
                    "username_parameter_missing",
                    f"The custom parameter {parameter} (the username override) is missing.",
                )
            if is_variable(value):
                raise LaunchRefused(
                    "username_parameter_unsubstituted",
                    f"The custom parameter {parameter} (the username override) arrived as the "
                    f"variable {value}, not its value.",
                )

    def username(self) -> str:
        """Who the person is here, as Panopto decides it: the username parameter override's
        value, else lis.person_sourcedid (else nothing: the stand-in keys users by sub)."""
        body: Mapping = self._get_jwt_body()
        if self._standin.username_parameter:
            return custom_value(body, self._standin.username_parameter)
        return person_sourcedid(body)

    def received(self) -> dict:
        """What the launch carried that the folder page shows: the identifier, the custom
        parameters and where the platform opened the stand-in."""
        body: Mapping = self._get_jwt_body()
        custom = body.get(claims.CUSTOM)
        presentation = body.get(claims.LAUNCH_PRESENTATION)
        presentation = presentation if isinstance(presentation, Mapping) else {}
        return_url = str(presentation.get("return_url") or "")
        return {
            "username": self.username()[:255],
            "person_sourcedid": person_sourcedid(body)[:255],
            "custom": sorted(
                (str(key)[:64], str(value)[:300])
                for key, value in (custom.items() if isinstance(custom, Mapping) else [])
            )[:50],
            "document_target": str(presentation.get("document_target") or "")[:16],
            # Shown as a link: only an http(s) address of the platform's own.
            "return_url": return_url
            if return_url.startswith(self._standin.issuer.rstrip("/") + "/")
            else "",
        }

    def _check_audience(self, body: Mapping) -> None:
        """OIDC Core §3.1.3.7 (3)-(5): we are an audience; with several audiences `azp` is
        required (a list counts as several); an `azp` that is present names us."""
        client_id = self._standin.client_id
        audience = body["aud"]
        audiences = audience if isinstance(audience, list) else [audience]
        if client_id not in audiences:
            raise LaunchRefused("wrong_audience", "The id_token is not addressed to the stand-in.")
        azp = body.get("azp")
        if isinstance(audience, list) and azp is None:
            raise LaunchRefused("azp_missing", "An id_token with an audience list needs azp.")
        if azp is not None and azp != client_id:
            raise LaunchRefused("wrong_azp", "The id_token's azp is not the stand-in's client id.")


def custom_value(body: Mapping, key: str) -> str:
    custom = body.get(claims.CUSTOM)
    value = custom.get(key) if isinstance(custom, Mapping) else None
    return value if isinstance(value, str) else ""


def person_sourcedid(body: Mapping) -> str:
    lis = body.get(claims.LIS)
    value = lis.get(claims.LIS_PERSON_SOURCEDID) if isinstance(lis, Mapping) else None
    return value if isinstance(value, str) else ""


def promised_claim_present(body: Mapping, name: str) -> bool:
    """One promise of the registration kept: a personal claim (name, given_name, family_name,
    email), lis.person_sourcedid, or custom.<key>, with a non-empty text value."""
    if name.startswith("custom."):
        return bool(custom_value(body, name.removeprefix("custom.")))
    if name == "lis.person_sourcedid":
        return bool(person_sourcedid(body))
    value = body.get(name)
    return isinstance(value, str) and bool(value)


def launch_validate(
    request: HttpRequest, registration: PlatformRegistration, *, endpoint: str
) -> StrictMessageLaunch:
    """Validate the launch posted to one of the stand-in's launch URLs. Raises LaunchRefused,
    LtiException, or a plain Exception (pylti1p3 raises one for an unknown issuer)."""
    launch = StrictMessageLaunch(request, registration, endpoint=endpoint)
    launch.validate()
    return launch
