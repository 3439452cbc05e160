"""Property-based fuzzing of the platform's endpoints (Hypothesis).

Reproducible and shared between the two passes of `.ci/run`: each pass runs its half of the
budget (`MINIMUM_REQUESTS_PER_RUN`) from its own fixed seed — the SQLite pass one, the
PostgreSQL pass another — so a CI run sends over 10,000 different generated requests and any
failure replays with the seed Hypothesis prints. No deadline (the PostgreSQL pass is slower),
no example database. `HYPOTHESIS_PROFILE=explore` explores at random; `FUZZ_SCALE=2` runs a
whole CI run's budget in one pass, `FUZZ_SCALE=10` ten times that.

Every request goes through `FuzzClient`, which counts it for the run's summary and checks that
the answer is deliberate: below 500, with a clear message, never redirecting off the portal
except to the registered tool's login.
"""

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from hypothesis import HealthCheck, seed, settings

from panopto_link.lti_platform.models import (
    ConsumedToken,
    LaunchOutcome,
    LaunchRecord,
    LaunchStage,
)
from tests.panopto_link.conftest import World
from tests.robustness_report import REPORT

settings.register_profile(
    "ci",
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the Django database is per test, on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile("explore", parent=settings.get_profile("ci"))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)

FUZZ_SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
# Every fuzz test asserts it sent at least its budget; per pass the budgets add up to half of
# this, and .ci/run runs two passes with different seeds.
MINIMUM_REQUESTS_PER_RUN = 10_000
DELIBERATE = {200, 301, 302, 400, 403, 404, 405, 429}
TOOL_LOGIN_URL = "https://panopto.example.com/Panopto/oidc/login?"


def pass_seed() -> int:
    """The seed of this pass: one for SQLite, another for PostgreSQL."""
    return {"sqlite": 20261127, "postgresql": 20261128}.get(connection.vendor, 0)


def examples(count: int) -> int:
    return max(1, int(count * FUZZ_SCALE))


def fuzz_settings(budget: int):
    """`@settings(max_examples=…)` and, in CI, this pass's fixed seed."""

    def decorate(test):
        test = settings(max_examples=examples(budget))(test)
        return seed(pass_seed())(test) if PROFILE == "ci" else test

    return decorate


def stays_on_the_portal(location: str) -> bool:
    """A relative URL of this site, or an absolute one on the portal's own host. (Not Django's
    url_has_allowed_host_and_scheme: it refuses any URL over 2,048 characters, and the fuzzer's
    100 kB parameters end up in `?next=` legitimately.)"""
    parts = urlsplit(location)
    if location.startswith(("//", "\\", "/\\")) or any(ord(c) < 32 for c in location):
        return False
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme in {"http", "https"} and parts.netloc == "testserver"


def assert_deliberate(response, method: str) -> None:
    """A deliberate answer: a status the portal means, a clear message with every refusal,
    a redirect only within the portal or to the registered tool's login."""
    status = response.status_code
    assert status < 500, status
    assert status in DELIBERATE, status
    if status in (301, 302):
        location = response["Location"]
        assert location.startswith(TOOL_LOGIN_URL) or stays_on_the_portal(location), location
    if status >= 400 and method != "HEAD":
        body = response.content
        assert body.strip(), f"{status} without a message"
        if response["Content-Type"].startswith("text/html"):
            assert b"<h1" in body, f"{status} page without a heading"


@dataclass
class FuzzClient:
    """The Django test client, counting and checking every answer."""

    client: Client
    endpoint: str
    sent: int = 0

    def send(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        body: bytes | str = b"",
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        check: bool = True,
    ):
        self.sent += 1
        REPORT.requests[self.endpoint] += 1
        url = f"{path}?{query}" if query else path
        try:
            # A savepoint per request: a database error in one example (a bug the fuzzer found)
            # must not poison the test's transaction for the examples Hypothesis runs next.
            with transaction.atomic():
                response = self.client.generic(
                    method, url, body, content_type=content_type, **(headers or {})
                )
        except Exception:
            REPORT.server_errors += 1  # the app let an exception out: a 500 in production
            raise
        REPORT.statuses[response.status_code] += 1
        if response.status_code >= 500:
            REPORT.server_errors += 1
        if check:
            assert_deliberate(response, method)
        return response


