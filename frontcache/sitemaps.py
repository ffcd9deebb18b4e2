"""Sitemaps whose addresses come from SITE_URL, never from the request's Host header.

The base every sitemap of public pages uses (the project's and each app's), kept here so that
apps need not import the project package; the edge purge builds its addresses the same way.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap


class SiteUrlSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc
