from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.pages import article_page, published_articles
from articles.structured_data import json_ld_script, medical_web_page
from hartrehab.responses import public_page, set_last_modified


@require_safe
@public_page
def article_list(request):
    articles = (
        Article.objects.published().with_published_version().order_by("published_version__title")
    )
    return render(request, "articles/article_list.html", {"articles": articles})


@require_safe
@public_page
def article_detail(request, slug):
    # One query on a warm cache: the article and its published version's short fields.
    article = get_object_or_404(published_articles(), slug=slug)
    version = article.published_version
    page = article_page(version)
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "version": version,
            "article_html": page.safe_html,
            "json_ld": _json_ld(article, version, page),
        },
    )
    set_last_modified(response, article.published_at)
    return response


def _json_ld(article, version, page):
    """The page's schema.org MedicalWebPage, from values fixed by the version and article."""
    data = medical_web_page(
        url=settings.SITE_URL + article.get_absolute_url(),
        title=version.title,
        summary=version.summary,
        about=version.about,
        reviewers=list(page.reviewers),
        last_reviewed=version.last_reviewed,
        date_published=article.created_at,
        date_modified=version.created_at,
        publisher_name=settings.CLINIC_NAME,
        publisher_url=settings.SITE_URL + "/",
    )
    return json_ld_script(data)
