"""deploy/varnish.vcl live: a real varnishd in front of the site (or a small origin)."""

import contextlib
import http.client
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import make_article, run_worker
from tools import varnish

# Under CI a missing varnishd fails these tests instead of skipping them.
pytestmark = pytest.mark.skipif(
    not varnish.available() and not os.environ.get("CI"),
    reason="varnishd is not installed: apt-get install varnish",
)


def get(edge: varnish.Varnish, path: str, *, source: str = "127.0.0.1", method: str = "GET"):
    conn = http.client.HTTPConnection(
        "127.0.0.1", edge.port, timeout=10, source_address=(source, 0)
    )
    try:
        conn.request(method, path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def edge_site(live_server, settings):
    port = int(live_server.url.rsplit(":", 1)[1])
    with varnish.running(port) as edge:
        varnish.wait_until_serving(edge)
        settings.FRONTCACHE_PURGE_LOCATIONS = [edge.url]
        yield edge


def test_public_pages_are_kept_and_a_publish_purges_them(edge_site, transactional_db):
    article = make_article("First text.\n")
    run_worker()  # the first publish's purge: nothing cached yet
    url = article.get_absolute_url()
    assert get(edge_site, url)[1]["X-Cache"] == "miss"
    status, headers, body = get(edge_site, url)
    assert (status, headers["X-Cache"]) == (200, "hit") and "First text." in body

    make_article("Second text.\n")
    assert "First text." in get(edge_site, url)[2]  # until the worker purges
    run_worker()

    status, headers, body = get(edge_site, url)
    assert headers["X-Cache"] == "miss" and "Second text." in body


def test_private_pages_are_never_kept(edge_site, transactional_db):
    get(edge_site, "/contact/")

    status, headers, _ = get(edge_site, "/contact/")

    assert status == 200 and headers["X-Cache"] == "miss"


def test_purge_and_ban_from_other_addresses_are_refused(edge_site, transactional_db):
    make_article()
    get(edge_site, "/")

    assert get(edge_site, "/", source="127.0.0.2", method="PURGE")[0] == 405
    assert get(edge_site, "/", source="127.0.0.2", method="BAN")[0] == 405
    assert get(edge_site, "/")[1]["X-Cache"] == "hit"
    assert get(edge_site, "/", method="PURGE")[0] == 200
    assert get(edge_site, "/")[1]["X-Cache"] == "miss"


class Origin:
    """A page marked as the site marks public ones, fresh for 1 s; `down` makes every answer
    (the health check's too) a 503."""

    down = False

    def __init__(self):
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if origin.down:
                    self.send_response(503)
                    body = b"down"
                else:
                    self.send_response(200)
                    body = b"the article"
                self.send_header(
                    "Cache-Control",
                    "public, max-age=0, s-maxage=1, stale-while-revalidate=1, stale-if-error=3600",
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                """Quiet: the test reads what was sent, not the server's log."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]


@contextlib.contextmanager
def origin_server():
    origin = Origin()
    thread = threading.Thread(target=origin.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        origin.server.shutdown()
        origin.server.server_close()
        thread.join(timeout=10)


def test_a_kept_page_is_served_while_the_origin_fails():
    with origin_server() as origin, varnish.running(origin.port) as edge:
        varnish.wait_until_serving(edge, "/page")
        assert get(edge, "/page")[2] == "the article"
        origin.down = True
        time.sleep(3)  # past fresh (1 s) and background refresh (1 s): only stale-if-error

        answers = [get(edge, "/page") for _ in range(5)]

        assert [(status, body) for status, _, body in answers] == [(200, "the article")] * 5
