"""`/metrics` in Prometheus's text format: requests and their latency by view, intake requests
stored, notified and waiting, and publishes. Numbers only: no path, address or anything a
patient wrote is a label.

Request metrics are counted in each gunicorn worker by `RequestMetricsMiddleware`. With
several workers a scrape reaches one of them, so gunicorn.conf.py turns on prometheus_client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR: each worker writes its values to a file there,
and a scrape sums them). The database-backed figures are read at scrape time, through the
apps' service functions, so every worker answers the same.

Access: a bearer token (METRICS_TOKEN) or a listed address (METRICS_ALLOWED_IPS); anything
else gets the site's 404, so the page's existence is not advertised.
"""

import os
import secrets
import time
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from frontcache.services import publish_count
from intake.services import request_counts

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
REQUESTS = Counter(
    "hartrehab_requests",
    "HTTP requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "hartrehab_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def view_name(request) -> str:
    """The view's URL name (never the path, which can name an article or carry what was
    typed); pages answered before URL routing (the page cache, static files) are resolved
    here."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return _path_view_name(request.path_info, getattr(request, "urlconf", None))
    return match.view_name or match._func_path


# Resolving a path costs as much as replaying a cached page, so each worker remembers the
# answer for its most recent paths; the bound keeps a flood of made-up paths from growing it.
@lru_cache(maxsize=1024)
def _path_view_name(path: str, urlconf) -> str:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return "<unmatched>"
    return match.view_name or match._func_path


@receiver(setting_changed)
def _urls_changed(setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _path_view_name.cache_clear()


class RequestMetricsMiddleware:
    """Counts and times every request; sits right inside the request log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        began = time.perf_counter()
        response = self.get_response(request)
        view = view_name(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - began)
        return response


class SiteCollector:
    """Figures read from the database at scrape time, through the apps' services."""

    def collect(self):
        counts = request_counts()
        intake = GaugeMetricFamily(
            "hartrehab_intake_requests",
            "Contact requests kept (stored), emailed to staff (notified), waiting for that email.",
            labels=["state"],
        )
        for state in ("stored", "notified", "waiting"):
            intake.add_metric([state], getattr(counts, state))
        yield intake
        yield CounterMetricFamily(
            "hartrehab_publishes", "Article versions published.", value=publish_count()
        )


def allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return secrets.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    return request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_IPS


@never_cache
def metrics(request):
    if not allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        workers = CollectorRegistry()
        MultiProcessCollector(workers)
    else:
        workers = REGISTRY
    site = CollectorRegistry()
    site.register(SiteCollector())
    return HttpResponse(generate_latest(workers) + generate_latest(site), CONTENT_TYPE_LATEST)
