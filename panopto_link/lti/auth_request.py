"""Validation of an OIDC authorization request from the tool (LTI Security Framework §5.1.1.2,
OIDC Core §3.1.2.1), modelled on Canvas LMS's authentication controller.

Two stages, because what may be answered depends on what is already trusted:
1. client_id and redirect_uri. Until both are verified nothing may be sent anywhere, so
   failures raise `UntrustedAuthRequest` (the web layer renders an error page).
2. everything else. Failures raise `InvalidAuthRequest`, which carries the verified redirect URI
   and the `state`, so the web layer posts `error` back to the tool.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from panopto_link.lti.errors import InvalidAuthRequest, UntrustedAuthRequest
from panopto_link.lti.reasons import Reason
from panopto_link.lti.text import quoted_name

# No legitimate value comes anywhere near these; a longer one is refused, not truncated.
MAX_VALUE_LENGTH = {"state": 2048, "nonce": 1024, "lti_message_hint": 4096}
DEFAULT_MAX_VALUE_LENGTH = 2048


@dataclass(frozen=True)
class ClientInfo:
    """What the platform knows of a registered tool client."""

    client_id: str
    redirect_uris: tuple[str, ...]
    is_enabled: bool


@dataclass(frozen=True)
class AuthorizationRequest:
    """A syntactically valid authorization request from a trusted client."""

    client_id: str
    redirect_uri: str
    state: str | None
    nonce: str
    login_hint: str
    lti_message_hint: str


def _single(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    """The one value of a parameter; None when absent. Repeated parameters are never resolved
    by picking one: an attacker could otherwise choose which copy each layer reads."""
    values = params.get(name) or []
    if len(values) > 1:
        raise ValueError(name)
    return values[0] if values else None


def _check_length(name: str, value: str) -> bool:
    return len(value) <= MAX_VALUE_LENGTH.get(name, DEFAULT_MAX_VALUE_LENGTH)


def validate_authorization_request(
    params: Mapping[str, Sequence[str]],
    *,
    find_client: Callable[[str], ClientInfo | None],
) -> AuthorizationRequest:
    """Validate the request's parameters (a mapping of name to every value received).

    Returns the request; raises `UntrustedAuthRequest` when the client or redirect URI cannot be
    trusted and `InvalidAuthRequest` (with the redirect URI and state) for every other refusal.
    Does not look at users, hints or sessions: the caller checks those next.
    """
    # -- stage 1: the client and where we may answer -----------------------------------------
    try:
        client_id = _single(params, "client_id")
        redirect_uri = _single(params, "redirect_uri")
    except ValueError as repeated:
        raise UntrustedAuthRequest(
            Reason.PARAMETER_REPEATED, f"The parameter {repeated} appears more than once."
        ) from None
    if not client_id:
        raise UntrustedAuthRequest(Reason.CLIENT_MISSING, "The client_id parameter is missing.")
    if not _check_length("client_id", client_id):
        raise UntrustedAuthRequest(
            Reason.PARAMETER_TOO_LONG, "The client_id parameter is too long."
        )
    client = find_client(client_id)
    if client is None or not client.is_enabled:
        raise UntrustedAuthRequest(
            Reason.CLIENT_UNKNOWN,
            "The client_id is not registered or not enabled.",
            error="unauthorized_client",
        )
    if not redirect_uri:
        raise UntrustedAuthRequest(
            Reason.REDIRECT_URI_MISSING, "The redirect_uri parameter is missing."
        )
    # Exact string comparison (OAuth 2.0 Security BCP §4.1.3): no prefix or pattern matching.
    if redirect_uri not in client.redirect_uris:
        raise UntrustedAuthRequest(
            Reason.REDIRECT_URI_UNREGISTERED, "The redirect_uri is not registered for this client."
        )

    # -- stage 2: everything else is answered to the tool -------------------------------------
    state = None
    try:
        state = _single(params, "state")
    except ValueError:
        raise InvalidAuthRequest(
            Reason.PARAMETER_REPEATED,
            "The parameter state appears more than once.",
            redirect_uri=redirect_uri,
            state=None,
        ) from None

    if state is not None and not _check_length("state", state):
        # Not echoed: a value we refuse is not ours to post back, however it is cut.
        raise InvalidAuthRequest(
            Reason.PARAMETER_TOO_LONG,
            "The state parameter is too long.",
            redirect_uri=redirect_uri,
            state=None,
        )

    def refuse(reason: Reason, description: str, *, error: str | None = None) -> InvalidAuthRequest:
        return InvalidAuthRequest(
            reason, description, redirect_uri=redirect_uri, state=state, error=error
        )

    repeated_names = sorted(name for name, values in params.items() if len(values) > 1)
    if repeated_names:
        raise refuse(
            Reason.PARAMETER_REPEATED,
            f"The parameter {quoted_name(repeated_names[0])} appears more than once.",
        )
    values = {name: _single(params, name) for name in params}
    for name, value in values.items():
        if value is not None and not _check_length(name, value):
            raise refuse(
                Reason.PARAMETER_TOO_LONG, f"The {quoted_name(name)} parameter is too long."
            )

    if values.get("scope") != "openid":
        raise refuse(Reason.BAD_SCOPE, "The scope must be openid.", error="invalid_scope")
    if values.get("response_type") != "id_token":
        raise refuse(
            Reason.BAD_RESPONSE_TYPE,
            "The response_type must be id_token.",
            error="unsupported_response_type",
        )
    if values.get("response_mode") != "form_post":
        raise refuse(Reason.BAD_RESPONSE_MODE, "The response_mode must be form_post.")
    if "prompt" in values and values["prompt"] != "none":
        raise refuse(Reason.BAD_PROMPT, "The prompt must be none when present.")
    required = {}
    for name in ("nonce", "login_hint", "lti_message_hint"):
        value = values.get(name)
        if not value:
            raise refuse(Reason.PARAMETER_MISSING, f"The {name} parameter is missing.")
        required[name] = value

    return AuthorizationRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        state=state,
        nonce=required["nonce"],
        login_hint=required["login_hint"],
        lti_message_hint=required["lti_message_hint"],
    )
