import datetime

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from appendonly.models import AppendOnlyError, AppendOnlyModel

# The workflow's states and moves are declared in articles/workflow.py; the model enforces them.
from articles.sources import text_sha256
from articles.validators import validate_visible_text
from articles.workflow import TEXT_FIELDS, TRANSITIONS, VersionState

# "Review due" means overdue or due within this many days (admin filter, review_report).
REVIEW_DUE_WITHIN_DAYS = 30


class VersionImmutableError(AppendOnlyError):
    """A saved article version was about to be changed or deleted."""


class Reviewer(models.Model):
    """A clinician who medically reviews articles, shown to patients by name and credentials."""

    name = models.CharField(
        max_length=200,
        validators=[validate_visible_text],
        help_text="Full name as patients should see it.",
    )
    credentials = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_visible_text],
        help_text="Post-nominal letters, e.g. “MD, FASAM”.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewer_profile",
        help_text="The staff account this clinician approves articles with.",
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

    def review_due(self, today: datetime.date, *, within_days: int = REVIEW_DUE_WITHIN_DAYS):
        """Published articles whose review is overdue or due within `within_days` of `today`."""
        horizon = today + datetime.timedelta(days=within_days)
        return self.published().filter(published_version__next_review_due__lte=horizon)

    def visible_to(self, user):
        """Articles `user` may see in the admin: published ones, and those with a version they
        may see (an article that is only someone else's draft does not exist for a reviewer)."""
        if not (user.is_active and user.is_staff and user.has_perm("articles.view_article")):
            return self.none()
        versions = ArticleVersion.objects.visible_to(user).filter(article=models.OuterRef("pk"))
        return self.filter(Q(published_version__isnull=False) | models.Exists(versions))

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

    def in_state(self, *states):
        return self.filter(state__in=states)

    def visible_to(self, user):
        """Versions `user` may see: staff with the view permission; drafts only to editors
        and their authors (a reviewer sees a version once it is submitted)."""
        if not (user.is_active and user.is_staff and user.has_perm("articles.view_articleversion")):
            return self.none()
        if user.has_perm("articles.change_articleversion"):
            return self
        return self.exclude(Q(state=VersionState.DRAFT) & ~Q(created_by=user))

    def awaiting_approval_by(self, reviewer: "Reviewer"):
        """Versions in review that list `reviewer` (or list nobody), oldest submission first,
        each with `submitted_at`. Whether they signed the current text is checked by hash."""
        return (
            self.in_state(VersionState.IN_REVIEW)
            .filter(Q(reviewer_links__reviewer=reviewer) | Q(reviewer_links__isnull=True))
            .distinct()
            .with_last_step()
            .order_by("submitted_at", "pk")
        )

    def drafts_of(self, user):
        """Drafts `user` started, each with its last workflow step (`last_action`)."""
        return self.in_state(VersionState.DRAFT).filter(created_by=user).with_last_step()

    def with_last_step(self):
        """Each version with `submitted_at` (its last submission) and `last_action`."""
        events = VersionEvent.objects.filter(version=OuterRef("pk"))
        return self.select_related("article", "created_by").annotate(
            submitted_at=Subquery(
                events.filter(action=VersionEvent.Action.SUBMITTED)
                .order_by("-at", "-pk")
                .values("at")[:1]
            ),
            last_action=Subquery(events.order_by("-at", "-pk").values("action")[:1]),
            last_at=Subquery(events.order_by("-at", "-pk").values("at")[:1]),
        )

    def with_review(self):
        return self.select_related("article").prefetch_related(
            models.Prefetch(
                "reviewer_links", queryset=VersionReviewer.objects.select_related("reviewer")
            ),
            "approvals",
        )

    def update(self, **kwargs):
        raise VersionImmutableError("Article versions cannot be changed; create a new version.")

    def delete(self):
        raise VersionImmutableError("Article versions cannot be deleted.")


