"""The article page: one query for what is published, the rest cached per reviewed version.

`article_context` builds everything the page shows (contents list, reviewer box, dates, body
with its calls to action, JSON-LD); the public page and the staff preview both use it, so the
preview is the page. A reviewed version never changes, so its rendered <article> stays right
for as long as its template does (a draft's text can change, so a draft is rendered afresh).
The cache key names the version, its content hash and a fingerprint of the template:
publishing another version, or deploying a changed template, serves new HTML at once.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, ArticleVersion
from articles.services import signatories
from articles.structured_data import PagePerson, json_ld_script, medical_web_page
from articles.toc import table_of_contents

ARTICLE_TEMPLATE = "articles/_article.html"
# Old versions' entries age out; the current one is rebuilt in two queries when it does.
CACHE_SECONDS = 7 * 24 * 60 * 60
# Bump when ArticlePage changes shape, so no process reads an entry pickled by older code,
# or when stored body HTML is rewritten (3: calls to action carry their position).
CACHE_SCHEMA = 3


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


def article_context(article: Article, version: ArticleVersion) -> dict:
    """What the article template needs to show `version` of `article` as patients see it."""
    page = article_page(version)
    return {
        "article": article,
        "version": version,
        "article_html": page.safe_html,
        "json_ld": _json_ld(article, version, page),
    }


def _json_ld(article: Article, version: ArticleVersion, page: ArticlePage) -> SafeString:
    """The page's schema.org MedicalWebPage, from values fixed by the version and article."""
    data = medical_web_page(
        url=settings.SITE_URL + article.get_absolute_url(),
        title=version.title,
        summary=version.summary,
        about=version.about,
        reviewers=list(page.reviewers) if version.last_reviewed else [],
        last_reviewed=version.last_reviewed,
        date_published=article.created_at,
        date_modified=version.created_at,
        publisher_name=settings.CLINIC_NAME,
        publisher_url=settings.SITE_URL + "/",
    )
    return json_ld_script(data)


def article_page(version: ArticleVersion) -> ArticlePage:
    """The rendered article of `version`: from the cache, or built (and cached if reviewed)."""
    if not version.content_sha256:
        return _build(version)
    key = cache_key(version)
    page = cache.get(key)
    if page is None:
        page = _build(version)
        cache.set(key, page, CACHE_SECONDS)
    return page


def _build(version: ArticleVersion) -> ArticlePage:
    body_html = ArticleVersion.objects.values_list("body_html", flat=True).get(pk=version.pk)
    reviewers = tuple(
        PagePerson(name=person.name, credentials=person.credentials)
        for person in signatories(version)
    )
    html = render_to_string(
        ARTICLE_TEMPLATE,
        {
            "version": version,
            "body_html": body_html,
            "reviewers": reviewers,
            "reviewed": version.last_reviewed is not None,
            "toc": table_of_contents(body_html),
        },
    )
    return ArticlePage(html=html, reviewers=reviewers)
