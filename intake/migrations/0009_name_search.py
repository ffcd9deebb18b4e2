# The name folded (no case, no accents) for the staff search: a stored column works the same
# on SQLite and PostgreSQL (PostgreSQL's unaccent would need a second extension and an
# immutable wrapper to be indexed). On PostgreSQL the search's UPPER(..) LIKE '%term%' is
# served by a trigram index on the new column, as migration 0002 did for the name.

from django.db import migrations, models

import intake.models


def fill_name_search(apps, schema_editor):
    ContactSubmission = apps.get_model("intake", "ContactSubmission")
    rows = ContactSubmission.objects.only("pk", "name")
    for submission in rows.iterator(chunk_size=2000):
        ContactSubmission.objects.filter(pk=submission.pk).update(
            name_search=intake.models.fold(submission.name)
        )


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS intake_submission_name_search_trgm "
        "ON intake_contactsubmission USING gin (UPPER(name_search::text) gin_trgm_ops)"
    )
    # The name itself is no longer searched.
    schema_editor.execute("DROP INDEX IF EXISTS intake_submission_name_trgm")


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS intake_submission_name_search_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS intake_submission_name_trgm "
        "ON intake_contactsubmission USING gin (UPPER(name::text) gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("intake", "0008_contact_attempts_overdue_alert")]

    operations = [
        migrations.AddField(
            model_name="contactsubmission",
            name="name_search",
            field=models.CharField(default="", editable=False, max_length=300),
        ),
        migrations.RunPython(fill_name_search, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
