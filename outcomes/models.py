"""Counts, and nothing else: views per public page, day and kind of referrer; the contact
form's visits and requests per day, source article and call to action.

No row describes a visitor. There is no column for an address, a user agent, a cookie or a
referrer's address, and the database refuses a path that is not one of this site's paths.
"""

from django.db import models
from django.db.models import Q


class Referrer(models.TextChoices):
    """Where a visitor came from, as a kind only: the referring host is never kept."""

    SEARCH = "search", "Search engine"
    SOCIAL = "social", "Social site"
    OTHER = "other", "Another site"
    INTERNAL = "internal", "This site"
    NONE = "none", "Direct or none"


class CountQuerySet(models.QuerySet):
    def between(self, start, end):
        """Rows of the days from `start` to `end`, both included."""
        return self.filter(day__gte=start, day__lte=end)

    def older_than(self, day):
        return self.filter(day__lt=day)


class PageDay(models.Model):
    """Views of one public page on one day from one kind of referrer."""

    day = models.DateField()
    path = models.CharField(max_length=200, help_text="The page's path on this site.")
    referrer = models.CharField(max_length=8, choices=Referrer.choices)
    views = models.PositiveIntegerField(default=0)

    objects = CountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "path", "referrer"], name="pageday_unique"),
            # A path of this site, never an address another site sent.
            models.CheckConstraint(
                condition=Q(path__startswith="/") & ~Q(path__startswith="//"),
                name="pageday_path_is_local",
            ),
            models.CheckConstraint(
                condition=Q(referrer__in=Referrer.values), name="pageday_referrer_is_a_kind"
            ),
        ]
        permissions = [("view_outcomes", "Can see the outcomes page")]
        # The admin index lists this model for those who may see the outcomes page.
        verbose_name = "page's views on a day"
        verbose_name_plural = "views and requests (the outcomes page)"

    def __str__(self):
        return f"{self.day} {self.path} {self.referrer}: {self.views}"


class ContactDay(models.Model):
    """The contact form on one day, for one source article and call to action.

    `source` is the slug of the article whose call to action was followed ("" for none) and
    `cta` that call to action's position in the article, from 1 (0 for none).
    """

    day = models.DateField()
    source = models.CharField(max_length=100, blank=True)
    cta = models.PositiveSmallIntegerField(default=0)
    form_views = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)

    objects = CountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "source", "cta"], name="contactday_unique"),
            models.CheckConstraint(
                condition=~Q(source__contains="/") & ~Q(source__contains=":"),
                name="contactday_source_is_a_slug",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.source or '-'} #{self.cta}: {self.form_views}/{self.requests}"
