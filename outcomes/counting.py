"""Counts kept in each worker's memory and written to the database in bulk.

A page view costs a dictionary increment under a lock. The counts are written by a timer
thread in each gunicorn worker, one INSERT … ON CONFLICT statement per table for every
page, day and kind of referrer seen since the last write, every OUTCOMES_FLUSH_SECONDS, and
once more when the worker stops gracefully (gunicorn's worker_exit hook, gunicorn.conf.py).

Why a thread and not a write at the end of some request: a sync worker serves one request at
a time, so a write there would hold up the next patient in that worker's queue, and a worker
that sits idle would keep its counts unwritten for as long as it sits idle; the thread keeps
what a `kill -9` can lose to at most one interval. It opens its own database connection for
each write and closes it after, so it holds none between writes. Where no gunicorn worker
started the thread (`make dev`, a test server), the counts are written after a response has
been sent, at most once per interval (`flush_if_due`, on Django's request_finished).

Crawlers are left out with crawlerdetect's list of user agents. It misses bots that send a
browser's user agent (headless browsers, some scrapers and SEO tools) and fetchers newer
than the list; those are counted as visitors. It remembers the last 1,024 user agents it
was asked about, in this worker's memory only, to answer in microseconds.
"""

import datetime
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from urllib.parse import urlsplit

from crawlerdetect import CrawlerDetect
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from outcomes.models import ContactDay, PageDay
from outcomes.referrers import referrer_kind

logger = logging.getLogger(__name__)
# Rows per INSERT statement: well under SQLite's limit on bound parameters.
BATCH_ROWS = 500
# A write waits at most this long on PostgreSQL (SQLite's own wait is DATABASES' timeout), so
# a worker's last write fits in gunicorn's graceful_timeout.
FLUSH_TIMEOUT_MS = 5000
_crawlers = CrawlerDetect()


def today() -> datetime.date:
    """The site's date (TIME_ZONE). timezone.localdate() asks asgiref for the active time zone
    first, which costs ten times as long, on every counted view."""
    return datetime.datetime.now(timezone.get_default_timezone()).date()


def is_crawler(request) -> bool:
    return _crawlers.is_crawler(request.META.get("HTTP_USER_AGENT", ""))


@lru_cache(maxsize=8)
def _site_host(site_url: str) -> str:
    return urlsplit(site_url).hostname or ""


def _own_hosts(request) -> set[str]:
    own = {_site_host(settings.SITE_URL)}
    host = request.META.get("HTTP_HOST", "")
    if host:
        own.add(urlsplit("//" + host).hostname or "")
    return own


class Tally:
    """One worker's counts since they were last written."""

    def __init__(self):
        self.lock = threading.Lock()
        self.writing = threading.Lock()
        self.last_flush = time.monotonic()
        self._reset()

    def _reset(self) -> None:
        self.page_views: Counter = Counter()  # (day, path, referrer) → views
        self.form_views: Counter = Counter()  # (day, source, cta) → visits to the form
        self.requests: Counter = Counter()  # (day, source, cta) → requests stored

    def add(self, counter_name: str, key: tuple) -> None:
        with self.lock:
            getattr(self, counter_name)[key] += 1

    def pending(self) -> int:
        with self.lock:
            return (
                sum(self.page_views.values())
                + sum(self.form_views.values())
                + sum(self.requests.values())
            )

    def clear(self) -> None:
        with self.lock:
            self._reset()

    def flush(self) -> int:
        """Write every count held to the database; returns the rows written.

        If the database fails, the counts are kept for the next flush and nothing is lost.
        """
        with self.writing:
            with self.lock:
                taken = (self.page_views, self.form_views, self.requests)
                self._reset()
                self.last_flush = time.monotonic()
            page_views, form_views, requests = taken
            if not (page_views or form_views or requests):
                return 0
            try:
                with transaction.atomic():
                    _limit_wait()
                    rows = _upsert_page_views(page_views)
                    rows += _upsert_contact(form_views, requests)
            except DatabaseError as error:
                with self.lock:
                    self.page_views.update(page_views)
                    self.form_views.update(form_views)
                    self.requests.update(requests)
                # The class name only: a database message can quote the values.
                name = type(error).__name__
                logger.warning("outcomes: counts kept for the next write (%s)", name)
                return 0
            return rows


