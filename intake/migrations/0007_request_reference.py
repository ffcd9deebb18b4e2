"""Each request gets a random reference the patient can quote; existing ones get one too."""

from django.db import migrations, models

import intake.models


def give_references(apps, schema_editor):
    ContactSubmission = apps.get_model("intake", "ContactSubmission")
    used = set()
    for submission in ContactSubmission.objects.filter(reference__isnull=True).only("pk"):
        reference = intake.models.new_reference()
        while reference in used:
            reference = intake.models.new_reference()
        used.add(reference)
        ContactSubmission.objects.filter(pk=submission.pk).update(reference=reference)


class Migration(migrations.Migration):
    dependencies = [("intake", "0006_audit_not_spam")]

    operations = [
        migrations.AddField(
            model_name="contactsubmission",
            name="reference",
            field=models.CharField(editable=False, max_length=8, null=True),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="contactsubmission",
            name="reference",
            field=models.CharField(
                default=intake.models.new_reference,
                editable=False,
                help_text="The reference the patient was shown, to quote when they call.",
                max_length=8,
                unique=True,
            ),
        ),
    ]
