"""Refusals are recorded, but a flood of them cannot fill the launch records
(docs/decisions/0008, found from outside: each refused GET /lti/authorize/ and each garbage
POST /lti/deep-linking/return/ wrote a row, with no 429; then, issue 20: 400 garbage requests
from one signed-in student wrote 400 rows, the anonymous budget bypassed by signing in)."""

import pytest
from django.test import Client

from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from tests.lti_tool import query

pytestmark = pytest.mark.django_db

LIMIT = 30
FLOOD = 300


@pytest.fixture
def anonymous_limit(settings):
    # A day's window: the counts are fixed windows, and a test crossing a minute's boundary
    # would start a fresh allowance half-way (seen once under load).
    settings.RATE_LIMIT_ANONYMOUS_REFUSALS = (LIMIT, 86_400)


@pytest.fixture
def login_params(client, world, tool):
    world.create_context()
    client.force_login(world.member)
    initiation = client.post(f"/panopto/launch/{world.course.pk}/")
    return tool.login(query(initiation["Location"])).params


def test_a_flood_of_anonymous_authorizations_is_counted_in_one_row_and_answered_429(
    anonymous_limit, login_params
):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [attacker.get("/lti/authorize/", login_params).status_code for _ in range(FLOOD)]
    assert statuses == [200] * LIMIT + [429] * (FLOOD - LIMIT)  # login_required posted back
    records = LaunchRecord.objects.filter(stage=LaunchStage.AUTHORIZATION)
    assert records.count() == LIMIT + 1
    flood = records.get(reason="flood")
    assert flood.attempts == FLOOD - LIMIT and flood.user is None
    assert "203.0.113.7" in flood.detail and "not_signed_in" in flood.detail
    # Another address is not held back by the first one's flood.
    other = Client(REMOTE_ADDR="198.51.100.2").get("/lti/authorize/", login_params)
    assert other.status_code == 200
    assert records.count() == LIMIT + 2


def test_a_flood_of_garbage_deep_linking_returns_is_counted_in_one_row(anonymous_limit):
    attacker = Client(REMOTE_ADDR="203.0.113.8")
    statuses = [
        attacker.post("/lti/deep-linking/return/", {"JWT": "garbage"}).status_code
        for _ in range(FLOOD)
    ]
    assert statuses == [400] * LIMIT + [429] * (FLOOD - LIMIT)
    records = LaunchRecord.objects.filter(stage=LaunchStage.DEEP_LINKING_RETURN)
    assert records.count() == LIMIT + 1
    assert records.get(reason="flood").attempts == FLOOD - LIMIT


def test_every_refusal_of_a_signed_in_user_is_recorded(
    anonymous_limit, settings, client, login_params
):
    """The anonymous budget does not apply to a signed-in user: within their own budget, each
    of their refusals is a real event, kept."""
    settings.RATE_LIMIT_SIGNED_IN_REFUSALS = (2 * LIMIT, 86_400)
    params = {**login_params, "login_hint": "someone-else"}
    for _ in range(LIMIT + 10):
        assert client.get("/lti/authorize/", params).status_code == 200
    refused = LaunchRecord.objects.filter(
        stage=LaunchStage.AUTHORIZATION, outcome=LaunchOutcome.REFUSED
    )
    assert refused.count() == LIMIT + 10
    assert not refused.filter(reason="flood").exists()


def test_a_flood_by_a_signed_in_user_is_counted_in_one_row_and_answered_429(
    anonymous_limit, settings, client, world, login_params
):
    settings.RATE_LIMIT_SIGNED_IN_REFUSALS = (LIMIT, 86_400)
    garbage = {**login_params, "login_hint": "someone-else"}
    flood = 4 * LIMIT  # fewer than FLOOD: a signed-in request costs the test more
    statuses = [client.get("/lti/authorize/", garbage).status_code for _ in range(flood)]
    assert statuses == [200] * LIMIT + [429] * (flood - LIMIT)  # the refusal posted back
    refused = LaunchRecord.objects.filter(
        stage=LaunchStage.AUTHORIZATION, outcome=LaunchOutcome.REFUSED
    )
    assert refused.count() == LIMIT + 1
    counting = refused.get(reason="flood")
    assert counting.attempts == flood - LIMIT and counting.user == world.member
    assert f"user {world.member.pk}" in counting.detail
    # Another signed-in user is not held back by the first one's flood.
    other = Client()
    other.force_login(world.admin)
    assert other.get("/lti/authorize/", garbage).status_code == 200
    assert refused.count() == LIMIT + 2
