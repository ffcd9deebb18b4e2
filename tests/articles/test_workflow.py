"""The editors' workflow services: draft → in review → approved → published → superseded."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from articles.models import Approval, Article, ArticleVersion, VersionEvent, VersionState
from articles.services import (
    WorkflowError,
    approve_version,
    create_article,
    create_draft,
    publish_version,
    return_to_draft,
    revert_to,
    submit_for_review,
    update_draft,
)
from tests.factories import (
    make_approved,
    make_draft,
    make_staff,
)

State = VersionState


def text_of(version, **changes) -> dict:
    fields = {
        "title": version.title,
        "summary": version.summary,
        "about": version.about,
        "body": version.body,
        "change_note": version.change_note or "A change",
    }
    return {**fields, **changes}


def states(article) -> dict[int, str]:
    return dict(article.versions.order_by("number").values_list("number", "state"))


# --- the happy path --------------------------------------------------------------------------


def test_editor_and_reviewer_take_a_change_from_draft_to_published(article, editor, reviewer):
    draft = make_draft(article, by=editor, body="New text.\n")
    assert draft.state == State.DRAFT and draft.number == 2

    submit_for_review(draft, by=editor)
    approval = approve_version(draft, by=reviewer)
    publish_version(draft, by=reviewer)

    article.refresh_from_db()
    assert article.published_version == draft
    assert article.published_by == reviewer
    assert states(article) == {1: State.SUPERSEDED, 2: State.PUBLISHED}
    assert approval.reviewer.user == reviewer and approval.approved_by == reviewer
    assert len(approval.text_sha256) == 64
    actions = list(draft.events.values_list("action", flat=True))
    assert actions == ["created", "edited", "submitted", "approved", "published"]


def test_the_public_page_changes_only_at_publish(client, article, editor, reviewer):
    url = article.get_absolute_url()
    draft = make_draft(article, by=editor, body="Brand new words.\n")

    submit_for_review(draft, by=editor)
    assert b"Brand new words." not in client.get(url).content
    approve_version(draft, by=reviewer)
    assert b"Brand new words." not in client.get(url).content
    publish_version(draft, by=reviewer)

    assert b"Brand new words." in client.get(url).content


def test_new_draft_starts_from_the_published_text(article, editor):
    draft = create_draft(article, by=editor)

    assert draft.body == "Published text.\n"
    assert draft.based_on == article.published_version
    assert draft.last_reviewed is None and draft.content_sha256 == ""
    assert list(draft.ordered_reviewers) == []


def test_last_reviewed_comes_from_the_approval_not_the_edit(article, editor, reviewer):
    edit_day = timezone.make_aware(datetime.datetime(2025, 5, 1, 12))
    review_day = timezone.make_aware(datetime.datetime(2025, 6, 2, 12))
    with mock.patch("django.utils.timezone.now", return_value=edit_day):
        draft = make_draft(article, by=editor, body="Edited.\n")
        submit_for_review(draft, by=editor)
    with mock.patch("django.utils.timezone.now", return_value=review_day):
        approve_version(draft, by=reviewer)
    publish_version(draft, by=reviewer)

    draft.refresh_from_db()
    assert draft.last_reviewed == datetime.date(2025, 6, 2)
    assert draft.next_review_due == datetime.date(2026, 6, 2)
    assert [str(r) for r in draft.ordered_reviewers] == ["Rhea Medic, MD"]


# --- who may do what ---------------------------------------------------------------------------


def test_editor_cannot_approve_or_publish(article, editor, reviewer):
    draft = make_draft(article, by=editor, body="x.\n")
    submit_for_review(draft, by=editor)

    with pytest.raises(PermissionDenied):
        approve_version(draft, by=editor)
    approve_version(draft, by=reviewer)
    with pytest.raises(PermissionDenied):
        publish_version(draft, by=editor)

    assert ArticleVersion.objects.get(pk=draft.pk).state == State.APPROVED


def test_reviewer_cannot_edit_or_start_drafts(article, editor, reviewer):
    draft = make_draft(article, by=editor)

    with pytest.raises(PermissionDenied):
        create_draft(article, by=reviewer)
    with pytest.raises(PermissionDenied):
        update_draft(draft, by=reviewer, **text_of(draft, body="Sneaky.\n"))
    with pytest.raises(PermissionDenied):
        submit_for_review(draft, by=reviewer)


@pytest.mark.parametrize("group", ["Intake staff", None])
def test_other_staff_can_do_nothing(article, editor, reviewer, group):
    other = make_staff("other", *([group] if group else []))
    draft = make_draft(article, by=editor)

    with pytest.raises(PermissionDenied):
        create_draft(article, by=other)
    for step in (submit_for_review, approve_version, publish_version, revert_to):
        with pytest.raises(PermissionDenied):
            step(draft, by=other)


def test_reviewer_without_linked_credentials_cannot_approve(article, editor):
    unlinked = make_staff("unlinked", "Medical reviewers")
    draft = make_draft(article, by=editor)
    submit_for_review(draft, by=editor)

    with pytest.raises(PermissionDenied, match="credentials"):
        approve_version(draft, by=unlinked)


def test_reviewer_cannot_approve_their_own_draft(article, settings):
    settings.ARTICLES_ALLOW_SELF_APPROVAL = False
    both = make_staff("both", "Editors", "Medical reviewers")
    from articles.models import Reviewer

    Reviewer.objects.create(name="Bo Th", credentials="DO", user=both)
    draft = make_draft(article, by=both)
    submit_for_review(draft, by=both)

    with pytest.raises(PermissionDenied, match="another medical reviewer"):
        approve_version(draft, by=both)

    settings.ARTICLES_ALLOW_SELF_APPROVAL = True
    approve_version(draft, by=both)
    assert ArticleVersion.objects.get(pk=draft.pk).state == State.APPROVED


def test_editing_someone_elses_draft_counts_as_writing_it(article, editor, settings):
    both = make_staff("both", "Editors", "Medical reviewers")
    from articles.models import Reviewer

    Reviewer.objects.create(name="Bo Th", credentials="DO", user=both)
    draft = make_draft(article, by=editor)
    update_draft(draft, by=both, **text_of(draft, body="My words too.\n"))
    submit_for_review(draft, by=editor)

    with pytest.raises(PermissionDenied):
        approve_version(draft, by=both)


def test_inactive_reviewer_cannot_approve(article, editor, reviewer):
    draft = make_draft(article, by=editor)
    submit_for_review(draft, by=editor)
    reviewer.is_active = False
    reviewer.save()

    with pytest.raises(PermissionDenied):
        approve_version(draft, by=reviewer)


# --- forbidden moves ---------------------------------------------------------------------------


def test_publish_without_approval_is_refused(article, editor, reviewer):
    draft = make_draft(article, by=editor)

    with pytest.raises(WorkflowError, match="only a version that is approved"):
        publish_version(draft, by=reviewer)
    submit_for_review(draft, by=editor)
    with pytest.raises(WorkflowError, match="only a version that is approved"):
        publish_version(draft, by=reviewer)

    article.refresh_from_db()
    assert article.published_version.number == 1


def test_submitted_text_is_frozen(article, editor):
    draft = make_draft(article, by=editor)
    submit_for_review(draft, by=editor)

    with pytest.raises(WorkflowError, match="in review"):
        update_draft(draft, by=editor, **text_of(draft, body="Late change.\n"))

    assert ArticleVersion.objects.get(pk=draft.pk).body == draft.body


def test_approved_and_published_text_cannot_be_edited(article, editor, reviewer):
    approved = make_approved(article, editor=editor, reviewer=reviewer)

    with pytest.raises(WorkflowError, match="approved"):
        update_draft(approved, by=editor, **text_of(approved, body="Changed.\n"))
    publish_version(approved, by=reviewer)
    with pytest.raises(WorkflowError, match="published"):
        update_draft(approved, by=editor, **text_of(approved, body="Changed.\n"))


def test_approval_is_invalid_once_the_text_changes(article, editor, reviewer):
    approved = make_approved(article, editor=editor, reviewer=reviewer)
    # Someone writes to the database behind the application's back.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_articleversion SET body = %s WHERE id = %s",
            ["Tampered.\n", approved.pk],
        )

    with pytest.raises(WorkflowError, match="no longer matches"):
        publish_version(approved, by=reviewer)

    article.refresh_from_db()
    assert article.published_version.number == 1


def test_approval_hash_mismatch_is_refused_even_if_the_content_hash_is_forged(
    article, editor, reviewer
):
    approved = make_approved(article, editor=editor, reviewer=reviewer)
    approval = approved.approval
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_approval SET text_sha256 = %s WHERE id = %s", ["0" * 64, approval.pk]
        )

    with pytest.raises(WorkflowError, match="changed after it was approved"):
        publish_version(approved, by=reviewer)


def test_cannot_approve_twice_or_approve_a_draft(article, editor, reviewer):
    draft = make_draft(article, by=editor)
    with pytest.raises(WorkflowError, match="draft"):
        approve_version(draft, by=reviewer)
    submit_for_review(draft, by=editor)
    approve_version(draft, by=reviewer)

    with pytest.raises(WorkflowError):
        approve_version(draft, by=reviewer)
    assert Approval.objects.count() == 1


def test_cannot_submit_twice_or_without_a_change_note(article, editor):
    draft = create_draft(article, by=editor)  # no change note yet

    with pytest.raises(WorkflowError, match="change note"):
        submit_for_review(draft, by=editor)
    draft = update_draft(draft, by=editor, **text_of(draft, change_note="Why"))
    submit_for_review(draft, by=editor)
    with pytest.raises(WorkflowError):
        submit_for_review(draft, by=editor)


def test_reviewer_can_return_a_version_to_draft_with_a_reason(article, editor, reviewer):
    draft = make_draft(article, by=editor)
    submit_for_review(draft, by=editor)

    return_to_draft(draft, by=reviewer, note="Please cite the 2022 CDC guideline.")
    draft = update_draft(draft, by=editor, **text_of(draft, body="With citation.\n"))

    assert draft.state == State.DRAFT and draft.body == "With citation.\n"
    event = draft.events.get(action=VersionEvent.Action.RETURNED)
    assert event.by == reviewer and "CDC" in event.note


def test_published_version_cannot_be_published_again(article, editor, reviewer):
    approved = make_approved(article, editor=editor, reviewer=reviewer)
    publish_version(approved, by=reviewer)

    with pytest.raises(WorkflowError):
        publish_version(approved, by=reviewer)


def test_publishing_supersedes_older_open_versions(article, editor, reviewer):
    stale = make_draft(article, by=editor, body="Older draft.\n")
    newer = make_approved(article, editor=editor, reviewer=reviewer, body="Newer.\n")

    publish_version(newer, by=reviewer)

    assert states(article) == {1: State.SUPERSEDED, 2: State.SUPERSEDED, 3: State.PUBLISHED}
    with pytest.raises(WorkflowError, match="superseded"):
        update_draft(stale, by=editor, **text_of(stale))


# --- drafts: validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 161}, "summary"),
        ({"summary": "Two\nlines"}, "summary"),
        ({"body": ""}, "body"),
        ({"body": '!!! cta "Heading"\nNot indented.\n'}, "body"),
        ({"body": "Bell \x07.\n"}, "body"),
        ({"change_note": "   "}, "change_note"),
    ],
)
def test_bad_draft_text_is_refused_by_field_and_nothing_changes(article, editor, changes, field):
    draft = make_draft(article, by=editor)
    before = ArticleVersion.objects.get(pk=draft.pk).body

    with pytest.raises(ValidationError) as error:
        update_draft(draft, by=editor, **text_of(draft, **changes))

    assert field in error.value.message_dict
    assert ArticleVersion.objects.get(pk=draft.pk).body == before


def test_draft_body_is_rendered_with_the_article_slug(article, editor):
    draft = make_draft(article, by=editor, body='Intro.\n\n!!! cta "Help"\n    Call us.\n')

    assert "/contact/?source=test-article" in draft.body_html


def test_unchanged_save_records_no_edit(article, editor):
    draft = make_draft(article, by=editor)
    before = draft.events.count()

    update_draft(draft, by=editor, **text_of(draft))

    assert draft.events.count() == before


# --- revert and new articles -------------------------------------------------------------------


def test_revert_makes_a_new_draft_that_needs_a_fresh_review(article, editor, reviewer):
    v1 = article.published_version
    publish_version(make_approved(article, editor=editor, reviewer=reviewer), by=reviewer)

    draft = revert_to(v1, by=editor)

    assert draft.number == 3 and draft.state == State.DRAFT
    assert draft.body == "Published text.\n" and draft.based_on == v1
    assert not Approval.objects.filter(version=draft).exists()
    with pytest.raises(WorkflowError):
        publish_version(draft, by=reviewer)
    assert "Reverted to v1" in draft.events.get().note


def test_create_article_makes_an_unpublished_draft(editor):
    draft = create_article(
        slug="new-one",
        title="New one",
        summary="Short.",
        body="Body.\n",
        change_note="First draft",
        by=editor,
    )

    assert draft.number == 1 and draft.state == State.DRAFT
    assert Article.objects.get(slug="new-one").published_version is None


@pytest.mark.parametrize("slug", ["Bad Slug", "../x", "ok--no", "test-article"])
def test_create_article_refuses_bad_or_taken_slugs(article, editor, slug):
    with pytest.raises(ValidationError) as error:
        create_article(slug=slug, title="T", summary="S", body="B.\n", change_note="n", by=editor)

    assert "slug" in error.value.message_dict
    assert Article.objects.count() == 1


def test_reviewer_cannot_create_articles(reviewer):
    with pytest.raises(PermissionDenied):
        create_article(slug="x", title="T", summary="S", body="B.\n", change_note="n", by=reviewer)
