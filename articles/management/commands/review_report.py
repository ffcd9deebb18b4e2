"""List published articles whose medical review is overdue or due soon.

Medical content must be re-reviewed on a cycle. Run this weekly (from cron, or before the
editorial meeting); the admin's "review due" filter shows the same articles. With --notify it
also emails each reviewer the articles they reviewed that are due, once per article per
review cycle, so it is safe to run daily from cron.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.models import REVIEW_DUE_WITHIN_DAYS, Article
from articles.services import remind_reviewers


class Command(BaseCommand):
    help = "List published articles whose review is overdue or due within --days days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=REVIEW_DUE_WITHIN_DAYS,
            help=f"How far ahead to look (default {REVIEW_DUE_WITHIN_DAYS}).",
        )
        parser.add_argument(
            "--notify",
            action="store_true",
            help="Email each reviewer their due articles (once per article per review cycle).",
        )

    def handle(self, *args, days, notify=False, **options):
        if days < 0:
            raise CommandError("--days: must be 0 or more")
        today = timezone.localdate()
        articles = (
            Article.objects.review_due(today, within_days=days)
            .with_published_version()
            .order_by("published_version__next_review_due", "slug")
        )
        for article in articles:
            self.stdout.write(self._line(article, today))
        if options["verbosity"] >= 1:
            count = len(articles)
            if count:
                noun = "article is" if count == 1 else "articles are"
                self.stdout.write(f"{count} {noun} due for review within {days} days.")
            else:
                self.stdout.write(f"No reviews due within {days} days.")
        if notify:
            told = remind_reviewers(articles)
            for reviewer, versions in told.items():
                slugs = ", ".join(v.article.slug for v in versions)
                self.stdout.write(self.style.SUCCESS(f"Emailed {reviewer}: {slugs}"))
            if options["verbosity"] >= 1 and not told:
                self.stdout.write("No reviewer needed an email.")

    def _line(self, article: Article, today) -> str:
        version = article.published_version
        days_left = (version.next_review_due - today).days
        if days_left < 0:
            when = f"OVERDUE by {-days_left} days"
        elif days_left == 0:
            when = "due today"
        else:
            when = f"due in {days_left} days"
        reviewers = "; ".join(str(r) for r in version.ordered_reviewers)
        line = (
            f"{article.slug}: {when} ({version.next_review_due.isoformat()}); "
            f"last reviewed {version.last_reviewed.isoformat()} by {reviewers}"
        )
        return self.style.WARNING(line) if days_left < 0 else line
