"""How long a request has waited, and whether that is past the clinic's promise.

The promise (INTAKE_RESPONSE_HOURS) counts the clinic's business hours (INTAKE_BUSINESS_HOURS,
in the site's time zone): a request sent on Friday evening has not waited over the weekend.
"""

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
HOURS_PATTERN = re.compile(
    r"^\s*(?P<first>[a-z]{3})\s*-\s*(?P<last>[a-z]{3})\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$",
    re.IGNORECASE,
)
# Looking further back than this, any request is overdue anyway.
MAX_DAYS_BACK = 366


@dataclass(frozen=True)
class BusinessHours:
    weekdays: frozenset[int]  # Monday is 0
    opens: time
    closes: time


def parse_business_hours(text: str) -> BusinessHours:
    """'Mon-Fri 08:00-18:00' → BusinessHours; ValueError saying what is wrong otherwise."""
    match = HOURS_PATTERN.match(text or "")
    first, last = (match["first"].lower(), match["last"].lower()) if match else ("", "")
    if not match or first not in DAYS or last not in DAYS:
        raise ValueError(f"write the days and hours like 'Mon-Fri 08:00-18:00', not {text!r}")
    try:
        opens, closes = (
            time.fromisoformat(match["start"].zfill(5)),
            time.fromisoformat(match["end"].zfill(5)),
        )
    except ValueError:
        raise ValueError(f"{text!r} has an hour that does not exist") from None
    if opens >= closes:
        raise ValueError(f"{text!r} closes before it opens")
    start, end = DAYS.index(first), DAYS.index(last)
    days = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
    return BusinessHours(frozenset(days), opens, closes)


@functools.cache
def _configured(text: str) -> BusinessHours:
    try:
        return parse_business_hours(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"INTAKE_BUSINESS_HOURS: {error}") from None


def business_hours() -> BusinessHours:
    return _configured(settings.INTAKE_BUSINESS_HOURS)


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def overdue_before(now: datetime | None = None) -> datetime:
    """The time before which a request sent is overdue now: INTAKE_RESPONSE_HOURS of
    business hours back from `now`."""
    hours = business_hours()
    remaining = timedelta(hours=settings.INTAKE_RESPONSE_HOURS)
    local = timezone.localtime(now or timezone.now())
    day, upper = local.date(), local
    for _ in range(MAX_DAYS_BACK):
        if day.weekday() in hours.weekdays:
            opens, closes = _at(day, hours.opens), _at(day, hours.closes)
            until = min(upper, closes)
            if until > opens:
                if until - opens >= remaining:
                    return until - remaining
                remaining -= until - opens
        day -= timedelta(days=1)
        upper = _at(day, time.max)
    return _at(day, hours.opens)


def waited(since: datetime, now: datetime | None = None) -> str:
    """Wall-clock time waited, as staff say it: '40 min', '3 h', '2 days'."""
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
