"""The stand-in connected to the portal inside the test client: both answer on one Django test
server, the stand-in under /panopto-sim/. Each fetches the other's JWKS through a seam that the
test client serves, so every fetch can be counted."""

import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.test import Client

from panopto_link.lti_platform import tool_keys
from panopto_link.simulator import platform_jwks
from panopto_link.simulator.demo import connect_stand_in
from panopto_link.simulator.models import PlatformRegistration
from panopto_link.simulator.services import registration_configure
from tests.lti_tool import CLIENT_ID, DEPLOYMENT_ID, ISSUER, form_fields

# The test client routes by path alone; the host only has to be a valid URL for panopto_configure.
STAND_IN_ORIGIN = "http://localhost"
LOGIN_PATH = "/panopto-sim/login/"
LAUNCH_PATH = "/panopto-sim/launch/"
LAUNCH_URL = STAND_IN_ORIGIN + LAUNCH_PATH
DEEP_LINK_PATH = "/panopto-sim/deep-link/"
DEEP_LINK_URL = STAND_IN_ORIGIN + DEEP_LINK_PATH
OTHER_DEPLOYMENT = "deployment-2"


@dataclass
class JwksFetches:
    """Stands in for the stand-in's HTTP fetch of the portal's JWKS, and counts the fetches."""

    urls: list[str] = field(default_factory=list)
    timeouts: list[float] = field(default_factory=list)

    def __call__(self, url: str, *, timeout: float) -> dict:
        self.urls.append(url)
        self.timeouts.append(timeout)
        assert url.startswith(ISSUER + "/"), url
        return Client().get(urlsplit(url).path).json()

    @property
    def count(self) -> int:
        return len(self.urls)


@pytest.fixture
def jwks_fetches(monkeypatch) -> JwksFetches:
    fetches = JwksFetches()
    monkeypatch.setattr(platform_jwks, "http_get_json", fetches)
    return fetches


@pytest.fixture
def stand_in_jwks_fetches(monkeypatch) -> list[str]:
    """The portal's fetch of the stand-in's JWKS (to verify its deep-linking responses), served
    by the test client; returns the URLs fetched."""
    fetched: list[str] = []

    def fetch(url: str) -> dict:
        fetched.append(url)
        assert url.startswith(STAND_IN_ORIGIN + "/"), url
        return Client().get(urlsplit(url).path).json()

    monkeypatch.setattr(tool_keys, "_fetch", fetch)
    return fetched


@pytest.fixture
def standin(world, jwks_fetches, stand_in_jwks_fetches) -> PlatformRegistration:
    """The portal's registration names the stand-in and the stand-in's names the portal, set up
    exactly as seed_demo does it."""
    connect_stand_in(
        portal_url=ISSUER,
        stand_in_origin=STAND_IN_ORIGIN,
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        stdout=io.StringIO(),
    )
    return PlatformRegistration.load()


@pytest.fixture
def registration_two_deployments(standin):
    """Two deployments registered, so that a launch can name another registered deployment
    than its login initiation did."""
    registration, _changed = registration_configure(
        issuer=standin.issuer,
        client_id=standin.client_id,
        deployment_ids=[DEPLOYMENT_ID, OTHER_DEPLOYMENT],
        auth_login_url=standin.auth_login_url,
        key_set_url=standin.key_set_url,
        public_origin=standin.public_origin,
    )
    return registration


def through_portal(client: Client, user, button: str, data: dict, *, redirect_uri: str):
    """Click a Panopto button of the portal (`button` is its form's action), follow the
    stand-in's login and our authorization endpoint, and post the form to the stand-in as the
    browser would. Returns the stand-in's answer."""
    client.force_login(user)
    initiation = client.post(button, data)
    assert initiation.status_code == 302, initiation.status_code
    login = client.get(initiation["Location"])
    assert login.status_code == 302, login.content.decode()
    authorization = client.get(login["Location"])
    action, fields = form_fields(authorization.content.decode())
    assert action == redirect_uri, (action, fields)
    assert "id_token" in fields, fields
    return client.post(action, fields)


def launch_through_portal(client: Client, user, space, *, folder=None):
    """ "Continue to the Panopto system" (of a linked folder when `folder` is given)."""
    data = {"folder": folder.pk} if folder else {}
    return through_portal(
        client, user, f"/panopto/launch/{space.pk}/", data, redirect_uri=LAUNCH_URL
    )


def pick_through_portal(client: Client, user, space):
    """ "Add videos from Panopto": the stand-in's answer is its content picker."""
    button = f"/panopto/videos/{space.pk}/pick/"
    return through_portal(client, user, button, {}, redirect_uri=DEEP_LINK_URL)


def open_video_through_portal(client: Client, user, video):
    """A linked video's "Play" button: a resource-link launch to the video's URL."""
    button = f"/panopto/videos/{video.space_id}/{video.pk}/open/"
    return through_portal(client, user, button, {}, redirect_uri=LAUNCH_URL)
