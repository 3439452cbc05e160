"""The stand-in identity provider's own settings (tests/deploy/conftest.py starts it): no
database, the shared Redis under a prefix of its own (core.outbound's kept copy of the portal's
metadata), its keys in EDUID_SIMULATOR_KEY_FOLDER."""

from pathlib import Path

from portal.settings.env import env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[3]

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = ["django.contrib.staticfiles", "portal.idp_simulator"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "tests.deploy.identity_provider.urls"
WSGI_APPLICATION = "tests.deploy.identity_provider.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
            ],
        },
    },
]
DATABASES: dict = {}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL"),
        "KEY_PREFIX": "eduid-stand-in",
    }
}

LANGUAGE_CODE = "hu"
LANGUAGES = [("hu", "Magyar"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Budapest"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = None
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

# The stand-in's signing keys, and where it reads the portal's service provider metadata.
EDUID_SIMULATOR_KEY_FOLDER = env_str("EDUID_SIMULATOR_KEY_FOLDER")
EDUID_SIMULATOR_SP_METADATA = env_str("EDUID_SIMULATOR_SP_METADATA")

# Behind its nginx, which terminates TLS and says so.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.log.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}
