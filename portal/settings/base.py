"""Settings shared by every environment, read from the environment (12-factor).

Environment-specific modules (dev, test, production) import everything from here and adjust
only what differs. Secrets have no default here: each environment decides where they come from.
"""

from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from dj_database_url import DBConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.settings.env import env_bool, env_int, env_list, env_networks, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal",
    "core",
    "virtualspaces",
    "panopto_link.lti_platform",
    "panopto_link",
    # Durable background jobs (issue 24, docs/decisions/0020): Django's tasks framework (the
    # backport) and its database backend, whose rows are written in the caller's transaction.
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # Outermost: every answer, the probes' and the static files' too, carries the header.
    "core.security_headers.PermissionsPolicyMiddleware",
    # First: load balancers' probes are answered before host validation and the HTTPS redirect,
    # and so are the monitoring system's scrapes (anyone else's go on, to a 404).
    "portal.health.HealthCheckMiddleware",
    "portal.metrics.MetricsMiddleware",
    "core.log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "panopto_link.middleware.ToolImagesMiddleware",  # after CSPMiddleware: it updates img-src
    # Load shedding: a request that waited in the queue too long gets the 503 page at once.
    "core.overload.QueueTimeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The eduID sign-in's own session (djangosaml2): the requests this browser sent to the
    # identity provider, which the answer's InResponseTo must name.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.errors.ErrorPagesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After the CSRF check, before any view: parameters holding a NUL get the 400 page.
    "core.request_text.UnstorableTextMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: signs out idle and old sessions, and says so.
    "core.session_timeout.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Browser features denied to every page and to anything it frames (Permissions-Policy header,
# core.security_headers). The portal uses none of them: no page embeds a player or a frame, a
# Panopto launch opens in the window or a new tab (W3C Permissions Policy; the names are those
# Chromium knows, so it reports no unrecognised feature).
PERMISSIONS_POLICY = (
    "accelerometer",
    "autoplay",
    "camera",
    "clipboard-read",
    "clipboard-write",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "portal:sign_in"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:sign_in"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "panopto_link.context_processors.panopto_menu",
            ],
        },
    },
    {
        # The fragments a page repeats dozens of times: markup only (docs/decisions/0014).
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "core.jinja2.environment"},
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects the engine: a SQLite file by default, PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=0),
        conn_health_checks=True,
    )
}


# --- Database timeouts (issue 20, finding 2; docs/operations.md) -------------------------------
# A database that accepts connections and never answers must cost a request seconds, not a
# worker: without a limit psycopg waits for the server's startup reply until gunicorn kills the
# worker (30 s) and the user gets its bare 500 page. Each is a failure the portal answers with
# its 503 page (core.errors).
# - DATABASE_CONNECT_TIMEOUT: seconds a connection attempt may take in all (libpq's
#   connect_timeout; psycopg waits at least 2).
# - DATABASE_STATEMENT_TIMEOUT: seconds PostgreSQL lets one statement run before cancelling it,
#   below gunicorn's worker timeout (30 s); `off` for a pooler that refuses startup options
#   (PgBouncer without ignore_startup_parameters = options). manage.py's commands (migrate,
#   imports, pruning) run with `off` unless their environment sets it.
# - TCP keepalives: a database host that vanished while a query waits for its answer is noticed
#   within about 11 s, not the kernel's two hours.
# - READINESS_DATABASE_TIMEOUT: /readyz's own, shorter limit for its connection attempt
#   (portal/health.py): it answers 503 naming the database before a load balancer gives up.
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", default=3)
DATABASE_STATEMENT_TIMEOUT = env_str("DATABASE_STATEMENT_TIMEOUT", default="10")
READINESS_DATABASE_TIMEOUT = env_int("READINESS_DATABASE_TIMEOUT", default=2)


def postgresql_timeouts(options: dict) -> None:
    """Add the connect and statement timeouts and the keepalives to PostgreSQL's `options`.
    What DATABASE_URL's query string gives itself (`?connect_timeout=10`) is kept."""
    options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    for name, value in (
        ("keepalives", 1),
        ("keepalives_idle", 5),
        ("keepalives_interval", 2),
        ("keepalives_count", 3),
    ):
        options.setdefault(name, value)
    if DATABASE_STATEMENT_TIMEOUT != "off":
        milliseconds = int(DATABASE_STATEMENT_TIMEOUT) * 1000
        # First, so that a statement_timeout in the URL's own `options` comes later and wins.
        given = options.get("options", "")
        options["options"] = f"-c statement_timeout={milliseconds} {given}".strip()


def database_options(database: DBConfig) -> DBConfig:
    """The engine's connection options, added to `database` (a DATABASES entry)."""
    options = database.setdefault("OPTIONS", {})
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Launch records and consumed hints are written while pages are read: WAL and a busy
        # timeout keep the embedded database from answering "database is locked".
        options.update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    elif database["ENGINE"] in ("django.db.backends.postgresql", "core.postgresql"):
        # Django's backend, whose connect timeout /readyz can shorten (core/postgresql/).
        database["ENGINE"] = "core.postgresql"
        postgresql_timeouts(options)
        # Server-side binding, and statements prepared on a connection once they ran this often:
        # PostgreSQL then plans the launch's one larger read once per connection, not per
        # request (docs/decisions/0011). `off` for a pooler that cannot keep prepared statements
        # (PgBouncer in transaction mode before 1.21).
        threshold = env_str("DATABASE_PREPARE_THRESHOLD", default="2")
        if threshold != "off":
            options.update({"server_side_binding": True, "prepare_threshold": int(threshold)})
    return database


