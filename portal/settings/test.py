"""The test suite: like the demo, with fast password hashing and a fixed issuer."""

from portal.settings.base import cache_from_url
from portal.settings.dev import *  # noqa: F403
from portal.settings.env import env_str

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
LTI_KEY_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU="]
LTI_ISSUER = "http://testserver"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["root"]["level"] = "CRITICAL"  # noqa: F405
# One process's memory (or Redis with CACHE_URL, in the PostgreSQL pass), not the demo's files:
# each test starts from an empty cache (tests/conftest.py).
CACHES = {"default": cache_from_url(env_str("CACHE_URL", default=""))}
# The suite creates, migrates and drops its PostgreSQL database as a command does: without the
# app servers' statement timeout (the fault tests' gunicorn servers keep it, with production's
# settings).
DATABASES["default"]["OPTIONS"].pop("options", None)  # noqa: F405
# The eduID tests' service provider key pair, apart from the demo's (SAML_GENERATE_KEYS).
SAML_KEY_FOLDER = str(BASE_DIR / ".saml" / "test-sp")  # noqa: F405
# eduID is off unless a test configures it (tests/portal/eduid/conftest.py, the browser test).
SAML_IDP_METADATA = ""
EDUID_SIMULATOR_SP_METADATA = f"{LTI_ISSUER}/saml/metadata/"
EDUID_SIMULATOR_KEY_FOLDER = str(BASE_DIR / ".saml" / "test-idp-sim")  # noqa: F405
