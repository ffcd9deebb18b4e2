import urllib.request
from pathlib import Path

import pytest

from tools.local_server import is_routed, local_site, site_env


def test_site_env_is_plain_http_on_loopback_with_its_own_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_SECURE_SSL_REDIRECT", "1")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1/real")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:80")

    env = site_env(Path(tmp_path))

    assert env["DJANGO_SECURE_SSL_REDIRECT"] == "0"
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DATABASE_URL"] == f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert env["REDIS_URL"] == ""
    assert "GUNICORN_BIND" not in env
    assert len(env["DJANGO_SECRET_KEY"]) >= 50
    assert site_env(Path(tmp_path), DJANGO_DEBUG="1")["DJANGO_DEBUG"] == "1"


def test_local_site_serves_the_seed_article_and_stops():
    with local_site() as base_url:
        with urllib.request.urlopen(base_url + "/articles/opioid-induced-hyperalgesia/") as r:
            assert r.status == 200
            assert b"Opioid-Induced Hyperalgesia" in r.read()

    with pytest.raises(OSError):  # refused: nothing listens on the port any more
        urllib.request.urlopen(base_url + "/healthz", timeout=2)


def test_is_routed_tells_built_pages_from_missing_ones():
    assert is_routed("/articles/anything/")
    assert is_routed("/privacy/")
    assert not is_routed("/no-such-page/")
