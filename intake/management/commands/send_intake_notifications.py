"""Email staff about every request whose notification has not gone out yet.

The task worker emails staff about each request it stores (intake/tasks.py) and retries
while the mail server is down; this is the safety net beside it, for a worker that is not
running or gave up. Run it from cron (every few minutes): each pending request is emailed
exactly once, however often it runs and whatever the worker does. It exits 1 when a request
waited longer than INTAKE_NOTIFY_MAX_DELAY_MINUTES, so cron's mail or monitoring tells someone.

It also emails staff a count (nothing more) of requests that became overdue, open past
INTAKE_RESPONSE_HOURS business hours; each request is counted in one such email only. Cron
runs it outside any request, so it sends that email itself.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake.services import OverdueAlert, send_overdue_alert, send_pending_notifications


class Command(BaseCommand):
    help = "Email intake staff about requests not notified yet; exit 1 if one waited too long."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-delay-minutes",
            type=int,
            default=settings.INTAKE_NOTIFY_MAX_DELAY_MINUTES,
            help="Exit 1 when a request waited longer than this (default: "
            "INTAKE_NOTIFY_MAX_DELAY_MINUTES).",
        )

    def handle(self, *args, max_delay_minutes, verbosity, **options):
        if not settings.INTAKE_NOTIFY_EMAILS:
            raise CommandError("INTAKE_NOTIFY_EMAILS is empty: set the staff addresses to notify.")
        if max_delay_minutes < 0:
            raise CommandError("--max-delay-minutes must be 0 or more.")
        report = send_pending_notifications(max_delay_minutes=max_delay_minutes)
        overdue = send_overdue_alert()
        if verbosity:
            self.stdout.write(
                f"Sent {len(report.sent)}, failed {len(report.failed)}, "
                f"skipped {len(report.skipped)} (being sent elsewhere)."
            )
            if overdue.outcome == OverdueAlert.SENT:
                self.stdout.write(f"Told staff {overdue.count} request(s) became overdue.")
            elif overdue.outcome == OverdueAlert.FAILED:
                self.stderr.write(
                    f"The email about {overdue.count} overdue request(s) failed; "
                    "the next run tries again."
                )
        if report.late:
            ids = ", ".join(f"#{pk}" for pk in report.late)
            raise CommandError(
                f"{len(report.late)} request(s) waited longer than {max_delay_minutes} minutes "
                f"for staff to be told: {ids}. Check the mail settings and the log."
            )
        if verbosity:
            self.stdout.write(self.style.SUCCESS("No request waited too long."))
