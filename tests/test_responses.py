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
def test_pages_are_revalidated_on_every_visit(client, seed_article, path):
    response = client.get(path)

    assert "no-cache" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]  # would also keep it out of bfcache


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
