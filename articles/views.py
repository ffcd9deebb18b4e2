from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from articles.models import Article


@require_safe
def article_list(request):
    articles = (
        Article.objects.published().with_published_version().order_by("published_version__title")
    )
    return render(request, "articles/article_list.html", {"articles": articles})


@require_safe
def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published().with_published_version(), slug=slug)
    return render(
        request,
        "articles/article_detail.html",
        {"article": article, "version": article.published_version},
    )
