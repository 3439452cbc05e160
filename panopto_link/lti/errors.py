"""The errors of the LTI layer, one base class, each carrying its OAuth 2.0 / OIDC error code."""


class LtiError(Exception):
    """Base of every error raised by the LTI core."""

    error = "server_error"

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class UntrustedAuthRequest(LtiError):
    """The client or redirect URI cannot be trusted: show an error page, post nothing anywhere
    (OIDC Core §3.1.2.6 forbids redirecting to an unverified redirect URI)."""

    error = "invalid_request"

    def __init__(self, description: str, *, error: str = "invalid_request") -> None:
        super().__init__(description)
        self.error = error


class InvalidAuthRequest(LtiError):
    """A refusal that is posted back to the validated redirect URI with `error` and `state`
    (OIDC Core §3.1.2.6, §3.2.2.6)."""

    def __init__(
        self,
        error: str,
        description: str,
        redirect_uri: str,
        state: str | None,
        *,
        reason: str | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.redirect_uri = redirect_uri
        self.state = state
        self.reason = reason or error  # a finer code for the platform's own launch record


class InvalidDeepLinkingResponse(LtiError):
    """A deep-linking response JWT that cannot be trusted (Deep Linking 2.0 §4.5)."""

    error = "invalid_request"
