"""Delete closed and spam requests (and their notes) once they are past the retention period.

Health information is kept no longer than needed: /privacy/ promises INTAKE_RETENTION_DAYS.
Requests still new, in progress or contacted are never deleted. Each run is audited.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake.services import purge_submissions


class Command(BaseCommand):
    help = "Delete closed and spam intake requests older than --older-than days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.INTAKE_RETENTION_DAYS,
            metavar="DAYS",
            help="Age in days (default: INTAKE_RETENTION_DAYS, %(default)s).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count without deleting.")

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days.")
        result = purge_submissions(older_than_days=older_than, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Dry run: {result.count} closed or spam request(s) older than {older_than} "
                "days would be deleted."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {result.count} closed or spam request(s) older than {older_than} days."
            )
        )
