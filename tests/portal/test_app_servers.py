"""Several app servers (SPEC §5.6, §8): two gunicorn instances share one PostgreSQL database and
one Redis. The login initiation goes to one, the authorization request to the other, and the
launch succeeds; the consumed hint is refused by both.

Runs in the PostgreSQL and Redis pass of .ci/run; skipped on SQLite and the local-memory cache,
which one process cannot share with another.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection
from django.utils import timezone

from panopto_link.lti import claims
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.models import FolderState
from tests.factories import (
    CourseFactory,
    FolderFactory,
    LicenceFactory,
    MembershipFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.lti_tool import TOOL_LAUNCH_URL, Pylti1p3Tool, form_fields, query, tool_conf

HOST = "neptun.example.edu"
ISSUER = f"https://{HOST}"
PASSWORD = "correct-horse-battery"


def shared_services_or_skip() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared by two processes (the PostgreSQL pass runs it)")
    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        pytest.skip("needs Redis shared by two processes (CACHE_URL=redis://…)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database pytest-django created, for the servers to share with this test."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    log: Path

    def log_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]


def start_app_server(env: dict[str, str], log: Path) -> AppServer:
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py", "portal.wsgi"),
        *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    return AppServer(url=f"http://127.0.0.1:{port}", process=process, log=log)


def wait_until_serving(server: AppServer, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn exited ({server.process.returncode}):\n{server.log.read_text()}")
        try:
            requests.get(server.url + "/.well-known/openid-configuration", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within {timeout} s:\n{server.log.read_text()}")


@pytest.fixture
def app_servers(transactional_db, tmp_path):
    """Two production app servers (one worker each) on free ports, sharing this test's
    database and Redis, stopped before the database is flushed."""
    shared_services_or_skip()
    env = {
        **{name: value for name, value in os.environ.items() if name in {"PATH", "HOME", "LANG"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": Fernet.generate_key().decode() * 2,  # the same on every server
        "LTI_ISSUER": ISSUER,
        "LTI_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "DATABASE_URL": database_url(),
        "CACHE_URL": settings.CACHES["default"]["LOCATION"],
        "STATIC_ROOT": str(tmp_path / "static"),
        # The proxy terminates HTTPS and says so in X-Forwarded-Proto; the tool's fetch of the
        # JWKS below comes in plain HTTP straight to an app server, as no real tool would.
        "SECURE_SSL_REDIRECT": "false",
    }
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert collect.returncode == 0, collect.stderr
    servers = [start_app_server(env, tmp_path / f"server-{name}.log") for name in "ab"]
    try:
        for server in servers:
            wait_until_serving(server)
        yield servers
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            server.process.wait(timeout=30)


@dataclass
class Browser:
    """A browser reaching the app servers through the institute's HTTPS proxy: the requests
    carry the public host name and X-Forwarded-Proto as the proxy sets them, and the browser
    keeps its (Secure) cookies itself, whichever server it is sent to."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Origin": ISSUER,
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
            **kwargs.pop("headers", {}),
        }
        response = requests.request(
            method, url, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def sign_in(self, server: AppServer, username: str, password: str) -> None:
        page = self.request("GET", server.url + "/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.request(
            "POST",
            server.url + "/sign-in/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302, response.text

    def launch(self, server: AppServer, space_pk: int) -> requests.Response:
        return self.request(
            "POST",
            f"{server.url}/panopto/launch/{space_pk}/",
            headers={"X-CSRFToken": self.cookies["csrftoken"]},
        )


def test_launch_starts_on_one_app_server_and_finishes_on_the_other(app_servers):
    server_a, server_b = app_servers
    LicenceFactory()
    RegistrationFactory()
    course = CourseFactory(code="MAT101-EA")
    folder = FolderFactory(space=course)
    folder.state, folder.created_at = FolderState.CREATED, timezone.now()
    folder.save()
    user = UserFactory(username="HALLGATO", password=None)
    user.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    user.save()
    MembershipFactory(user=user, space=course)

    browser = Browser()
    browser.sign_in(server_a, "HALLGATO", PASSWORD)
    initiation = browser.launch(server_a, course.pk)
    assert initiation.status_code == 302, initiation.text
    tool = Pylti1p3Tool(
        tool_conf(
            issuer=ISSUER,
            auth_login_url=server_b.url + "/lti/authorize/",
            key_set_url=server_a.url + "/.well-known/jwks.json",  # the OTHER server's key set
        )
    )
    login = tool.login(query(initiation.headers["Location"]))
    assert login.auth_url.startswith(server_b.url)

    authorization = browser.request("GET", login.auth_url)
    action, fields = form_fields(authorization.text)
    assert action == TOOL_LAUNCH_URL
    assert "id_token" in fields, fields
    launch = tool.launch(fields, login.cookies)  # pylti1p3 fetches server A's JWKS to verify
    data = launch.get_launch_data()
    assert launch.check_student_access()
    assert data["iss"] == ISSUER and data["sub"] == str(user.lti_subject)
    assert data[claims.CONTEXT]["id"] == folder.context_id
    published = requests.get(server_a.url + "/.well-known/jwks.json", timeout=10).json()
    assert jwt.get_unverified_header(fields["id_token"])["kid"] in {
        key["kid"] for key in published["keys"]
    }

    # The consumed hint is refused by both servers: neither remembers it in its own memory.
    for server in (server_a, server_b):
        replay = browser.request("GET", login.auth_url.replace(server_b.url, server.url))
        _action, refused = form_fields(replay.text)
        assert "id_token" not in refused
        assert refused["error"] == "invalid_request", refused
        assert refused["state"] == login.params["state"]
    records = LaunchRecord.objects.filter(stage=LaunchStage.AUTHORIZATION)
    assert records.filter(outcome=LaunchOutcome.ACCEPTED).count() == 1
    assert records.filter(outcome=LaunchOutcome.REFUSED, reason="hint_replayed").count() == 2

    # Both servers logged JSON lines; the authorization's carries its request id and no hint.
    lines = server_b.log_lines()
    authorized = [line for line in lines if line.get("path") == "/lti/authorize/"]
    assert authorized and authorized[0]["status"] == 200
    assert authorized[0]["request_id"] == authorization.headers["X-Request-ID"]
    assert login.params["lti_message_hint"] not in server_b.log.read_text()
