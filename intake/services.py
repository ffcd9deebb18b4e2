"""Writes to intake data: each one checked, atomic, and audited where staff act.

Logs name requests by id only: nothing a patient wrote goes into a log line or an email.
"""

import csv
import enum
import io
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from articles.models import Article
from intake import tasks
from intake.models import AuditEvent, ContactAttempt, ContactSubmission, SubmissionNote
from intake.roles import assignees
from intake.waiting import overdue_before

logger = logging.getLogger(__name__)
Status = ContactSubmission.Status
Action = AuditEvent.Action
Outcome = ContactAttempt.Outcome
PATIENT_FIELDS = ["name", "phone", "email", "preferred_contact", "best_time", "message"]
# What each staff action needs (intake.roles gives them to Intake staff).
VIEW = "intake.view_contactsubmission"
CHANGE = "intake.change_contactsubmission"
EXPORT = "intake.export_contactsubmission"
ERASE = "intake.erase_contactsubmission"
ADD_NOTE = "intake.add_submissionnote"
ADD_ATTEMPT = "intake.add_contactattempt"


def _require(by: AbstractUser, permission: str, doing: str) -> None:
    """Every staff service checks its caller itself, whatever page or command called it."""
    if by is None or not by.is_active or not by.has_perm(permission):
        raise PermissionDenied(f"You are not allowed to {doing}.")


@sensitive_variables()
def create_submission(
    *,
    data: dict,
    source: Article | None,
    cta: int | None = None,
    idempotency_key: uuid.UUID,
    consent_version: str,
    spam_reason: str = "",
) -> tuple[ContactSubmission, bool]:
    """Store a request in its own transaction, with the task that will email staff about it.

    The worker sends the email (intake.tasks); nothing here waits for the mail server.

        Returns (submission, created); the same idempotency key twice returns the first request.
    """
    existing = ContactSubmission.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing, False
    now = timezone.now()
    submission = ContactSubmission(
        **{name: data.get(name) or "" for name in PATIENT_FIELDS},
        consent_given_at=now,
        consent_version=consent_version,
        source=source,
        source_cta=cta if source else None,
        created_at=now,
        status=Status.SPAM if spam_reason else Status.NEW,
        spam_reason=spam_reason[:100],
        idempotency_key=idempotency_key,
    )
    submission.full_clean()
    try:
        # durable: this must be the outermost transaction, committed when the block ends.
        with transaction.atomic(durable=True):
            submission.save()
            logger.info(
                "intake: request #%s stored%s", submission.pk, " as spam" * bool(spam_reason)
            )
            if not spam_reason:
                # One more row in the same transaction: the task exists exactly when the
                # request does, and the worker cannot see it before the commit.
                tasks.notify_staff_of_request.enqueue(submission.pk)
    except IntegrityError:
        # Two posts of the same form raced; the first one's row is the request.
        existing = ContactSubmission.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return submission, True


def staff_link(submission_id: int) -> str:
    return settings.SITE_URL + ContactSubmission(pk=submission_id).get_absolute_url()


def _claim(submission_id: int) -> bool:
    """Take the right to send this request's email, so no other worker or cron run sends it."""
    now = timezone.now()
    stale = now - timedelta(minutes=15)
    return bool(
        ContactSubmission.objects.awaiting_notification()
        .filter(pk=submission_id)
        .filter(Q(notify_claimed_at__isnull=True) | Q(notify_claimed_at__lt=stale))
        .update(notify_claimed_at=now)
    )


class Notified(enum.StrEnum):
    """What became of one staff email (a task's result, so a plain string too)."""

    SENT = "sent"
    FAILED = "failed"  # left pending, to be tried again
    TAKEN = "taken"  # sent, or being sent, by another worker or cron run
    NO_RECIPIENTS = "no recipients"


SENT, FAILED, TAKEN, NO_RECIPIENTS = Notified


