from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.pages import article_context, published_articles
from frontcache.responses import public_page, set_last_modified


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
    # Runs when the page cache misses: the article with its published version, then the page.
    article = get_object_or_404(published_articles(), slug=slug)
    context = article_context(article, article.published_version)
    response = render(request, "articles/article_detail.html", context)
    set_last_modified(response, article.published_at)
    return response
