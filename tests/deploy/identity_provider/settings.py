"""The stand-in identity provider's own settings (tests/deploy/conftest.py starts it): no
database, the shared Redis under a prefix of its own (core.outbound's kept copy of the portal's
metadata), its keys in EDUID_SIMULATOR_KEY_FOLDER."""

from portal.settings.env import env_str
from tests.deploy.party_settings import *  # noqa: F403
from tests.deploy.party_settings import BASE_DIR, CONTEXT_PROCESSORS, shared_cache

INSTALLED_APPS = ["django.contrib.staticfiles", "portal.idp_simulator"]
ROOT_URLCONF = "tests.deploy.identity_provider.urls"
WSGI_APPLICATION = "tests.deploy.identity_provider.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]
DATABASES: dict = {}
CACHES = shared_cache("eduid-stand-in")
STATICFILES_DIRS = [BASE_DIR / "static"]

# The stand-in's signing keys, and where it reads the portal's service provider metadata.
EDUID_SIMULATOR_KEY_FOLDER = env_str("EDUID_SIMULATOR_KEY_FOLDER")
EDUID_SIMULATOR_SP_METADATA = env_str("EDUID_SIMULATOR_SP_METADATA")
