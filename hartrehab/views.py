"""Site-wide pages that belong to no app: privacy, robots.txt, the health check."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from frontcache.responses import public_page
from hartrehab.csp import staff_prefixes
from hartrehab.headers import with_security_headers
from intake.services import notifications_late


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
    """200 when the database answers, 503 when it does not; and whether staff emails are late.

    A mail backlog is reported, not a 503: every node shares the one queue, so a load balancer
    acting on it would take the whole site (and its crisis numbers) offline over an email.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        late = notifications_late(max_delay_minutes=settings.INTAKE_NOTIFY_MAX_DELAY_MINUTES)
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "notifications": "late" if late else "ok"})


# INTAKE: a request too large to read (a pasted 1 MB message) gets a page that says why.
def bad_request(request, exception):
    """400 page with the site's context (the clinic phone), unlike Django's default.

    It also answers a disallowed Host, which can be refused before the middleware that sets
    the security headers has run (the page cache, the HTTPS redirect): they are set here.
    """
    return with_security_headers(request, render(request, "400.html", status=400))


@never_cache
def csrf_failure(request, reason=""):
    """403 for a form post without a valid CSRF token (settings.CSRF_FAILURE_VIEW).

    A patient whose cookies were blocked or cleared gets the site's page: the message was not
    sent, what to do, the phone and the crisis lines. Staff pages keep Django's plain page.
    """
    if request.path_info.startswith(staff_prefixes()):
        return django_csrf_failure(request, reason=reason)
    return render(request, "csrf_failure.html", status=403)
