import json
import os
import subprocess
import sys
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from intake.models import ContactSubmission
from tests.factories import make_submission


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "notifications": "ok"}
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


def test_healthz_reports_a_request_waiting_too_long_for_its_email_and_stays_200(
    client, db, settings
):
    """A backlog is the same on every node: a 503 would take the whole site out of service."""
    settings.INTAKE_NOTIFY_MAX_DELAY_MINUTES = 30
    waiting = make_submission(created_at=timezone.now() - timedelta(minutes=29))
    assert client.get("/healthz").json()["notifications"] == "ok"

    ContactSubmission.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(minutes=31)
    )
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "notifications": "late"}

    ContactSubmission.objects.filter(pk=waiting.pk).update(notified_at=timezone.now())
    assert client.get("/healthz").json()["notifications"] == "ok"


def test_healthz_ignores_spam_waiting_without_an_email(client, db):
    make_submission(status="spam", created_at=timezone.now() - timedelta(days=1))

    assert client.get("/healthz").json()["notifications"] == "ok"


def test_healthz_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405
