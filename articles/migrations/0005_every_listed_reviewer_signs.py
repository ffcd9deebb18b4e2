"""Every listed reviewer signs: several approvals per version, each keeping the signer's name
and credentials as they were; a version's reviewer list keeps the names a content file gave.

Existing rows are filled from the Reviewer records they point at, so nothing is lost and
every version hashes as before.
"""

import django.db.models.deletion
from django.db import migrations, models


def snapshot_names(apps, schema_editor):
    VersionReviewer = apps.get_model("articles", "VersionReviewer")
    Approval = apps.get_model("articles", "Approval")
    for link in VersionReviewer.objects.select_related("reviewer"):
        VersionReviewer.objects.filter(pk=link.pk).update(
            name=link.reviewer.name, credentials=link.reviewer.credentials
        )
    for approval in Approval.objects.select_related("reviewer"):
        Approval.objects.filter(pk=approval.pk).update(
            reviewer_name=approval.reviewer.name,
            reviewer_credentials=approval.reviewer.credentials,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_publish_stamp"),
    ]

    operations = [
        migrations.AddField(
            model_name="versionreviewer",
            name="name",
            field=models.CharField(
                blank=True, help_text="As the content file gave it.", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="versionreviewer",
            name="credentials",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="approval",
            name="reviewer_name",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="approval",
            name="reviewer_credentials",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="approval",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="approvals",
                to="articles.articleversion",
            ),
        ),
        migrations.AddConstraint(
            model_name="approval",
            constraint=models.UniqueConstraint(
                fields=("version", "reviewer", "text_sha256"), name="one_approval_per_text"
            ),
        ),
        migrations.RunPython(snapshot_names, migrations.RunPython.noop),
    ]
