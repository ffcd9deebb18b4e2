import xml.etree.ElementTree as ET

from django.utils import timezone

from tests.factories import make_article

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


def test_sitemap_lists_pages_and_published_articles_at_site_url(client, seed_article, settings):
    settings.SITE_URL = "https://www.example.org"
    make_article(slug="draft", title="Draft", publish=False)

    entries = sitemap_entries(client)

    assert set(entries) == {
        "https://www.example.org/",
        "https://www.example.org/privacy/",
        "https://www.example.org/articles/opioid-induced-hyperalgesia/",
    }
    lastmod = entries["https://www.example.org/articles/opioid-induced-hyperalgesia/"]
    # Dates are shown in the site's time zone (near midnight UTC the two differ).
    assert lastmod == timezone.localtime(seed_article.published_at).date().isoformat()


def test_sitemap_ignores_the_host_header(client, seed_article, settings):
    settings.SITE_URL = "https://www.example.org"
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]

    entries = sitemap_entries(client.__class__(HTTP_HOST="evil.example"))

    assert all(loc.startswith("https://www.example.org/") for loc in entries)


def test_robots_points_at_the_sitemap_and_keeps_staff_paths_out(client, settings):
    settings.SITE_URL = "https://www.example.org"

    lines = client.get("/robots.txt").content.decode().splitlines()

    assert lines[0] == "User-agent: *"
    assert "Sitemap: https://www.example.org/sitemap.xml" in lines
    assert f"Disallow: /{settings.ADMIN_PATH}" in lines
    assert "Disallow: /staff/" in lines
    # Public pages stay crawlable; a disallowed one fails Lighthouse's SEO audit.
    assert not any(line.startswith("Disallow: /contact") for line in lines)
    assert "Disallow: /" not in lines
