"""Browser tests: Debian's Chromium driven by Playwright against a live Django server.

Playwright's own browser download does not work on our machines, so the fixtures point it at
/usr/bin/chromium. Without Chromium the tests skip with the reason, except under CI=true.
"""

import os
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from tests.conftest import SEED_ARTICLE

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by test code
# (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _chromium_required():
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium`")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


class _PassThrough:
    """Lets whitenoise (in the middleware) serve hashed static files, as in production."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        return self.application(environ, start_response)


@pytest.fixture(scope="session")
def site_server(django_db_blocker):
    server = LiveServer("127.0.0.1:0", start=False)
    server.thread.static_handler = _PassThrough
    server._live_server_modified_settings.enable()
    server.start()
    yield server
    # Chromium is closed by now (see `browser`); let the threads that served its connections
    # finish before the server gives back the shared SQLite connection they close at the end.
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)
    server.stop()
    server._live_server_modified_settings.disable()


@pytest.fixture(scope="session")
def browser(site_server, browser):
    """pytest-playwright's Chromium, started after the live server so it closes before it."""
    return browser


@pytest.fixture
def site(site_server, transactional_db) -> str:
    """The live site's base URL with the seed article published."""
    call_command("load_content", str(SEED_ARTICLE), verbosity=0)
    return site_server.url


@pytest.fixture
def external_requests(page, site_server):
    """Every request the page makes to a host other than the test server."""
    outside = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((site_server.url, "data:"))
            else outside.append(request.url)
        ),
    )
    return outside


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]
    ]
