"""The edge cache's side of a publish: record which pages changed, purge them after commit.

`pages_changed` is called inside the publishing transaction. It stores a `Purge` row and the
task that sends it (frontcache/tasks.py), so both exist exactly when the publish does: the
worker purges after the commit, a rolled-back publish purges nothing, and a purge that fails
is logged, retried by the task and by `purge_frontend_cache --pending` (cron), never undoing
or delaying the publish.
"""

import logging
from collections.abc import Iterable

from django.utils import timezone

from frontcache import backends, tasks
from frontcache.models import Purge

logger = logging.getLogger(__name__)


def pages_changed(paths: Iterable[str]) -> Purge | None:
    """Ask the edge caches to forget `paths` once the caller's transaction commits."""
    if not backends.configured():
        return None
    purge = Purge.objects.create(paths=sorted(set(paths)), created_at=timezone.now())
    tasks.purge_edge.enqueue(purge.pk)
    return purge


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
