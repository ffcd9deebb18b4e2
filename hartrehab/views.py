"""Site-wide pages that belong to no app: privacy, robots.txt, the health check."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hartrehab.responses import public_page


@require_GET
@public_page
def privacy(request):
    # INTAKE, OUTCOMES: the page states the retention periods the purge commands enforce.
    context = {
        "intake_retention_days": settings.INTAKE_RETENTION_DAYS,
        "outcomes_retention_days": settings.OUTCOMES_RETENTION_DAYS,
    }
    return render(request, "pages/privacy.html", context)


@require_GET
def robots_txt(request):
    # Staff paths only: every public page, /contact/thanks/ included, may be crawled (a
    # disallowed public page fails Lighthouse's SEO audit, and it holds nothing private).
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.ADMIN_PATH}",
        "Disallow: /staff/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not; says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


# INTAKE: a request too large to read (a pasted 1 MB message) gets a page that says why.
def bad_request(request, exception):
    """400 page with the site's context (the clinic phone), unlike Django's default."""
    return render(request, "400.html", status=400)
