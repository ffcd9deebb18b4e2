"""The Cache-Control of a public page: one declaration, read by `public_page` and its tests."""

from django.conf import settings


def shared_cache_control() -> dict:
    """Browsers revalidate every visit (max-age=0); shared caches keep the page a short while
    (s-maxage), refresh it in the background (stale-while-revalidate) and keep serving it while
    the origin fails (stale-if-error, RFC 5861). Varnish reads the same header
    (deploy/varnish.vcl)."""
    return {
        "public": True,
        "max_age": 0,
        "s_maxage": settings.FRONTCACHE_S_MAXAGE,
        "stale_while_revalidate": settings.FRONTCACHE_STALE_WHILE_REVALIDATE,
        "stale_if_error": settings.FRONTCACHE_STALE_IF_ERROR,
    }
