"""The append-only model base: saving a stored row again, or deleting one, is refused.

A row still goes when what it belongs to is deleted (a purged or erased request takes its
notes): Django's cascade deletes rows in SQL without calling `delete()` on them.
"""

from django.db import models


class AppendOnlyError(Exception):
    """A stored record was about to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.verbose_name} rows cannot be changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.verbose_name} rows cannot be deleted.")

    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    """Written once. Give subclasses `objects = AppendOnlyQuerySet.as_manager()` (or a
    subclass of it) so that bulk changes are refused too."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self} is stored and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self} is stored and cannot be deleted.")
