"""The migrations of issue 12 keep what a running portal has: each `send_name`/`send_email`
choice becomes the privacy level that sends the same claims (and back), and folders that a
launch has already used are marked so, whereupon the database refuses to change their context
id. And every migration lets the previous release keep inserting rows (rolling deploys, issue
20 finding 8): each column it adds has a database default or may be NULL."""

import datetime
import json

import pytest
from django.apps import apps as installed_apps
from django.db import IntegrityError, connection, migrations, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
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
    has a database default (docs/operations.md, "A release"). Run up to the last migration, so
    that every later one is held to it as well."""
    migrate(executor_leaf_nodes())
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
        # The release before 0006 knew no `attempts`; before 0010 a video had no recording key.
        cursor.execute(
            "INSERT INTO panopto_link_launchrecord (created_at, stage, outcome, reason, detail, "
            "context_id, role_sent, message_type, client_id, hint_id) "
            "VALUES (%s, 'initiation', 'refused', '', '', 'ctx', '', '', 'c', '')",
            [timezone.now()],
        )
        cursor.execute(
            "INSERT INTO panopto_link_videolink (space_id, title, text, url, custom, "
            "thumbnail_url, document_target, position, resource_link_id, created_at) "
            "VALUES (%s, 'v', '', 'https://panopto.example/v', '{}', '', 'window', 0, 'rl-v', %s)",
            [space_id, timezone.now()],
        )
    apps = migrate(executor_leaf_nodes())
    registration = apps.get_model("panopto_link", "PanoptoRegistration").objects.get()
    assert (registration.privacy_level, registration.identifier_kind) == ("name", "username")
    assert registration.custom_parameters == "" and registration.launch_opens == "same_window"
    folder = apps.get_model("panopto_link", "PanoptoFolder").objects.get()
    assert folder.is_existing_folder is False
    records = apps.get_model("lti_platform", "LaunchRecord").objects.order_by("pk")
    assert [(record.sent, record.attempts) for record in records] == [(None, 1), (None, 1)]
    assert apps.get_model("panopto_link", "VideoLink").objects.get().recording_key == ""


# Columns added NOT NULL without a database default before issue 20, and given one since
# (panopto_link 0011): nothing else may join this list.
GIVEN_A_DEFAULT_LATER = {
    ("panopto_link", "0005_video_links", "panoptoregistration", "deep_linking_url"),
    ("panopto_link", "0006_launch_record_attempts", "launchrecord", "attempts"),
    ("panopto_link", "0010_video_link_recordings", "videolink", "recording_key"),
}
PROJECT_APPS = ("portal", "virtualspaces", "panopto_link", "lti_platform")
# Models that left panopto_link for an app of their own (issue 22): where they are now.
MOVED = {"launchrecord": "lti_platform"}


def added_columns(operations):
    """The AddField operations among `operations`, also those a SeparateDatabaseAndState runs
    on the database."""
    for operation in operations:
        if isinstance(operation, migrations.AddField):
            yield operation
        elif isinstance(operation, migrations.SeparateDatabaseAndState):
            yield from added_columns(operation.database_operations)


def columns_without_a_database_default(graph_nodes):
    for (app_label, name), migration in graph_nodes.items():
        if app_label not in PROJECT_APPS or migration.initial:
            continue  # a new table: no release before it inserts into it
        for operation in added_columns(migration.operations):
            field = operation.field
            if field.many_to_many or field.null or field.has_db_default():
                continue
            yield (app_label, name, operation.model_name_lower, operation.name_lower)


@pytest.mark.django_db(transaction=False)
def test_every_column_a_migration_adds_has_a_database_default_or_may_be_null():
    """A migration that adds a NOT NULL column needs `db_default`: the previous release's
    inserts name no such column (rolling deploys, docs/operations.md "A release")."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = set(columns_without_a_database_default(loader.graph.nodes))
    assert found == GIVEN_A_DEFAULT_LATER, found - GIVEN_A_DEFAULT_LATER
    for app_label, _migration, model, name in GIVEN_A_DEFAULT_LATER:
        now_in = MOVED.get(model, app_label)
        assert installed_apps.get_model(now_in, model)._meta.get_field(name).has_db_default()


