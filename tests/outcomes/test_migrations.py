"""Stored article HTML made before calls to action were numbered gains the numbers."""

import importlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.factories import make_article

migration = importlib.import_module("outcomes.migrations.0002_number_calls_to_action")
BODY = 'Intro.\n\n!!! cta "One"\n    First.\n\nMiddle.\n\n!!! cta "Two"\n    Second.\n'


def test_old_call_to_action_links_get_their_positions_and_nothing_else_changes(db):
    # The models as the migration sees them (no guard against changing a version's row).
    apps = (
        MigrationLoader(connection).project_state(("outcomes", "0002_number_calls_to_action")).apps
    )
    ArticleVersion = apps.get_model("articles", "ArticleVersion")  # noqa: N806
    version = make_article(BODY, slug="numbered").published_version
    rendered_now = version.body_html
    old = rendered_now.replace("&amp;cta=1", "").replace("&amp;cta=2", "")
    ArticleVersion.objects.filter(pk=version.pk).update(body_html=old)

    migration.number_links(apps, None)
    numbered = ArticleVersion.objects.get(pk=version.pk).body_html
    migration.unnumber_links(apps, None)

    assert old != rendered_now
    assert numbered == rendered_now
    assert ArticleVersion.objects.get(pk=version.pk).body_html == old