def notify_staff(submission_id: int) -> Notified:
    """Email staff that request #id arrived (its number and a link, nothing it says).

    Returns SENT, FAILED (left pending), TAKEN (sent or being sent elsewhere) or NO_RECIPIENTS.
    """
    recipients = settings.INTAKE_NOTIFY_EMAILS
    if not recipients:
        logger.warning("intake: request #%s not notified: no INTAKE_NOTIFY_EMAILS", submission_id)
        return NO_RECIPIENTS
    if not _claim(submission_id):
        return TAKEN
    try:
        send_mail(
            subject=f"New request for help #{submission_id}",
            message=(
                f"Request #{submission_id} arrived through the website.\n\n"
                f"Open it in the staff area: {staff_link(submission_id)}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    except Exception as error:  # noqa: BLE001 - any mail failure leaves the request pending
        ContactSubmission.objects.filter(pk=submission_id).update(notify_claimed_at=None)
        # The class name only: an SMTP error message is not ours to vouch for.
        logger.error(
            "intake: email about request #%s failed (%s); it will be tried again",
            submission_id,
            type(error).__name__,
        )
        return FAILED
    ContactSubmission.objects.filter(pk=submission_id).update(notified_at=timezone.now())
    logger.info("intake: staff emailed about request #%s", submission_id)
    return SENT


def notifications_late(*, max_delay_minutes: int) -> bool:
    """Whether a request has waited longer than the limit for its staff email."""
    cutoff = timezone.now() - timedelta(minutes=max_delay_minutes)
    return ContactSubmission.objects.awaiting_notification().filter(created_at__lt=cutoff).exists()


@dataclass
class NotificationReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    late: list[int] = field(default_factory=list)


def send_pending_notifications(*, max_delay_minutes: int) -> NotificationReport:
    """Email staff about each pending request once; list those that waited too long."""
    report = NotificationReport()
    limit = timedelta(minutes=max_delay_minutes)
    pending = ContactSubmission.objects.awaiting_notification().order_by("pk")
    for pk, created_at in pending.values_list("pk", "created_at"):
        outcome = notify_staff(pk)
        if outcome == TAKEN:
            report.skipped.append(pk)
            continue
        (report.sent if outcome == SENT else report.failed).append(pk)
        if timezone.now() - created_at > limit:
            report.late.append(pk)
    return report


def _audit(
    action: Action,
    *,
    by: AbstractUser | None,
    submission_number: int | None = None,
    detail: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=by,
        actor_name=by.get_username() if by else "system",
        submission_number=submission_number,
        detail=detail[:255],
    )


def record_view(submission: ContactSubmission, *, by: AbstractUser, detail: str = "") -> AuditEvent:
    _require(by, VIEW, "read contact requests")
    return _audit(Action.VIEWED, by=by, submission_number=submission.pk, detail=detail)


def record_search(*, by: AbstractUser) -> AuditEvent:
    """A search of the queue happened; what was searched for is not recorded."""
    _require(by, VIEW, "search contact requests")
    return _audit(Action.SEARCHED, by=by)


@transaction.atomic
def set_status(submission: ContactSubmission, *, status: Status, by: AbstractUser) -> bool:
    """Move a request to `status`, recording who did it; False when it already had it."""
    _require(by, CHANGE, "change contact requests")
    status = Status(status)  # ValueError for anything else
    old = submission.status
    if old == status:
        return False
    submission.status = status
    submission.full_clean(exclude=["source", "assigned_to"])
    submission.save(update_fields=["status"])
    labels = dict(Status.choices)
    _audit(
        Action.STATUS_CHANGED,
        by=by,
        submission_number=submission.pk,
        detail=f"{labels[old]} → {labels[status]}",
    )
    return True


@transaction.atomic
def release_from_quarantine(submission: ContactSubmission, *, by: AbstractUser) -> bool:
    """A person's request taken for spam: back to new, and staff told as for any new one.

    False when the request was not in quarantine.
    """
    _require(by, CHANGE, "release requests from quarantine")
    if submission.status != Status.SPAM:
        return False
    submission.status = Status.NEW
    submission.save(update_fields=["status"])
    _audit(Action.NOT_SPAM, by=by, submission_number=submission.pk, detail="Spam → New")
    # In the same transaction, as for a request just sent (create_submission).
    tasks.notify_staff_of_request.enqueue(submission.pk)
    logger.info("intake: request #%s released from quarantine", submission.pk)
    return True


def mark_contacted(submission: ContactSubmission, *, by: AbstractUser) -> bool:
    return set_status(submission, status=Status.CONTACTED, by=by)


@transaction.atomic
def assign(submission: ContactSubmission, *, to: AbstractUser | None, by: AbstractUser) -> bool:
    """Give a request to a staff member (or to nobody with `to=None`)."""
    _require(by, CHANGE, "assign contact requests")
    if submission.assigned_to_id == (to.pk if to else None):
        return False
    if to is not None and not assignees().filter(pk=to.pk).exists():
        raise ValueError(f"{to.get_username()} is not an active member of Intake staff")
    submission.assigned_to = to
    submission.save(update_fields=["assigned_to"])
    detail = f"to {to.get_username()}" if to else "unassigned"
    _audit(Action.ASSIGNED, by=by, submission_number=submission.pk, detail=detail)
    return True


@transaction.atomic
def update_submission(
    submission: ContactSubmission,
    *,
    status: Status,
    assigned_to: AbstractUser | None,
    by: AbstractUser,
) -> None:
    """What staff can change on a request's page: its status and who works it."""
    set_status(submission, status=status, by=by)
    assign(submission, to=assigned_to, by=by)


def add_note(submission: ContactSubmission, *, text: str, by: AbstractUser) -> SubmissionNote:
    _require(by, ADD_NOTE, "add notes to contact requests")
    note = SubmissionNote(submission=submission, text=text, author=by)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def record_attempt(
    submission: ContactSubmission,
    *,
    method: ContactSubmission.ContactMethod,
    outcome: Outcome,
    note: str = "",
    by: AbstractUser,
) -> ContactAttempt:
    """One try at reaching the patient; the request's status follows (reached → contacted,
    anything else moves a new request to in progress). Audited without the note."""
    _require(by, ADD_ATTEMPT, "record contact attempts")
    outcome = Outcome(outcome)
    attempt = ContactAttempt(
        submission=submission, method=method, outcome=outcome, note=note, author=by
    )
    attempt.full_clean()
    attempt.save()
    _audit(
        Action.ATTEMPTED,
        by=by,
        submission_number=submission.pk,
        detail=f"{attempt.get_method_display()}: {outcome.label}",
    )
    if outcome == Outcome.REACHED:
        set_status(submission, status=Status.CONTACTED, by=by)
    elif submission.status == Status.NEW:
        set_status(submission, status=Status.IN_PROGRESS, by=by)
    return attempt


class OverdueAlert(enum.StrEnum):
    SENT = "sent"
    NONE_OVERDUE = "none overdue"
    FAILED = "failed"


@dataclass(frozen=True)
class OverdueAlertResult:
    outcome: OverdueAlert
    count: int = 0


def send_overdue_alert() -> OverdueAlertResult:
    """Email staff how many requests became overdue since the last alert: a count and a
    link, never a name, a number or a message. Each request is counted in one alert only."""
    now = timezone.now()
    pending = ContactSubmission.objects.overdue(before=overdue_before(now)).filter(
        overdue_alerted_at__isnull=True
    )
    ids = list(pending.values_list("pk", flat=True))
    if not ids or not settings.INTAKE_NOTIFY_EMAILS:
        return OverdueAlertResult(OverdueAlert.NONE_OVERDUE)
    # Claimed first, so two runs at once cannot both count the same request.
    claimed = ContactSubmission.objects.filter(pk__in=ids, overdue_alerted_at__isnull=True)
    count = claimed.update(overdue_alerted_at=now)
    if not count:
        return OverdueAlertResult(OverdueAlert.NONE_OVERDUE)
    hours = settings.INTAKE_RESPONSE_HOURS
    link = settings.SITE_URL + reverse("admin:intake_contactsubmission_changelist")
    try:
        send_mail(
            subject=f"{count} request(s) for help overdue",
            message=(
                f"{count} request(s) for help have waited longer than {hours} business hours "
                f"without being contacted.\n\nOpen the overdue ones: {link}?waiting=overdue\n"
            ),
            from_email=None,
            recipient_list=settings.INTAKE_NOTIFY_EMAILS,
        )
    except Exception as error:  # noqa: BLE001 - any mail failure: try again on the next run
        ContactSubmission.objects.filter(pk__in=ids, overdue_alerted_at=now).update(
            overdue_alerted_at=None
        )
        logger.error("intake: the overdue alert failed (%s)", type(error).__name__)
        return OverdueAlertResult(OverdueAlert.FAILED, count)
    logger.info("intake: staff told %s request(s) are overdue", count)
    return OverdueAlertResult(OverdueAlert.SENT, count)


EXPORT_COLUMNS = [
    "id",
    "created_at",
    "status",
    *PATIENT_FIELDS,
    "consent_given_at",
    "consent_version",
    "source",
    "source_cta",
    "assigned_to",
    "notified_at",
]
# A cell starting with one of these runs as a formula in spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not (text[1:].isdigit() and text[0] == "+"):
        return "'" + text
    return text


def _row(submission: ContactSubmission) -> list[str]:
    values = {
        "id": submission.pk,
        "created_at": submission.created_at.isoformat(),
        "status": submission.status,
        "consent_given_at": submission.consent_given_at.isoformat(),
        "consent_version": submission.consent_version,
        "source": submission.source.slug if submission.source else "",
        "source_cta": submission.source_cta,
        "assigned_to": submission.assigned_to.get_username() if submission.assigned_to else "",
        "notified_at": submission.notified_at.isoformat() if submission.notified_at else "",
        **{name: getattr(submission, name) for name in PATIENT_FIELDS},
    }
    return [_cell(values[column]) for column in EXPORT_COLUMNS]


@transaction.atomic
def export_csv(submissions: Iterable[ContactSubmission], *, by: AbstractUser) -> str:
    """CSV of the given requests, with an audit event for each one exported."""
    _require(by, EXPORT, "export contact requests")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    exported = []
    for submission in submissions:
        writer.writerow(_row(submission))
        exported.append(submission.pk)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=Action.EXPORTED,
            actor=by,
            actor_name=by.get_username(),
            submission_number=pk,
            detail=f"CSV export of {len(exported)} requests",
        )
        for pk in exported
    )
    return out.getvalue()


