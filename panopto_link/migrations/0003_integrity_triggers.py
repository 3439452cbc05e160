"""Database triggers for the two rules a CHECK constraint cannot express.

1. A folder's context id (and resource link id) never changes once issued: Panopto keys the
   folder by it, so a changed id would silently open a new, empty folder.
2. Only a course space links other spaces' folders (the rule spans two tables).

They hold for every writer — the ORM, `QuerySet.update()`, raw SQL, a data migration.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER panoptofolder_ids_immutable
    BEFORE UPDATE OF context_id, resource_link_id ON panopto_link_panoptofolder
    FOR EACH ROW
    WHEN NEW.context_id IS NOT OLD.context_id OR NEW.resource_link_id IS NOT OLD.resource_link_id
    BEGIN
        SELECT RAISE(ABORT, 'the context id of a Panopto folder never changes');
    END
    """,
    """
    CREATE TRIGGER folderlink_course_only_insert
    BEFORE INSERT ON panopto_link_folderlink
    FOR EACH ROW
    WHEN (SELECT space_type FROM virtualspaces_virtualspace WHERE id = NEW.course_id)
         IS NOT 'course'
    BEGIN
        SELECT RAISE(ABORT, 'only a course space can link Panopto folders');
    END
    """,
    """
    CREATE TRIGGER folderlink_course_only_update
    BEFORE UPDATE OF course_id ON panopto_link_folderlink
    FOR EACH ROW
    WHEN (SELECT space_type FROM virtualspaces_virtualspace WHERE id = NEW.course_id)
         IS NOT 'course'
    BEGIN
        SELECT RAISE(ABORT, 'only a course space can link Panopto folders');
    END
    """,
    """
    CREATE TRIGGER virtualspace_linking_stays_course
    BEFORE UPDATE OF space_type ON virtualspaces_virtualspace
    FOR EACH ROW
    WHEN NEW.space_type IS NOT 'course'
         AND EXISTS (SELECT 1 FROM panopto_link_folderlink WHERE course_id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'only a course space can link Panopto folders');
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS panoptofolder_ids_immutable",
    "DROP TRIGGER IF EXISTS folderlink_course_only_insert",
    "DROP TRIGGER IF EXISTS folderlink_course_only_update",
    "DROP TRIGGER IF EXISTS virtualspace_linking_stays_course",
]

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION panoptofolder_ids_immutable() RETURNS trigger AS $$
    BEGIN
        IF NEW.context_id IS DISTINCT FROM OLD.context_id
           OR NEW.resource_link_id IS DISTINCT FROM OLD.resource_link_id THEN
            RAISE EXCEPTION 'the context id of a Panopto folder never changes'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER panoptofolder_ids_immutable
    BEFORE UPDATE ON panopto_link_panoptofolder
    FOR EACH ROW EXECUTE FUNCTION panoptofolder_ids_immutable()
    """,
    """
    CREATE FUNCTION folderlink_course_only() RETURNS trigger AS $$
    BEGIN
        IF (SELECT space_type FROM virtualspaces_virtualspace WHERE id = NEW.course_id)
           IS DISTINCT FROM 'course' THEN
            RAISE EXCEPTION 'only a course space can link Panopto folders'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER folderlink_course_only
    BEFORE INSERT OR UPDATE OF course_id ON panopto_link_folderlink
    FOR EACH ROW EXECUTE FUNCTION folderlink_course_only()
    """,
    """
    CREATE FUNCTION virtualspace_linking_stays_course() RETURNS trigger AS $$
    BEGIN
        IF NEW.space_type IS DISTINCT FROM 'course'
           AND EXISTS (SELECT 1 FROM panopto_link_folderlink WHERE course_id = NEW.id) THEN
            RAISE EXCEPTION 'only a course space can link Panopto folders'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER virtualspace_linking_stays_course
    BEFORE UPDATE OF space_type ON virtualspaces_virtualspace
    FOR EACH ROW EXECUTE FUNCTION virtualspace_linking_stays_course()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS virtualspace_linking_stays_course ON virtualspaces_virtualspace",
    "DROP FUNCTION IF EXISTS virtualspace_linking_stays_course()",
    "DROP TRIGGER IF EXISTS folderlink_course_only ON panopto_link_folderlink",
    "DROP FUNCTION IF EXISTS folderlink_course_only()",
    "DROP TRIGGER IF EXISTS panoptofolder_ids_immutable ON panopto_link_panoptofolder",
    "DROP FUNCTION IF EXISTS panoptofolder_ids_immutable()",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _run(schema_editor, index: int) -> None:
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(
            f"No integrity triggers written for {schema_editor.connection.vendor}; "
            "supported databases are SQLite and PostgreSQL."
        )
    for statement in statements[index]:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def backward(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [
        ("panopto_link", "0002_initial"),
        ("virtualspaces", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
