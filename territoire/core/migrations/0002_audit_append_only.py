"""The audit log is append-only at the database level too, not just in the ORM.

Staff, and code that bypasses the model (queryset.update(), raw SQL), cannot change
or delete an entry: the database refuses. Only dropping the table (an operator's
act, outside the application) removes entries.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditentry_no_change BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = (
        POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
