"""Many patients sending the form at once (PostgreSQL only: SQLite takes one writer)."""

import pytest
from django.core import mail
from django.db import connection

from intake.models import ContactSubmission
from tests.articles.test_publish_concurrency import run_at_once
from tests.clients import FormClient
from tests.factories import contact_data, run_worker

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers: run with DATABASE_URL=postgres://... (CI does)",
)


def test_fifty_simultaneous_submissions_are_all_stored(transactional_db, settings):
    settings.INTAKE_RATE_LIMIT = 1000  # one test address stands for fifty patients here
    settings.INTAKE_NOTIFY_EMAILS = ["intake@example.org"]
    senders = 50

    def send(index: int) -> int:
        response = FormClient().post("/contact/", contact_data(name=f"Patient {index}"))
        return response.status_code

    statuses, errors = run_at_once(senders, send)

    assert errors == []
    assert statuses == [303] * senders
    stored = ContactSubmission.objects.all()
    assert sorted(stored.values_list("name", flat=True)) == sorted(
        f"Patient {i}" for i in range(senders)
    )
    assert set(stored.values_list("status", flat=True)) == {"new"}
    assert mail.outbox == []  # no patient waited for the mail server
    run_worker()
    assert len(mail.outbox) == senders
