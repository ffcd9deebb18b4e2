"""The kind of site a visitor came from, read from the `Referer` header's host.

Only the kind is kept (outcomes.models.Referrer); the host and the rest of the address are
dropped here. The lists name the search engines and social sites that send patients most
often in the United States; a host on neither list counts as "another site". The referrer
parsers on PyPI (referer-parser, pyreferrer) have not been updated for years, so the list is
kept here, where it can be read at a glance.
"""

from urllib.parse import urlsplit

from outcomes.models import Referrer

# Registrable names; a host matches a name or any subdomain of it ("www.google.com",
# "news.google.co.uk" match "google" through SEARCH_BRANDS below).
SEARCH_BRANDS = (
    "google",
    "bing",
    "yahoo",
    "duckduckgo",
    "ecosia",
    "baidu",
    "yandex",
    "startpage",
    "qwant",
    "aol",
    "ask",
    "naver",
)
SEARCH_HOSTS = ("search.brave.com", "search.yahoo.com", "kagi.com", "perplexity.ai")
SOCIAL_HOSTS = (
    "facebook.com",
    "fb.com",
    "instagram.com",
    "t.co",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "lnkd.in",
    "reddit.com",
    "tiktok.com",
    "youtube.com",
    "youtu.be",
    "pinterest.com",
    "threads.net",
    "bsky.app",
    "tumblr.com",
    "quora.com",
    "nextdoor.com",
    "whatsapp.com",
    "snapchat.com",
)
# Second-level labels under which a brand sits in a country's domain (google.co.uk).
COUNTRY_SECOND_LEVELS = {"co", "com", "org", "net", "ac", "gov", "edu"}


def _brand(host: str) -> str:
    """The label before the public suffix, roughly: "google" for www.google.co.uk."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in COUNTRY_SECOND_LEVELS and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else host


def _within(host: str, names: tuple[str, ...]) -> bool:
    return any(host == name or host.endswith("." + name) for name in names)


def referrer_kind(referer: str, own_hosts: set[str]) -> Referrer:
    """The kind of site `referer` (the header's value) names; `own_hosts` are this site's."""
    if not referer:
        return Referrer.NONE
    try:
        host = (urlsplit(referer.strip()).hostname or "").rstrip(".")
    except ValueError:
        return Referrer.NONE
    if not host:
        return Referrer.NONE
    if host in own_hosts:
        return Referrer.INTERNAL
    if _within(host, SOCIAL_HOSTS):
        return Referrer.SOCIAL
    if _within(host, SEARCH_HOSTS) or _brand(host) in SEARCH_BRANDS:
        return Referrer.SEARCH
    return Referrer.OTHER
