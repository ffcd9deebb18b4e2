"""A publish purges its pages at the edge from the worker, after it commits; a failed purge is
logged and retried, and never blocks or undoes the publish."""

import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from frontcache.models import Purge
from tests.factories import make_article, run_worker
from tests.frontcache.recorder import recording

PURGED = ["/", "/articles/test-article/", "/sitemap.xml"]


@pytest.fixture
def edge(settings):
    """A cache taking PURGE on a local port (a recorder here; Varnish in test_varnish.py)."""
    with recording() as recorder:
        settings.FRONTCACHE_PURGE_LOCATIONS = [recorder.url]
        yield recorder


def purged_paths(edge) -> list[str]:
    return sorted(c.path for c in edge.calls if c.method == "PURGE")


def test_a_publish_purges_the_article_home_and_sitemap_from_the_worker(db, edge):
    make_article("New text.\n")

    assert edge.calls == []  # nothing was sent inside the publish
    run_worker()

    assert purged_paths(edge) == PURGED
    assert Purge.objects.get().purged_at is not None


def test_nothing_is_recorded_without_an_edge_cache(db):
    make_article()

    assert not Purge.objects.exists()


def test_a_publish_that_rolls_back_purges_nothing(db, edge):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_article()
        raise RuntimeError("the publish fails after its purge was recorded")

    run_worker()

    assert not Purge.objects.exists() and edge.calls == []


def test_a_failed_purge_is_logged_and_retried_without_undoing_the_publish(
    db, edge, settings, caplog
):
    edge.answer(503, b"down", "text/plain")
    settings.FRONTCACHE_RETRY_ATTEMPTS = 3

    article = make_article("Published anyway.\n")
    with caplog.at_level(logging.WARNING, logger="frontcache"):
        run_worker()

    assert Article.objects.get(pk=article.pk).published_version is not None
    purge = Purge.objects.get()
    assert purge.purged_at is None and "503" in purge.last_error
    assert "purge #" in caplog.text and "503" in caplog.text
    retries = DBTaskResult.objects.filter(task_path="frontcache.tasks.purge_edge")
    assert retries.filter(status="READY").count() == 1  # the retry, due later

    edge.answer(200, b"ok", "text/plain")
    call_command("purge_frontend_cache", "--pending", stdout=io.StringIO())

    purge.refresh_from_db()
    assert purge.purged_at is not None and purge.attempts == 2


def test_retries_stop_after_the_set_number_of_attempts(db, edge, settings):
    edge.answer(503, b"down", "text/plain")
    settings.FRONTCACHE_RETRY_ATTEMPTS = 1

    make_article()
    run_worker()

    tasks = DBTaskResult.objects.filter(task_path="frontcache.tasks.purge_edge")
    assert tasks.filter(status="READY").count() == 0
    assert Purge.objects.pending().count() == 1


def test_pending_command_exits_1_while_a_cache_still_refuses(db, edge):
    edge.answer(503, b"down", "text/plain")
    make_article()

    with pytest.raises(CommandError, match="1 purges still fail"):
        call_command("purge_frontend_cache", "--pending", stdout=io.StringIO())
    with pytest.raises(CommandError, match="1 purges still fail"):
        call_command("purge_frontend_cache", "--pending", stdout=io.StringIO())

    assert Purge.objects.get().attempts == 2


def test_command_purges_named_paths_now(db, edge):
    out = io.StringIO()

    call_command("purge_frontend_cache", "/privacy/", stdout=out)

    assert purged_paths(edge) == ["/privacy/"]
    assert "Purged /privacy/" in out.getvalue()


@pytest.mark.parametrize(
    "args, message",
    [((), "Name paths to purge, or pass --pending"), (("privacy/",), "must start with '/'")],
)
def test_command_refuses_what_it_cannot_do(db, edge, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("purge_frontend_cache", *args, stdout=io.StringIO())
