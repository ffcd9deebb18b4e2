"""gunicorn believes forwarded headers only when the site trusts a proxy (default: nobody)."""

import http.client
import runpy

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
