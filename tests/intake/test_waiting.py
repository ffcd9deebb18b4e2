import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from intake.waiting import business_hours, parse_business_hours, waited


def test_business_hours_are_read_from_days_and_hours():
    hours = parse_business_hours("Mon-Fri 08:00-18:00")

    assert hours.weekdays == frozenset(range(5))
    assert (hours.opens, hours.closes) == (datetime.time(8), datetime.time(18))
    assert parse_business_hours("sat-mon 9:30-13:00").weekdays == frozenset({5, 6, 0})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("weekdays 9-5", "like 'Mon-Fri 08:00-18:00'"),
        ("Mon-Fry 08:00-18:00", "like 'Mon-Fri 08:00-18:00'"),
        ("Mon-Fri 18:00-08:00", "closes before it opens"),
        ("Mon-Fri 08:00-25:00", "an hour that does not exist"),
    ],
)
def test_badly_written_business_hours_say_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_business_hours(text)


def test_a_bad_setting_names_itself(settings):
    settings.INTAKE_BUSINESS_HOURS = "always"

    with pytest.raises(ImproperlyConfigured, match="INTAKE_BUSINESS_HOURS"):
        business_hours()


@pytest.mark.parametrize(
    ("minutes", "label"),
    [(40, "40 min"), (3 * 60 + 5, "3 h"), (47 * 60, "47 h"), (60 * 50, "2 days")],
)
def test_waited_reads_as_staff_say_it(minutes, label):
    now = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)

    assert waited(now - datetime.timedelta(minutes=minutes), now) == label
