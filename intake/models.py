"""Contact requests from patients, the notes staff keep on them, and who did what to which."""

import secrets
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from appendonly.models import AppendOnlyModel

# The longest message a patient may send: the model, the form's check, its maxlength and the
# words beside the box all read this one number.
MESSAGE_MAX_LENGTH = 2000
# A reference a person can read out on the phone: no 0/O, 1/I/L to mix up.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    """A random reference for one request (not its number, which says how many came before)."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def fold(text: str) -> str:
    """Text as staff search it: case and accents dropped (Zoë, ZOE and zoe are the same)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class ContactSubmissionQuerySet(models.QuerySet):
    def awaiting_notification(self):
        """Real requests (not spam) whose staff email has not been sent yet."""
        return self.filter(notified_at__isnull=True).exclude(status=ContactSubmission.Status.SPAM)

    def quarantined(self):
        return self.filter(status=ContactSubmission.Status.SPAM)

    def open(self):
        return self.filter(status__in=ContactSubmission.OPEN_STATUSES)

    def overdue(self, *, before):
        """Open requests sent before `before` (see intake.waiting.overdue_before)."""
        return self.open().filter(created_at__lt=before)

    def purgeable(self, *, before):
        """Closed and spam requests created before `before` (the retention limit)."""
        return self.filter(
            status__in=[ContactSubmission.Status.CLOSED, ContactSubmission.Status.SPAM],
            created_at__lt=before,
        )


class ContactSubmission(models.Model):
    """One request for help sent through /contact/. What the patient wrote is never edited."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        CONTACTED = "contacted", "Contacted"
        CLOSED = "closed", "Closed"
        SPAM = "spam", "Spam (quarantined)"

    # Waiting for staff: what the worklist puts first and what can be overdue.
    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS)

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"

    class BestTime(models.TextChoices):
        MORNING = "morning", "Morning (8am to noon)"
        AFTERNOON = "afternoon", "Afternoon (noon to 5pm)"
        EVENING = "evening", "Evening (5pm to 8pm)"

    name = models.CharField(max_length=100)
    # The name folded (intake.models.fold), kept by save(): the same accent-insensitive
    # search on SQLite and PostgreSQL, served by a trigram index on PostgreSQL.
    name_search = models.CharField(max_length=300, editable=False, default="")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +12025550143.")
    email = models.EmailField(max_length=254, blank=True)
    preferred_contact = models.CharField(max_length=5, choices=ContactMethod.choices)
    best_time = models.CharField(max_length=9, choices=BestTime.choices, blank=True)
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH, blank=True)
    consent_given_at = models.DateTimeField(help_text="When the patient agreed to be contacted.")
    consent_version = models.CharField(
        max_length=20, help_text="Version of the consent text the patient was shown."
    )
    source = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The article whose call to action the patient followed.",
    )
    source_cta = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Which of that article's calls to action it was (1 is the first on the page).",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(
        max_length=11, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"is_staff": True, "is_active": True},
        help_text="The staff member working this request.",
    )
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff were emailed about this request."
    )
    # Set while one sender (web worker or cron) owns the email, so no two send it.
    notify_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    spam_reason = models.CharField(
        max_length=100, blank=True, help_text="Why the form's checks quarantined this request."
    )
    # From the form's signed token: a double click or a resent POST carries the same key.
    idempotency_key = models.UUIDField(unique=True, editable=False)
    overdue_alerted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When staff were emailed that this request is overdue (once per request).",
    )
    # 0 while the request waits for staff (OPEN_STATUSES), else 1: the worklist's first sort
    # key, kept by the database itself so an index serves "oldest open first".
    open_rank = models.GeneratedField(
        expression=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1)),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    reference = models.CharField(
        max_length=REFERENCE_LENGTH,
        unique=True,
        default=new_reference,
        editable=False,
        help_text="The reference the patient was shown, to quote when they call.",
    )

    objects = ContactSubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "contact request"
        permissions = [
            ("export_contactsubmission", "Can export contact requests as CSV"),
            # No group gets this (setup_roles): superusers, or a person it is granted to.
            ("erase_contactsubmission", "Can erase a contact request when the patient asks"),
        ]
        # Staff search by a phone number as given (admin: phone = '+1…'). On PostgreSQL the
        # admin's partial matches on name, email and phone (UPPER(..) LIKE '%term%') use
        # trigram indexes that migration 0002 creates with SQL, as SQLite has no such index.
        indexes = [
            models.Index(fields=["phone"], name="intake_submission_phone"),
            models.Index(fields=["open_rank", "created_at", "id"], name="intake_worklist_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""), name="submission_has_phone_or_email"
            ),
            models.CheckConstraint(
                condition=Q(preferred_contact="email", email__gt="")
                | Q(preferred_contact__in=["phone", "text"], phone__gt=""),
                name="submission_preferred_contact_given",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "in_progress", "contacted", "closed", "spam"]),
                name="submission_status_valid",
            ),
        ]

    def __str__(self):
        # Shown in admin history, logs and messages: never anything the patient wrote.
        return f"Request #{self.pk}" if self.pk else "New request"

    def save(self, *args, **kwargs):
        self.name_search = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_search"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:intake_contactsubmission_change", args=[self.pk])


class SubmissionNote(AppendOnlyModel):
    """A note a staff member adds to a request; never edited after saving."""

    submission = models.ForeignKey(
        ContactSubmission, on_delete=models.CASCADE, related_name="notes"
    )
    text = models.TextField(max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "created_at", "pk"]
        verbose_name = "note"

    def __str__(self):
        return f"Note #{self.pk} on request #{self.submission_id}"


class ContactAttempt(AppendOnlyModel):
    """One try at reaching the patient, as staff recorded it; never edited after saving."""

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        VOICEMAIL = "voicemail", "Left voicemail"
        NO_ANSWER = "no_answer", "No answer"
        WRONG_NUMBER = "wrong_number", "Wrong number"
        CALL_LATER = "call_later", "Asked to call later"

    submission = models.ForeignKey(
        ContactSubmission, on_delete=models.CASCADE, related_name="attempts"
    )
    method = models.CharField(max_length=5, choices=ContactSubmission.ContactMethod.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    note = models.TextField(max_length=2000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "created_at", "pk"]
        verbose_name = "contact attempt"

    def __str__(self):
        return f"Contact attempt #{self.pk} on request #{self.submission_id}"


class AuditEvent(AppendOnlyModel):
    """Who did what to which request, and when. Kept after the request itself is purged."""

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        STATUS_CHANGED = "status_changed", "Changed status"
        ASSIGNED = "assigned", "Assigned"
        EXPORTED = "exported", "Exported"
        PURGED = "purged", "Purged"
        ERASED = "erased", "Erased"
        # The search text is never kept: a name or a phone number is what staff type.
        SEARCHED = "searched", "Searched"
        NOT_SPAM = "not_spam", "Released from quarantine"
        ATTEMPTED = "attempted", "Recorded a contact attempt"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A copy of the username, so the record outlives the account.
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=14, choices=Action.choices)
    # A plain number, not a foreign key: the event must survive the request's purge.
    submission_number = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "audit event"

    def __str__(self):
        target = f" request #{self.submission_number}" if self.submission_number else ""
        return f"{self.actor_name} {self.get_action_display().lower()}{target}"


class RateLimitCounter(models.Model):
    """Form posts per client per time window, when no Redis is configured.

    The key holds a keyed hash of the client address and the window, never the address.
    """

    key = models.CharField(max_length=128, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "rate limit counter"

    def __str__(self):
        return f"{self.key[:12]}… {self.count}"
