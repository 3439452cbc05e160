"""Rolling deploys: while the new code migrates, the old code still inserts rows without the new
columns. So every column added to an existing table has a default in the database
(`db_default`) or allows NULL — the old code's INSERT would fail otherwise. This walks every
AddField of the project's migrations."""

from django.apps import apps
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.models import NOT_PROVIDED

PROJECT_PACKAGES = ("core", "portal", "virtualspaces", "panopto_link")

# Added before this rule (issue 23) and deployed since: listed, never to grow.
BEFORE_THE_RULE = {
    ("panopto_link", "0005_video_links"),
    ("panopto_link", "0006_launch_record_attempts"),
    ("panopto_link", "0010_video_link_recordings"),
    ("panopto_simulator", "0002_promised_claims_and_username"),
}


def project_migrations():
    labels = {
        config.label
        for config in apps.get_app_configs()
        if config.name.split(".")[0] in PROJECT_PACKAGES
    }
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (label, name), migration in sorted(loader.disk_migrations.items()):
        if label in labels:
            yield (label, name), migration


def columns_the_old_code_cannot_fill():
    found = []
    for key, migration in project_migrations():
        # An initial migration creates its tables (split in two where models refer to each
        # other): no old code writes to them yet.
        if key in BEFORE_THE_RULE or migration.initial:
            continue
        created = {
            operation.name_lower
            for operation in migration.operations
            if isinstance(operation, migrations.CreateModel)
        }
        for operation in migration.operations:
            if not isinstance(operation, migrations.AddField):
                continue
            field = operation.field
            if operation.model_name_lower in created or field.null:
                continue
            if field.many_to_many:
                continue
            if field.db_default is NOT_PROVIDED:
                found.append(f"{key[0]}.{key[1]}: {operation.model_name}.{operation.name}")
    return found


def test_every_added_column_has_a_database_default():
    assert columns_the_old_code_cannot_fill() == []


def test_the_walk_sees_the_api_settings_columns():
    # The walk can fail: the registration's API settings are among the fields it checks.
    walked = [
        (key, operation.name)
        for key, migration in project_migrations()
        for operation in migration.operations
        if isinstance(operation, migrations.AddField)
    ]
    assert (("panopto_link", "0012_registration_api_settings"), "api_key_encrypted") in walked
