"""Intake migrations 0002 and 0009: the staff search can use its indexes on PostgreSQL."""

import re

import pytest
from django.contrib import admin
from django.db import connection

from intake.models import ContactSubmission
from tests.factories import make_submission

LIST = "/admin/intake/contactsubmission/"
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)


def search_plan(rf, term: str) -> str:
    """EXPLAIN of the admin's own search query, with full scans (table or date index) priced out."""
    model_admin = admin.site._registry[ContactSubmission]
    queryset, _ = model_admin.get_search_results(
        rf.get(LIST, {"q": term}), ContactSubmission.objects.all(), term
    )
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # On a table this small the planner prefers a full scan; here we ask whether it *can*
        # use the index, i.e. whether the index matches the SQL Django writes.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
@pytest.mark.parametrize(
    ("term", "index"),
    [
        ("Zoe", "intake_submission_name_search_trgm"),
        ("riley@exam", "intake_submission_email_trgm"),
        ("5550199", "intake_submission_phone_trgm"),
        ("202-555-0199", "intake_submission_phone"),  # read as a number: phone = '+1…'
    ],
)
def test_admin_search_can_use_its_index(db, rf, term, index):
    make_submission(name="Zoë Patient", email="riley@example.org", phone="+12025550199")

    plan = search_plan(rf, term)

    assert re.search(rf"\b{index}\b", plan), plan
