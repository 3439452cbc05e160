"""The migrations of issue 12 keep what a running portal has: each `send_name`/`send_email`
choice becomes the privacy level that sends the same claims (and back), and folders that a
launch has already used are marked so, whereupon the database refuses to change their context
id."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("panopto_link", "0006_launch_record_attempts"), ("portal", "0001_initial")]
AFTER = [("panopto_link", "0009_launch_record_sent")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_issue_12():
    apps = migrate(BEFORE)
    yield apps
    migrate(executor_leaf_nodes())


def executor_leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.parametrize(
    ("send_name", "send_email", "level"),
    [
        (False, False, "anonymous"),
        (True, False, "name"),
        (False, True, "email"),
        (True, True, "name_and_email"),
    ],
)
def test_each_privacy_switch_pair_becomes_the_level_sending_the_same_claims_and_back(
    before_issue_12, send_name, send_email, level
):
    Registration = before_issue_12.get_model("panopto_link", "PanoptoRegistration")
    Registration.objects.create(pk=1, client_id="c", send_name=send_name, send_email=send_email)
    apps = migrate(AFTER)
    registration = apps.get_model("panopto_link", "PanoptoRegistration").objects.get()
    assert registration.privacy_level == level
    apps = migrate(BEFORE)
    registration = apps.get_model("panopto_link", "PanoptoRegistration").objects.get()
    assert (registration.send_name, registration.send_email) == (send_name, send_email)


def test_folders_a_launch_used_are_marked_and_keep_their_context_id(before_issue_12):
    Space = before_issue_12.get_model("virtualspaces", "VirtualSpace")
    Folder = before_issue_12.get_model("panopto_link", "PanoptoFolder")
    LaunchRecord = before_issue_12.get_model("panopto_link", "LaunchRecord")
    clicked_at = timezone.now() - datetime.timedelta(days=3)
    spaces = [
        Space.objects.create(code=f"S{n}", name=f"S{n}", space_type="subject") for n in range(3)
    ]
    clicked = Folder.objects.create(space=spaces[0], context_id="clicked", resource_link_id="r0")
    created = Folder.objects.create(
        space=spaces[1],
        context_id="created",
        resource_link_id="r1",
        state="created",
        created_at=clicked_at,
    )
    unused = Folder.objects.create(space=spaces[2], context_id="unused", resource_link_id="r2")
    LaunchRecord.objects.create(
        stage="initiation", outcome="accepted", context_id="clicked", created_at=clicked_at
    )
    LaunchRecord.objects.create(stage="initiation", outcome="refused", context_id="unused")

    apps = migrate(AFTER)
    Folder = apps.get_model("panopto_link", "PanoptoFolder")
    assert Folder.objects.get(pk=clicked.pk).context_used_at == clicked_at
    assert Folder.objects.get(pk=created.pk).context_used_at == clicked_at
    assert Folder.objects.get(pk=unused.pk).context_used_at is None
    for folder in (clicked, created):
        with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
            Folder.objects.filter(pk=folder.pk).update(context_id="changed")
    Folder.objects.filter(pk=unused.pk).update(context_id="an-existing-folder")


def test_the_previous_release_keeps_working_beside_this_one(before_issue_12):
    """During a release, servers of the previous release read and insert rows of the tables
    this release changed: the removed switches' columns are still there, and every new column
    has a database default (docs/operations.md, "A release")."""
    migrate(AFTER)
    # SQLite serves one process (the demo): no two releases run side by side, and it rebuilds
    # a table without the columns its model no longer has. PostgreSQL keeps them.
    switches = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        # The previous release's model, as its SQL names the columns.
        cursor.execute(
            "INSERT INTO panopto_link_panoptoregistration (id, is_enabled, client_id, "
            "deployment_id, login_url, launch_url, redirect_uris, deep_linking_url, jwks_url, "
            "site_url, updated_at" + (", send_name, send_email" if switches else "") + ") "
            "VALUES (1, %s, 'c', '', '', '', '', '', '', '', %s"
            + (", %s, %s" if switches else "")
            + ")",
            [True, timezone.now(), *([True, False] if switches else [])],
        )
        if switches:
            cursor.execute("SELECT send_name, send_email FROM panopto_link_panoptoregistration")
            assert cursor.fetchone() == (True, False)
        cursor.execute(
            "INSERT INTO virtualspaces_virtualspace (name, code, space_type, semester, "
            "is_public, description, created_at) VALUES ('S', 'S1', 'subject', '', %s, '', %s)",
            [False, timezone.now()],
        )
        cursor.execute("SELECT id FROM virtualspaces_virtualspace WHERE code = 'S1'")
        space_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO panopto_link_panoptofolder (space_id, context_id, resource_link_id, "
            "state, is_enabled) VALUES (%s, 'ctx', 'rl', 'not_created', %s)",
            [space_id, True],
        )
        cursor.execute(
            "INSERT INTO panopto_link_launchrecord (created_at, stage, outcome, reason, detail, "
            "context_id, role_sent, message_type, client_id, hint_id, attempts) "
            "VALUES (%s, 'initiation', 'accepted', '', '', 'ctx', '', '', 'c', '', 1)",
            [timezone.now()],
        )
    apps = migrate(AFTER)
    registration = apps.get_model("panopto_link", "PanoptoRegistration").objects.get()
    assert (registration.privacy_level, registration.identifier_kind) == ("name", "username")
    assert registration.custom_parameters == "" and registration.launch_opens == "same_window"
    folder = apps.get_model("panopto_link", "PanoptoFolder").objects.get()
    assert folder.is_existing_folder is False
    assert apps.get_model("panopto_link", "LaunchRecord").objects.get().sent is None
