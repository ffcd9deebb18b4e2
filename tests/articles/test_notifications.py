"""Workflow emails: who gets them, what they say (title, version, staff link, nothing else)."""

import datetime
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.services import (
    approve_version,
    publish_version,
    return_to_draft,
    submit_for_review,
)
from tests.articles.conftest import RANDY, RAY
from tests.factories import make_article, make_draft, make_medical_reviewer, make_staff, run_worker
from tests.staff import login_staff


@pytest.fixture
def team(two_reviewed, settings):
    settings.ARTICLES_NOTIFY_FROM = "Reviews <reviews@clinic.example>"
    article, randy, ray = two_reviewed
    editor = make_staff("edna", "Editors", email="edna@clinic.example")
    return article, editor, randy, ray


def staff_path(message) -> str:
    link = next(line for line in message.body.splitlines() if line.startswith("Staff page: "))
    return urlsplit(link.removeprefix("Staff page: ")).path


def test_submitting_mails_each_listed_reviewer_the_title_version_and_link(team, client, settings):
    article, editor, randy, _ = team
    draft = make_draft(article, by=editor, body="New words.\n")

    submit_for_review(draft, by=editor)
    run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == ["randy@clinic.example", "ray@clinic.example"]
    message = mail.outbox[0]
    assert len(message.to) == 1 and not message.cc and not message.bcc
    assert message.from_email == "Reviews <reviews@clinic.example>"
    assert message.subject == "Waiting for your review: Pain and opioids (version 2)"
    staff_page = settings.SITE_URL + reverse(
        "admin:articles_articleversion_change", args=[draft.pk]
    )
    assert message.body.splitlines() == [
        "Article: Pain and opioids",
        "Version: 2",
        f"Staff page: {staff_page}",
    ]
    assert "New words" not in message.body  # the text itself never goes by email
    login_staff(client, randy)
    assert client.get(staff_path(message)).status_code == 200


def test_the_step_only_queues_its_mail_and_the_worker_sends_it(team):
    article, editor, _, _ = team
    draft = make_draft(article, by=editor)

    submit_for_review(draft, by=editor)

    assert mail.outbox == []  # nothing waits for the mail server in the editor's request
    run_worker()
    assert len(mail.outbox) == 2


def test_a_step_rolled_back_queues_no_mail(team):
    article, editor, _, _ = team
    draft = make_draft(article, by=editor)

    with pytest.raises(RuntimeError), transaction.atomic():
        submit_for_review(draft, by=editor)
        raise RuntimeError("the step's transaction fails after the submit")

    run_worker()
    assert mail.outbox == []


def test_returning_mails_the_author_the_reason(team):
    article, editor, randy, _ = team
    draft = make_draft(article, by=editor)
    submit_for_review(draft, by=editor)
    run_worker()
    mail.outbox.clear()

    return_to_draft(draft, by=randy, note="Cite the 2022 guideline.")
    run_worker()

    (message,) = mail.outbox
    assert message.to == ["edna@clinic.example"]
    assert message.subject == "Returned to you: Pain and opioids (version 2)"
    assert message.body.splitlines()[-1] == "Reason: Cite the 2022 guideline."


def test_publishing_mails_the_author_and_the_reviewers(team):
    article, editor, randy, ray = team
    draft = make_draft(article, by=editor)
    submit_for_review(draft, by=editor)
    approve_version(draft, by=randy)
    approve_version(draft, by=ray)
    run_worker()
    mail.outbox.clear()

    publish_version(draft, by=ray)
    run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "edna@clinic.example",
        "randy@clinic.example",
        "ray@clinic.example",
    ]
    assert {m.subject for m in mail.outbox} == {"Published: Pain and opioids (version 2)"}


def test_a_failing_mail_server_never_undoes_the_step(team, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    article, editor, _, _ = team
    draft = make_draft(article, by=editor)

    submit_for_review(draft, by=editor)
    run_worker()

    draft.refresh_from_db()
    assert draft.state == "in_review"
    assert "submitted email failed" in caplog.text


# --- review_report --notify ------------------------------------------------------------------


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def notify(**options) -> str:
    out = StringIO()
    call_command("review_report", "--notify", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def due(db, settings):
    settings.ARTICLES_NOTIFY_FROM = "reviews@clinic.example"
    people = [{"name": n, "credentials": c} for n, c in (RANDY, RAY)]
    make_article(slug="overdue", title="Overdue", reviewed_by=people,
                 last_reviewed=days(-400), next_review_due=days(-5))  # fmt: skip
    make_article(slug="soon", title="Soon", reviewed_by=people[:1],
                 last_reviewed=days(-340), next_review_due=days(25))  # fmt: skip
    make_article(slug="later", title="Later", reviewed_by=people[:1],
                 last_reviewed=days(-10), next_review_due=days(45))  # fmt: skip
    randy = make_medical_reviewer("randy", name=RANDY[0], credentials=RANDY[1])
    randy.email = "randy@clinic.example"
    randy.save()
    ray = make_medical_reviewer("ray", name=RAY[0], credentials=RAY[1])
    ray.email = "ray@clinic.example"
    ray.save()


def test_review_report_notify_mails_each_reviewer_their_due_articles(due):
    notify()

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["randy@clinic.example", "ray@clinic.example"]
    randy_lines = by_recipient["randy@clinic.example"].body.splitlines()
    assert [line for line in randy_lines if line.startswith("Article: ")] == [
        "Article: Overdue",
        "Article: Soon",
    ]
    ray_lines = by_recipient["ray@clinic.example"].body.splitlines()
    assert [line for line in ray_lines if line.startswith("Article: ")] == ["Article: Overdue"]
    assert f"Review overdue since: {days(-5).isoformat()}" in ray_lines


def test_review_report_notify_sends_once_per_article_per_review_cycle(due):
    notify()
    sent = len(mail.outbox)

    out = notify()
    assert len(mail.outbox) == sent
    assert "No reviewer needed an email." in out

    make_article(slug="fresh", title="Fresh", last_reviewed=days(-350), next_review_due=days(10),
                 reviewed_by=[{"name": RANDY[0], "credentials": RANDY[1]}])  # fmt: skip
    notify()
    (new,) = mail.outbox[sent:]
    assert [line for line in new.body.splitlines() if line.startswith("Article: ")] == [
        "Article: Fresh"
    ]


def test_review_report_notify_days_looks_further_ahead(due):
    notify(days=60)

    randy = next(m for m in mail.outbox if m.to == ["randy@clinic.example"])
    assert "Article: Later" in randy.body.splitlines()
