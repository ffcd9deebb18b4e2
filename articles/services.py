"""Writes to articles: every version is created and published through these functions."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from articles.models import Article, ArticleVersion, Reviewer, VersionReviewer
from articles.rendering import render_markdown
from articles.sources import ArticleSource


class LoadRefused(Exception):
    """The loader would replace work made outside the content files; `problems` says where."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadResult:
    path: str
    slug: str
    outcome: str  # "created", "updated" or "unchanged"
    number: int

    def __str__(self):
        if self.outcome == "unchanged":
            return f"{self.path}: unchanged (v{self.number})"
        return f"{self.path}: {self.outcome} v{self.number}"


def default_next_review(last_reviewed: datetime.date) -> datetime.date:
    return last_reviewed + datetime.timedelta(days=settings.ARTICLES_REVIEW_INTERVAL_DAYS)


def create_version(
    article: Article,
    *,
    source: ArticleSource,
    origin: str,
    change_note: str = "",
    by=None,
) -> ArticleVersion:
    """Add version n+1 to `article`, rendering and sanitizing its body once, now."""
    with transaction.atomic():
        # Lock the article so two writers cannot take the same number.
        Article.objects.select_for_update().filter(pk=article.pk).first()
        latest = article.versions.aggregate(n=Max("number"))["n"] or 0
        version = ArticleVersion(
            article=article,
            number=latest + 1,
            title=source.title,
            summary=source.summary,
            about=source.about,
            body=source.body,
            body_html=render_markdown(source.body, source=article.slug).html,
            last_reviewed=source.last_reviewed,
            next_review_due=source.next_review_due or default_next_review(source.last_reviewed),
            content_sha256=source.content_sha256,
            source=origin,
            change_note=change_note,
            created_by=by,
        )
        version.full_clean(exclude=["article"])
        version.save()
        for position, item in enumerate(source.reviewed_by):
            reviewer, _ = Reviewer.objects.get_or_create(
                name=item.name, credentials=item.credentials
            )
            VersionReviewer.objects.create(version=version, reviewer=reviewer, position=position)
    return version


def publish_version(version: ArticleVersion, *, by=None) -> Article:
    """Make `version` the one patients see; moves the article's pointer in one transaction."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=version.article_id)
        article.published_version = version
        article.published_at = timezone.now()
        article.published_by = by
        article.save(update_fields=["published_version", "published_at", "published_by"])
    return article


def _plan(source: ArticleSource, *, force: bool) -> tuple[str, ArticleVersion | None]:
    latest = ArticleVersion.objects.filter(article__slug=source.slug).latest_first().first()
    if latest is None:
        return "created", None
    if latest.content_sha256 == source.content_sha256:
        return "unchanged", latest
    if latest.source != source.path and not force:
        raise LoadRefused(
            [
                f"{source.path}: slug: v{latest.number} of '{source.slug}' was made by "
                f"'{latest.source}', not by this file; run with --force to replace it"
            ]
        )
    return "updated", latest


def load_sources(
    sources: list[ArticleSource], *, force: bool = False, dry_run: bool = False
) -> list[LoadResult]:
    """Load validated sources: a new published version for each changed one, nothing otherwise.

    All files are checked before any is written, and all are written in one transaction.
    """
    plans, problems = [], []
    for source in sources:
        try:
            plans.append((source, *_plan(source, force=force)))
        except LoadRefused as refused:
            problems.extend(refused.problems)
    if problems:
        raise LoadRefused(problems)
    results = []
    with transaction.atomic():
        for source, outcome, latest in plans:
            if outcome == "unchanged":
                results.append(LoadResult(source.path, source.slug, outcome, latest.number))
                continue
            number = (latest.number if latest else 0) + 1
            if not dry_run:
                article, _ = Article.objects.get_or_create(slug=source.slug)
                version = create_version(
                    article, source=source, origin=source.path, change_note="Loaded from file"
                )
                publish_version(version)
                number = version.number
            results.append(LoadResult(source.path, source.slug, outcome, number))
    return results
