import pytest
from django.db import IntegrityError, transaction

from articles.models import Article, ArticleVersion, VersionImmutableError
from tests.factories import make_article


def test_saved_version_cannot_be_changed(db):
    version = make_article().published_version
    version.title = "Changed"

    with pytest.raises(VersionImmutableError, match="cannot be changed"):
        version.save()

    assert ArticleVersion.objects.get().title == "Test article"


def test_saved_version_cannot_be_deleted(db):
    version = make_article().published_version

    with pytest.raises(VersionImmutableError, match="cannot be deleted"):
        version.delete()
    with pytest.raises(VersionImmutableError):
        ArticleVersion.objects.all().delete()
    with pytest.raises(VersionImmutableError):
        ArticleVersion.objects.update(title="bulk")

    assert ArticleVersion.objects.get().title == "Test article"


def test_article_with_versions_cannot_be_deleted(db):
    article = make_article()

    with pytest.raises(Exception):  # noqa: B017 - ProtectedError or VersionImmutableError
        article.delete()

    assert Article.objects.exists()


def test_version_numbers_are_unique_per_article_in_the_database(db):
    version = make_article().published_version
    clone = ArticleVersion(
        article=version.article,
        number=version.number,
        title="t",
        summary="s",
        body="b",
        body_html="b",
        last_reviewed=version.last_reviewed,
        next_review_due=version.next_review_due,
        content_sha256="0" * 64,
        source="test",
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_published_queryset_excludes_unpublished_articles(db):
    make_article(slug="live")
    make_article(slug="draft-only", publish=False)

    assert list(Article.objects.published().values_list("slug", flat=True)) == ["live"]


def test_version_str_names_article_and_number(db):
    assert str(make_article().published_version) == "test-article v1"
