"""The fault tests' world: their own PostgreSQL cluster and Redis (temporary folders, spare
ports) and the portal under gunicorn with the production settings, seeded with a course, its
administrator and a member. Started once for the session, in the PostgreSQL pass of .ci/run,
where PostgreSQL and Redis are installed; stopping them disturbs nothing else.

`PortalSession` is a browser's view of the server: cookies, the CSRF token, a language."""

import json
import shutil
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.db import connection

from tests.faults.instances import AppServer, PostgresInstance, RedisInstance, postgres_binaries
from tests.faults.seed import PASSWORD
from tests.lti_tool import authorization_params, form_fields
from tests.metrics import Samples, parsed


@dataclass
class FaultWorld:
    postgres: PostgresInstance
    redis: RedisInstance
    server: AppServer
    course: int


@pytest.fixture(scope="session")
def fault_world(tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("the fault tests run in the PostgreSQL pass, where PostgreSQL is installed")
    bin_dir = postgres_binaries()
    if bin_dir is None or shutil.which("redis-server") is None:
        pytest.skip("needs PostgreSQL's initdb/pg_ctl and redis-server")
    postgres = PostgresInstance(bin_dir)
    redis = RedisInstance()
    server = AppServer(env={}, log=tmp_path_factory.mktemp("fault-server") / "gunicorn.log")
    try:
        postgres.init()
        postgres.start()
        redis.start()
        server.env = server.production_env(
            home=server.log.parent,
            database_url=postgres.url,
            cache_url=redis.url,
            # Persistent connections, as in production: recovery must not need a restart.
            DATABASE_CONN_MAX_AGE="60",
            SHARED_CACHE_RETRY_SECONDS="1",
            # Launch clicks are the traffic here, not what is limited; sign-in guesses are.
            RATE_LIMIT_LAUNCH="10000/60",
            RATE_LIMIT_SIGN_IN="5/300",
            LOG_LEVEL="WARNING",
        )
        server.manage("migrate", "--noinput")
        seeded = server.manage("shell", "-c", "from tests.faults.seed import seed; seed()")
        course = json.loads(seeded.strip().splitlines()[-1])["course"]
        server.start()
        yield FaultWorld(postgres=postgres, redis=redis, server=server, course=course)
    finally:
        server.stop()
        redis.stop()
        postgres.remove()


class PortalSession:
    """One browser: signs in with the sign-in form, clicks the launch button, and plays the
    tool's part of a launch by following our redirect to the authorization endpoint."""

    def __init__(self, world: FaultWorld, *, language: str = "hu") -> None:
        self.world = world
        self.url = world.server.url
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = language

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.url + path, timeout=15, allow_redirects=False, **kwargs)

    def post(self, path: str, data: dict | None = None) -> requests.Response:
        if "csrftoken" not in self.http.cookies:
            self.get("/sign-in/")
        form = {"csrfmiddlewaretoken": self.http.cookies.get("csrftoken", ""), **(data or {})}
        return self.http.post(self.url + path, data=form, timeout=15, allow_redirects=False)

    def sign_in(self, username: str, password: str = PASSWORD) -> requests.Response:
        return self.post("/sign-in/", {"username": username, "password": password})

    def click_launch(self) -> requests.Response:
        return self.post(f"/panopto/launch/{self.world.course}/")

    def authorization_params(self, click: requests.Response) -> dict[str, str]:
        login = {k: v[0] for k, v in parse_qs(urlsplit(click.headers["Location"]).query).items()}
        return authorization_params(login, nonce=f"nonce-{time.monotonic_ns()}", state="state")

    def authorize(self, params: dict[str, str]) -> dict[str, str]:
        """The authorization endpoint's answer: the fields of its form post."""
        response = self.get("/lti/authorize/", params=params)
        assert response.status_code == 200, response.status_code
        return form_fields(response.text)[1]

    def launch(self) -> tuple[requests.Response, dict[str, str] | None]:
        """A whole launch: the click, then the authorization. (click, form fields or None)."""
        click = self.click_launch()
        if click.status_code != 302 or "panopto.example.com" not in click.headers["Location"]:
            return click, None
        return click, self.authorize(self.authorization_params(click))


def scrape(world: FaultWorld) -> Samples:
    """The fault server's metrics, as Prometheus on the same host reads them (one process: its
    own registry)."""
    response = requests.get(world.server.url + "/metrics", timeout=15)
    assert response.status_code == 200, response.status_code
    return parsed(response.text)
