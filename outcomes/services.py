"""Writes to the outcomes tables beyond counting: deleting counts past their keeping."""

import datetime

from django.db import transaction
from django.utils import timezone

from outcomes.models import ContactDay, PageDay


@transaction.atomic
def purge_counts(*, older_than_days: int, dry_run: bool = False) -> int:
    """Delete the counts of days more than `older_than_days` before today; returns rows."""
    cutoff = timezone.localdate() - datetime.timedelta(days=older_than_days)
    querysets = [PageDay.objects.older_than(cutoff), ContactDay.objects.older_than(cutoff)]
    if dry_run:
        return sum(queryset.count() for queryset in querysets)
    return sum(queryset.delete()[0] for queryset in querysets)
