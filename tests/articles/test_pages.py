import pytest

from articles.pages import article_page, published_articles
from articles.services import create_version, publish_loaded_version
from articles.sources import parse_source
from tests.factories import make_article, source_text
from tests.html import parse, text_of


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    # These tests are about building the page, which happens when the whole-page cache
    # (frontcache/pagecache.py, tested in tests/frontcache/test_pagecache.py) misses; off, it
    # misses on every request.
    settings.PUBLIC_PAGE_CACHE = False


def new_version(article, body: str, *, publish: bool = True, **front_matter):
    source = parse_source(source_text(body, slug=article.slug, **front_matter), name="test")
    version = create_version(article, source=source, origin="test")
    if publish:
        publish_loaded_version(version)
    return version


def body_text(client, article) -> str:
    soup = parse(client.get(article.get_absolute_url()).content)
    return text_of(soup.find("div", class_="article-body"))


@pytest.fixture
def counting_off(settings):
    # Counted views are written after a response once an interval (outcomes/counting.py),
    # which would land in whichever request is measured.
    settings.OUTCOMES_ENABLED = False


def test_building_the_article_page_makes_two_queries(
    client, seed_article, counting_off, django_assert_num_queries
):
    # The article with its published version and stored body, then the version's reviewers.
    with django_assert_num_queries(2):
        response = client.get(seed_article.get_absolute_url())

    assert response.status_code == 200
    assert "makes the body more sensitive to pain" in response.content.decode()


def test_a_page_cache_miss_of_the_article_adds_only_the_publish_stamp(
    client, seed_article, counting_off, settings, django_assert_num_queries
):
    from frontcache.services import pages_changed

    settings.PUBLIC_PAGE_CACHE = True
    url = seed_article.get_absolute_url()
    client.get(url)  # the worker learns the page is public
    client.get(url)  # and keeps it
    with django_assert_num_queries(1):
        client.get(url)  # replayed after reading the publish stamp
    pages_changed(["/privacy/"])  # any publish makes every kept page miss once

    with django_assert_num_queries(3):
        response = client.get(url)

    assert "makes the body more sensitive to pain" in response.content.decode()


def test_publishing_a_new_version_changes_the_page_at_once(client, db):
    article = make_article("First reviewed text.\n")
    assert "First reviewed text." in body_text(client, article)

    new_version(article, "Second reviewed text.\n")

    assert body_text(client, article) == "Second reviewed text."


def test_a_draft_never_shows_and_republishing_an_old_version_shows_it_again(client, db):
    article = make_article("First reviewed text.\n")
    body_text(client, article)
    new_version(article, "Unreviewed draft.\n", publish=False)

    assert body_text(client, article) == "First reviewed text."

    new_version(article, "Second reviewed text.\n")
    assert body_text(client, article) == "Second reviewed text."
    # Going back means a new version with the old text (superseded ones are never republished).
    new_version(article, "First reviewed text.\n")
    assert body_text(client, article) == "First reviewed text."


def test_built_page_escapes_everything_but_the_sanitized_body(db):
    article = make_article(
        "Text.\n",
        title="<b>bold</b> title",
        reviewed_by=[{"name": "<i>x</i>", "credentials": "MD"}],
    )
    version = published_articles().get(pk=article.pk).published_version

    soup = parse(article_page(version).html)

    assert soup.find("b") is None and soup.find("i") is None
    assert text_of(soup.find("h1")) == "<b>bold</b> title"


def test_page_query_loads_the_stored_body_but_not_its_markdown_source(db):
    article = make_article()

    version = published_articles().get(pk=article.pk).published_version

    assert version.get_deferred_fields() == {"body"}


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
