"""The publish stamp the page cache asks on every request, and what the edge cache must forget:
one row per publish, kept until every backend purged it."""

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


class PublishStamp(models.Model):
    """One row that every publish moves on: "has anything been published since?" in one read.

    The public page cache (frontcache/pagecache.py) asks it on every request. Publishes take
    this row's lock to count, so the count follows the order they commit in, which ids and
    times written inside transactions do not. `changed_at` tells a count apart from the same
    count reached again after a database restore.
    """

    SINGLETON_PK = 1

    count = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.count} publishes, the last at {self.changed_at}"
