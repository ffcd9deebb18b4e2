"""Intake work done by the worker, never inside a patient's request.

The site's rule for every outbound call (mail now; frontend-cache purges and review emails
later): the request stores a task with django-tasks, in the same database transaction as the
row the call is about, and the worker (`manage.py db_worker`) makes the call. A hung mail
server then delays an email, never a page. Each app keeps its tasks in its own `tasks.py`.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from intake import services
from intake.models import ContactSubmission


@task()
def notify_staff_of_request(submission_id: int) -> str:
    """Email staff about one request, exactly once; try again later while the mail is down."""
    outcome = services.notify_staff(submission_id)
    if outcome == services.FAILED:
        late_at = timezone.now() - timedelta(minutes=settings.INTAKE_NOTIFY_MAX_DELAY_MINUTES)
        # Past that, send_intake_notifications (cron) keeps trying and exits 1 to say so.
        if ContactSubmission.objects.filter(pk=submission_id, created_at__gt=late_at).exists():
            retry_at = timezone.now() + timedelta(seconds=settings.INTAKE_NOTIFY_RETRY_SECONDS)
            notify_staff_of_request.using(run_after=retry_at).enqueue(submission_id)
    return outcome