def assert_launch_data_consistent(*, thorough: bool = False) -> None:
    """No launch half-written: every consumed hint belongs to exactly one accepted authorization
    record and vice versa; every accepted deep-linking return consumed its data value and its
    nonce; no context was created twice. Two counting queries after each example; `thorough`
    compares the values themselves (at the end of a test)."""
    accepted = LaunchOutcome.ACCEPTED
    records = LaunchRecord.objects.aggregate(
        authorizations=Count("pk", filter=Q(stage=LaunchStage.AUTHORIZATION, outcome=accepted)),
        hint_ids=Count(
            "hint_id",
            distinct=True,
            filter=Q(stage=LaunchStage.AUTHORIZATION, outcome=accepted),
        ),
        returns=Count("pk", filter=Q(stage=LaunchStage.DEEP_LINKING_RETURN, outcome=accepted)),
        created=Count("pk", filter=Q(reason="context_created")),
        created_spaces=Count("space", distinct=True, filter=Q(reason="context_created")),
    )
    consumed = ConsumedToken.objects.aggregate(
        hints=Count("pk", filter=Q(kind=ConsumedToken.Kind.MESSAGE_HINT)),
        data=Count("pk", filter=Q(kind=ConsumedToken.Kind.DEEP_LINKING_DATA)),
        nonces=Count("pk", filter=Q(kind=ConsumedToken.Kind.DEEP_LINKING_NONCE)),
    )
    assert records["authorizations"] == records["hint_ids"] == consumed["hints"], (
        records,
        consumed,
    )
    assert records["returns"] == consumed["data"] == consumed["nonces"], (records, consumed)
    assert records["created"] == records["created_spaces"], records
    if thorough:
        hint_ids = set(
            LaunchRecord.objects.filter(
                stage=LaunchStage.AUTHORIZATION, outcome=accepted
            ).values_list("hint_id", flat=True)
        )
        assert hint_ids == set(
            ConsumedToken.objects.filter(kind=ConsumedToken.Kind.MESSAGE_HINT).values_list(
                "value", flat=True
            )
        )
        data_ids = set(
            LaunchRecord.objects.filter(
                stage=LaunchStage.DEEP_LINKING_RETURN, outcome=accepted
            ).values_list("hint_id", flat=True)
        )
        assert data_ids == set(
            ConsumedToken.objects.filter(kind=ConsumedToken.Kind.DEEP_LINKING_DATA).values_list(
                "value", flat=True
            )
        )


@pytest.fixture
def fuzz_world(licence, registration, settings):
    """The launch world of tests/panopto_link (a course with its administrator, member, guest
    member and public guest, its subject's folder linked), with no rate limits: the fuzzer
    should reach the code behind them (the limits have their own tests)."""
    settings.RATE_LIMIT_LAUNCH = None
    settings.RATE_LIMIT_SIGN_IN = None
    settings.RATE_LIMIT_SIGN_IN_ADDRESS = None
    settings.RATE_LIMIT_ANONYMOUS_REFUSALS = None
    settings.RATE_LIMIT_SIGNED_IN_REFUSALS = None
    return World()


@pytest.fixture
def signed_in(fuzz_world):
    """A test client per role, signed in once; `anonymous` is signed in as nobody."""

    def clients(endpoint: str) -> dict[str, FuzzClient]:
        result = {}
        for role in ("admin", "member", "guest_member", "public_guest", "anonymous"):
            client = Client()
            if role != "anonymous":
                client.force_login(getattr(fuzz_world, role))
            result[role] = FuzzClient(client, endpoint)
        return result

    return clients