database_options(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Cache ------------------------------------------------------------------------------------
# CACHE_URL: unset means one process's local memory (the embedded default); redis://… means the
# cache shared by every app server. Django's Redis backend takes the URL as it is.
def cache_from_url(url: str) -> dict:
    if not url or url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    if url.startswith("file://"):
        # One folder every process of one machine shares: the demo's server and the commands
        # run beside it (panopto_confirm's newest recordings, the self-test's last report).
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": url.removeprefix("file://"),
        }
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"CACHE_URL scheme not supported: {url.split(':', 1)[0]}")


CACHES = {"default": cache_from_url(env_str("CACHE_URL", default=""))}

# --- Authentication ---------------------------------------------------------------------------
# Passwords (PASSWORD_SIGN_IN decides whose) and eduID over SAML 2.0 (portal/backends.py).
AUTHENTICATION_BACKENDS = ["portal.backends.PasswordBackend", "portal.eduid.backends.EduIdBackend"]
# `everyone`, or `administrators`: only the break-glass superusers sign in with a password, on
# the portal's sign-in page and the admin's; everyone else through eduID.
PASSWORD_SIGN_IN = env_str("PASSWORD_SIGN_IN", default="everyone")
if PASSWORD_SIGN_IN not in {"everyone", "administrators"}:
    raise ImproperlyConfigured("PASSWORD_SIGN_IN must be everyone or administrators.")

