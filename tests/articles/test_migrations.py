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


@pytest.fixture
def before_signoffs(transactional_db):
    apps = migrate([("articles", "0004_publish_stamp")])
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_existing_reviewers_and_approvals_keep_their_names_as_signed(before_signoffs):
    apps = before_signoffs
    User = apps.get_model("auth", "User")
    Article = apps.get_model("articles", "Article")
    ArticleVersion = apps.get_model("articles", "ArticleVersion")
    Reviewer = apps.get_model("articles", "Reviewer")
    VersionReviewer = apps.get_model("articles", "VersionReviewer")
    Approval = apps.get_model("articles", "Approval")
    day = datetime.date(2025, 3, 13)
    user = User.objects.create(username="rhea")
    reviewer = Reviewer.objects.create(name="Rhea Medic", credentials="MD", user=user)
    version = ArticleVersion.objects.create(
        article=Article.objects.create(slug="live"),
        number=1,
        title="t",
        summary="s",
        body="b",
        body_html="<p>b</p>",
        state="approved",
        last_reviewed=day,
        next_review_due=day,
        content_sha256="a" * 64,
        source="admin: edna",
    )
    VersionReviewer.objects.create(version=version, reviewer=reviewer, position=0)
    Approval.objects.create(
        version=version,
        reviewer=reviewer,
        approved_by=user,
        approved_at=datetime.datetime(2025, 3, 13, 12, tzinfo=datetime.UTC),
        text_sha256="b" * 64,
    )

    apps = migrate([("articles", "0005_every_listed_reviewer_signs")])

    link = apps.get_model("articles", "VersionReviewer").objects.get()
    assert (link.name, link.credentials) == ("Rhea Medic", "MD")
    approval = apps.get_model("articles", "Approval").objects.get()
    assert (approval.version_id, approval.text_sha256) == (version.pk, "b" * 64)
    assert (approval.reviewer_name, approval.reviewer_credentials) == ("Rhea Medic", "MD")
