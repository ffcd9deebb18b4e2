"""The publish stamp moves here from articles, its row kept: the model is taken over as it
stands in the database (articles_publishstamp), then its table is renamed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("frontcache", "0001_initial"),
        ("articles", "0008_publish_stamp_moves_to_frontcache"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PublishStamp",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("count", models.PositiveBigIntegerField(default=0)),
                        ("changed_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={"db_table": "articles_publishstamp"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="publishstamp", table=None),
    ]
