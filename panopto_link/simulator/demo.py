"""Connecting the stand-in and the portal to each other, for the demo and the end-to-end tests.

The portal's side goes through `manage.py panopto_configure`, exactly as an IT administrator
registers a real Panopto site; the stand-in's side is what a Panopto administrator enters for an
LTI 1.3 identity provider (see docs/connecting-panopto.md)."""

import os
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.core.management import call_command
from django.urls import reverse

from panopto_link.simulator.services import (
    api_client_ensure,
    api_provider_ensure,
    registration_configure,
)

DEMO_CLIENT_ID = "neptun-demo-panopto"
DEMO_DEPLOYMENT_ID = "neptun-demo-deployment-1"
# Panopto's API in the demo: the LTI identity provider's instance name and the user the portal
# acts as (docs/panopto-api.md).
DEMO_API_PROVIDER = "neptun-demo"
DEMO_API_USER = "portal-api"
# The REST API's client, as a Panopto administrator creates it under System → API Clients.
DEMO_REST_CLIENT_ID = "neptun-demo-rest-client"
_KEY_VARIABLE = "NEPTUN_DEMO_PANOPTO_API_KEY"
_SECRET_VARIABLE = "NEPTUN_DEMO_PANOPTO_REST_SECRET"  # noqa: S105 (a variable name)


@contextmanager
def _in_environment(name: str, value: str):
    """`value` in the environment variable `name` for a moment: panopto_configure reads the
    application key only from the environment, never from a flag."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before


@dataclass(frozen=True)
class LaunchAgreement:
    """What the portal is set to send with every launch, and how the stand-in reads it: the
    two administrators' halves of one agreement (docs/connecting-panopto.md, "The Panopto side
    of these settings"). The values are the portal's `panopto_configure` flags; the stand-in
    is told which claims were promised, as a Panopto administrator would read them off the
    portal's documentation."""

    privacy_level: str = "name_and_email"
    identifier: str = "neptun_code"
    identifier_parameter: str = "neptun_code"
    custom: tuple[str, ...] = (
        "space_code=$CourseSection.sourcedId",
        "space_name=$Context.title",
    )
    opens: str = "same_window"

    def promised_claims(self) -> list[str]:
        promised = []
        if self.privacy_level in ("name", "name_and_email"):
            promised.append("name")
        if self.privacy_level in ("email", "name_and_email"):
            promised.append("email")
        if self.privacy_level != "anonymous":
            promised.append("lis.person_sourcedid")
            if self.identifier_parameter:
                promised.append(f"custom.{self.identifier_parameter}")
        return promised

    def configure_flags(self) -> list[str]:
        flags = [
            "--privacy-level", self.privacy_level,
            "--identifier", self.identifier,
            "--identifier-parameter", self.identifier_parameter,
            "--opens", self.opens,
        ]  # fmt: skip
        for parameter in self.custom:
            flags += ["--custom", parameter]
        return flags if self.custom else [*flags, "--no-custom"]


# The demo's agreement: names, e-mail addresses and the Neptun code, which Panopto's username
# parameter override reads from the custom parameter neptun_code.
DEMO_LAUNCH = LaunchAgreement()


def stand_in_origin_for(portal_url: str) -> str:
    """The stand-in's origin in the demo: the portal's port under the other loopback name, so
    that the browser treats portal and stand-in as different sites, as with real Panopto. (Any
    other portal host gives localhost: pass seed_demo --panopto-url for a demo served elsewhere.)
    """
    parts = urlsplit(portal_url)
    other = "127.0.0.1" if parts.hostname == "localhost" else "localhost"
    netloc = f"{other}:{parts.port}" if parts.port else other
    return urlunsplit((parts.scheme, netloc, "", "", ""))


def connect_stand_in(
    *,
    portal_url: str,
    stand_in_origin: str,
    client_id: str = DEMO_CLIENT_ID,
    deployment_id: str = DEMO_DEPLOYMENT_ID,
    launch: LaunchAgreement | None = None,
    stdout=None,
) -> None:
    """Register the stand-in with the portal and the portal with the stand-in (idempotent).
    `portal_url` must be the portal's issuer (settings.LTI_ISSUER). With `launch`, both sides
    are also set to its agreement; without, what they have is kept."""
    portal_url, stand_in_origin = portal_url.rstrip("/"), stand_in_origin.rstrip("/")

    def tool(name: str) -> str:
        return stand_in_origin + reverse(f"panopto_simulator:{name}")

    provider = api_provider_ensure(instance_name=DEMO_API_PROVIDER)
    rest_client = api_client_ensure(client_id=DEMO_REST_CLIENT_ID, name="Neptun portal (demo)")
    with (
        _in_environment(_KEY_VARIABLE, provider.application_key),
        _in_environment(_SECRET_VARIABLE, rest_client.client_secret),
    ):
        call_command(
            "panopto_configure",
            "--client-id", client_id,
            "--deployment-id", deployment_id,
            "--login-url", tool("login"),
            "--launch-url", tool("launch"),
            "--deep-linking-url", tool("deep_link"),
            "--redirect-uri", tool("launch"),
            "--redirect-uri", tool("deep_link"),
            "--jwks-url", tool("jwks"),
            "--site-url", tool("dashboard"),
            *(launch.configure_flags() if launch else []),
            "--api-provider-name", DEMO_API_PROVIDER,
            "--api-user", DEMO_API_USER,
            "--api-key-env", _KEY_VARIABLE,
            "--api-rest-client-id", rest_client.client_id,
            "--api-rest-client-secret-env", _SECRET_VARIABLE,
            stdout=stdout,
        )  # fmt: skip
    registration_configure(
        issuer=portal_url,
        client_id=client_id,
        deployment_ids=[deployment_id],
        auth_login_url=portal_url + reverse("lti_platform:authorize"),
        key_set_url=portal_url + reverse("lti_platform:jwks"),
        public_origin=stand_in_origin,
        promised_claims=launch.promised_claims() if launch else None,
        username_parameter=launch.identifier_parameter if launch else None,
    )
