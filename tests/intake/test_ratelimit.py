import os
import threading
import uuid

import pytest
import redis
from django.db import connection

from intake import ratelimit
from intake.models import RateLimitCounter

REDIS_URL = "redis://127.0.0.1:6379/1"
NOW = 1_750_000_000.0


@pytest.fixture
def redis_counters():
    """Two counters with separate Redis connections, as two gunicorn workers would have."""
    prefix = f"test-intake-{uuid.uuid4().hex}"
    clients = [redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1) for _ in range(2)]
    try:
        clients[0].ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail("CI is set but no Redis answers on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379: start one to run the Redis rate-limit tests")
    yield [ratelimit.RedisCounter(client, prefix) for client in clients]
    for key in clients[0].scan_iter(f"{prefix}:*"):
        clients[0].delete(key)
    for client in clients:
        client.close()


def hits(counters, settings, n):
    return [
        ratelimit.hit("198.51.100.4", counter=counters[i % len(counters)], now=NOW).allowed
        for i in range(n)
    ]


def test_redis_limit_holds_across_two_clients(redis_counters, settings):
    settings.INTAKE_RATE_LIMIT = 3

    assert hits(redis_counters, settings, 5) == [True, True, True, False, False]


def test_redis_counter_expires_with_its_window(redis_counters, settings):
    settings.INTAKE_RATE_LIMIT_WINDOW_SECONDS = 60
    counter = redis_counters[0]
    ratelimit.hit("198.51.100.4", counter=counter, now=NOW)

    [key] = list(counter.client.scan_iter(f"{counter.prefix}:*"))

    assert 0 < counter.client.ttl(key) <= 61


def test_redis_down_falls_back_to_the_database(db, settings):
    settings.INTAKE_RATE_LIMIT = 1
    dead = ratelimit.RedisCounter(
        redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2), "x"
    )

    first = ratelimit.hit("198.51.100.4", counter=dead, now=NOW)
    second = ratelimit.hit("198.51.100.4", counter=dead, now=NOW)

    assert (first.allowed, second.allowed) == (True, False)
    assert RateLimitCounter.objects.get().count == 2


def hit_in_own_connection(results):
    # A thread has its own database connection, as each gunicorn worker has its own.
    try:
        results.append(ratelimit.hit("198.51.100.4", now=NOW).allowed)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_database_limit_holds_across_two_connections(settings):
    settings.INTAKE_RATE_LIMIT = 3
    results = []

    for _ in range(5):
        thread = threading.Thread(target=hit_in_own_connection, args=(results,))
        thread.start()
        thread.join()

    assert results == [True, True, True, False, False]
    assert RateLimitCounter.objects.get().count == 5


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database locks whole tables between connections; "
    "run with DATABASE_URL=postgres://... (CI does)",
)
@pytest.mark.django_db(transaction=True)
def test_database_limit_counts_concurrent_posts_exactly(settings):
    settings.INTAKE_RATE_LIMIT = 10
    results = []
    threads = [threading.Thread(target=hit_in_own_connection, args=(results,)) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count(True) == 10
    assert RateLimitCounter.objects.get().count == 16


def test_the_window_resets_the_count(db, settings):
    settings.INTAKE_RATE_LIMIT = 1
    window = settings.INTAKE_RATE_LIMIT_WINDOW_SECONDS

    assert ratelimit.hit("198.51.100.4", now=NOW).allowed
    assert not ratelimit.hit("198.51.100.4", now=NOW).allowed
    assert ratelimit.hit("198.51.100.4", now=NOW + window).allowed


def test_old_windows_are_cleared(db, settings):
    window = settings.INTAKE_RATE_LIMIT_WINDOW_SECONDS
    ratelimit.hit("198.51.100.4", now=NOW - 3 * window)

    ratelimit.hit("198.51.100.5")

    assert RateLimitCounter.objects.count() == 1


def test_no_client_address_is_stored(db):
    ratelimit.hit("198.51.100.4", now=NOW)

    window, digest = RateLimitCounter.objects.get().key.split(":")
    assert window.isdigit()
    assert len(digest) == 64 and "198" not in digest[:3]


def test_retry_after_is_the_rest_of_the_window(db, settings):
    settings.INTAKE_RATE_LIMIT_WINDOW_SECONDS = 100

    decision = ratelimit.hit("198.51.100.4", now=1000.0 + 30)

    assert decision.retry_after == 70


def test_redis_is_used_when_redis_url_is_set(settings):
    settings.REDIS_URL = REDIS_URL

    assert isinstance(ratelimit.default_counter(), ratelimit.RedisCounter)
