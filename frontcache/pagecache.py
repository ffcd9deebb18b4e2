"""Whole public pages kept in each worker's memory, served before the middleware stack.

A public page (see `frontcache.responses.public_page`) is the same for every visitor until
something is published, so its finished response — headers from every middleware included —
is kept and replayed. Each request asks the database one cheap question first: the count of
publishes (frontcache.models.PublishStamp), which every publish moves on in its transaction.
So a publish shows on the very next request in every worker, with no shared cache to keep
in step.

Only what cannot differ between visitors is kept: GET without a query string, a 200 marked
public by its view, no cookie set, no `Vary` beyond Accept-Encoding (whose two answers are
kept apart). Entries are also keyed by the day, so nothing dated outlives its day.
"""

import datetime
import re
import threading
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError, connection
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from frontcache.models import PublishStamp

# The test django.middleware.gzip uses, so both agree on which variant a request gets.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Public pages are few (one per article and a handful more); the cap only stops a flood of
# distinct URLs from growing a worker's memory without end.
MAX_ENTRIES = 500
CACHEABLE_VARY = re.compile(r"^\s*(accept-encoding\s*)?$", re.IGNORECASE)
MARK = "_public_page_cacheable"
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


def mark_cacheable(response: HttpResponse) -> None:
    """Called by `public_page`: this response may be replayed to anyone."""
    setattr(response, MARK, True)


def revalidated(request, response):
    """`response`, or a 304 when the visitor's copy is current (as ConditionalGetMiddleware)."""
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


class StoredPage(NamedTuple):
    """A finished public response as kept: every header any middleware set, and the body."""

    headers: list[tuple[str, str]]
    content: bytes
    etag: str | None
    last_modified: int | None  # Last-Modified as a timestamp, read once when kept

    @classmethod
    def of(cls, response: HttpResponse) -> "StoredPage":
        return cls(
            headers=list(response.items()),
            content=response.content,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        )


class _Store:
    """One worker's public paths (learned from responses) and their stored responses."""

    def __init__(self):
        self.public_paths: set[str] = set()
        self.entries: dict[tuple, StoredPage] = {}
        self.lock = threading.Lock()

    def knows(self, path: str) -> bool:
        return path in self.public_paths

    def learn(self, path: str) -> None:
        with self.lock:
            if len(self.public_paths) >= MAX_ENTRIES:
                self.public_paths.clear()
            self.public_paths.add(path)

    def get(self, key):
        return self.entries.get(key)

    def put(self, key, value) -> None:
        with self.lock:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[key] = value

    def clear(self) -> None:
        with self.lock:
            self.public_paths.clear()
            self.entries.clear()


store = _Store()


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    # Pages show settings (the clinic's phone, its name); tests change them at run time.
    store.clear()


@lru_cache(maxsize=4)
def _stamp_query(vendor: str) -> str:
    table, count, changed_at = map(
        connection.ops.quote_name, (PublishStamp._meta.db_table, "count", "changed_at")
    )
    return f"SELECT {count}, {changed_at} FROM {table} WHERE id = %s"  # noqa: S608


def publication_stamp() -> tuple:
    """Changes whenever what patients see may have changed: every publish moves it on.

    Articles are never deleted or unpublished, so a publish is the only such change.
    Raw SQL: this runs on every public request and the ORM would triple its cost.
    """
    with connection.cursor() as cursor:
        cursor.execute(_stamp_query(connection.vendor), [PublishStamp.SINGLETON_PK])
        return cursor.fetchone() or ()


def site_today() -> datetime.date:
    """The site's date (TIME_ZONE), as timezone.localdate() gives it without first asking
    asgiref for the active time zone, which costs ten times as long, on every replay."""
    return datetime.datetime.now(timezone.get_default_timezone()).date()


class PublicPageCacheMiddleware:
    """Replays stored public pages; sits after SecurityMiddleware and WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not settings.PUBLIC_PAGE_CACHE
            or request.method != "GET"
            or request.META.get("QUERY_STRING")
        ):
            return self.get_response(request)
        if not store.knows(request.path):
            # No database question for pages that are not public (staff, forms, /healthz).
            # A public one is learned now and kept from its next request on: keeping this
            # answer could pair a page rendered before a publish with the stamp read after it.
            response = self.get_response(request)
            if self._cacheable(response) or self._public_304(response):
                store.learn(request.path)
            return response
        return self._from_store(request)

    def _from_store(self, request):
        request.get_host()  # Refuse a disallowed Host (400) before answering from memory.
        try:
            key = self._key(request)
        except DatabaseError:
            return self.get_response(request)  # The page reports the outage its own way.
        stored = store.get(key)
        if stored is not None:
            return self._replay(request, stored)
        # Render the whole page even for a revalidation, so there is something to keep; the
        # visitor still gets the 304 it asked for, from _replay.
        conditions = {name: request.META.pop(name, None) for name in CONDITIONAL_HEADERS}
        response = self.get_response(request)
        request.META.update((name, value) for name, value in conditions.items() if value)
        if not self._cacheable(response):
            return response
        stored = StoredPage.of(response)
        store.put(key, stored)
        return self._replay(request, stored)

    def _key(self, request) -> tuple:
        gzip = bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
        return (publication_stamp(), site_today(), request.path, gzip)

    @staticmethod
    def _cacheable(response) -> bool:
        return (
            getattr(response, MARK, False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and CACHEABLE_VARY.match(response.get("Vary", ""))
            # A nonce must be new on every response; the public policy has none today.
            and "'nonce-" not in response.get("Content-Security-Policy", "")
        )

    @staticmethod
    def _public_304(response) -> bool:
        # A worker that has only been asked to revalidate must still learn the page.
        return getattr(response, MARK, False) and response.status_code == 304

    @staticmethod
    def _replay(request, stored: StoredPage):
        response = HttpResponse(stored.content, headers=stored.headers)
        if not any(name in request.META for name in CONDITIONAL_HEADERS):
            return response
        answer = get_conditional_response(
            request, etag=stored.etag, last_modified=stored.last_modified, response=response
        )
        if answer.status_code == 304:
            # The security headers the middleware further in would have added to a 304.
            for name, value in stored.headers:
                if not name.lower().startswith("content-") or name.lower().startswith(
                    "content-security-policy"
                ):
                    answer.headers.setdefault(name, value)
        return answer
