from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class VersionImmutableError(Exception):
    """A saved article version was about to be changed or deleted."""


class Reviewer(models.Model):
    """A clinician who medically reviews articles, shown to patients by name and credentials."""

    name = models.CharField(max_length=200, help_text="Full name as patients should see it.")
    credentials = models.CharField(
        max_length=200, blank=True, help_text="Post-nominal letters, e.g. “MD, FASAM”."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "credentials"], name="unique_reviewer"),
        ]

    def __str__(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_version__isnull=False)

    def with_published_version(self):
        return self.select_related("published_version").prefetch_related(
            models.Prefetch(
                "published_version__reviewer_links",
                queryset=VersionReviewer.objects.select_related("reviewer"),
            )
        )


class Article(models.Model):
    """The stable identity of an article (its slug); its text lives in versions."""

    slug = models.SlugField(max_length=100, unique=True)
    published_version = models.OneToOneField(
        "ArticleVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version patients see. Moved only by publishing.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})


class ArticleVersionQuerySet(models.QuerySet):
    def for_article(self, article):
        return self.filter(article=article)

    def latest_first(self):
        return self.order_by("-number")

    def update(self, **kwargs):
        raise VersionImmutableError("Article versions cannot be changed; create a new version.")

    def delete(self):
        raise VersionImmutableError("Article versions cannot be deleted.")


class ArticleVersion(models.Model):
    """One numbered, immutable state of an article's text and its medical review."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=160, help_text="Shown in lists and search results.")
    about = models.CharField(
        max_length=200, blank=True, help_text="The medical condition the article is about."
    )
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False, help_text="Sanitized HTML rendered from body.")
    reviewers = models.ManyToManyField(Reviewer, through="VersionReviewer", related_name="versions")
    last_reviewed = models.DateField()
    next_review_due = models.DateField()
    content_sha256 = models.CharField(
        max_length=64, help_text="sha256 of the canonical source (front matter and body)."
    )
    source = models.CharField(
        max_length=255, help_text="The content file it was loaded from, or who made it."
    )
    change_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ArticleVersionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_version_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(
                condition=Q(next_review_due__gte=models.F("last_reviewed")),
                name="review_due_after_review",
            ),
        ]

    def __str__(self):
        return f"{self.article.slug} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise VersionImmutableError(
                f"{self} is saved and cannot be changed; create a new version instead."
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.article.get_absolute_url()

    def delete(self, *args, **kwargs):
        raise VersionImmutableError(f"{self} cannot be deleted; versions are kept for the record.")

    @property
    def ordered_reviewers(self) -> list[Reviewer]:
        return [link.reviewer for link in self.reviewer_links.all()]


class VersionReviewer(models.Model):
    """A reviewer of a version, in the order the source lists them."""

    version = models.ForeignKey(
        ArticleVersion, on_delete=models.PROTECT, related_name="reviewer_links"
    )
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "reviewer"], name="unique_version_reviewer"),
            models.UniqueConstraint(
                fields=["version", "position"], name="unique_reviewer_position"
            ),
        ]

    def __str__(self):
        return f"{self.version}: {self.reviewer}"
