"""A publish, as the caches see it: the page cache's stamp moves on, the edge is purged.

Apps call `pages_changed` inside their publishing transaction; nothing here imports them. It
moves the publish stamp on (every worker's page cache sees it on its next request), and
stores a `Purge` row and the
task that sends it (frontcache/tasks.py), so both exist exactly when the publish does: the
worker purges after the commit, a rolled-back publish purges nothing, and a purge that fails
is logged, retried by the task and by `purge_frontend_cache --pending` (cron), never undoing
or delaying the publish.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone

from frontcache import backends, tasks
from frontcache.models import PublishStamp, Purge

logger = logging.getLogger(__name__)


def pages_changed(paths: Iterable[str], *, when: datetime.datetime | None = None) -> Purge | None:
    """`paths` show something new from the caller's transaction on: every worker's page cache
    drops its pages, and the edge caches forget `paths` once the transaction commits."""
    _move_stamp(when or timezone.now())
    return purge_later(paths)


def purge_later(paths: Iterable[str]) -> Purge | None:
    """Ask the edge caches to forget `paths` once the caller's transaction commits."""
    if not backends.configured():
        return None
    purge = Purge.objects.create(paths=sorted(set(paths)), created_at=timezone.now())
    tasks.purge_edge.enqueue(purge.pk)
    return purge


def publish_count() -> int:
    """Publishes since the site began (monitoring: `/metrics`)."""
    stamp = PublishStamp.objects.filter(pk=PublishStamp.SINGLETON_PK).first()
    return stamp.count if stamp else 0


def _move_stamp(when: datetime.datetime) -> None:
    """Count a publish under the stamp row's lock, in the caller's transaction."""
    stamps = PublishStamp.objects.filter(pk=PublishStamp.SINGLETON_PK)
    if not stamps.update(count=F("count") + 1, changed_at=when):
        # The migration makes the row; only a flushed database (tests) lacks it.
        PublishStamp.objects.get_or_create(pk=PublishStamp.SINGLETON_PK)
        stamps.update(count=F("count") + 1, changed_at=when)


def send_purge(purge_id: int) -> bool:
    """Send one recorded purge to every configured cache; True once all confirmed it.

    Sending twice is harmless (a purge is idempotent), so a retry sends to every cache again.
    """
    purge = Purge.objects.filter(pk=purge_id).first()
    if purge is None or purge.purged_at is not None:
        return True
    problems = []
    for backend in backends.configured():
        try:
            backend.purge(purge.paths, reference=f"hartrehab-purge-{purge.pk}")
        except backends.PurgeFailed as failure:
            problems.append(str(failure))
    purge.attempts += 1
    if problems:
        purge.last_error = "; ".join(problems)[:200]
        logger.warning("frontcache: purge #%s failed: %s", purge.pk, purge.last_error)
    else:
        purge.purged_at = timezone.now()
        purge.last_error = ""
        logger.info("frontcache: purge #%s sent (%s)", purge.pk, ", ".join(purge.paths))
    purge.save(update_fields=["attempts", "last_error", "purged_at"])
    return not problems


def send_pending() -> tuple[int, int]:
    """Every purge not yet confirmed, oldest first: (sent, still failing)."""
    sent = failing = 0
    for purge_id in Purge.objects.pending().order_by("pk").values_list("pk", flat=True):
        if send_purge(purge_id):
            sent += 1
        else:
            failing += 1
    return sent, failing
