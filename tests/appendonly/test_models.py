"""Every append-only record refuses each way of changing or deleting it."""

import pytest

from appendonly.models import AppendOnlyError
from articles.models import Approval, VersionEvent
from intake import services
from intake.models import AuditEvent, ContactAttempt, ContactSubmission, SubmissionNote
from tests.factories import (
    make_approved,
    make_article,
    make_editor,
    make_medical_reviewer,
    make_submission,
    make_user,
)


def make_note(submission, author):
    return SubmissionNote.objects.create(submission=submission, text="Called.", author=author)


def make_event(submission, author):
    return AuditEvent.objects.create(
        action=AuditEvent.Action.VIEWED,
        actor=author,
        actor_name="ingrid",
        submission_number=submission.pk,
    )


def make_attempt(submission, author):
    return ContactAttempt.objects.create(
        submission=submission, method="phone", outcome="voicemail", author=author
    )


def make_approval(submission, author):
    article = make_article("Published text.\n")
    approved = make_approved(article, editor=make_editor(), reviewer=make_medical_reviewer())
    return Approval.objects.get(version=approved)


def make_history(submission, author):
    return VersionEvent.objects.filter(version__article=make_article()).first()


MAKERS = [make_note, make_event, make_attempt, make_approval, make_history]
IDS = ["note", "audit-event", "contact-attempt", "article-approval", "article-history"]


@pytest.fixture
def record(request, db):
    submission = make_submission()
    return request.param(submission, make_user("ingrid"))


def when_field(record) -> str:
    """The record's time field: every append-only record has one, under its own name."""
    return next(name for name in ["created_at", "approved_at", "at"] if hasattr(record, name))


@pytest.mark.parametrize("record", MAKERS, ids=IDS, indirect=True)
def test_saving_a_stored_record_again_is_refused(record):
    field = when_field(record)
    setattr(record, field, getattr(record, field).replace(year=2000))

    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        record.save()

    record.refresh_from_db()
    assert getattr(record, field).year != 2000


@pytest.mark.parametrize("record", MAKERS, ids=IDS, indirect=True)
def test_deleting_a_record_is_refused(record):
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        record.delete()

    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("record", MAKERS, ids=IDS, indirect=True)
def test_updating_records_in_bulk_is_refused(record):
    model = type(record)

    field = when_field(record)

    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        model.objects.filter(pk=record.pk).update(
            **{field: getattr(record, field).replace(year=2000)}
        )

    record.refresh_from_db()
    assert getattr(record, field).year != 2000


@pytest.mark.parametrize("record", MAKERS, ids=IDS, indirect=True)
def test_deleting_records_in_bulk_is_refused(record):
    model = type(record)

    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        model.objects.all().delete()

    assert model.objects.filter(pk=record.pk).exists()


def test_erasing_a_request_still_takes_its_notes_and_attempts(db):
    submission = make_submission()
    superuser = make_user("sue", is_superuser=True)
    make_note(submission, superuser)
    make_attempt(submission, superuser)

    services.erase_submission(submission, reason="duplicate", by=superuser)

    assert not ContactSubmission.objects.exists()
    assert not SubmissionNote.objects.exists() and not ContactAttempt.objects.exists()
    assert AuditEvent.objects.filter(action="erased").exists()  # the record of the erasure stays
