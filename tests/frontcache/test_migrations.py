"""The publish stamp moves from articles to frontcache with its row: the page cache and
the publishes metric go on counting from where they were."""

import datetime

import pytest
from django.db import connection

from tests.migrations import migrate, schema_at

BEFORE = [("articles", "0007_visible_text"), ("frontcache", "0001_initial")]
AFTER = [("frontcache", "0002_publish_stamp")]


@pytest.fixture
def old_schema(transactional_db):
    yield from schema_at(BEFORE)


def test_the_stamp_keeps_its_count_and_time_in_its_new_table(old_schema):
    when = datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC)
    OldStamp = old_schema.get_model("articles", "PublishStamp")
    OldStamp.objects.update_or_create(pk=1, defaults={"count": 41, "changed_at": when})

    apps = migrate(AFTER)

    stamp = apps.get_model("frontcache", "PublishStamp").objects.get()
    assert (stamp.pk, stamp.count, stamp.changed_at) == (1, 41, when)
    assert "articles_publishstamp" not in connection.introspection.table_names()


def test_the_move_can_be_undone_with_the_row(old_schema):
    apps = migrate(AFTER)
    apps.get_model("frontcache", "PublishStamp").objects.update_or_create(
        pk=1, defaults={"count": 7}
    )

    apps = migrate(BEFORE)

    assert apps.get_model("articles", "PublishStamp").objects.get().count == 7
