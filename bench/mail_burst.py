"""The article while patients post the form and the mail server hangs.

A local socket accepts SMTP connections and never answers; the site (gunicorn and its task
worker) is pointed at it. Each round wrk measures the article while POSTS forms are posted at
once. The posts only queue their staff emails, so gunicorn's workers stay free for the article.
"""

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import load
from bench.intake import INTAKE_ENV, fetch_form, post_form
from tools.local_server import gunicorn, prepare, site_env, task_worker
from tools.mail_servers import hung_smtp_server

ARTICLE = "/articles/opioid-induced-hyperalgesia/"
POSTS = 50
CONNECTIONS = 8
TARGET_P99_MS = 1000
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def one_round(base: str, *, seconds: int) -> dict:
    port = int(base.rsplit(":", 1)[1])
    forms = [fetch_form(port) for _ in range(POSTS)]
    measured = {}

    def article_load():
        measured["wrk"] = load.wrk(
            base + ARTICLE, seconds=seconds, connections=CONNECTIONS, headers=BROWSER
        )

    wrk_thread = threading.Thread(target=article_load)
    wrk_thread.start()
    time.sleep(min(1.0, seconds / 4))  # the burst lands while wrk is measuring
    with ThreadPoolExecutor(POSTS) as pool:
        posts = list(pool.map(lambda n: post_form(port, forms[n], n), range(POSTS)))
    wrk_thread.join(timeout=seconds + 60)
    article = measured["wrk"]
    return {
        "rps": article.rps,
        "p50": article.p50_ms,
        "p99": article.p99_ms,
        "errors": article.non_2xx_3xx,
        "timeouts": article.timeouts,
        "posts_answered": sum(status == 303 for _, status in posts),
        "slowest_post": max(ms for ms, _ in posts),
    }


def measure(workdir: Path, *, rounds: int, seconds: int) -> dict:
    with hung_smtp_server() as mail_port:
        env = site_env(
            workdir,
            **INTAKE_ENV
            | {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(mail_port),
            },
        )
        prepare(env)
        with gunicorn(env) as base, task_worker(env):
            # A running site is warm: every worker has its connection and the page in memory.
            # Without this the first round measures gunicorn's start, not the mail server.
            load.wrk(base + ARTICLE, seconds=2, connections=CONNECTIONS, headers=BROWSER)
            runs = [one_round(base, seconds=seconds) for _ in range(rounds)]
    return {
        "posts": POSTS,
        "connections": CONNECTIONS,
        "rounds": rounds,
        "rps": statistics.median(r["rps"] for r in runs),
        "p50": statistics.median(r["p50"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "p99_rounds": [r["p99"] for r in runs],
        "errors": sum(r["errors"] for r in runs),
        "timeouts": sum(r["timeouts"] for r in runs),
        "posts_answered": sum(r["posts_answered"] for r in runs),
        "slowest_post": max(r["slowest_post"] for r in runs),
    }
