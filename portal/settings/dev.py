"""The demo and local development: SQLite, a cache in files that the server and the commands run
beside it share, the Panopto stand-in installed."""

import base64
import hashlib

from portal.settings.base import *  # noqa: F403
from portal.settings.base import BASE_DIR, INSTALLED_APPS, cache_from_url
from portal.settings.env import env_bool, env_list, env_str

DEBUG = env_bool("DEBUG", default=True)
# A development value only: production.py refuses to start without SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
LTI_ISSUER = env_str("LTI_ISSUER", default="http://127.0.0.1:8000").rstrip("/")

# Development only: derived from SECRET_KEY. Production requires LTI_KEY_ENCRYPTION_KEY.
LTI_KEY_ENCRYPTION_KEYS = env_list("LTI_KEY_ENCRYPTION_KEY", default=[]) or [
    base64.urlsafe_b64encode(hashlib.sha256(b"lti-keys:" + SECRET_KEY.encode()).digest()).decode()
]

# The demo's server and the commands of its walkthrough (panopto_confirm keeps the newest
# recordings that the pages read, README step 8) are separate processes: one machine's cache in
# files, not one process's memory. CACHE_URL still chooses another (redis://, locmem://).
CACHES = {
    "default": cache_from_url(env_str("CACHE_URL", default=f"file://{BASE_DIR / '.demo-cache'}"))
}

INSTALLED_APPS = [*INSTALLED_APPS, "panopto_link.simulator"]
PANOPTO_SIMULATOR = True
DEMO_DATA_ALLOWED = True  # manage.py seed_demo
# The service provider's key pair, made by the portal on first use in .saml/ (never committed).
SAML_GENERATE_KEYS = True
# The stand-in eduID identity provider (portal/idp_simulator/), served under /idp-sim/ on the
# portal's own site (decision 23: over plain HTTP the answer's cookie must be SameSite=Lax), and
# the portal trusting it: its metadata fetched from there, accounts matched on the Neptun code
# it releases in schacPersonalUniqueCode (seed_demo gives the demo people the same codes).
EDUID_SIMULATOR = True
EDUID_SIMULATOR_KEY_FOLDER = str(BASE_DIR / ".saml" / "idp-sim")
EDUID_SIMULATOR_SP_METADATA = env_str(
    "EDUID_SIMULATOR_SP_METADATA", default=f"{LTI_ISSUER}/saml/metadata/"
)
SAML_IDP_METADATA = env_str("SAML_IDP_METADATA", default=f"{LTI_ISSUER}/idp-sim/metadata/")
SAML_IDP_METADATA_MAX_AGE = 60
SAML_ALLOW_UNSIGNED_METADATA = True  # the stand-in's metadata, from the demo's own server
SAML_IDP_METADATA_FETCH_IN_REQUEST = True
SAML_NEPTUN_CODE_ATTRIBUTE = env_str(
    "SAML_NEPTUN_CODE_ATTRIBUTE", default="schacPersonalUniqueCode"
)
SAML_MATCH_ATTRIBUTE = env_str("SAML_MATCH_ATTRIBUTE", default="neptun_code").replace("none", "")

# Serve static files straight from the app folders, without `collectstatic`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The term's reminder e-mails are printed by the server or the command, not sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
