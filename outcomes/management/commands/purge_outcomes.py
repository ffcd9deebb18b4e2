"""Delete view and request counts past OUTCOMES_RETENTION_DAYS, as /privacy/ promises.

Safe for cron: each run deletes only what is past keeping, and a second run finds nothing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outcomes.services import purge_counts


class Command(BaseCommand):
    help = "Delete outcome counts (views, form visits, requests) older than --older-than days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.OUTCOMES_RETENTION_DAYS,
            metavar="DAYS",
            help="Age in days (default: OUTCOMES_RETENTION_DAYS, %(default)s).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count without deleting.")

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days.")
        count = purge_counts(older_than_days=older_than, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Dry run: {count} daily count(s) older than {older_than} days would be deleted."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Deleted {count} daily count(s) older than {older_than} days.")
        )
