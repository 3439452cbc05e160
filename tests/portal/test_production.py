"""Production settings: Django's deployment check is clean, missing secrets stop the start-up,
and logs are JSON lines carrying the request id."""

import io
import json
import logging
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from core.log import JsonFormatter, RequestIdMiddleware, current_request_id


def production_env(**overrides: str | None) -> dict[str, str]:
    """What an operator sets (README "Production"); None removes a variable."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "neptun.example.edu",
        "LTI_ISSUER": "https://neptun.example.edu",
        "LTI_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": "postgres://neptun:secret@db.example.edu:5432/neptun",
        "CACHE_URL": "redis://cache.example.edu:6379/0",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deployment_check_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "variable",
    ["SECRET_KEY", "LTI_ISSUER", "LTI_KEY_ENCRYPTION_KEY", "DATABASE_URL", "CACHE_URL"],
)
def test_production_refuses_to_start_without(variable):
    result = manage("check", env=production_env(**{variable: None}))
    assert result.returncode != 0
    assert f"The environment variable {variable} must be set." in result.stderr


def test_production_keeps_database_connections_and_shares_the_cache():
    code = (
        "from django.conf import settings as s;"
        "d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'],"
        " s.CACHES['default']['BACKEND'], s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = manage("shell", "--verbosity", "0", "-c", code, env=production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "core.postgresql",  # Django's, with /readyz's own connect timeout (core/postgresql/)
        "60",
        "True",
        "django.core.cache.backends.redis.RedisCache",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def database_connection_options(**overrides: str | None) -> dict:
    """The database's connection options as an app server has them (gunicorn loads the
    settings without manage.py, which switches the statement timeout off for commands)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=production_env(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_gives_up_on_a_database_that_does_not_answer_within_seconds():
    options = database_connection_options()
    assert options["connect_timeout"] == 3
    assert options["options"] == "-c statement_timeout=10000"
    assert (options["keepalives"], options["keepalives_idle"]) == (1, 5)
    assert (options["keepalives_interval"], options["keepalives_count"]) == (2, 3)


def test_the_database_timeouts_follow_the_environment_and_the_urls_own_options():
    options = database_connection_options(
        DATABASE_CONNECT_TIMEOUT="7", DATABASE_STATEMENT_TIMEOUT="25"
    )
    assert (options["connect_timeout"], options["options"]) == (7, "-c statement_timeout=25000")
    # The URL's own values are kept; its statement_timeout comes last, so PostgreSQL takes it.
    options = database_connection_options(
        DATABASE_URL="postgres://neptun:secret@db.example.edu/neptun"
        "?connect_timeout=10&options=-c%20statement_timeout%3D60000"
    )
    assert options["connect_timeout"] == 10
    assert options["options"] == "-c statement_timeout=10000 -c statement_timeout=60000"
    # `off`: no startup options at all, for a pooler that refuses them.
    assert "options" not in database_connection_options(DATABASE_STATEMENT_TIMEOUT="off")


def test_commands_run_without_the_statement_timeout_unless_told():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"
    result = manage("shell", "--verbosity", "0", "-c", code, env=production_env())
    assert result.returncode == 0, result.stderr
    assert "statement_timeout" not in result.stdout
    assert "'connect_timeout': 3" in result.stdout  # a hung database still fails them in 3 s
    told = production_env(DATABASE_STATEMENT_TIMEOUT="20")
    result = manage("shell", "--verbosity", "0", "-c", code, env=told)
    assert "-c statement_timeout=20000" in result.stdout


# --- structured logs -------------------------------------------------------------------------


def respond(request: HttpRequest) -> HttpResponse:
    logging.getLogger("panopto_link").warning("inside the view")
    return HttpResponse("ok")


def test_every_request_gets_an_id_that_its_log_lines_and_response_carry():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("panopto_link")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)  # the test settings silence everything below CRITICAL
    try:
        response = RequestIdMiddleware(respond)(RequestFactory().get("/"))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    line = json.loads(stream.getvalue())
    assert line["request_id"] == request_id
    assert line["message"] == "inside the view" and line["level"] == "WARNING"
    assert current_request_id.get() == ""  # nothing leaks into the next request


@pytest.mark.parametrize(
    ("offered", "kept"),
    [("proxy-7f3a9c21-0001", True), ("short", False), ("<script>alert(1)</script>", False)],
)
def test_the_proxys_request_id_is_kept_only_when_plausible(offered, kept):
    response = RequestIdMiddleware(respond)(RequestFactory().get("/", HTTP_X_REQUEST_ID=offered))
    assert (response["X-Request-ID"] == offered) is kept


def test_log_lines_never_carry_the_query_string():
    request = RequestFactory().get("/lti/authorize/", {"lti_message_hint": "gAAAAA-secret"})
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Bad Request", (), None)
    record.request = request
    record.status_code = 400
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/lti/authorize/" and line["status_code"] == 400
    assert "gAAAAA-secret" not in json.dumps(line)


@pytest.mark.parametrize(
    "issuer", ["http://neptun.example.edu", "neptun.example.edu", "https://", "ftp://x.example"]
)
def test_deployment_check_refuses_an_issuer_that_is_not_https(issuer):
    """Production needs https (README "What needs HTTPS"): the id_token's cross-site form post,
    the Secure cookies and the tool's trust in our JWKS all rest on it."""
    result = manage("check", "--deploy", env=production_env(LTI_ISSUER=issuer))
    assert result.returncode != 0
    assert "portal.E001" in result.stderr and "LTI_ISSUER" in result.stderr


@pytest.mark.parametrize(
    ("threshold", "options"),
    [(None, "True 2"), ("5", "True 5"), ("off", "None None")],
)
def test_production_prepares_statements_on_postgresql_unless_switched_off(threshold, options):
    """docs/decisions/0011: the launch's one read is planned once per connection."""
    code = (
        "from django.conf import settings as s;"
        "o = s.DATABASES['default']['OPTIONS'];"
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    env = production_env()
    if threshold is not None:
        env["DATABASE_PREPARE_THRESHOLD"] = threshold
    result = manage("shell", "--verbosity", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == options