@pytest.mark.django_db(transaction=False)
def test_a_migration_adding_a_not_null_column_without_a_database_default_is_caught():
    """The check above can fail: a future migration's AddField like 0006's is found, and
    the same with `db_default`, or nullable, is not."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    future = migrations.Migration("0099_future", "virtualspaces")
    future.operations = [
        migrations.AddField("virtualspace", "rank", models.PositiveIntegerField(default=0)),
        migrations.AddField(
            "virtualspace", "weight", models.PositiveIntegerField(default=0, db_default=0)
        ),
        migrations.AddField("virtualspace", "note", models.TextField(null=True)),
    ]
    nodes = {**loader.graph.nodes, ("virtualspaces", "0099_future"): future}
    found = set(columns_without_a_database_default(nodes)) - GIVEN_A_DEFAULT_LATER
    assert found == {("virtualspaces", "0099_future", "virtualspace", "rank")}


# --- issue 21: a video link's key names the whole item ----------------------------------------

BEFORE_ISSUE_21 = [("panopto_link", "0010_video_link_recordings")]
AFTER_ISSUE_21 = [("panopto_link", "0012_video_link_item_identity")]
SHARED = "https://panopto.example.com/Panopto/LTI/LTI13.aspx"


@pytest.fixture
def before_issue_21():
    apps = migrate(BEFORE_ISSUE_21)
    yield apps
    migrate(executor_leaf_nodes())


def previous_release_inserts(space_id: int, position: int, url: str, custom: dict) -> int:
    """A link as the previous release wrote it: its SQL, its key rule (0010's)."""
    from importlib import import_module

    rule = import_module("panopto_link.migrations.0010_video_link_recordings").identity
    key = rule(url, custom)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM panopto_link_videolink "
            "WHERE space_id = %s AND recording_key = %s",
            [space_id, key],
        )
        if cursor.fetchone()[0]:
            key = ""  # the previous release kept a copy without a key
        cursor.execute(
            "INSERT INTO panopto_link_videolink (space_id, title, text, url, custom, "
            "thumbnail_url, document_target, position, created_at, resource_link_id, "
            "recording_key) VALUES (%s, 't', '', %s, %s, '', 'window', %s, %s, %s, %s)",
            [space_id, url, json.dumps(custom), position, timezone.now(), f"rl-{position}", key],
        )
        cursor.execute("SELECT MAX(id) FROM panopto_link_videolink")
        return cursor.fetchone()[0]


def test_existing_links_get_the_key_of_the_whole_item_and_keep_working(before_issue_21):
    from panopto_link.lti.deep_linking import ContentItem
    from panopto_link.services import recording_key

    Space = before_issue_21.get_model("virtualspaces", "VirtualSpace")
    space = Space.objects.create(code="S1", name="S1", space_type="subject")
    rows = {
        # Two recordings through one URL, told apart by their custom map: the old rule saw one.
        "a": previous_release_inserts(space.pk, 1, SHARED, {"context_delivery": "s-1"}),
        "b": previous_release_inserts(space.pk, 2, SHARED, {"context_delivery": "s-2"}),
        # The stand-in's old items.
        "c": previous_release_inserts(space.pk, 3, SHARED + "?v=1", {"recording_id": "R"}),
        # The same item again, with the host in capitals and the default port: one video.
        "d": previous_release_inserts(
            space.pk,
            4,
            "https://PANOPTO.example.com:443/Panopto/LTI/LTI13.aspx?v=1#t=1",
            {"recording_id": "R"},
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT recording_key FROM panopto_link_videolink WHERE id = %s", [rows["b"]]
        )
        assert cursor.fetchone()[0] == ""  # the old rule made the second video a copy

    apps = migrate(AFTER_ISSUE_21)
    VideoLink = apps.get_model("panopto_link", "VideoLink")
    keys = dict(VideoLink.objects.values_list("pk", "recording_key"))

    def key_now(url, custom):  # this release's rule, as the deep-linking return applies it
        return recording_key(
            ContentItem(
                title="",
                text="",
                url=url,
                custom=custom,
                thumbnail_url="",
                document_target="window",
                width=None,
                height=None,
            )
        )

    assert keys[rows["a"]] == key_now(SHARED, {"context_delivery": "s-1"})
    assert keys[rows["b"]] == key_now(SHARED, {"context_delivery": "s-2"})
    assert keys[rows["c"]] == key_now(SHARED + "?v=1", {"recording_id": "R"})
    assert keys[rows["d"]] == ""  # a copy of c: kept, without a key, as 0010 did
    # The previous release goes on inserting while this one runs: the table is unchanged.
    previous_release_inserts(space.pk, 5, SHARED, {"context_delivery": "s-3"})
    apps = migrate(BEFORE_ISSUE_21)
    VideoLink = apps.get_model("panopto_link", "VideoLink")
    back = dict(VideoLink.objects.values_list("pk", "recording_key"))
    assert back[rows["a"]] and back[rows["b"]] == "" and back[rows["c"]] and back[rows["d"]] == ""


@pytest.mark.parametrize(
    "url",
    [
        SHARED,
        "HTTPS://Panopto.Example.com:443/Panopto/LTI/LTI13.aspx?id=1#t=5",
        "https://panopto.example.com:8443",
        "https://[::1]:443/x",
        "javascript:alert(1)#x",
        "https://panopto.example.com:bad/",
    ],
)
def test_the_migrations_copy_of_the_rule_is_this_releases_rule(url):
    import hashlib
    from importlib import import_module

    from panopto_link.permissions import recording_identity

    copy = import_module("panopto_link.migrations.0012_video_link_item_identity").item_identity
    custom = {"context_delivery": "s-1", "b": "ü", "a": "1"}
    expected = hashlib.sha256(recording_identity(url=url, custom=custom).encode()).hexdigest()
    assert copy(url, custom) == expected
