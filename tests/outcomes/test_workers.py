"""Counts from several processes add up: gunicorn workers, and two writers on PostgreSQL."""

import concurrent.futures
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from outcomes import counting
from outcomes.models import ContactDay, PageDay
from tools import local_server

ARTICLE = "/articles/opioid-induced-hyperalgesia/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"
WAIT_SECONDS = 20

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two processes on one database server: run with DATABASE_URL=postgres://...",
)


def _get(url: str, referer: str = "") -> int:
    request = urllib.request.Request(url, headers={"User-Agent": BROWSER, "Referer": referer})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def _site_counts(env: dict[str, str]) -> str:
    out = local_server.manage(
        env,
        "shell",
        "-c",
        "from django.db.models import Sum; from outcomes.models import PageDay; "
        "print(PageDay.objects.filter(path='" + ARTICLE + "').aggregate(n=Sum('views'))['n'])",
    )
    return out.stdout.strip().splitlines()[-1]


def test_two_gunicorn_workers_count_every_view_and_write_them_when_stopped(tmp_path):
    """Forty views over two workers, with an interval longer than the test: only the workers'
    graceful shutdown (gunicorn's worker_exit hook) can have written them."""
    env = local_server.site_env(tmp_path, OUTCOMES_FLUSH_SECONDS="3600")
    local_server.prepare(env)
    with local_server.gunicorn(env, workers=2) as base_url:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: _get(base_url + ARTICLE), range(40)))
        assert statuses == [200] * 40
        assert _site_counts(env) == "None"  # nothing written while they run
    assert _site_counts(env) == "40"


def test_the_timer_thread_writes_while_the_worker_runs(transactional_db, settings):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the test database is in memory: another thread's connection cannot see it")
    settings.OUTCOMES_FLUSH_SECONDS = 0.2
    counting.count_request(source="", cta=None)
    counting.start_flusher()
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not ContactDay.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        counting.shutdown()
    assert ContactDay.objects.get().requests == 1


WRITER = """
import sys, django
django.setup()
from outcomes.counting import tally
from django.utils import timezone
day = timezone.localdate()
for batch in range(int(sys.argv[1])):
    for n in range(int(sys.argv[2])):
        tally.add("page_views", (day, "/articles/a/", "search" if n % 2 else "none"))
        tally.add("requests", (day, "a", n % 3))
    tally.flush()
"""


@postgres_only
def test_two_processes_writing_at_once_add_up_on_postgresql(transactional_db):
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "hartrehab.settings"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    batches, per_batch = 50, 30
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(batches), str(per_batch)],
            cwd=Path(settings.BASE_DIR),
            env=env,
        )
        for _ in range(2)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]

    total = 2 * batches * per_batch
    assert sum(PageDay.objects.values_list("views", flat=True)) == total
    assert sum(ContactDay.objects.values_list("requests", flat=True)) == total
    assert PageDay.objects.count() == 2 and ContactDay.objects.count() == 3


@postgres_only
def test_a_write_waits_a_bounded_time_on_postgresql(transactional_db, monkeypatch):
    """A flush never waits without end on a locked row: it gives up and keeps its counts."""
    from django.db import connections

    monkeypatch.setattr(counting, "FLUSH_TIMEOUT_MS", 300)
    counting.count_request(source="", cta=None)
    counting.tally.flush()  # the row exists now
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {ContactDay._meta.db_table} FOR UPDATE")
        counting.count_request(source="", cta=None)
        assert counting.tally.flush() == 0  # timed out: kept for the next write
        assert counting.tally.pending() == 1
    finally:
        other.rollback()
        other.close()
