"""A public page whose database read fails or times out answers the site's 503 page (clinic
phone, crisis lines), never gunicorn's or Django's bare 500."""

import pytest
from django.db import OperationalError, connection

from articles.models import Article
from tests.html import parse
from tests.locks import table_locked

ARTICLE = "/articles/opioid-induced-hyperalgesia/"


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    doc = parse(response.content)
    assert doc.title.string.startswith("Error:")
    assert doc.select_one("main a[href='tel:(555)010-4242']")
    assert doc.select_one("main .crisis a[href='tel:988']")
    assert doc.select_one("main .crisis a[href='tel:911']")


@pytest.fixture
def no_exceptions_raised(client, settings):
    settings.CLINIC_PHONE = "(555) 010-4242"
    client.raise_request_exception = False
    return client


def test_a_database_error_on_a_public_page_answers_503(
    no_exceptions_raised, seed_article, monkeypatch
):
    def timed_out(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(type(Article.objects.all()), "get", timed_out)

    assert_unavailable_page(no_exceptions_raised.get(ARTICLE))


def test_other_errors_keep_the_500_page(no_exceptions_raised, seed_article, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(type(Article.objects.all()), "get", crash)

    assert no_exceptions_raised.get(ARTICLE).status_code == 500


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL's lock_timeout: run with DATABASE_URL=postgres://... (CI does)",
)
def test_a_public_page_behind_a_held_table_lock_answers_503(
    no_exceptions_raised, transactional_db, seed_article
):
    with table_locked("articles_article"):
        response = no_exceptions_raised.get(ARTICLE)

    assert_unavailable_page(response)