tally = Tally()


def count_page_view(request) -> None:
    """One view of the public page at request.path, unless a crawler asked for it."""
    if is_crawler(request):
        return
    kind = referrer_kind(request.META.get("HTTP_REFERER", ""), _own_hosts(request))
    tally.add("page_views", (today(), request.path, kind.value))


def count_form_view(request, *, source: str, cta: int | None) -> None:
    """One visit to the contact form from the article `source` ("" for none)."""
    if settings.OUTCOMES_ENABLED and not is_crawler(request):
        tally.add("form_views", (today(), source, cta or 0))


def count_request(*, source: str, cta: int | None, day=None) -> None:
    """One request for help stored, from the article `source` ("" for none)."""
    if settings.OUTCOMES_ENABLED:
        tally.add("requests", (day or today(), source, cta or 0))


def _limit_wait() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(FLUSH_TIMEOUT_MS)}")


def _upsert(model, keys: Sequence[str], counts: Sequence[str], rows: list[tuple]) -> int:
    """INSERT … ON CONFLICT DO UPDATE adding `counts` to the row of the same `keys`.

    Written out because QuerySet.bulk_create(update_conflicts=True) can only overwrite a
    count, not add to it; both SQLite and PostgreSQL accept this form.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(name) for name in (*keys, *counts))
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + EXCLUDED.{quote(c)}" for c in counts)
    conflict = ", ".join(quote(name) for name in keys)
    one_row = "(" + ", ".join(["%s"] * (len(keys) + len(counts))) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_ROWS):
            batch = rows[start : start + BATCH_ROWS]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one_row] * len(batch))} "  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                [value for row in batch for value in row],
            )
    return len(rows)


def _day(value) -> object:
    return connection.ops.adapt_datefield_value(value)


def _upsert_page_views(page_views: Counter) -> int:
    rows = [(_day(day), path, kind, n) for (day, path, kind), n in sorted(page_views.items())]
    return _upsert(PageDay, ("day", "path", "referrer"), ("views",), rows)


def _upsert_contact(form_views: Counter, requests: Counter) -> int:
    keys: Iterable = sorted(set(form_views) | set(requests))
    rows = [(_day(k[0]), k[1], k[2], form_views[k], requests[k]) for k in keys]
    return _upsert(ContactDay, ("day", "source", "cta"), ("form_views", "requests"), rows)


class Flusher(threading.Thread):
    """Writes the worker's counts every OUTCOMES_FLUSH_SECONDS until stopped."""

    def __init__(self, interval: float):
        super().__init__(name="outcomes-flusher", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                tally.flush()
            except Exception as error:  # noqa: BLE001 - the thread must outlive any one failure
                logger.error("outcomes: writing counts failed (%s)", type(error).__name__)
            finally:
                connections.close_all()  # this thread's connection only; none is kept


_flusher: Flusher | None = None


def start_flusher() -> None:
    """Start this process's timer thread (gunicorn's post_worker_init hook calls it)."""
    global _flusher
    if not settings.OUTCOMES_ENABLED or (_flusher and _flusher.is_alive()):
        return
    _flusher = Flusher(settings.OUTCOMES_FLUSH_SECONDS)
    _flusher.start()


def shutdown() -> None:
    """Stop the timer thread and write what is left (gunicorn's worker_exit hook)."""
    if _flusher is not None:
        _flusher.stopped.set()
        _flusher.join(timeout=settings.OUTCOMES_FLUSH_SECONDS)
    tally.flush()


def flush_if_due(**kwargs) -> None:
    """Where no timer thread runs: write after a response was sent, at most once an interval."""
    if _flusher is not None and _flusher.is_alive():
        return
    if time.monotonic() - tally.last_flush < settings.OUTCOMES_FLUSH_SECONDS:
        return
    tally.flush()
