"""Staff-only article endpoints: the preview of any version, and markdownx's two endpoints.

markdownx's own views have no login check and cannot know which article is being edited, so
markdownx.urls is never routed; its widget calls these wrappers instead.
"""

import functools
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from articles import permissions
from articles.models import ArticleVersion
from articles.pages import article_context
from articles.preview_style import scoped_stylesheet
from articles.rendering import RenderRefused, markdownify_for_preview
from articles.sources import SLUG_RE

FORBIDDEN = "Only signed-in staff who may edit articles can use the editor."
SITE_STYLESHEET = "css/site.css"
PREVIEW_SCOPE = ".markdownx-preview"


@never_cache
@require_safe
@login_required
def version_preview(request, pk: int):
    """Any version as its public page would show it (`article_context`, the same function the
    public page uses), under a "not published" banner.

    Versions the user may not see are a 404, whatever the id, so guessing reveals nothing.
    """
    version = get_object_or_404(
        ArticleVersion.objects.visible_to(request.user).with_review(), pk=pk
    )
    context = article_context(version.article, version)
    response = render(request, "articles/article_preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_POST
def markdownify(request):
    """markdownx's live preview: exactly the public render of the article `?source=<slug>`."""
    if not permissions.can_edit(request.user):
        return HttpResponse(FORBIDDEN, status=403, content_type="text/plain; charset=utf-8")
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("content: missing", content_type="text/plain")
    source = request.GET.get("source", "")
    if source and not SLUG_RE.match(source):
        return HttpResponseBadRequest("source: not an article slug", content_type="text/plain")
    try:
        html = markdownify_for_preview(content, source=source)
    except RenderRefused as refused:
        return HttpResponseBadRequest(f"body: {refused}", content_type="text/plain; charset=utf-8")
    return HttpResponse(html)


@never_cache
@require_POST
def upload(request):
    """markdownx's image upload, switched off: article pages show no images."""
    if not permissions.can_edit(request.user):
        return HttpResponse(FORBIDDEN, status=403, content_type="text/plain; charset=utf-8")
    return JsonResponse(
        {"image": ["Image upload is off: article pages show no images."]}, status=403
    )


@functools.cache
def _preview_css() -> str:
    found = finders.find(SITE_STYLESHEET)
    if found:
        css = Path(found).read_text(encoding="utf-8")
    else:  # a deployment that keeps only the collected files
        with staticfiles_storage.open(SITE_STYLESHEET) as file:
            css = file.read().decode("utf-8")
    return scoped_stylesheet(css, PREVIEW_SCOPE)


@require_safe
def preview_stylesheet(request):
    """The site's stylesheet for markdownx's live preview only, so it looks like the page.

    Served from this site (the staff CSP's style-src 'self' allows it), to staff only.
    """
    if not permissions.can_edit(request.user):
        return HttpResponse(FORBIDDEN, status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(_preview_css(), content_type="text/css; charset=utf-8")