class ArticleVersion(models.Model):
    """One numbered state of an article's text and its medical review.

    Only a draft's text can change; every other state is frozen, and states move only along
    TRANSITIONS (draft → in review → approved → published → superseded).
    """

    State = VersionState

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, validators=[validate_visible_text])
    summary = models.CharField(
        max_length=160,
        validators=[validate_visible_text],
        help_text="Shown in lists and search results.",
    )
    about = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_visible_text],
        help_text="The medical condition the article is about.",
    )
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False, help_text="Sanitized HTML rendered from body.")
    state = models.CharField(
        max_length=20, choices=VersionState.choices, default=VersionState.DRAFT, db_index=True
    )
    from_file = models.BooleanField(
        default=False,
        help_text="Loaded from a content file whose front matter carries the medical review.",
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version this draft started from.",
    )
    reviewers = models.ManyToManyField(Reviewer, through="VersionReviewer", related_name="versions")
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="Set by the medical review, never by an edit."
    )
    next_review_due = models.DateField(null=True, blank=True)
    content_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="sha256 of the canonical source (front matter and body), once reviewed.",
    )
    source = models.CharField(
        max_length=255, help_text="The content file it was loaded from, or who made it."
    )
    change_note = models.CharField(
        max_length=500, blank=True, help_text="What changed and why, for the reviewer."
    )
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
            models.CheckConstraint(
                condition=~Q(state__in=[VersionState.APPROVED, VersionState.PUBLISHED])
                | (
                    Q(last_reviewed__isnull=False, next_review_due__isnull=False)
                    & ~Q(content_sha256="")
                ),
                name="reviewed_when_approved",
            ),
        ]
        permissions = [
            ("submit_articleversion", "Can submit a draft for medical review"),
            ("approve_articleversion", "Can approve a version as a medical reviewer"),
            ("publish_articleversion", "Can publish an approved version"),
        ]

    def __str__(self):
        return f"{self.article.slug} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is None or self._state.adding:
            super().save(*args, **kwargs)
            return
        changed = self._changed_fields()
        if changed:
            super().save(update_fields=changed)

    def get_absolute_url(self):
        return self.article.get_absolute_url()

    def delete(self, *args, **kwargs):
        raise VersionImmutableError(f"{self} cannot be deleted; versions are kept for the record.")

    def _changed_fields(self) -> list[str]:
        """The fields this save would change, refusing any change the state does not allow."""
        stored = type(self)._base_manager.get(pk=self.pk)
        changed = [
            f.attname
            for f in self._meta.concrete_fields
            if getattr(self, f.attname) != getattr(stored, f.attname)
        ]
        allowed = {"state"} if "state" in changed else set()
        if stored.state == VersionState.DRAFT:
            allowed |= {*TEXT_FIELDS, "body_html"}
        if self.state != stored.state:
            move = (stored.state, self.state)
            if move not in TRANSITIONS:
                raise VersionImmutableError(
                    f"{self} cannot go from {stored.get_state_display().lower()} to "
                    f"{self.get_state_display().lower()}."
                )
            allowed |= set(TRANSITIONS[move])
        refused = sorted(set(changed) - allowed)
        if refused:
            raise VersionImmutableError(
                f"{self} is {stored.get_state_display().lower()} and cannot be changed "
                f"({', '.join(refused)}); start a new draft instead."
            )
        return changed

    @property
    def is_draft(self) -> bool:
        return self.state == VersionState.DRAFT

    @property
    def ordered_reviewers(self) -> list[Reviewer]:
        return [link.reviewer for link in self.reviewer_links.all()]

    def text_sha256(self) -> str:
        """Hash of the words a reviewer approves; any edit changes it (and voids approvals)."""
        return text_sha256(
            title=self.title,
            slug=self.article.slug,
            summary=self.summary,
            about=self.about,
            body=self.body,
        )

    @property
    def approval(self) -> "Approval | None":
        """The latest sign-off on this version (each listed reviewer gives one)."""
        return self.approvals.order_by("-approved_at", "-pk").first()


class VersionReviewer(models.Model):
    """A reviewer listed on a version, in order: for a file, who reviewed it (the name and
    credentials as the file gives them); for a draft, who must approve it."""

    version = models.ForeignKey(
        ArticleVersion, on_delete=models.PROTECT, related_name="reviewer_links"
    )
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200, blank=True, help_text="As the content file gave it.")
    credentials = models.CharField(max_length=200, blank=True)

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


class Approval(AppendOnlyModel):
    """One listed reviewer's sign-off on the exact text of one version.

    The reviewer's name and credentials are kept as they were at signing, so correcting the
    Reviewer record later changes neither a published page nor what can be published.
    """

    version = models.ForeignKey(ArticleVersion, on_delete=models.PROTECT, related_name="approvals")
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="approvals")
    reviewer_name = models.CharField(max_length=200)
    reviewer_credentials = models.CharField(max_length=200, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    text_sha256 = models.CharField(
        max_length=64, help_text="sha256 of the title, summary, about and body approved."
    )

    class Meta:
        ordering = ["-approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "reviewer", "text_sha256"], name="one_approval_per_text"
            ),
        ]

    def __str__(self):
        return f"{self.version} approved by {self.signed_as}"

    @property
    def signed_as(self) -> str:
        if self.reviewer_credentials:
            return f"{self.reviewer_name}, {self.reviewer_credentials}"
        return self.reviewer_name


class VersionEvent(AppendOnlyModel):
    """Who did what to a version, and when: the version's history."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned to draft"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

    version = models.ForeignKey(ArticleVersion, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["version", "at", "pk"]

    def __str__(self):
        return f"{self.version}: {self.get_action_display()}"


class ReviewReminder(models.Model):
    """A reviewer was emailed that a published version's review is due: once per version,
    which is once per review cycle (a new review publishes a new version)."""

    version = models.ForeignKey(ArticleVersion, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "reviewer"], name="one_reminder_per_review_cycle"
            ),
        ]

    def __str__(self):
        return f"{self.version}: {self.reviewer} reminded"
