"""The two ways a call to Panopto's APIs fails, whichever API (SOAP or REST) made it: callers
tell them apart, since only the first is worth a retry."""


class PanoptoApiUnavailable(Exception):
    """Panopto's API cannot be asked now (no answer, the breaker open, an answer that cannot be
    read): try again later."""


class PanoptoApiRefused(Exception):
    """Panopto answered that the call is wrong as made: a SOAP fault (auth code, arguments), or
    a REST refusal (the token request refused, 401/403, another 4xx)."""
