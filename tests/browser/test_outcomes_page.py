"""The outcomes page in Chromium: its chart loads as an image, with no CSP violation."""

import datetime

import pytest
from django.utils import timezone

from outcomes.models import ContactDay, PageDay
from tests.browser.test_csp import violations  # noqa: F401 - the fixture
from tests.staff import STAFF_PASSWORD, login_staff_in_browser, make_staff


@pytest.mark.browser
def test_the_outcomes_page_shows_its_chart_with_no_csp_violation(
    page,
    site,
    violations,  # noqa: F811
):
    today = timezone.localdate()
    for age in range(7):
        day = today - datetime.timedelta(days=age)
        PageDay.objects.create(day=day, path="/", referrer="search", views=40 + 9 * age)
        ContactDay.objects.create(day=day, source="", cta=0, form_views=20, requests=age + 2)
    user = make_staff("manager", password=STAFF_PASSWORD, superuser=True)
    login_staff_in_browser(page, site, user)

    page.goto(site + "/staff/outcomes/?period=7")

    chart = page.locator("figure.outcomes-chart img")
    chart.wait_for()
    assert page.evaluate(
        "() => { const i = document.querySelector('figure.outcomes-chart img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert "views" in chart.get_attribute("alt")
    assert page.locator("#outcomes-ctas tbody tr").count() == 7
    assert violations() == []
