# Indexes for the staff queue's search, measured with 100,000 requests (docs/BENCHMARKS.md).
#
# The admin searches name, email and phone with UPPER("col"::text) LIKE UPPER('%term%'):
# without an index that is a full scan per query, and a search page runs four of them.
# PostgreSQL's trigram GIN indexes on the same expressions serve those LIKEs; SQLite has no
# such index, so there this part does nothing. The btree on phone serves the exact match
# the admin adds for a term that reads as a phone number.

from django.db import migrations, models

SEARCHED = ["name", "email", "phone"]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13:
    # the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS intake_submission_{column}_trgm "
            f"ON intake_contactsubmission USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS intake_submission_{column}_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0001_contact_submissions_notes_audit"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contactsubmission",
            index=models.Index(fields=["phone"], name="intake_submission_phone"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
