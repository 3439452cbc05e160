"""The launch's two requests make the fewest queries SPEC §3 allows, the same however many
spaces the user belongs to (bench/ measures them on an institute of a million memberships;
docs/decisions/0011)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, SpaceFactory
from tests.lti_tool import form_fields, query

pytestmark = pytest.mark.django_db


def launch_queries(client, world, tool) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as initiation:
        response = client.post(f"/panopto/launch/{world.course.pk}/")
    login = tool.login(query(response["Location"]))
    with CaptureQueriesContext(connection) as authorization:
        response = client.get(login.auth_url)
    assert "id_token" in form_fields(response.content.decode())[1]
    return len(initiation), len(authorization)


def test_launch_query_counts_do_not_grow_with_the_users_memberships(client, world, tool):
    world.create_context()
    client.force_login(world.member)
    launch_queries(client, world, tool)  # the first launch also reads and parses the keys
    few = launch_queries(client, world, tool)
    for _ in range(20):
        MembershipFactory(user=world.member, space=SpaceFactory())
    assert launch_queries(client, world, tool) == few


# Each step: the session and its user (Django's), the launch's one read (the registration with
# the licence, the space with its folders and the user's roles), and one write. On PostgreSQL the
# authorization's write is one statement (the hint's consumption and its record); the embedded
# SQLite writes the two in a transaction, a savepoint inside the test's own.
LAUNCH_QUERIES = {"postgresql": (4, 4), "sqlite": (4, 7)}


def test_each_launch_step_reads_once_and_writes_once(client, world, tool):
    world.create_context()
    client.force_login(world.member)
    launch_queries(client, world, tool)  # the first launch also reads and parses the keys
    assert launch_queries(client, world, tool) == LAUNCH_QUERIES[connection.vendor]
