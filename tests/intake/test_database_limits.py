"""A locked or slow database answers the site's 503 page in time, with what was typed kept."""

import pytest
from django.db import connection

from intake.models import ContactSubmission
from tests.html import parse, text_of
from tests.intake.test_views import SENTINELS, sentinel_post
from tests.locks import table_locked

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL's lock_timeout: run with DATABASE_URL=postgres://... (CI does)",
)


def test_a_save_behind_a_held_table_lock_answers_503_with_everything_kept(client, transactional_db):
    with table_locked("intake_contactsubmission"):
        response = client.post("/contact/", sentinel_post())

    assert response.status_code == 503
    doc = parse(response.content)
    alert = doc.select_one("main [role=alert]")
    assert "We could not save your request" in text_of(alert)
    assert alert.select_one("a[href='tel:(555)010-4242']")
    assert doc.select_one('main .crisis-notice a[href="#crisis-heading-footer"]')
    assert doc.select_one("footer .crisis a[href='tel:988']")
    assert doc.select_one("#id_name")["value"] == SENTINELS["name"]
    assert doc.select_one("#id_email")["value"] == SENTINELS["email"]
    assert SENTINELS["message"] in doc.select_one("#id_message").text
    assert not ContactSubmission.objects.exists()
