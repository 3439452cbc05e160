"""Existing Panopto folders (issue 12): a space's folder may be given the context id of a folder
that already exists in Panopto, as long as no launch has used its own context id.

- `context_used_at` records when a launch first named the folder's context id (its message hint
  was issued); filled here for folders created or named by an accepted launch record already.
- The trigger of migration 0003 becomes: the resource link id never changes; the context id
  never changes once the folder is created or a launch used it; `context_used_at`, once set,
  stays set. It reads only the folder's own row: a trigger that read the launch records would
  break SQLite's rebuilding of that table in any later migration.
- Context ids may be as long as LTI allows (255 characters, LTI Core §5.4.1).
"""

from django.db import migrations, models
from django.db.models import Min

import panopto_link.models

SQLITE_FORWARD = [
    """
    CREATE TRIGGER panoptofolder_ids_immutable
    BEFORE UPDATE OF context_id, resource_link_id ON panopto_link_panoptofolder
    FOR EACH ROW
    WHEN NEW.resource_link_id IS NOT OLD.resource_link_id
         OR (NEW.context_id IS NOT OLD.context_id
             AND (OLD.state IS NOT 'not_created' OR OLD.context_used_at IS NOT NULL))
    BEGIN
        SELECT RAISE(ABORT, 'the context id of a Panopto folder never changes once a launch used it');
    END
    """,
    """
    CREATE TRIGGER panoptofolder_context_used_stays
    BEFORE UPDATE OF context_used_at ON panopto_link_panoptofolder
    FOR EACH ROW
    WHEN OLD.context_used_at IS NOT NULL AND NEW.context_used_at IS NULL
    BEGIN
        SELECT RAISE(ABORT, 'a used context id of a Panopto folder never changes');
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS panoptofolder_context_used_stays",
    "DROP TRIGGER IF EXISTS panoptofolder_ids_immutable",
]
# Migration 0003's trigger, restored when going back.
SQLITE_0003 = """
    CREATE TRIGGER panoptofolder_ids_immutable
    BEFORE UPDATE OF context_id, resource_link_id ON panopto_link_panoptofolder
    FOR EACH ROW
    WHEN NEW.context_id IS NOT OLD.context_id OR NEW.resource_link_id IS NOT OLD.resource_link_id
    BEGIN
        SELECT RAISE(ABORT, 'the context id of a Panopto folder never changes');
    END
"""

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION panoptofolder_ids_immutable() RETURNS trigger AS $$
    BEGIN
        IF NEW.resource_link_id IS DISTINCT FROM OLD.resource_link_id THEN
            RAISE EXCEPTION 'the resource link id of a Panopto folder never changes'
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.context_id IS DISTINCT FROM OLD.context_id
           AND (OLD.state IS DISTINCT FROM 'not_created' OR OLD.context_used_at IS NOT NULL) THEN
            RAISE EXCEPTION 'the context id of a Panopto folder never changes once a launch used it'
                USING ERRCODE = 'check_violation';
        END IF;
        IF OLD.context_used_at IS NOT NULL AND NEW.context_used_at IS NULL THEN
            RAISE EXCEPTION 'a used context id of a Panopto folder never changes'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
]
POSTGRES_BACKWARD = [
    """
    CREATE OR REPLACE FUNCTION panoptofolder_ids_immutable() RETURNS trigger AS $$
    BEGIN
        IF NEW.context_id IS DISTINCT FROM OLD.context_id
           OR NEW.resource_link_id IS DISTINCT FROM OLD.resource_link_id THEN
            RAISE EXCEPTION 'the context id of a Panopto folder never changes'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
]


def _vendor(schema_editor) -> str:
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise RuntimeError(
            f"No integrity triggers written for {vendor}; supported databases are SQLite and "
            "PostgreSQL."
        )
    return vendor


def drop_sqlite_trigger(apps, schema_editor):
    # SQLite rebuilds the folder table to widen its context id, which would drop the trigger
    # anyway; dropping it first makes the order of the rebuild irrelevant.
    if _vendor(schema_editor) == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS panoptofolder_ids_immutable")


def restore_sqlite_0003_trigger(apps, schema_editor):
    if _vendor(schema_editor) == "sqlite":
        schema_editor.execute(SQLITE_0003)


def fill_context_used_at(apps, schema_editor):
    Folder = apps.get_model("panopto_link", "PanoptoFolder")
    LaunchRecord = apps.get_model("panopto_link", "LaunchRecord")
    first_use = dict(
        LaunchRecord.objects.filter(outcome="accepted")
        .exclude(context_id="")
        .values("context_id")
        .annotate(first=Min("created_at"))
        .values_list("context_id", "first")
    )
    for folder in Folder.objects.all().iterator():
        used_at = first_use.get(folder.context_id)
        if used_at is None and folder.state == "created":
            used_at = folder.created_at
        if used_at is not None:
            Folder.objects.filter(pk=folder.pk).update(context_used_at=used_at)


def create_triggers(apps, schema_editor):
    forward = SQLITE_FORWARD if _vendor(schema_editor) == "sqlite" else POSTGRES_FORWARD
    for statement in forward:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    backward = SQLITE_BACKWARD if _vendor(schema_editor) == "sqlite" else POSTGRES_BACKWARD
    for statement in backward:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("panopto_link", "0007_registration_privacy_identity"),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_trigger, restore_sqlite_0003_trigger),
        migrations.AddField(
            model_name="panoptofolder",
            name="context_used_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When a launch first named the folder's context id (its message hint was issued); from then on the context id never changes.",
                null=True,
                verbose_name="context id first sent at",
            ),
        ),
        migrations.AddField(
            model_name="panoptofolder",
            name="is_existing_folder",
            field=models.BooleanField(
                db_default=False,
                default=False,
                editable=False,
                help_text="The context id was given by an IT administrator for a folder that already existed in Panopto (from an earlier integration).",
                verbose_name="existing Panopto folder",
            ),
        ),
        migrations.AlterField(
            model_name="launchrecord",
            name="context_id",
            field=models.CharField(blank=True, max_length=255, verbose_name="context id"),
        ),
        migrations.AlterField(
            model_name="panoptofolder",
            name="context_id",
            field=models.CharField(
                default=panopto_link.models.new_opaque_id,
                editable=False,
                max_length=255,
                unique=True,
                verbose_name="context id",
            ),
        ),
        migrations.RunPython(fill_context_used_at, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
