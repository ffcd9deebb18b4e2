"""The publish stamp now belongs to the frontcache app (with the page cache that reads it).

State only: the table and its row stay; frontcache's 0002 takes the model over and renames
the table, keeping the row.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_visible_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PublishStamp")],
            database_operations=[],
        ),
    ]
