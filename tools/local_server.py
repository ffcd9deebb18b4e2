"""The site as production serves it (gunicorn with gunicorn.conf.py, whitenoise, debug off), on
a free loopback port with a throwaway database: for `make audit`, `make screenshots` and
`make bench`. Every server started here is stopped within a bounded time."""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
START_SECONDS = 30
STOP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(folder: Path, **extra: str) -> dict[str, str]:
    """This process's environment without the site's own settings, then a throwaway site's:
    plain HTTP on loopback, debug off, a SQLite file in `folder`, no Redis; `extra` wins."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        REDIS_URL="",
        GUNICORN_ACCESSLOG="",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def prepare(env: dict[str, str]) -> None:
    """A database with content/ loaded, and the static files collected."""
    manage(env, "migrate", "--noinput")
    manage(env, "load_content")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int | None = None) -> Iterator[str]:
    """Yield the base URL of gunicorn serving the site; always stop it, in bounded time.

    The site's URL (SITE_URL: canonical links, the sitemap) is the port it runs on.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {"SITE_URL": base_url, **env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    # A file, not a pipe: a pipe nobody reads would stall gunicorn once its buffer filled.
    with tempfile.TemporaryFile(mode="w+") as log:
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py", "hartrehab.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            _wait_until_up(base_url, server, log)
            yield base_url
        finally:
            _stop(server)


@contextmanager
def task_worker(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """Yield django-tasks' worker (`manage.py db_worker`) running for the site; always stop it."""
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env={**env, "DJANGO_LOG_LEVEL": env.get("DJANGO_LOG_LEVEL", "WARNING")},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            _stop(process)


def answers_ok(url: str, *, timeout: float = 5) -> bool:
    """Whether a GET of `url` is answered 200 now; a refused, reset or slow connection (a
    server still starting) or an error status is a no."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_until_up(base_url: str, server: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(
                f"gunicorn exited with status {server.returncode}: {log.read()[-2000:]}"
            )
        if answers_ok(base_url + "/healthz", timeout=2):
            return
        time.sleep(0.25)
    raise RuntimeError(f"the site did not answer on {base_url} within {START_SECONDS}s")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@contextmanager
def local_site() -> Iterator[str]:
    """Yield the base URL of a freshly prepared site; stop it and delete its data afterwards."""
    with tempfile.TemporaryDirectory(prefix="hartrehab-site-") as folder:
        env = site_env(Path(folder))
        prepare(env)
        with gunicorn(env, workers=2) as base_url:
            yield base_url


def setup_django() -> None:
    """Load the settings in this process, only to ask the URL resolver which pages exist."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hartrehab.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    django.setup()


def is_routed(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True
