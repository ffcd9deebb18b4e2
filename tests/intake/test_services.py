"""Each intake service checks its caller's permission itself, whatever page called it."""

import pytest
from django.core.exceptions import PermissionDenied

from intake import services
from intake.models import AuditEvent, ContactAttempt, ContactSubmission, SubmissionNote
from tests.factories import make_submission

Status = ContactSubmission.Status

CALLS = {
    "record_view": lambda s, by: services.record_view(s, by=by),
    "record_search": lambda s, by: services.record_search(by=by),
    "set_status": lambda s, by: services.set_status(s, status=Status.CLOSED, by=by),
    "mark_contacted": lambda s, by: services.mark_contacted(s, by=by),
    "assign": lambda s, by: services.assign(s, to=None, by=by),
    "update_submission": lambda s, by: services.update_submission(
        s, status=Status.CLOSED, assigned_to=None, by=by
    ),
    "add_note": lambda s, by: services.add_note(s, text="Called.", by=by),
    "record_attempt": lambda s, by: services.record_attempt(
        s, method="phone", outcome="reached", by=by
    ),
    "release_from_quarantine": lambda s, by: services.release_from_quarantine(s, by=by),
    "export_csv": lambda s, by: services.export_csv([s], by=by),
    "purge_submissions": lambda s, by: services.purge_submissions(older_than_days=0, by=by),
    "erase_submission": lambda s, by: services.erase_submission(s, reason="duplicate", by=by),
}
# What Intake staff may not do even so: erasing and purging are for superusers.
STAFF_REFUSED = {"purge_submissions", "erase_submission"}


def nothing_written(submission, status) -> bool:
    submission.refresh_from_db()
    return (
        submission.status == status
        and submission.assigned_to is None
        and not AuditEvent.objects.exists()
        and not SubmissionNote.objects.exists()
        and not ContactAttempt.objects.exists()
    )


@pytest.mark.parametrize("name", CALLS)
def test_a_person_without_intake_permissions_is_refused(editor, name):
    submission = make_submission(status=Status.SPAM, assigned_to=None)

    with pytest.raises(PermissionDenied):
        CALLS[name](submission, editor)

    assert nothing_written(submission, Status.SPAM)


@pytest.mark.parametrize("name", CALLS)
def test_an_inactive_intake_staff_account_is_refused(intake_staff, name):
    intake_staff.is_active = False
    intake_staff.save()
    submission = make_submission(status=Status.SPAM)

    with pytest.raises(PermissionDenied):
        CALLS[name](submission, intake_staff)

    assert nothing_written(submission, Status.SPAM)


@pytest.mark.parametrize("name", sorted(set(CALLS) - STAFF_REFUSED))
def test_intake_staff_may(intake_staff, name):
    submission = make_submission(status=Status.SPAM)

    CALLS[name](submission, intake_staff)


@pytest.mark.parametrize("name", sorted(STAFF_REFUSED))
def test_intake_staff_may_not_erase_or_purge(intake_staff, name):
    submission = make_submission(status=Status.CLOSED)

    with pytest.raises(PermissionDenied):
        CALLS[name](submission, intake_staff)

    assert ContactSubmission.objects.filter(pk=submission.pk).exists()


def test_a_status_that_does_not_exist_is_refused(intake_staff):
    submission = make_submission()

    with pytest.raises(ValueError):
        services.set_status(submission, status="lost", by=intake_staff)

    submission.refresh_from_db()
    assert submission.status == Status.NEW
