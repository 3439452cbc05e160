"""Production: every secret and host from the environment; no development defaults.

Several app servers share one PostgreSQL database and one Redis (SPEC §5.6, §8): the database
holds everything that must survive (sessions, consumed hints — docs/decisions/0001), Redis what
may be recomputed (the JWKS document, the Panopto stand-in's state).
"""

import dj_database_url

from portal.settings.base import *  # noqa: F403
from portal.settings.base import (
    LOGGING,
    cache_from_url,
    database_options,
    log_format,
    portal_environment,
)
from portal.settings.env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")  # no default: a missing key stops the start-up
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[])
LTI_ISSUER = env_str("LTI_ISSUER").rstrip("/")
# Fernet keys for the platform's private keys at rest; no default. Make one with
# python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'
LTI_KEY_ENCRYPTION_KEYS = env_list("LTI_KEY_ENCRYPTION_KEY", default=[]) or [
    env_str("LTI_KEY_ENCRYPTION_KEY")
]
PANOPTO_SIMULATOR = False
# A test portal runs these settings too: it says so with PORTAL_ENVIRONMENT=test.
PORTAL_ENVIRONMENT = portal_environment("production")

# No default database: an app server that silently fell back to its own SQLite file would
# accept a replayed hint that another server has consumed. Connections are kept for a minute
# (one TCP and authentication handshake per worker, not per request) and checked before reuse.
DATABASES = {
    "default": database_options(
        dj_database_url.parse(
            env_str("DATABASE_URL"),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
            conn_health_checks=True,
        )
    )
}
# No default cache either: every app server must see the same one. `locmem://` may be given
# explicitly for a single process (one host, one worker) that shares nothing.
CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}

# Hashed, compressed copies made by `collectstatic`, served with far-future cache headers.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING["handlers"]["console"]["formatter"] = log_format("json")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind that same proxy, the client's address is the last X-Forwarded-For entry (the sign-in
# limit per address would otherwise count the proxy's own address for everyone).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", default=1)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
# The identity provider's answer is a cross-site POST (portal/settings/base.py).
SAML_SESSION_COOKIE_SAMESITE = "None"
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