@dataclass(frozen=True)
class PurgeResult:
    count: int
    cutoff: object


@transaction.atomic
def purge_submissions(
    *, older_than_days: int, dry_run: bool = False, by: AbstractUser | None = None
) -> PurgeResult:
    """Delete closed and spam requests older than the limit, with their notes; audited.

    `by=None` is the retention job itself (cron); a person needs the erase permission.
    """
    if by is not None:
        _require(by, ERASE, "purge contact requests")
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    cutoff = timezone.now() - timedelta(days=older_than_days)
    doomed = ContactSubmission.objects.purgeable(before=cutoff)
    count = doomed.count()
    if dry_run:
        return PurgeResult(count, cutoff)
    doomed.delete()
    _audit(
        Action.PURGED,
        by=by,
        detail=f"{count} closed or spam requests created before {cutoff:%Y-%m-%d %H:%M %Z}",
    )
    logger.info("intake: purged %s requests", count)
    return PurgeResult(count, cutoff)


class EraseReason(models.TextChoices):
    """Why one request is erased before its time; words only, never what the patient wrote."""

    PATIENT_ASKED = "patient_asked", "The patient asked us to erase it"
    DUPLICATE = "duplicate", "It duplicates another request"
    ENTERED_IN_ERROR = "entered_in_error", "It was sent in error (for example, a test)"


@transaction.atomic
def erase_submission(
    submission: ContactSubmission, *, reason: EraseReason, by: AbstractUser
) -> int:
    """Delete one request and its notes now; the audit log keeps its number, who and why.

    Returns the erased request's number.
    """
    _require(by, ERASE, "erase contact requests")
    reason = EraseReason(reason)  # ValueError for anything else
    number = submission.pk
    submission.delete()
    _audit(Action.ERASED, by=by, submission_number=number, detail=reason.label)
    logger.info("intake: request #%s erased (%s)", number, reason.value)
    return number


@dataclass
class RequestCounts:
    """How many requests are kept, were emailed to staff, and wait for that email (no content)."""

    stored: int
    notified: int
    waiting: int


def request_counts() -> RequestCounts:
    """Counts for monitoring (`/metrics`): numbers only, nothing a patient wrote."""
    requests = ContactSubmission.objects.all()
    return RequestCounts(
        stored=requests.count(),
        notified=requests.filter(notified_at__isnull=False).count(),
        waiting=requests.awaiting_notification().count(),
    )
