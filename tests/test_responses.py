"""Public pages are compressed, carry validators, and answer a repeat visit with 304."""

import gzip

import pytest
from django.utils.http import http_date

from tests.factories import make_article

PAGES = ["/", "/articles/opioid-induced-hyperalgesia/", "/privacy/"]


@pytest.mark.parametrize("path", PAGES)
def test_repeat_visit_with_the_etag_gets_304(client, seed_article, path):
    first = client.get(path)
    assert first.status_code == 200 and first["ETag"]

    again = client.get(path, headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("path", PAGES)
def test_browsers_revalidate_pages_on_every_visit(client, seed_article, path):
    response = client.get(path)

    control = parse_cache_control(response)
    assert control["max-age"] == "0"
    assert "no-store" not in control  # would also keep it out of bfcache
    assert "private" not in control


@pytest.mark.parametrize("path", PAGES)
def test_shared_caches_keep_public_pages_briefly_and_while_the_site_is_down(
    client, seed_article, path, settings
):
    settings.FRONTCACHE_S_MAXAGE = 45
    settings.FRONTCACHE_STALE_WHILE_REVALIDATE = 15
    settings.FRONTCACHE_STALE_IF_ERROR = 3600

    control = parse_cache_control(client.get(path))

    assert "public" in control
    assert (control["s-maxage"], control["stale-while-revalidate"]) == ("45", "15")
    assert control["stale-if-error"] == "3600"
    assert "no-cache" not in control  # a shared cache would not keep it at all


@pytest.mark.parametrize("path", ["/contact/", "/contact/thanks/", "/admin/login/"])
def test_staff_form_and_thanks_pages_stay_private_and_unstored(client, db, path):
    control = parse_cache_control(client.get(path))

    assert {"private", "no-store"} <= control.keys()
    assert "s-maxage" not in control


def parse_cache_control(response) -> dict[str, str]:
    parts = (part.strip().partition("=") for part in response["Cache-Control"].split(","))
    return {name.lower(): value for name, _, value in parts}


def test_article_last_modified_is_when_its_version_was_published(client, seed_article):
    response = client.get(seed_article.get_absolute_url())

    assert response["Last-Modified"] == http_date(seed_article.published_at.timestamp())
    again = client.get(
        seed_article.get_absolute_url(),
        headers={"if-modified-since": response["Last-Modified"]},
    )
    assert again.status_code == 304


def test_publishing_turns_the_old_etag_into_a_full_page(client, db):
    article = make_article("First text.\n")
    etag = client.get(article.get_absolute_url())["ETag"]

    make_article("Second text.\n")  # same slug: a new version, published

    response = client.get(article.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 200
    assert b"Second text." in response.content


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_gzipped_for_browsers_that_accept_it(client, seed_article, path):
    plain = client.get(path)

    response = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content) == plain.content
    assert len(response.content) < len(plain.content) / 2


def test_compressed_page_still_revalidates_to_304(client, seed_article):
    url = seed_article.get_absolute_url()
    first = client.get(url, headers={"accept-encoding": "gzip"})
    assert first["ETag"].startswith('W/"')  # the compressed bytes differ on every response

    again = client.get(url, headers={"accept-encoding": "gzip", "if-none-match": first["ETag"]})

    assert again.status_code == 304


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_set_no_cookie_and_do_not_vary_by_one(client, seed_article, path):
    response = client.get(path)

    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")
