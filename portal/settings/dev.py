"""The demo and local development: SQLite, local-memory cache, the Panopto stand-in installed."""

import base64
import hashlib

from portal.settings.base import *  # noqa: F403
from portal.settings.base import INSTALLED_APPS
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

INSTALLED_APPS = [*INSTALLED_APPS, "panopto_link.simulator"]
PANOPTO_SIMULATOR = True
DEMO_DATA_ALLOWED = True  # manage.py seed_demo

# Serve static files straight from the app folders, without `collectstatic`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
