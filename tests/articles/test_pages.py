import pytest
from django.core.cache import cache

from articles.pages import article_page, cache_key, published_articles
from articles.services import create_version, publish_loaded_version
from articles.sources import parse_source
from tests.factories import make_article, source_text
from tests.html import parse, text_of


@pytest.fixture(autouse=True)
def empty_cache(settings):
    # These tests are about the view's own cache, so the whole-page cache in front of it
    # (hartrehab/pagecache.py, tested in tests/hartrehab/test_pagecache.py) is off.
    settings.PUBLIC_PAGE_CACHE = False
    cache.clear()
    yield
    cache.clear()


def new_version(article, body: str, *, publish: bool = True, **front_matter):
    source = parse_source(source_text(body, slug=article.slug, **front_matter), name="test")
    version = create_version(article, source=source, origin="test")
    if publish:
        publish_loaded_version(version)
    return version


def body_text(client, article) -> str:
    soup = parse(client.get(article.get_absolute_url()).content)
    return text_of(soup.find("div", class_="article-body"))


def test_warm_article_request_makes_at_most_three_queries(
    client, seed_article, django_assert_max_num_queries
):
    client.get(seed_article.get_absolute_url())  # fills the cache

    with django_assert_max_num_queries(3):
        response = client.get(seed_article.get_absolute_url())

    assert response.status_code == 200


def test_warm_article_request_reads_only_what_is_published(
    client, seed_article, django_assert_num_queries
):
    client.get(seed_article.get_absolute_url())

    # One query (the article and its published version); body and reviewers come from the cache.
    with django_assert_num_queries(1):
        client.get(seed_article.get_absolute_url())


def test_cold_article_request_fills_the_cache_for_its_version(client, seed_article):
    version = seed_article.published_version
    assert cache.get(cache_key(version)) is None

    client.get(seed_article.get_absolute_url())

    page = cache.get(cache_key(version))
    assert "makes the body more sensitive to pain" in page.html
    assert [r.name for r in page.reviewers] == ["Randy Gelow", "Ray Hamilton"]


def test_publishing_a_new_version_changes_the_page_at_once(client, db):
    article = make_article("First reviewed text.\n")
    assert "First reviewed text." in body_text(client, article)

    new_version(article, "Second reviewed text.\n")

    assert body_text(client, article) == "Second reviewed text."


def test_a_draft_never_shows_and_republishing_an_old_version_shows_it_again(client, db):
    article = make_article("First reviewed text.\n")
    first = article.published_version
    body_text(client, article)
    new_version(article, "Unreviewed draft.\n", publish=False)

    assert body_text(client, article) == "First reviewed text."

    second = new_version(article, "Second reviewed text.\n")
    assert body_text(client, article) == "Second reviewed text."
    # Going back means a new version with the old text (superseded ones are never republished).
    third = new_version(article, "First reviewed text.\n")
    assert body_text(client, article) == "First reviewed text."
    assert len({cache_key(first), cache_key(second), cache_key(third)}) == 3


def test_cached_page_escapes_everything_but_the_sanitized_body(db):
    article = make_article(
        "Text.\n",
        title="<b>bold</b> title",
        reviewed_by=[{"name": "<i>x</i>", "credentials": "MD"}],
    )
    version = published_articles().get(pk=article.pk).published_version

    soup = parse(article_page(version).html)

    assert soup.find("b") is None and soup.find("i") is None
    assert text_of(soup.find("h1")) == "<b>bold</b> title"


def test_page_query_does_not_load_the_long_text(db):
    article = make_article()

    version = published_articles().get(pk=article.pk).published_version

    assert {"body", "body_html"} <= version.get_deferred_fields()


def test_long_article_lists_its_sections_first(client, seed_article):
    soup = parse(client.get(seed_article.get_absolute_url()).content)

    toc = soup.find("nav", class_="toc")
    assert toc["aria-labelledby"] == "toc-heading"
    assert text_of(soup.find(id="toc-heading")) == "On this page"
    links = toc.find_all("a")
    body_ids = [h["id"] for h in soup.find("div", class_="article-body").find_all("h2")]
    assert [a["href"] for a in links] == [f"#{i}" for i in body_ids]
    assert text_of(links[0]) == "Can Opioids Make Your Pain Worse?"
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_short_article_has_no_contents_list(client, db):
    article = make_article("## Only section\n\nText.\n")

    soup = parse(client.get(article.get_absolute_url()).content)

    assert soup.find("nav", class_="toc") is None


def test_detail_template_given_only_a_version_still_shows_the_article(rf, seed_article):
    from django.template.loader import render_to_string

    version = seed_article.published_version
    html = render_to_string(
        "articles/article_detail.html",
        {"article": seed_article, "version": version},
        request=rf.get("/"),
    )

    soup = parse(html)
    assert text_of(soup.find("h1")) == version.title
    assert "makes the body more sensitive to pain" in text_of(soup.find(class_="article-body"))
    assert text_of(soup.find(class_="reviewers")).startswith("Randy Gelow, MD, FASAM")
