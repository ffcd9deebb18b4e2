"""purge_outcomes deletes counts past OUTCOMES_RETENTION_DAYS, and only those."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from outcomes.models import ContactDay, PageDay

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture
def counts(db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 30, 16, tzinfo=datetime.UTC), tick=False)
    for age in (0, 730, 731, 2000):
        day = TODAY - datetime.timedelta(days=age)
        PageDay.objects.create(day=day, path="/", referrer="none", views=9)
        ContactDay.objects.create(day=day, source="", cta=0, form_views=9, requests=1)


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_outcomes", *args, stdout=out)
    return out.getvalue()


def ages(model) -> list[int]:
    return sorted((TODAY - day).days for day in model.objects.values_list("day", flat=True))


def test_counts_older_than_the_retention_are_deleted(counts, settings):
    settings.OUTCOMES_RETENTION_DAYS = 730

    output = purge()

    assert "Deleted 4 daily count(s) older than 730 days" in output
    assert ages(PageDay) == ages(ContactDay) == [0, 730]


def test_a_second_run_deletes_nothing(counts):
    purge()

    assert "Deleted 0" in purge()
    assert ages(PageDay) == [0, 730]


def test_dry_run_counts_without_deleting(counts):
    assert "4 daily count(s) older than 730 days would be deleted" in purge("--dry-run")
    assert ages(PageDay) == [0, 730, 731, 2000]


def test_older_than_overrides_the_setting(counts):
    purge("--older-than", "0")

    assert ages(PageDay) == [0]


def test_a_negative_age_is_refused(counts):
    with pytest.raises(CommandError, match="--older-than must be 0 or more"):
        purge("--older-than", "-1")
