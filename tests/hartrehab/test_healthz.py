import json
import os
import subprocess
import sys
from unittest import mock

from django.conf import settings
from django.db import OperationalError


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_answers_503_and_hides_the_error(client, db):
    error = OperationalError('connection to server at "db-secret-host" failed: password for hr')
    with mock.patch("hartrehab.views.connection.cursor", side_effect=error):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    """A real unreachable database, in a process of its own: nothing is mocked."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.content.decode()]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="hartrehab.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert json.loads(body) == {"status": "unavailable"}
    assert "missing-folder" not in result.stdout + result.stderr


def test_healthz_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405
