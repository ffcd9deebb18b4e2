"""Counts views of public pages, whoever answered them: a view, the page cache or a 304.

It sits just inside WhiteNoise and outside the page cache (settings.MIDDLEWARE), so replays
from memory are counted like rendered pages, and static files never reach it.
"""

import logging

from django.conf import settings
from django.urls import Resolver404, resolve

from outcomes import counting

logger = logging.getLogger(__name__)
# The public pages whose views are counted, by URL name.
COUNTED_PAGES = frozenset({"home", "articles:detail", "privacy", "intake:contact", "intake:thanks"})
COUNTED_STATUSES = frozenset({200, 304})
# Paths answered 200 or 304 are few (one per page); the cap only bounds a worker's memory.
MAX_PATHS = 1000


class CountingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.counted_paths: dict[str, bool] = {}

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.OUTCOMES_ENABLED
            and request.method == "GET"
            and response.status_code in COUNTED_STATUSES
            and self._counted(request.path_info)
        ):
            try:
                counting.count_page_view(request)
            except Exception as error:  # noqa: BLE001 - counting must never cost a patient a page
                logger.error("outcomes: a view was not counted (%s)", type(error).__name__)
        return response

    def _counted(self, path: str) -> bool:
        counted = self.counted_paths.get(path)
        if counted is None:
            try:
                counted = resolve(path).view_name in COUNTED_PAGES
            except Resolver404:
                counted = False
            if len(self.counted_paths) >= MAX_PATHS:
                self.counted_paths.clear()
            self.counted_paths[path] = counted
        return counted
