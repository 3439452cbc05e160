"""The portal's API client against the stand-in's SOAP side, served by the live server: real
HTTP, the real WSDL, zeep building the calls from it."""

import io

import pytest
from django.core.management import call_command

from panopto_link.panopto_api import soap
from panopto_link.panopto_api.connection import api_connection
from panopto_link.services import registration_configure
from panopto_link.simulator.models import ApiClient, ApiProvider

PROVIDER = "neptun"
APPLICATION_KEY = "4b1a3c9e-demo-application-key"
API_USER = "portal-api"


@pytest.fixture(autouse=True)
def _fresh_clients():
    soap.forget_clients()
    yield
    soap.forget_clients()


@pytest.fixture
def stand_in_api(live_server, settings):
    """The registration's API settings pointing at the stand-in on the live server, and the
    stand-in's identity provider with the same application key."""
    settings.OUTBOUND_TIMEOUT_SECONDS = 2
    site_url = live_server.url + "/panopto-sim/"
    ApiProvider.objects.create(instance_name=PROVIDER, application_key=APPLICATION_KEY)
    registration_configure(
        values={
            "site_url": site_url,
            "api_provider_name": PROVIDER,
            "api_user": API_USER,
            "api_application_key": APPLICATION_KEY,
        }
    )
    return api_connection()


REST_CLIENT_ID = "4f0c1a2b-rest-client"
REST_CLIENT_SECRET = "s3cret+with/base64=chars"


@pytest.fixture
def stand_in_rest(stand_in_api):
    """As `stand_in_api`, and the REST API's client registered on both sides."""
    ApiClient.objects.create(
        name="Neptun portal", client_id=REST_CLIENT_ID, client_secret=REST_CLIENT_SECRET
    )
    registration_configure(
        values={
            "api_rest_client_id": REST_CLIENT_ID,
            "api_rest_client_secret": REST_CLIENT_SECRET,
        }
    )
    connection = api_connection()
    assert connection is not None and connection.has_rest
    return connection


def private(world) -> None:
    """The world's course is public (anyone signed in is entitled to it): make it a course
    only its members may enter, as the demo's is."""
    world.course.is_public = False
    world.course.save()


def run_the_worker() -> None:
    """`manage.py panopto_worker --batch`: every job that is due, once, in this process."""
    call_command(
        "panopto_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO()
    )
