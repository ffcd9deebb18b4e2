"""The security headers of every response, for answers made before the middleware that adds
them has run: a disallowed Host refused by the page cache or by the HTTPS redirect, a request
body refused unread."""

from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

from hartrehab.csp import SiteCSPMiddleware

# Each leaves a header that is already set alone, so running them again further out is harmless.
HEADER_MIDDLEWARE = (SecurityMiddleware, SiteCSPMiddleware, XFrameOptionsMiddleware)


def _no_view(request):
    raise AssertionError("only process_response is used")


def with_security_headers(request, response):
    """`response` with HSTS (over HTTPS), nosniff, Referrer-Policy, COOP, the path's Content
    Security Policy and X-Frame-Options, as the middleware in settings.MIDDLEWARE sets them."""
    for middleware in HEADER_MIDDLEWARE:
        response = middleware(_no_view).process_response(request, response)
    return response
