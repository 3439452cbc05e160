"""The portal's URLs, and what their answers carry, that the benchmark relies on: named here
once, so that a change in the app breaks one line of the bench rather than many. The bench
drives the app over HTTP only, as a browser and Panopto do (and seeds it with bench/seed.py)."""

# Studies → Information → Panopto (Tanulmányok → Információk → Panopto).
PANOPTO_PAGE = "/studies/information/panopto/"
# A virtual space's Home screen, with its Panopto element.
SPACE_HOME = "/spaces/{space}/"
# The login initiation: a signed-in user's POST (session and CSRF token), answered by a 302 to
# the tool's OIDC login URL with the login_hint and lti_message_hint.
LAUNCH = "/panopto/launch/{space}/"
# The authorization endpoint the tool sends the browser back to; its 200 is an auto-submit form
# to the tool carrying the id_token in this field.
AUTHORIZE = "/lti/authorize/"
ID_TOKEN_FIELD = "id_token"  # noqa: S105 (a form field's name, not a secret)
# The platform's public key set.
JWKS = "/.well-known/jwks.json"
