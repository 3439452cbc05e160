"""The eduID sign-in's settings (SAML 2.0: portal/eduid/, docs/decisions/0023,
docs/operations.md "Sign in with eduID"), read from the environment. base.py imports them all;
production.py and the tests adjust them as they do the rest."""

import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from portal.settings.env import env_bool, env_int, env_str

# pysaml2 7.5 imports the CFB cipher mode from where cryptography now deprecates it: a warning
# printed by every manage.py command and server start, about a mode the portal never uses.
warnings.filterwarnings("ignore", message="CFB has been moved", module=r"saml2\.")

# --- Sign-in with eduID: SAML 2.0 (portal/eduid/, docs/decisions/0023, docs/operations.md) ---
# The identity provider's metadata, or the federation's signed aggregate: a file, or an https://
# URL fetched through core.outbound and kept SAML_IDP_METADATA_MAX_AGE seconds (its last good
# copy used while a fetch fails). Unset: no eduID sign-in, /saml/ answers 404.
SAML_IDP_METADATA = env_str("SAML_IDP_METADATA", default="")
SAML_IDP_METADATA_MAX_AGE = env_int("SAML_IDP_METADATA_MAX_AGE", default=4 * 60 * 60)
# A URL's metadata is fetched by `manage.py eduid_metadata` on a schedule (docs/operations.md)
# and requests read the kept copy only; the demo fetches it in the request instead (its
# stand-in identity provider is served by the same server, and no timer runs there).
SAML_IDP_METADATA_FETCH_IN_REQUEST = False
# The federation operator's certificate (PEM file) the metadata's signature is checked with;
# required for metadata from a URL unless SAML_ALLOW_UNSIGNED_METADATA (the demo's stand-in).
SAML_IDP_METADATA_CERT = env_str("SAML_IDP_METADATA_CERT", default="")
SAML_ALLOW_UNSIGNED_METADATA = False
# The federation's discovery service (SAML IdP Discovery Protocol) people choose their
# institution at, when the metadata names several identity providers and SAML_IDP_ENTITY_ID
# names none; unset: the portal lists them itself.
SAML_DISCOVERY_URL = env_str("SAML_DISCOVERY_URL", default="")
# The identity provider to send people to, when the metadata names several (a federation's).
SAML_IDP_ENTITY_ID = env_str("SAML_IDP_ENTITY_ID", default="")
# The portal's entity id; default: its metadata URL, <LTI_ISSUER>/saml/metadata/.
SAML_ENTITY_ID = env_str("SAML_ENTITY_ID", default="")
# The service provider's signing and decryption key pair, PEM files made by the operator.
# The demo and the tests make their own pair in SAML_KEY_FOLDER (SAML_GENERATE_KEYS).
SAML_KEY_FILE = env_str("SAML_KEY_FILE", default="")
SAML_CERT_FILE = env_str("SAML_CERT_FILE", default="")
SAML_GENERATE_KEYS = False
SAML_KEY_FOLDER = str(Path(__file__).resolve().parents[2] / ".saml" / "sp")
# The attribute carrying the Neptun code, where the institute releases it (its friendly name
# in pysaml2's attribute maps, or its urn:oid: name); unset: not read.
SAML_NEPTUN_CODE_ATTRIBUTE = env_str("SAML_NEPTUN_CODE_ATTRIBUTE", default="")
# Which verified attribute binds a first eduID sign-in to an existing account: `neptun_code`
# (the attribute above equals the account's Neptun code), `username` (the account's user name
# is the eduPersonPrincipalName) or `none`. Never a name or an e-mail address.
SAML_MATCH_ATTRIBUTE = env_str("SAML_MATCH_ATTRIBUTE", default="none").replace("none", "")
if SAML_MATCH_ATTRIBUTE not in {"", "neptun_code", "username"}:
    raise ImproperlyConfigured("SAML_MATCH_ATTRIBUTE must be neptun_code, username or none.")
# Make an account at a person's first eduID sign-in when none matches (just in time).
SAML_CREATE_USERS = env_bool("SAML_CREATE_USERS", default=True)
# Seconds of clock difference tolerated on an answer's NotBefore and NotOnOrAfter.
SAML_CLOCK_SKEW_SECONDS = env_int("SAML_CLOCK_SKEW_SECONDS", default=60)
# What Panopto's own SAML sign-in (through the same identity provider) takes as a person's
# username: `eduPersonPrincipalName`, `neptun_code`, or unset (not checked). The Panopto
# self-test warns when the LTI launch would send eduID users another one (issue 26).
PANOPTO_SAML_USERNAME = env_str("PANOPTO_SAML_USERNAME", default="")
if PANOPTO_SAML_USERNAME not in {"", "eduPersonPrincipalName", "neptun_code"}:
    raise ImproperlyConfigured(
        "PANOPTO_SAML_USERNAME must be eduPersonPrincipalName or neptun_code."
    )
# The technical contact in the published metadata (HREF asks for one).
SAML_CONTACT_EMAIL = env_str("SAML_CONTACT_EMAIL", default="")
# djangosaml2: our configuration loader, the request sent by redirect (no auto-submit form and
# so no inline script), no change to the pages' CSP, and its session cookie.
SAML_CONFIG_LOADER = "portal.eduid.config.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""
SAML_SESSION_COOKIE_NAME = "saml_session"
# The identity provider posts its answer from its own site: the cookie naming the outstanding
# request must be SameSite=None, which browsers accept only with Secure (production.py). Over
# plain HTTP (the demo) the stand-in identity provider is on the portal's own site, and Lax
# suffices.
SAML_SESSION_COOKIE_SAMESITE = "Lax"
