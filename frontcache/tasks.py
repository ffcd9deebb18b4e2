"""Purges sent by the worker (`manage.py db_worker`), never inside a request (see
intake/tasks.py for the site's rule on outbound calls)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from frontcache import services
from frontcache.models import Purge


@task()
def purge_edge(purge_id: int) -> str:
    """Send one purge; while a cache refuses, try again later, a bounded number of times.

    Past that, `purge_frontend_cache --pending` (cron) keeps trying and exits 1 to say so.
    """
    if services.send_purge(purge_id):
        return "purged"
    attempts = Purge.objects.filter(pk=purge_id).values_list("attempts", flat=True).first()
    if attempts is not None and attempts < settings.FRONTCACHE_RETRY_ATTEMPTS:
        retry_at = timezone.now() + timedelta(seconds=settings.FRONTCACHE_RETRY_SECONDS)
        purge_edge.using(run_after=retry_at).enqueue(purge_id)
    return "failed"
