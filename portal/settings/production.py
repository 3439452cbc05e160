"""Production: every secret and host from the environment; no development defaults."""

from portal.settings.base import *  # noqa: F403
from portal.settings.env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")  # no default: a missing key stops the start-up
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[])
LTI_ISSUER = env_str("LTI_ISSUER").rstrip("/")
# Fernet keys for the platform's private keys at rest; no default (`make keys` prints one).
LTI_KEY_ENCRYPTION_KEYS = env_list("LTI_KEY_ENCRYPTION_KEY", default=[]) or [
    env_str("LTI_KEY_ENCRYPTION_KEY")
]
PANOPTO_SIMULATOR = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
