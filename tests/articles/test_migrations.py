"""The workflow's data migration gives versions made before it the right state."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("articles", "0001_initial")]
AFTER = [("articles", "0003_mark_existing_version_states")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_existing_versions_become_published_superseded_or_approved(old_schema):
    Article = old_schema.get_model("articles", "Article")
    ArticleVersion = old_schema.get_model("articles", "ArticleVersion")
    day = datetime.date(2025, 3, 13)

    def version(article, number):
        return ArticleVersion.objects.create(
            article=article,
            number=number,
            title="t",
            summary="s",
            body="b",
            body_html="<p>b</p>",
            last_reviewed=day,
            next_review_due=day,
            content_sha256="a" * 64,
            source="content/x.md",
        )

    live = Article.objects.create(slug="live")
    v1, v2, v3 = (version(live, n) for n in (1, 2, 3))
    live.published_version = v2
    live.save()
    waiting = Article.objects.create(slug="waiting")
    version(waiting, 1)

    apps = migrate(AFTER)

    migrated = apps.get_model("articles", "ArticleVersion")
    states = {
        (v.article.slug, v.number): (v.state, v.from_file)
        for v in migrated.objects.select_related("article")
    }
    assert states == {
        ("live", 1): ("superseded", True),
        ("live", 2): ("published", True),
        ("live", 3): ("approved", True),
        ("waiting", 1): ("approved", True),
    }
