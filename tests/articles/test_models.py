import datetime

import pytest
from django.db import IntegrityError, transaction

from articles.models import Article, ArticleVersion, VersionImmutableError, VersionState
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


# --- editors' workflow: what the model itself refuses ------------------------------------------


def _draft():
    from tests.factories import make_draft, make_editor

    return make_draft(make_article(), by=make_editor())


def test_draft_text_can_change_but_not_its_number_or_review(db):
    draft = _draft()
    draft.body = "Edited in place.\n"
    draft.save()
    assert ArticleVersion.objects.get(pk=draft.pk).body == "Edited in place.\n"

    draft.number = 99
    with pytest.raises(VersionImmutableError, match=r"cannot be changed \(number\)"):
        draft.save()


def test_a_draft_cannot_jump_to_published(db):
    draft = _draft()
    draft.state = VersionState.PUBLISHED

    with pytest.raises(VersionImmutableError, match="cannot go from draft to published"):
        draft.save()


def test_review_fields_change_only_on_approval(db):
    draft = _draft()
    draft.last_reviewed = datetime.date(2025, 1, 1)
    draft.next_review_due = datetime.date(2026, 1, 1)

    with pytest.raises(VersionImmutableError, match="last_reviewed"):
        draft.save()


def test_superseded_version_cannot_come_back(db):
    from tests.factories import make_draft, make_editor

    article = make_article()
    make_draft(article, by=make_editor())  # v2
    version = make_article(body="Newer file text.\n").versions.get(number=1)
    version.refresh_from_db()
    assert version.state == VersionState.SUPERSEDED
    version.state = VersionState.PUBLISHED

    with pytest.raises(VersionImmutableError):
        version.save()


def test_database_refuses_an_approved_version_without_a_review(db):
    article = make_article()
    unreviewed = ArticleVersion(
        article=article,
        number=2,
        title="t",
        summary="s",
        body="b",
        body_html="b",
        source="test",
        state=VersionState.APPROVED,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        unreviewed.save()


def test_approvals_and_history_cannot_be_changed(db):
    from appendonly.models import AppendOnlyError
    from tests.factories import make_approved, make_editor, make_medical_reviewer

    version = make_approved(make_article(), editor=make_editor(), reviewer=make_medical_reviewer())
    approval, event = version.approval, version.events.last()
    approval.text_sha256 = "0" * 64
    event.note = "rewritten"

    with pytest.raises(AppendOnlyError):
        approval.save()
    with pytest.raises(AppendOnlyError):
        approval.delete()
    with pytest.raises(AppendOnlyError):
        event.save()
