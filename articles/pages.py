"""The public article page: one query for what is published, the rest cached per version.

Versions never change, so a version's rendered <article> stays right for as long as its
template does. The cache key names the version, its content hash and a fingerprint of the
template: publishing another version, or deploying a changed template, serves new HTML at once.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, ArticleVersion, VersionReviewer
from articles.structured_data import PagePerson
from articles.toc import table_of_contents

ARTICLE_TEMPLATE = "articles/_article.html"
# Old versions' entries age out; the current one is rebuilt in two queries when it does.
CACHE_SECONDS = 7 * 24 * 60 * 60
# Bump when ArticlePage changes shape, so no process reads an entry pickled by older code,
# or when stored body HTML is rewritten (2: calls to action carry their position).
CACHE_SCHEMA = 2


@dataclass(frozen=True)
class ArticlePage:
    html: str
    reviewers: tuple[PagePerson, ...]

    @property
    def safe_html(self) -> SafeString:
        # Rendered by ARTICLE_TEMPLATE, which autoescapes all but the sanitized body.
        return mark_safe(self.html)  # noqa: S308


def published_articles():
    """Published articles with the version's fields a page head needs, not its long text."""
    return (
        Article.objects.published()
        .select_related("published_version")
        .defer("published_version__body", "published_version__body_html")
    )


def _template_fingerprint() -> str:
    # Cheap (the loader caches the parsed template) and never stale, even under `make dev`.
    source = get_template(ARTICLE_TEMPLATE).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def cache_key(version: ArticleVersion) -> str:
    # pk alone could repeat across databases sharing one Redis (or test databases whose
    # sequences roll back); with its creation time and content hash it names one version.
    return (
        f"articles:page:{CACHE_SCHEMA}:{version.pk}:{version.created_at.timestamp()}:"
        f"{version.content_sha256[:16]}:{_template_fingerprint()}"
    )


def article_page(version: ArticleVersion) -> ArticlePage:
    """The rendered article of `version`: from the cache, or built and cached now."""
    key = cache_key(version)
    page = cache.get(key)
    if page is None:
        page = _build(version)
        cache.set(key, page, CACHE_SECONDS)
    return page


def _build(version: ArticleVersion) -> ArticlePage:
    body_html = ArticleVersion.objects.values_list("body_html", flat=True).get(pk=version.pk)
    links = VersionReviewer.objects.filter(version_id=version.pk).select_related("reviewer")
    reviewers = tuple(
        PagePerson(name=link.reviewer.name, credentials=link.reviewer.credentials)
        for link in links.order_by("position")
    )
    html = render_to_string(
        ARTICLE_TEMPLATE,
        {
            "version": version,
            "body_html": body_html,
            "reviewers": reviewers,
            "toc": table_of_contents(body_html),
        },
    )
    return ArticlePage(html=html, reviewers=reviewers)
