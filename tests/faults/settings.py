"""The fault tests' app server: production settings (DEBUG off, persistent database connections
checked before reuse, the shared cache from CACHE_URL), with only what plain HTTP on 127.0.0.1
needs changed — the tests cannot speak HTTPS to it."""

from portal.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Static files from the app folders: no `collectstatic` for a throwaway server.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
