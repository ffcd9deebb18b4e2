from articles.models import Article
from frontcache.sitemaps import SiteUrlSitemap


class ArticleSitemap(SiteUrlSitemap):
    changefreq = "monthly"

    def items(self):
        return Article.objects.published().only("slug", "published_at").order_by("slug")

    def lastmod(self, article):
        return article.published_at
