"""Views counted in each worker's memory and written in bulk (outcomes/counting.py)."""

import datetime

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from outcomes import counting
from outcomes.counting import tally
from outcomes.models import PageDay
from tests.factories import make_article

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def article(db):
    return make_article("Reviewed text.\n")


def views(**filters) -> dict[tuple[str, str], int]:
    return {
        (row.path, row.referrer): row.views
        for row in PageDay.objects.filter(**filters).order_by("path", "referrer")
    }


def visit(client, url: str, referer: str = "", agent: str = BROWSER, **headers):
    return client.get(url, HTTP_USER_AGENT=agent, HTTP_REFERER=referer, **headers)


def test_views_are_counted_per_page_and_kind_of_referrer(client, article):
    url = article.get_absolute_url()
    visit(client, url, "https://www.google.com/")
    visit(client, url, "https://news.google.co.uk/search?q=pain")
    visit(client, url, "https://l.facebook.com/l.php?u=x")
    visit(client, url, "https://example.org/links")
    visit(client, url, "http://testserver/")
    visit(client, url)
    visit(client, "/privacy/")
    visit(client, "/")

    tally.flush()

    assert views() == {
        ("/", "none"): 1,
        (url, "internal"): 1,
        (url, "none"): 1,
        (url, "other"): 1,
        (url, "search"): 2,
        (url, "social"): 1,
        ("/privacy/", "none"): 1,
    }


def test_views_are_counted_on_the_day_they_happen(client, article, time_machine):
    url = article.get_absolute_url()
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC))
    visit(client, url)
    time_machine.move_to(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC))
    visit(client, url)
    visit(client, url)

    tally.flush()

    assert views(day=datetime.date(2026, 3, 1)) == {(url, "none"): 1}
    assert views(day=datetime.date(2026, 3, 2)) == {(url, "none"): 2}


def test_crawlers_are_not_counted(client, article):
    url = article.get_absolute_url()
    for agent in (GOOGLEBOT, "Mozilla/5.0 (compatible; bingbot/2.0)", "curl/8.5.0"):
        assert visit(client, url, agent=agent).status_code == 200
    visit(client, url)

    tally.flush()

    assert views() == {(url, "none"): 1}


def test_a_replay_from_the_page_cache_and_a_304_are_counted(client, article, settings):
    settings.PUBLIC_PAGE_CACHE = True
    url = article.get_absolute_url()
    etag = visit(client, url)["ETag"]
    visit(client, url)  # kept by the page cache now
    with CaptureQueriesContext(connection) as replay:
        assert visit(client, url).status_code == 200
    replay_queries = len(replay.captured_queries)
    assert visit(client, url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    tally.flush()

    assert replay_queries == 1  # the publish stamp only: the page came from memory
    assert views() == {(url, "none"): 4}


@pytest.mark.parametrize(
    "path", ["/articles/not-published/", "/contact/thanks", "/healthz", "/robots.txt", "/nope/"]
)
def test_only_public_pages_answered_in_full_are_counted(client, db, path):
    visit(client, path)

    tally.flush()

    assert views() == {}


def test_a_post_and_a_head_are_not_views(client, article):
    url = article.get_absolute_url()
    client.head(url, HTTP_USER_AGENT=BROWSER)
    client.post(url, HTTP_USER_AGENT=BROWSER)

    tally.flush()

    assert views() == {}


def test_off_counts_nothing(client, article, settings):
    settings.OUTCOMES_ENABLED = False
    visit(client, article.get_absolute_url())

    assert tally.pending() == 0
    tally.flush()
    assert views() == {}


def test_viewing_a_page_writes_nothing_until_the_flush(client, article, settings):
    settings.OUTCOMES_FLUSH_SECONDS = 3600
    url = article.get_absolute_url()
    visit(client, url)
    with CaptureQueriesContext(connection) as queries:
        visit(client, url)

    assert not [q for q in queries.captured_queries if "outcomes_" in q["sql"]]
    assert tally.pending() == 2


def test_a_flush_writes_one_statement_for_many_views(client, article):
    url = article.get_absolute_url()
    for _ in range(30):
        visit(client, url)
    visit(client, url, "https://www.bing.com/")
    visit(client, "/privacy/")

    with CaptureQueriesContext(connection) as queries:
        assert tally.flush() == 3

    writes = [q["sql"] for q in queries.captured_queries if "outcomes_pageday" in q["sql"]]
    assert len(writes) == 1
    assert views()[(url, "none")] == 30


def test_counts_add_up_across_flushes_and_a_graceful_shutdown(client, article):
    url = article.get_absolute_url()
    visit(client, url)
    visit(client, url)
    tally.flush()
    visit(client, url)

    counting.shutdown()  # what gunicorn's worker_exit hook calls

    assert views() == {(url, "none"): 3}
    assert tally.pending() == 0


def test_counts_are_kept_when_the_database_fails(client, article, monkeypatch):
    url = article.get_absolute_url()
    visit(client, url)

    def fail(rows):
        raise DatabaseError("down")

    monkeypatch.setattr(counting, "_upsert_page_views", fail)
    assert tally.flush() == 0
    monkeypatch.undo()
    visit(client, url)
    tally.flush()

    assert views() == {(url, "none"): 2}


def test_a_request_writes_the_counts_when_an_interval_has_passed(client, article, settings):
    url = article.get_absolute_url()
    settings.OUTCOMES_FLUSH_SECONDS = 3600
    visit(client, url)
    assert views() == {}

    tally.last_flush -= 3600  # an interval later, with no timer thread in this process
    visit(client, url)

    assert views() == {(url, "none"): 2}
