"""Give versions made before the editorial workflow their state.

Every earlier version came from a content file, whose front matter carries its review: the
published one is `published`, older ones `superseded`, and any newer unpublished one
`approved` (reviewed, waiting to be published).
"""

from django.db import migrations


def mark_states(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleVersion = apps.get_model("articles", "ArticleVersion")
    for article in Article.objects.select_related("published_version"):
        published = article.published_version
        for version in ArticleVersion.objects.filter(article=article):
            if published and version.pk == published.pk:
                version.state = "published"
            elif published and version.number < published.number:
                version.state = "superseded"
            else:
                version.state = "approved"
            version.from_file = True
            version.save(update_fields=["state", "from_file"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_editorial_workflow")]

    operations = [migrations.RunPython(mark_states, migrations.RunPython.noop)]
