"""How public pages are sent: compressed, with validators, revalidated on every visit.

A browser keeps the page but asks again each time (`max-age=0`); a shared cache (Varnish,
a CDN) may keep it for FRONTCACHE_S_MAXAGE seconds, serve it while it asks again, and serve
it while the site is down (frontcache.headers); a publish purges it there. The ETag (of the
uncompressed page, made here because the compressed bytes differ on every response) or
Last-Modified turns the answer into an empty 304 when nothing changed, and a publish shows at once.
"""

import functools

from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date
from django.views.decorators.gzip import gzip_page

from frontcache.headers import shared_cache_control
from frontcache.pagecache import mark_cacheable, revalidated


def public_page(view):
    """Send `view`'s HTML compressed, with an ETag, as a page to revalidate on every visit.

    Only for pages without secrets or form input: compressing those invites BREACH.
    """

    @gzip_page
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            set_response_etag(response)
            patch_cache_control(response, **shared_cache_control())
            mark_cacheable(response)
            # Answered here, not only by ConditionalGetMiddleware, so that the 304 still says
            # the page is public: a fresh worker learns the path from it (pagecache.py).
            response = revalidated(request, response)
            mark_cacheable(response)
        return response

    return wrapper


def set_last_modified(response, when) -> None:
    """Last-Modified from a datetime (None leaves it unset)."""
    if when is not None:
        response.headers["Last-Modified"] = http_date(when.timestamp())
