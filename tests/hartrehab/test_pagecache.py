"""Whole public pages from each worker's memory (hartrehab/pagecache.py)."""

import datetime
import gzip

import pytest
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from articles.models import PublishStamp
from articles.services import create_version, publish_loaded_version
from articles.sources import parse_source
from hartrehab import pagecache
from tests.factories import make_article, source_text
from tests.html import parse, text_of
from tests.staff import admin_url, login_staff, make_staff

STAMP_TABLE = PublishStamp._meta.db_table
SECURITY_HEADERS = [
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
]


def publish(article, body: str):
    source = parse_source(source_text(body, slug=article.slug), name="test")
    publish_loaded_version(create_version(article, source=source, origin="test"))


def body_of(response) -> str:
    return text_of(parse(response.content).find("div", class_="article-body"))


def warm(client, url: str, **headers):
    """First request learns the page is public, second keeps it: what a worker does."""
    client.get(url, **headers)
    return client.get(url, **headers)


def sql_of(client, url: str, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code in (200, 304)
    return [query["sql"] for query in queries.captured_queries]


@pytest.fixture
def article(db):
    return make_article("First reviewed text.\n")


def test_a_kept_page_costs_one_query_on_the_publish_stamp(client, article):
    url = article.get_absolute_url()
    warm(client, url)

    queries = sql_of(client, url)

    assert len(queries) == 1 and STAMP_TABLE in queries[0]


def test_replayed_page_is_the_rendered_one_with_every_header(client, article):
    url = article.get_absolute_url()
    rendered = client.get(url)
    kept = warm(client, url)
    replayed = client.get(url)

    assert replayed.content == rendered.content == kept.content
    for name in SECURITY_HEADERS + ["ETag", "Last-Modified", "Cache-Control", "Vary"]:
        assert replayed[name] == rendered[name], name
    assert replayed["X-Request-ID"] != rendered["X-Request-ID"]


def test_a_publish_shows_on_the_next_request(client, article):
    url = article.get_absolute_url()
    warm(client, url)
    assert body_of(client.get(url)) == "First reviewed text."

    # Nothing in this process tells the cache: only the stamp in the database moves.
    publish(article, "Second reviewed text.\n")

    assert body_of(client.get(url)) == "Second reviewed text."


def test_a_publish_elsewhere_changes_the_home_page_list(client, article):
    warm(client, "/")
    other = make_article("Other.\n", slug="another-article", title="Another article")

    assert "Another article" in text_of(parse(client.get("/").content))
    assert other.published_version is not None


def test_each_publish_moves_the_stamp_on_in_its_transaction(article):
    before = PublishStamp.objects.get()

    publish(article, "Second reviewed text.\n")

    after = PublishStamp.objects.get()
    assert after.count == before.count + 1
    assert after.changed_at == type(article).objects.get(pk=article.pk).published_at


def test_the_stamp_row_is_made_again_if_it_is_missing(article):
    PublishStamp.objects.all().delete()

    publish(article, "Second reviewed text.\n")

    assert PublishStamp.objects.get().count == 1


def test_revalidation_gets_a_304_from_memory_with_security_headers(client, article):
    url = article.get_absolute_url()
    etag = warm(client, url)["ETag"]

    queries = sql_of(client, url, HTTP_IF_NONE_MATCH=etag)
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert len(queries) == 1
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag
    for name in SECURITY_HEADERS:
        assert response.has_header(name), name


def test_a_fresh_worker_asked_only_to_revalidate_still_keeps_the_page(client, article):
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]
    pagecache.store.clear()  # a recycled worker: browsers only revalidate from now on

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    queries = sql_of(client, url, HTTP_IF_NONE_MATCH=etag)

    assert len(queries) == 1 and STAMP_TABLE in queries[0]
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_compressed_and_plain_answers_are_kept_apart(client, article):
    url = article.get_absolute_url()
    plain = warm(client, url)
    packed = warm(client, url, HTTP_ACCEPT_ENCODING="gzip")

    again_plain = client.get(url)
    again_packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")

    assert not again_plain.has_header("Content-Encoding")
    assert again_packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(again_packed.content) == again_plain.content == plain.content
    assert again_packed.content == packed.content


def test_a_query_string_is_never_served_from_memory(client, article):
    url = article.get_absolute_url()
    warm(client, url)

    queries = sql_of(client, url + "?utm_source=newsletter")

    assert not any(STAMP_TABLE in sql for sql in queries)
    assert len(queries) >= 1


def test_the_contact_form_is_never_kept(client, db):
    first = client.get("/contact/")
    second = client.get("/contact/")

    token = parse(first.content).find("input", {"name": "form_token"})["value"]
    assert parse(second.content).find("input", {"name": "form_token"})["value"] != token
    assert not pagecache.store.knows("/contact/")


