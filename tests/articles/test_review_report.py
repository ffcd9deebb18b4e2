import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import make_article


def report(**options) -> str:
    out = StringIO()
    call_command("review_report", stdout=out, **options)
    return out.getvalue()


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def articles(db):
    make_article(slug="overdue", last_reviewed=days(-400), next_review_due=days(-5))
    make_article(slug="today", last_reviewed=days(-365), next_review_due=days(0))
    make_article(slug="soon", last_reviewed=days(-340), next_review_due=days(25))
    make_article(slug="later", last_reviewed=days(-10), next_review_due=days(45))
    make_article(slug="unpublished", publish=False, next_review_due=days(-5))


def test_lists_overdue_and_soon_due_articles_soonest_first(articles):
    lines = report().splitlines()

    assert [line.split(":")[0] for line in lines[:3]] == ["overdue", "today", "soon"]
    assert "OVERDUE by 5 days" in lines[0] and "by Ada Reviewer, MD" in lines[0]
    assert "due today" in lines[1] and "due in 25 days" in lines[2]
    assert lines[3] == "3 articles are due for review within 30 days."


def test_days_option_looks_further_ahead(articles):
    assert "later: due in 45 days" in report(days=60)


def test_nothing_due_says_so(db):
    make_article(last_reviewed=days(0), next_review_due=days(300))

    assert report() == "No reviews due within 30 days.\n"


def test_negative_days_is_an_error(db):
    with pytest.raises(CommandError, match="--days"):
        report(days=-1)
