"""A hung mail server never reaches a patient: the real gunicorn, the real worker, real sockets.

The site runs as deployed (gunicorn, `manage.py db_worker`) on its own database; the mail
server is a local socket that accepts and never answers, later replaced by a real SMTP server.
"""

import contextlib
import json
import re
import signal
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes

import pytest
from django.db import connection

from bench import postgres
from bench.intake import INTAKE_ENV, fetch_form, post_form
from tools.local_server import gunicorn, manage, prepare, site_env, task_worker
from tools.mail_servers import hung_smtp_server, smtp_sink

POSTS = 50
EMAIL_TIMEOUT = 10  # the site's own ceiling: a post that waited for the mail server takes this
# A post or a page that answers before this did not wait for the mail server.
ANSWER_BOUND = EMAIL_TIMEOUT - 2
ARTICLE = "/articles/opioid-induced-hyperalgesia/"

QUEUE_CHECK = """
import json
from django_tasks_db.models import DBTaskResult
from intake.models import ContactSubmission as S
print(json.dumps({
    "requests": S.objects.count(),
    "notified": S.objects.filter(notified_at__isnull=False).count(),
    "claimed": S.objects.filter(notify_claimed_at__isnull=False, notified_at__isnull=True).count(),
    "queued": DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count(),
}))
"""


def queue_state(env) -> dict:
    out = manage(env, "shell", "--no-imports", "-c", QUEUE_CHECK, timeout=60).stdout
    return json.loads(out.strip().splitlines()[-1])


def wait_for(check, *, what: str, seconds: float = 90):
    """Poll `check()` until it returns something true; fail, naming `what`, after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    pytest.fail(f"gave up waiting for {what}")


@pytest.fixture
def site_database(tmp_path) -> Iterator[dict[str, str]]:
    """The site's own database, of the kind this run tests: a SQLite file, or a PostgreSQL
    database created beside the test database and dropped afterwards."""
    if connection.vendor != "postgresql":
        yield {}
        return
    conf = connection.settings_dict
    server = (
        f"postgres://{urllib.parse.quote(conf['USER'] or '')}:"
        f"{urllib.parse.quote(conf['PASSWORD'] or '')}@{conf['HOST'] or '127.0.0.1'}:"
        f"{conf['PORT'] or 5432}/postgres"
    )
    name = re.sub(r"[^a-z0-9_]", "_", f"{conf['NAME']}_mail_worker".lower())[:63]
    with postgres.database(server, name) as url:
        yield {"DATABASE_URL": url}


def mail_env(tmp_path, mail_port: int, **extra) -> dict[str, str]:
    return site_env(
        tmp_path,
        **INTAKE_ENV
        | {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail_port),
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
            "INTAKE_NOTIFY_RETRY_SECONDS": "1",
        }
        | extra,
    )


def subjects(messages: list[bytes]) -> list[str]:
    return sorted(message_from_bytes(m)["Subject"] for m in messages)


def expected_subjects(count: int) -> list[str]:
    return sorted(f"New request for help #{pk}" for pk in range(1, count + 1))


def post_many(port: int, count: int) -> list[int]:
    forms = [fetch_form(port) for _ in range(count)]
    with ThreadPoolExecutor(count) as pool:
        results = pool.map(lambda n: post_form(port, forms[n], n, ANSWER_BOUND), range(count))
        return [status for _, status in results]


def fetch_status(url: str, *, timeout: float) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status


def test_posts_during_a_hung_mail_server_do_not_wait_and_each_is_emailed_once(
    tmp_path, site_database
):
    with contextlib.ExitStack() as hung:
        mail_port = hung.enter_context(hung_smtp_server())
        env = mail_env(tmp_path, mail_port, **site_database)
        prepare(env)
        with gunicorn(env, workers=3) as base_url, task_worker(env):
            port = int(base_url.rsplit(":", 1)[1])
            forms = [fetch_form(port) for _ in range(POSTS)]
            with ThreadPoolExecutor(POSTS + 1) as pool:
                # A post or a page that waited for mail would raise TimeoutError here.
                posts = [
                    pool.submit(post_form, port, forms[n], n, ANSWER_BOUND) for n in range(POSTS)
                ]
                article = pool.submit(fetch_status, base_url + ARTICLE, timeout=ANSWER_BOUND)
                statuses = [future.result()[1] for future in posts]
                article_status = article.result()

            assert statuses == [303] * POSTS
            assert article_status == 200
            # The worker is stuck on the hung server: every request still waits for its email.
            assert queue_state(env)["notified"] == 0

            # The mail server recovers: the hung one goes, a real one takes its port.
            hung.close()
            with smtp_sink(mail_port) as received:
                wait_for(lambda: len(received) >= POSTS, what="every request's email")
                wait_for(lambda: queue_state(env)["queued"] == 0, what="the queue to empty")

                assert subjects(received) == expected_subjects(POSTS)
                assert queue_state(env) == {
                    "requests": POSTS,
                    "notified": POSTS,
                    "claimed": 0,
                    "queued": 0,
                }


def test_a_worker_stopped_mid_send_leaves_the_rest_to_the_next_without_sending_twice(
    tmp_path, site_database
):
    requests = 4
    with hung_smtp_server() as mail_port:
        env = mail_env(tmp_path, mail_port, EMAIL_TIMEOUT="3", **site_database)
        prepare(env)
        with gunicorn(env, workers=2) as base_url:
            port = int(base_url.rsplit(":", 1)[1])
            with task_worker(env) as first:
                assert post_many(port, requests) == [303] * requests
                # Mid-send: the first worker has claimed a request and waits on the server.
                wait_for(lambda: queue_state(env)["claimed"] == 1, what="a send in progress")
                first.send_signal(signal.SIGTERM)
                first.wait(timeout=30)
                assert queue_state(env)["notified"] == 0
    with smtp_sink(mail_port) as received:
        with task_worker(env):
            wait_for(lambda: len(received) >= requests, what="every request's email")
            wait_for(lambda: queue_state(env)["queued"] == 0, what="the queue to empty")

            assert subjects(received) == expected_subjects(requests)
            assert queue_state(env)["notified"] == requests


def test_two_workers_at_once_send_each_email_once(tmp_path, site_database):
    requests = 12
    with hung_smtp_server() as mail_port:
        env = mail_env(tmp_path, mail_port, **site_database)
        prepare(env)
        with gunicorn(env, workers=2) as base_url:
            port = int(base_url.rsplit(":", 1)[1])
            assert post_many(port, requests) == [303] * requests
    with smtp_sink(mail_port) as received, task_worker(env), task_worker(env):
        wait_for(lambda: len(received) >= requests, what="every request's email")
        wait_for(lambda: queue_state(env)["queued"] == 0, what="the queue to empty")

        assert subjects(received) == expected_subjects(requests)
