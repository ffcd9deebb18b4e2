"""Publishing from several connections at once (PostgreSQL only: SQLite takes one writer)."""

import threading

import pytest
from django.db import connection, connections

from articles.models import ArticleVersion
from articles.services import WorkflowError, create_version, publish_loaded_version
from articles.sources import parse_source
from tests.factories import make_article, source_text

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers: run with DATABASE_URL=postgres://... (CI does)",
)


def run_at_once(count: int, work) -> tuple[list, list[BaseException]]:
    """Run work(0..count-1) in threads released together; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(index):
        try:
            barrier.wait(timeout=30)
            results.append(work(index))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.mark.parametrize("writers", [2, 8])
def test_simultaneous_publishes_leave_one_consistent_pointer(transactional_db, writers):
    article = make_article("Version one.\n")

    def edit_and_publish(index: int) -> int:
        source = parse_source(source_text(f"Writer {index} text.\n"), name=f"writer-{index}")
        version = create_version(article, source=source, origin=f"writer-{index}")
        publish_loaded_version(version)
        return version.number

    numbers, errors = run_at_once(writers, edit_and_publish)

    # A writer whose version was overtaken by a newer publish is refused, never applied late.
    assert all(isinstance(e, WorkflowError) and "superseded" in str(e) for e in errors), errors
    assert len(numbers) + len(errors) == writers
    stored = list(ArticleVersion.objects.for_article(article).values_list("number", flat=True))
    assert sorted(stored) == list(range(1, writers + 2))  # unique, no gaps
    article.refresh_from_db()
    published = article.published_version
    assert published.number == writers + 1  # the newest version is the one patients see
    assert published.number in numbers
    assert f"Writer {published.source.removeprefix('writer-')} text." in published.body_html
    assert article.published_at is not None
    states = set(
        ArticleVersion.objects.for_article(article)
        .exclude(pk=published.pk)
        .values_list("state", flat=True)
    )
    assert states == {"superseded"}


def test_simultaneous_publishes_of_different_articles_each_move_the_stamp(transactional_db):
    from articles.models import PublishStamp

    articles = [make_article("Text.\n", slug=f"article-{index}") for index in range(6)]
    before = PublishStamp.objects.get().count

    def publish_one(index: int) -> None:
        article = articles[index]
        source = parse_source(source_text("New text.\n", slug=article.slug), name="writer")
        publish_loaded_version(create_version(article, source=source, origin="writer"))

    _, errors = run_at_once(len(articles), publish_one)

    assert errors == []
    # Counted under the row's lock: none lost, so the page cache sees every publish.
    assert PublishStamp.objects.get().count == before + len(articles)
