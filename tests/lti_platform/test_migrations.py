"""The platform became an app of its own (issue 22) without moving data: a database of the
previous release — launch records, signing keys, consumed single-use values, a group allowed to
view the launch records, the admin's history of a key — comes through the migration with every
row where it was, the permissions and the history attached, and new rows numbered on. And back."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from panopto_link.lti_platform.models import ConsumedToken, LaunchRecord, PlatformKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The previous release: the platform's models were panopto_link's, the last of its migrations
# 0012; no lti_platform migration had run.
BEFORE = [
    ("panopto_link", "0012_video_link_item_identity"),
    ("portal", "0002_user_neptun_code"),
    ("admin", "0003_logentry_add_action_flag_choices"),
]
MODELS = ("launchrecord", "platformkey", "consumedtoken")


def migrate(targets, *, unapplied=()):
    """Migrate to `targets`, with the apps named in `unapplied` before their first migration."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([*targets, *((app, None) for app in unapplied)])
    ContentType.objects.clear_cache()
    return executor.loader.project_state(targets).apps


def leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def previous_release():
    apps = migrate(BEFORE, unapplied=["lti_platform"])
    yield apps
    migrate(leaf_nodes())


def _previous_release_rows(apps):
    """What a running portal of the previous release holds, written through its models."""
    Space = apps.get_model("virtualspaces", "VirtualSpace")
    User = apps.get_model("portal", "User")
    Record = apps.get_model("panopto_link", "LaunchRecord")
    Key = apps.get_model("panopto_link", "PlatformKey")
    Token = apps.get_model("panopto_link", "ConsumedToken")
    ContentTypes = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    GroupThen = apps.get_model("auth", "Group")
    LogEntry = apps.get_model("admin", "LogEntry")

    space = Space.objects.create(code="MAT101", name="Analízis I", space_type="subject")
    user = User.objects.create(username="OKTATO")
    clicked = timezone.now() - datetime.timedelta(days=2)
    record = Record.objects.create(
        stage="initiation",
        outcome="accepted",
        user=user,
        space=space,
        context_id="ctx",
        client_id="panopto",
        created_at=clicked,
        sent={"claims": ["name"], "custom": [], "tool": {"privacy_level": "name"}},
        attempts=1,
    )
    key = Key.objects.create(
        kid="k1", state="current", public_jwk={"kid": "k1"}, private_key_encrypted="sealed"
    )
    token = Token.objects.create(
        kind="hint", value="h1", expires_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    # The content types and permissions as the previous release's post_migrate made them.
    types = {
        model: ContentTypes.objects.get_or_create(app_label="panopto_link", model=model)[0]
        for model in MODELS
    }
    ContentTypes.objects.filter(app_label="lti_platform").delete()
    view_records, _ = Permission.objects.get_or_create(
        content_type=types["launchrecord"],
        codename="view_launchrecord",
        defaults={"name": "Can view launch record"},
    )
    auditors = GroupThen.objects.create(name="auditors")
    auditors.permissions.add(view_records)
    staff = User.objects.create(username="IT", is_staff=True)
    LogEntry.objects.create(
        user=staff,
        content_type=types["platformkey"],
        object_id=str(key.pk),
        object_repr="k1",
        action_flag=2,
        change_message="[]",
        action_time=timezone.now(),
    )
    return {
        "record": record.pk,
        "key": key.pk,
        "token": token.pk,
        "types": {model: ct.pk for model, ct in types.items()},
        "permission": view_records.pk,
        "staff": staff.pk,
    }


def test_the_previous_releases_rows_belong_to_the_platform_app_where_they_were(
    previous_release,
):
    before = _previous_release_rows(previous_release)
    migrate(leaf_nodes())

    record = LaunchRecord.objects.select_related("user", "space").get()
    assert record.pk == before["record"]
    assert (record.user.username, record.space.code) == ("OKTATO", "MAT101")
    assert record.sent["tool"] == {"privacy_level": "name"}
    assert PlatformKey.objects.get().pk == before["key"]
    assert ConsumedToken.objects.get().pk == before["token"]
    # The tables kept their names: no data was copied.
    assert LaunchRecord._meta.db_table == "panopto_link_launchrecord"
    # New rows are numbered on from the old ones (PostgreSQL: the same sequence).
    newer = LaunchRecord.objects.create(stage="initiation", outcome="refused")
    assert newer.pk > before["record"]

    # The content types were renamed in place: permissions and history stay attached.
    for model, pk in before["types"].items():
        assert ContentType.objects.get(pk=pk).app_label == "lti_platform", model
    assert not ContentType.objects.filter(app_label="panopto_link", model__in=MODELS).exists()
    auditor = UserFactory(username="AUDITOR")
    auditor.groups.add(Group.objects.get(name="auditors"))
    assert auditor.has_perm("lti_platform.view_launchrecord")
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.get().get_admin_url() == (
        f"/admin/lti_platform/platformkey/{before['key']}/change/"
    )


def test_the_migration_goes_back_to_the_previous_release_with_every_row(previous_release):
    before = _previous_release_rows(previous_release)
    migrate(leaf_nodes())
    apps = migrate(BEFORE, unapplied=["lti_platform"])

    assert apps.get_model("panopto_link", "LaunchRecord").objects.get().pk == before["record"]
    assert apps.get_model("panopto_link", "PlatformKey").objects.get().pk == before["key"]
    assert apps.get_model("panopto_link", "ConsumedToken").objects.get().pk == before["token"]
    types = apps.get_model("contenttypes", "ContentType")
    for pk in before["types"].values():
        assert types.objects.get(pk=pk).app_label == "panopto_link"
    group = apps.get_model("auth", "Group").objects.get(name="auditors")
    assert list(group.permissions.values_list("pk", flat=True)) == [before["permission"]]


def test_content_types_made_before_the_move_finished_take_over_what_named_the_old_ones(
    previous_release,
):
    """When the new app's content types exist already beside the old ones (a `migrate` stopped
    between the two apps' migrations, and its post_migrate made them), the migration moves the
    group's permission and the admin's history to them and drops the old ones instead of
    failing on a duplicate."""
    before = _previous_release_rows(previous_release)
    ContentTypes = previous_release.get_model("contenttypes", "ContentType")
    PermissionThen = previous_release.get_model("auth", "Permission")
    for model in MODELS:
        made = ContentTypes.objects.create(app_label="lti_platform", model=model)
        PermissionThen.objects.create(
            content_type=made, codename=f"view_{model}", name=f"Can view {model}"
        )
    migrate(leaf_nodes())

    assert not ContentType.objects.filter(app_label="panopto_link", model__in=MODELS).exists()
    assert not PermissionThen.objects.filter(pk=before["permission"]).exists()
    auditor = UserFactory(username="AUDITOR")
    auditor.groups.add(Group.objects.get(name="auditors"))
    assert auditor.has_perm("lti_platform.view_launchrecord")
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.get().content_type.app_label == "lti_platform"
