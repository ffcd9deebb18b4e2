"""Call-to-action links in stored article HTML gain their position (`&cta=N`, from 1).

Versions store their rendered HTML, and versions made before calls to action were numbered
link with `?source=<slug>` only. Only those links change; the text approved is untouched.
"""

import re

from django.db import migrations

UNNUMBERED = re.compile(r'href="(/contact/\?source=[-a-zA-Z0-9_%]+)"')
NUMBERED = re.compile(r'(href="/contact/\?source=[-a-zA-Z0-9_%]+)&amp;cta=\d+"')


def number_links(apps, schema_editor):
    ArticleVersion = apps.get_model("articles", "ArticleVersion")
    for version in ArticleVersion.objects.only("pk", "body_html").iterator():
        positions = iter(range(1, 1000))
        html = UNNUMBERED.sub(
            lambda match: f'href="{match.group(1)}&amp;cta={next(positions)}"', version.body_html
        )
        if html != version.body_html:
            ArticleVersion.objects.filter(pk=version.pk).update(body_html=html)


def unnumber_links(apps, schema_editor):
    ArticleVersion = apps.get_model("articles", "ArticleVersion")
    for version in ArticleVersion.objects.only("pk", "body_html").iterator():
        html = NUMBERED.sub(r'\1"', version.body_html)
        if html != version.body_html:
            ArticleVersion.objects.filter(pk=version.pk).update(body_html=html)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_publish_stamp"),
        ("outcomes", "0001_counts"),
    ]

    operations = [migrations.RunPython(number_links, unnumber_links)]
