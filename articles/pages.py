"""The article page: one query for what is published, then the page built from it.

`article_context` builds everything the page shows (contents list, reviewer box, dates, body
with its calls to action, JSON-LD); the public page and the staff preview both use it, so the
preview is the page. The stored `body_html` is rendered and sanitized when the version is
saved, so building the page is two queries (the article with its published version, then its
reviewers) and one template. It runs only when the whole-page cache misses
(`frontcache/pagecache.py`: once per worker after a publish, a new day or a start).
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from articles.models import Article, ArticleVersion
from articles.services import signatories
from articles.structured_data import PagePerson, json_ld_script, medical_web_page
from articles.toc import table_of_contents

ARTICLE_TEMPLATE = "articles/_article.html"


@dataclass(frozen=True)
class ArticlePage:
    # Rendered by ARTICLE_TEMPLATE, which autoescapes all but the sanitized body.
    html: SafeString
    reviewers: tuple[PagePerson, ...]


def published_articles():
    """Published articles with the version's fields the page shows, not its Markdown source."""
    return (
        Article.objects.published()
        .select_related("published_version")
        .defer("published_version__body")
    )


def article_context(article: Article, version: ArticleVersion) -> dict:
    """What the article template needs to show `version` of `article` as patients see it."""
    page = article_page(version)
    return {
        "article": article,
        "version": version,
        "article_html": page.html,
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
    """The rendered <article> of `version`: its stored body, reviewers and contents list."""
    reviewers = tuple(
        PagePerson(name=person.name, credentials=person.credentials)
        for person in signatories(version)
    )
    html = render_to_string(
        ARTICLE_TEMPLATE,
        {
            "version": version,
            "body_html": version.body_html,
            "reviewers": reviewers,
            "reviewed": version.last_reviewed is not None,
            "toc": table_of_contents(version.body_html),
        },
    )
    return ArticlePage(html=html, reviewers=reviewers)
