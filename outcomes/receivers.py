"""What the outcomes app listens to: the contact form's signals and stored requests."""

from django.core.signals import request_finished
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from intake.models import ContactSubmission
from intake.signals import contact_form_shown
from outcomes import counting


def _form_shown(sender, *, request, source, cta, **kwargs) -> None:
    counting.count_form_view(request, source=source.slug if source else "", cta=cta)


def _request_saved(sender, *, instance, created, **kwargs) -> None:
    if not created or instance.status == ContactSubmission.Status.SPAM:
        return
    source = instance.source.slug if instance.source_id else ""
    cta, day = instance.source_cta, instance.created_at
    # Counted once stored for good: a request whose transaction rolls back never happened.
    transaction.on_commit(
        lambda: counting.count_request(source=source, cta=cta, day=timezone.localdate(day))
    )


def connect() -> None:
    request_finished.connect(counting.flush_if_due, dispatch_uid="outcomes.flush_if_due")
    contact_form_shown.connect(_form_shown, dispatch_uid="outcomes.form_shown")
    post_save.connect(_request_saved, sender=ContactSubmission, dispatch_uid="outcomes.request")
