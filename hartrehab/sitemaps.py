"""The sitemap of public pages that are not articles (addresses from SITE_URL)."""

from django.urls import reverse

from frontcache.sitemaps import SiteUrlSitemap


class PagesSitemap(SiteUrlSitemap):
    """Public pages that are not articles."""

    changefreq = "monthly"

    def items(self):
        return ["home", "privacy"]

    def location(self, item):
        return reverse(item)
