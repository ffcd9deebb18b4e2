import zoneinfo
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from intake import services
from intake.models import AuditEvent, ContactSubmission, SubmissionNote
from tests.factories import make_submission, make_user

Status = ContactSubmission.Status


def run(name, *args, **options) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out, **options)
    return out.getvalue()


def ago(**kw):
    return timezone.now() - timedelta(**kw)


# send_intake_notifications ---------------------------------------------------------------------


def test_sends_each_pending_request_exactly_once(db):
    pending = [make_submission(), make_submission()]
    make_submission(status=Status.SPAM)
    make_submission(notified_at=ago(minutes=1))

    first = run("send_intake_notifications")
    second = run("send_intake_notifications")

    assert "Sent 2, failed 0" in first
    assert "Sent 0, failed 0" in second
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"New request for help #{s.pk}" for s in pending
    )
    assert not ContactSubmission.objects.awaiting_notification().exists()


def test_a_request_being_sent_elsewhere_is_not_sent_again(db):
    submission = make_submission(notify_claimed_at=ago(minutes=1))

    output = run("send_intake_notifications")

    assert "skipped 1" in output
    assert mail.outbox == []
    submission.refresh_from_db()
    assert submission.notified_at is None


def test_a_claim_left_by_a_crashed_sender_is_taken_over(db):
    make_submission(notify_claimed_at=ago(hours=1))

    run("send_intake_notifications")

    assert len(mail.outbox) == 1


def test_exits_non_zero_when_a_request_waited_too_long(db, settings):
    settings.EMAIL_BACKEND = "tests.intake.test_views.FailingEmailBackend"
    late = make_submission(created_at=ago(minutes=45))
    make_submission(created_at=ago(minutes=5))

    with pytest.raises(
        CommandError, match=rf"1 request\(s\) waited longer than 30 minutes.*#{late.pk}"
    ):
        run("send_intake_notifications")

    assert ContactSubmission.objects.awaiting_notification().count() == 2


def test_a_late_request_sent_now_is_still_reported(db):
    late = make_submission(created_at=ago(minutes=45))

    with pytest.raises(CommandError, match=f"#{late.pk}"):
        run("send_intake_notifications", max_delay_minutes=30)

    late.refresh_from_db()
    assert late.notified_at is not None
    assert run("send_intake_notifications").startswith("Sent 0")


def test_limit_comes_from_settings(db, settings):
    settings.INTAKE_NOTIFY_MAX_DELAY_MINUTES = 120
    make_submission(created_at=ago(minutes=45))

    assert "No request waited too long" in run("send_intake_notifications", max_delay_minutes=120)


def test_refuses_to_run_without_recipients(db, settings):
    settings.INTAKE_NOTIFY_EMAILS = []
    make_submission()

    with pytest.raises(CommandError, match="INTAKE_NOTIFY_EMAILS is empty"):
        run("send_intake_notifications")


def test_the_web_path_and_the_command_never_both_send(db):
    submission = make_submission()

    assert services.notify_staff(submission.pk) == services.SENT
    assert services.notify_staff(submission.pk) == services.TAKEN
    run("send_intake_notifications")

    assert len(mail.outbox) == 1


# The overdue alert ---------------------------------------------------------------------------

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
MONDAY_9AM = datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)


def test_one_count_only_email_about_overdue_requests_once_per_request(db, time_machine):
    told = {"notified_at": MONDAY_9AM}
    overdue = [
        make_submission(name="Zebulon Quixotefarm", created_at=MONDAY_9AM, **told),
        make_submission(status=Status.IN_PROGRESS, created_at=MONDAY_9AM, **told),
    ]
    make_submission(status=Status.CONTACTED, created_at=MONDAY_9AM, **told)
    make_submission(status=Status.SPAM, created_at=MONDAY_9AM)
    later = make_submission(created_at=MONDAY_9AM + timedelta(days=1), **told)  # Tuesday 09:00
    time_machine.move_to(MONDAY_9AM + timedelta(days=2, hours=5), tick=False)  # Wed 14:00: 25 h

    first = run("send_intake_notifications")
    run("send_intake_notifications")

    [email] = mail.outbox
    assert email.subject == "2 request(s) for help overdue"
    assert "?waiting=overdue" in email.body
    assert "#" not in email.subject + email.body  # no request numbers either
    for submission in overdue:
        assert submission.name not in email.body and submission.phone[2:] not in email.body
    assert "2 request(s) became overdue" in first
    assert set(ContactSubmission.objects.exclude(overdue_alerted_at=None)) == set(overdue)

    time_machine.move_to(MONDAY_9AM + timedelta(days=3, hours=5), tick=False)  # Thursday
    run("send_intake_notifications")

    assert [m.subject for m in mail.outbox[1:]] == ["1 request(s) for help overdue"]
    later.refresh_from_db()
    assert later.overdue_alerted_at is not None


def test_a_failed_overdue_email_is_tried_again_on_the_next_run(db, time_machine, settings):
    make_submission(created_at=MONDAY_9AM, notified_at=MONDAY_9AM)
    time_machine.move_to(MONDAY_9AM + timedelta(days=7), tick=False)
    settings.EMAIL_BACKEND = "tests.intake.test_views.FailingEmailBackend"

    run("send_intake_notifications")

    assert not ContactSubmission.objects.exclude(overdue_alerted_at=None).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run("send_intake_notifications")
    assert [m.subject for m in mail.outbox] == ["1 request(s) for help overdue"]


# purge_submissions --------------------------------------------------------------------------------


@pytest.fixture
def aged(roles):
    staff = make_user("nora", groups=("Intake staff",))
    old = {status: make_submission(status=status, created_at=ago(days=400)) for status in Status}
    recent_closed = make_submission(status=Status.CLOSED, created_at=ago(days=10))
    for submission in [*old.values(), recent_closed]:
        services.add_note(submission, text="called back", by=staff)
    return old, recent_closed


def test_purge_deletes_old_closed_and_spam_requests_with_their_notes(aged):
    old, recent_closed = aged

    output = run("purge_submissions", older_than=365)

    assert "Deleted 2 closed or spam request(s) older than 365 days" in output
    remaining = set(ContactSubmission.objects.values_list("pk", flat=True))
    assert remaining == {
        old[Status.NEW].pk,
        old[Status.IN_PROGRESS].pk,
        old[Status.CONTACTED].pk,
        recent_closed.pk,
    }
    assert SubmissionNote.objects.count() == 4
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.PURGED)
    assert event.actor is None and event.actor_name == "system"
    assert event.detail.startswith("2 closed or spam requests created before")


def test_purge_dry_run_deletes_nothing(aged):
    output = run("purge_submissions", "--older-than", "365", "--dry-run")

    assert "Dry run: 2 closed or spam request(s)" in output
    assert ContactSubmission.objects.count() == 6
    assert not AuditEvent.objects.exists()


def test_purge_default_comes_from_settings(aged, settings):
    settings.INTAKE_RETENTION_DAYS = 5

    call_command("purge_submissions", stdout=StringIO())

    assert not ContactSubmission.objects.filter(status=Status.CLOSED).exists()


def test_purge_refuses_a_negative_age(db):
    with pytest.raises(CommandError, match="--older-than must be 0 or more"):
        run("purge_submissions", older_than=-1)


def test_purge_keeps_the_audit_trail_of_purged_requests(aged, intake_staff):
    old, _ = aged
    services.record_view(old[Status.CLOSED], by=intake_staff)

    run("purge_submissions", older_than=365)

    assert AuditEvent.objects.filter(submission_number=old[Status.CLOSED].pk).exists()
