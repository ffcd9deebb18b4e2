"""Purge the edge cache from the command line: what failed before, or paths named here.

Publishing purges through the worker and retries a few times; a cache that stays down longer
leaves its purges pending. Run `purge_frontend_cache --pending` from cron: it sends them and
exits 1 while any still fails. Running it twice is safe (a purge is idempotent).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from frontcache import backends, services


class Command(BaseCommand):
    help = "Send pending edge-cache purges (--pending) or purge the given paths now."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="site paths to purge, e.g. /articles/x/")
        parser.add_argument(
            "--pending", action="store_true", help="send every purge not yet confirmed"
        )

    def handle(self, *args, paths, pending, **options):
        if not paths and not pending:
            raise CommandError("Name paths to purge, or pass --pending.")
        bad = [p for p in paths if not p.startswith("/")]
        if bad:
            raise CommandError(f"paths must start with '/': {', '.join(bad)}")
        if not backends.configured():
            self.stdout.write("No edge cache is configured (FRONTCACHE_* settings): nothing to do.")
            return
        if paths:
            with transaction.atomic():
                purge = services.purge_later(paths)
            if not services.send_purge(purge.pk):
                raise CommandError(f"Purge #{purge.pk} failed; it is pending for --pending.")
            self.stdout.write(self.style.SUCCESS(f"Purged {', '.join(purge.paths)}."))
        if pending:
            sent, failing = services.send_pending()
            if options["verbosity"] or failing:
                self.stdout.write(f"{sent} pending purges sent, {failing} still failing.")
            if failing:
                raise CommandError(f"{failing} purges still fail; see the log for why.")