# Modules of their own: the accessibility statement's facts (the institution, its contact, the
# dates), and sign-in with eduID over SAML 2.0.
from portal.settings.accessibility import *  # noqa: E402, F403
from portal.settings.eduid import *  # noqa: E402, F403

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "hu"
LANGUAGES = [("hu", _("Hungarian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as each language writes them: "2026. 11. 10." in Hungarian, "2026-11-10" in English.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env_str("TIME_ZONE", default="Europe/Budapest")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Sessions and cookies ---------------------------------------------------------------------
# Our own cookies stay SameSite=Lax: the tool's redirect to our authorization endpoint is a
# top-level GET, which carries Lax cookies (see ../shared/notes/browsers.md).
SESSION_ENGINE = "portal.sessions"  # database sessions; a malformed cookie never reaches SQL
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# At most 8 hours from the sign-in however active (core.session_timeout), and signed out
# after SESSION_IDLE_TIMEOUT seconds without a request (0: no idle timeout). ASVS 3.3.2.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", default=30 * 60)
# No script of ours reads a cookie: none of them needs to be visible to JavaScript.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"

# --- Browser security policy (docs/security.md) -----------------------------------------------
# No page of the portal is shown inside a frame, by anyone: not the launch's auto-submit form
# (a framed form that posts an id_token invites clickjacking), not the sign-in page.
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from the portal's own static files: no inline script, no inline
# style, no event-handler attributes anywhere; the LTI auto-submit form uses an external script
# too (static/panopto_link/autosubmit.js), so not even a nonce is needed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # And from the registered Panopto site, for the video thumbnails of a page that read the
        # registration (panopto_link.middleware.ToolImagesMiddleware): nowhere else.
        "img-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}
# The shared cache failed: how long this process stops asking it (core.shared_cache).
SHARED_CACHE_RETRY_SECONDS = env_int("SHARED_CACHE_RETRY_SECONDS", default=5)

# Fetches from other parties (the tool's key set; core.outbound): seconds a fetch may take in
# all, and seconds a failed URL is not asked again (its last good copy is used meanwhile).
OUTBOUND_TIMEOUT_SECONDS = env_int("OUTBOUND_TIMEOUT_SECONDS", default=3)
OUTBOUND_RETRY_SECONDS = env_int("OUTBOUND_RETRY_SECONDS", default=30)

# --- Load shedding (core/overload.py; docs/decisions/0015-shedding-load-by-queue-time.md) ------
# Milliseconds a request may have waited in the app server's queue, from nginx's X-Request-Start
# stamp to a worker taking it; one that waited longer gets the 503 page at once, with
# Retry-After. `off`: nothing is shed.
_queue_time_budget = env_str("QUEUE_TIME_BUDGET_MS", default="1000")
QUEUE_TIME_BUDGET_MS = None if _queue_time_budget == "off" else int(_queue_time_budget)

# --- Rate limits (core.rate_limits; counted in the shared cache) ----------------------------
# Launch clicks per signed-in user; sign-in attempts per user name and per client address (a
# successful sign-in gives its attempt back). "off" switches a limit off.
RATE_LIMIT_LAUNCH = env_rate("RATE_LIMIT_LAUNCH", default="30/60")
RATE_LIMIT_SIGN_IN = env_rate("RATE_LIMIT_SIGN_IN", default="10/300")
RATE_LIMIT_SIGN_IN_ADDRESS = env_rate("RATE_LIMIT_SIGN_IN_ADDRESS", default="100/300")
# Refused launch steps without a signed-in user (the authorization endpoint, the deep-linking
# return), per client address: each within the limit is a launch record of its own, the rest of
# the window are counted in one record and answered 429 (docs/decisions/0008).
RATE_LIMIT_ANONYMOUS_REFUSALS = env_rate("RATE_LIMIT_ANONYMOUS_REFUSALS", default="30/60")
# The same for the refusals of a signed-in user, per user: signing in gives no unbounded budget.
RATE_LIMIT_SIGNED_IN_REFUSALS = env_rate("RATE_LIMIT_SIGNED_IN_REFUSALS", default="30/60")
# Proxies in front of the app that append the client's address to X-Forwarded-For; 0 means the
# app is reached directly and REMOTE_ADDR is the client.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", default=0)

# --- Metrics (core/metrics.py, served by portal/metrics.py; docs/operations.md) ---------------
# /metrics answers the monitoring system and nobody else: a client at one of these addresses or
# networks (comma-separated; `off`: none) asking the app server directly — through a proxy only
# when the client the trusted proxies name is listed too — or any client sending
# `Authorization: Bearer <METRICS_BEARER_TOKEN>` (unset: no token is accepted). Anyone else gets
# the 404 of a path that does not exist.
METRICS_ALLOWED_ADDRESSES = env_networks("METRICS_ALLOWED_ADDRESSES", default="127.0.0.1,::1")
METRICS_BEARER_TOKEN = env_str("METRICS_BEARER_TOKEN", default="")

# `manage.py seed_demo` invents a university with the superuser itadmin/demo: only where the
# settings allow it (dev and test), or with --force.
DEMO_DATA_ALLOWED = False

# --- LTI platform -----------------------------------------------------------------------------
# The issuer is the platform's public base URL, exactly as the tool has it configured.
LTI_ISSUER = env_str("LTI_ISSUER", default="").rstrip("/")
LTI_MESSAGE_HINT_MAX_AGE = env_int("LTI_MESSAGE_HINT_MAX_AGE", default=300)
LTI_ID_TOKEN_LIFETIME = env_int("LTI_ID_TOKEN_LIFETIME", default=300)
LTI_KEY_GRACE_PERIOD = env_int("LTI_KEY_GRACE_PERIOD", default=7 * 24 * 60 * 60)
# How long tools may cache our JWKS (its Cache-Control max-age). A next key is published at
# least this long before it signs, so no tool's cached key set misses the signing key.
LTI_JWKS_MAX_AGE = env_int("LTI_JWKS_MAX_AGE", default=300)
# Fernet keys (comma-separated, the first encrypts) protecting the platform's private keys at
# rest: the database alone does not reveal them. Environment modules decide the default.
LTI_KEY_ENCRYPTION_KEYS = env_list("LTI_KEY_ENCRYPTION_KEY", default=[])
# Launch records older than this many days are deleted by `manage.py prune_launch_data`.
LAUNCH_RECORD_RETENTION_DAYS = env_int("LAUNCH_RECORD_RETENTION_DAYS", default=365)
LTI_PRODUCT_FAMILY_CODE = "neptun-panopto"
LTI_PRODUCT_VERSION = "0.1.0"

# Which portal this is: production, test or development. `manage.py panopto_check` warns when a
# portal that is not production points at the registration marked as the production Panopto
# site (a test portal restored from a production backup would create real folders).
PORTAL_ENVIRONMENTS = ("production", "test", "development")


def portal_environment(default: str) -> str:
    value = env_str("PORTAL_ENVIRONMENT", default=default).strip().lower()
    if value not in PORTAL_ENVIRONMENTS:
        raise ImproperlyConfigured(
            f"PORTAL_ENVIRONMENT must be one of {', '.join(PORTAL_ENVIRONMENTS)}, not {value!r}."
        )
    return value


PORTAL_ENVIRONMENT = portal_environment("development")


# LOG_FORMAT: "plain" lines for a person at a terminal, "json" lines (production's default) for
# a log collector; both on stdout, each line with the request id when there is one.
def log_format(default: str) -> str:
    value = env_str("LOG_FORMAT", default=default)
    if value not in {"plain", "json"}:
        raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {value!r}.")
    return value


LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.log.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": log_format("plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="WARNING")},
}


# --- background jobs (issue 24, docs/decisions/0020) ----------------------------------------------
# The jobs' rows live in the portal's database: enqueued in the transaction that ends a
# membership, run by `manage.py db_worker` (deploy/systemd/neptun-portal-worker.service).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A job that has run longer than this is taken for dead (its worker killed) and queued again.
JOBS_LEASE_SECONDS = env_int("JOBS_LEASE_SECONDS", default=300)

# --- E-mail (the term's reminders to lecturers, manage.py panopto_term_overview) ----------------
# Django's SMTP backend with these; the demo (settings.dev) prints the messages instead.
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="neptun-panopto@localhost")