@pytest.mark.parametrize("path", ["/healthz", "/robots.txt", "/sitemap.xml"])
def test_pages_that_are_not_marked_public_ask_nothing_extra(client, db, path):
    client.get(path)

    queries = sql_of(client, path)

    assert not pagecache.store.knows(path)
    assert not any(STAMP_TABLE in sql for sql in queries)


def test_staff_pages_are_never_kept(client, db):
    login_staff(client, make_staff("editor", groups=("Editors",)))

    assert client.get(admin_url()).status_code == 200
    client.get(admin_url())

    assert pagecache.store.public_paths == set()


def test_a_signed_in_member_of_staff_sees_the_same_public_page(client, article):
    url = article.get_absolute_url()
    public = warm(client, url)
    login_staff(client, make_staff("editor", groups=("Editors",)))

    assert client.get(url).content == public.content


def test_a_disallowed_host_is_refused_even_for_a_kept_page(client, article):
    url = article.get_absolute_url()
    warm(client, url)

    assert client.get(url, HTTP_HOST="evil.example").status_code == 400


@pytest.mark.parametrize("kept", [True, False], ids=["kept page", "page not kept"])
def test_the_disallowed_host_400_carries_the_public_security_headers(client, article, kept):
    url = article.get_absolute_url() if kept else "/contact/"
    if kept:
        warm(client, url)
        assert pagecache.store.knows(url)

    refused = client.get(url, HTTP_HOST="evil.example")
    public = client.get("/privacy/")

    assert refused.status_code == 400
    assert text_of(parse(refused.content).find("h1")) == "We could not read what was sent"
    assert {name: refused.get(name) for name in SECURITY_HEADERS} == {
        name: public[name] for name in SECURITY_HEADERS
    }


def test_a_disallowed_host_refused_by_the_https_redirect_carries_them_too(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True  # SecurityMiddleware asks for the Host first of all

    refused = client.get("/privacy/", HTTP_HOST="evil.example")
    public = client.get("/privacy/", secure=True)

    assert refused.status_code == 400
    assert {name: refused.get(name) for name in SECURITY_HEADERS} == {
        name: public[name] for name in SECURITY_HEADERS
    }


def test_a_database_error_on_the_stamp_falls_back_to_the_page(client, article, monkeypatch):
    url = article.get_absolute_url()
    warm(client, url)

    def fail():
        raise DatabaseError("connection lost")

    monkeypatch.setattr(pagecache, "publication_stamp", fail)

    response = client.get(url)
    assert response.status_code == 200
    assert body_of(response) == "First reviewed text."


def test_a_changed_setting_is_shown_at_once(client, article, settings):
    url = article.get_absolute_url()
    warm(client, url)

    settings.CLINIC_NAME = "Renamed Clinic"

    assert "Renamed Clinic" in text_of(parse(client.get(url).content))


def test_a_kept_page_does_not_outlive_its_day(client, article, time_machine):
    url = article.get_absolute_url()
    time_machine.move_to(datetime.datetime(2026, 12, 31, 23, 0, tzinfo=datetime.UTC))
    assert "© 2026" in text_of(parse(warm(client, url).content))

    time_machine.move_to(datetime.datetime(2027, 1, 1, 12, 0, tzinfo=datetime.UTC))

    assert "© 2027" in text_of(parse(client.get(url).content))


def test_off_renders_every_request(client, article, settings):
    settings.PUBLIC_PAGE_CACHE = False
    url = article.get_absolute_url()
    warm(client, url)

    queries = sql_of(client, url)

    assert not any(STAMP_TABLE in sql for sql in queries)


def test_memory_is_bounded_however_many_paths_are_asked_for(monkeypatch):
    store = pagecache._Store()
    monkeypatch.setattr(pagecache, "MAX_ENTRIES", 3)

    for number in range(10):
        store.learn(f"/page-{number}/")
        store.put((number,), ([], b""))

    assert len(store.public_paths) <= 3 and len(store.entries) <= 3


def _set_cookie(response):
    response.set_cookie("seen", "1")


def _vary_on_cookie(response):
    response["Vary"] = "Accept-Encoding, Cookie"


def _not_found(response):
    response.status_code = 404


def _csp_nonce(response):
    response["Content-Security-Policy"] = "script-src 'nonce-abc123'"


@pytest.mark.parametrize("change", [_set_cookie, _vary_on_cookie, _not_found, _csp_nonce])
def test_only_a_public_200_that_is_the_same_for_everyone_is_kept(change):
    response = HttpResponse("<p>page</p>")
    pagecache.mark_cacheable(response)
    assert pagecache.PublicPageCacheMiddleware._cacheable(response)

    change(response)

    assert not pagecache.PublicPageCacheMiddleware._cacheable(response)


def test_an_unmarked_page_is_not_kept():
    assert not pagecache.PublicPageCacheMiddleware._cacheable(HttpResponse("<p>page</p>"))
