"""The Panopto stand-in served on its own, as Panopto is: only the stand-in's app, its own
database (DATABASE_URL) and cache prefix, its own secret, behind its own nginx site with TLS.
Nothing of the portal is installed; the two know each other only through LTI."""

import dj_database_url

from portal.settings.env import env_str
from tests.deploy.party_settings import *  # noqa: F403
from tests.deploy.party_settings import CONTEXT_PROCESSORS, shared_cache

INSTALLED_APPS = [
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "panopto_link.simulator",
]
ROOT_URLCONF = "tests.deploy.stand_in.urls"
WSGI_APPLICATION = "tests.deploy.stand_in.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL"), conn_max_age=60, conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# pylti1p3's launch state must be seen by every worker: the shared cache, under its own prefix.
CACHES = shared_cache("panopto-stand-in")

SECURE_HSTS_SECONDS = 3600
SESSION_COOKIE_SECURE = True
