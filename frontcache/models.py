"""What the edge cache must forget: one row per publish, kept until every backend purged it."""

from django.db import models


class PurgeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(purged_at__isnull=True)


class Purge(models.Model):
    """Paths that changed together (an article, the home page, the sitemap).

    Written in the publishing transaction, with the task that sends it (frontcache/tasks.py);
    `purged_at` is set once every configured backend accepted it. Paths only: no person's data.
    """

    paths = models.JSONField()
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    objects = PurgeQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["purged_at"], name="frontcache_purge_pending")]

    def __str__(self):
        state = "purged" if self.purged_at else f"pending after {self.attempts} attempts"
        return f"{', '.join(self.paths)}: {state}"
