"""gunicorn: forwarded headers believed only from a trusted proxy; metrics of every worker."""

import concurrent.futures
import http.client
import runpy
import urllib.request

from django.conf import settings

from tools.local_server import gunicorn, manage, site_env

CONFIG = str(settings.BASE_DIR / "gunicorn.conf.py")


def forwarded_allow_ips(monkeypatch, **env) -> str:
    for name in ("DJANGO_SECURE_PROXY_SSL_HEADER", "GUNICORN_FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONFIG)["forwarded_allow_ips"]


def test_forwarded_headers_are_trusted_from_nobody_unless_the_site_trusts_a_proxy(monkeypatch):
    assert forwarded_allow_ips(monkeypatch) == ""
    assert forwarded_allow_ips(monkeypatch, DJANGO_SECURE_PROXY_SSL_HEADER="0") == ""
    assert (
        forwarded_allow_ips(
            monkeypatch, DJANGO_SECURE_PROXY_SSL_HEADER="0", GUNICORN_FORWARDED_ALLOW_IPS="*"
        )
        == ""
    )
    assert forwarded_allow_ips(monkeypatch, DJANGO_SECURE_PROXY_SSL_HEADER="1") == "127.0.0.1"
    assert (
        forwarded_allow_ips(
            monkeypatch,
            DJANGO_SECURE_PROXY_SSL_HEADER="1",
            GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.5",
        )
        == "10.0.0.5"
    )


def get_with_forwarded_https(base_url: str, path: str) -> int:
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_client_cannot_claim_tls_through_gunicorn_when_no_proxy_is_trusted(tmp_path):
    env = site_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="1")
    manage(env, "migrate", "--noinput")
    with gunicorn(env, workers=1) as base_url:
        # Plain HTTP from 127.0.0.1 claiming https: still redirected to https.
        assert get_with_forwarded_https(base_url, "/robots.txt") == 301


def test_metrics_sum_every_workers_requests(tmp_path):
    env = site_env(tmp_path, METRICS_TOKEN="scrape-secret", WEB_CONCURRENCY="3")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    manage(env, "migrate", "--noinput")
    with gunicorn(env, workers=3) as base_url:
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(lambda _: get_status(base_url, "/robots.txt"), range(30)))
        assert statuses == [200] * 30
        scrapes = [scrape(base_url, "scrape-secret") for _ in range(6)]

    line = 'hartrehab_requests_total{method="GET",status="200",view="robots_txt"} 30.0'
    assert all(line in text for text in scrapes), scrapes[0]


def get_status(base_url: str, path: str) -> int:
    with urllib.request.urlopen(base_url + path, timeout=10) as response:  # noqa: S310
        return response.status


def scrape(base_url: str, token: str) -> str:
    request = urllib.request.Request(  # noqa: S310
        base_url + "/metrics", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read().decode()
