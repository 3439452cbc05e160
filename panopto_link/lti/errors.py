"""The errors of the LTI layer: one base class carrying a reason for the launch record (the
protocol's `Reason`, or a tool's own enum of them), a
description for the tool or the person, and the OAuth 2.0 / OIDC error code a refusal is posted
back with (OIDC Core §3.1.2.6)."""

from enum import StrEnum


class LtiError(Exception):
    """Base of every refusal of the LTI core and of the platform above it.

    `error` is the OAuth error code sent to the tool when the refusal is posted back; each
    subclass names its own, and a raiser may name a finer one (`invalid_scope`, …).
    """

    error = "invalid_request"

    def __init__(self, reason: StrEnum, description: str, *, error: str | None = None) -> None:
        super().__init__(description)
        self.reason = reason
        self.description = description
        if error is not None:
            self.error = error


class UntrustedAuthRequest(LtiError):
    """The client or redirect URI cannot be trusted: show an error page, post nothing anywhere
    (OIDC Core §3.1.2.6 forbids redirecting to an unverified redirect URI)."""


class InvalidAuthRequest(LtiError):
    """A refusal of an authorization request whose client and redirect URI are verified: it is
    posted back to `redirect_uri` with `error` and `state` (OIDC Core §3.1.2.6, §3.2.2.6)."""

    def __init__(
        self,
        reason: StrEnum,
        description: str,
        *,
        redirect_uri: str,
        state: str | None,
        error: str | None = None,
    ) -> None:
        super().__init__(reason, description, error=error)
        self.redirect_uri = redirect_uri
        self.state = state


class LoginRequired(LtiError):
    """No user, or not the user the tool named (prompt=none: never a sign-in page)."""

    error = "login_required"


class AccessDenied(LtiError):
    """The user may not do this now (SPEC §3 at this moment)."""

    error = "access_denied"


class InvalidDeepLinkingResponse(LtiError):
    """A deep-linking response that cannot be trusted or used (Deep Linking 2.0 §4.5)."""
