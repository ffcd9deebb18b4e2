"""Intake staff work a patient's request in the admin, in a real browser."""

import pytest
from django.core.management import call_command

from intake.models import ContactSubmission
from tests.browser.test_intake_pages import fill_valid
from tests.staff import STAFF_PASSWORD, admin_url, login_staff_in_browser, make_staff


@pytest.mark.browser
def test_intake_staff_find_a_request_and_mark_it_contacted(browser, site, settings):
    settings.INTAKE_MIN_SECONDS = 0
    call_command("setup_roles", verbosity=0)
    patient = browser.new_context().new_page()
    patient.goto(site + "/contact/?source=opioid-induced-hyperalgesia")
    patient.get_by_label("Your name").fill("Riley Sentinel")
    fill_valid(patient)
    patient.get_by_label("Your name").fill("Riley Sentinel")
    patient.get_by_role("button", name="Send my request").click()
    assert patient.url == site + "/contact/thanks/"

    staff_user = make_staff("ivy", password=STAFF_PASSWORD, groups=("Intake staff",))
    staff = browser.new_context().new_page()
    login_staff_in_browser(staff, site, staff_user)
    staff.goto(site + admin_url("intake/contactsubmission/"))
    staff.locator("#searchbar").fill("Riley")
    staff.locator("#changelist-search input[type=submit]").click()
    staff.wait_for_url("**/contactsubmission/?q=Riley")
    rows = staff.locator("#result_list tbody tr")
    assert rows.count() == 1
    rows.first.locator("input.action-select").check()
    staff.locator("select[name=action]").select_option(label="Mark selected requests contacted")
    staff.locator("button[name=index], input[name=index]").first.click()

    assert "1 request(s) marked contacted." in staff.locator(".messagelist").inner_text()
    submission = ContactSubmission.objects.get(name="Riley Sentinel")
    assert submission.status == ContactSubmission.Status.CONTACTED
    assert submission.source.slug == "opioid-induced-hyperalgesia"


@pytest.mark.browser
def test_no_worklist_column_is_clipped_at_1280px(browser, site):
    from articles.models import Article
    from tests.factories import make_submission

    call_command("setup_roles", verbosity=0)
    staff_user = make_staff("ivy", password=STAFF_PASSWORD, groups=("Intake staff",))
    article = Article.objects.get(slug="opioid-induced-hyperalgesia")
    make_submission(
        name="Maximiliana Alexandrovna Featherstonehaugh-Worthington",
        preferred_contact="email",
        phone="",
        email="maximiliana.featherstonehaugh-worthington@example.org",
        best_time="afternoon",
        source=article,
        assigned_to=staff_user,
    )
    make_submission(preferred_contact="text", phone="+442079460958", best_time="evening")
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    login_staff_in_browser(page, site, staff_user)
    page.goto(site + admin_url("intake/contactsubmission/"))

    table = page.locator("#changelist .results")
    assert page.locator("#result_list tbody tr").count() == 2
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth"), table.evaluate(
        "el => [el.scrollWidth, el.clientWidth]"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


@pytest.mark.browser
def test_intake_worker_calls_the_longest_waiting_patient_and_logs_a_voicemail(browser, site):
    import datetime

    from django.utils import timezone

    from tests.factories import make_submission

    call_command("setup_roles", verbosity=0)
    staff_user = make_staff("ivy", password=STAFF_PASSWORD, groups=("Intake staff",))
    now = timezone.now()
    make_submission(name="Newer Patient", phone="+12025550199", created_at=now)
    waited = make_submission(
        name="Longest Waiting",
        phone="+12025550143",
        created_at=now - datetime.timedelta(days=3),
    )
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    login_staff_in_browser(page, site, staff_user)

    # The worklist puts the oldest open request first, with one tap to call.
    page.goto(site + admin_url("intake/contactsubmission/"))
    first = page.locator("#result_list tbody tr").first
    assert "Longest Waiting" in first.inner_text()
    call = first.locator('a[href^="tel:"]')
    assert call.get_attribute("href") == "tel:+12025550143"
    assert call.inner_text().strip() == "Call (202) 555-0143"

    # On the request's page the worker records the call's outcome in one step.
    first.get_by_role("link", name="Longest Waiting").click()
    page.select_option("select[name=attempts-0-method]", label="Phone call")
    page.select_option("select[name=attempts-0-outcome]", label="Left voicemail")
    page.fill("[name=attempts-0-note]", "Will try again after 5 pm.")
    page.click("input[name=_continue]")

    timeline = page.locator(".intake-timeline")
    assert "Left voicemail" in timeline.inner_text()
    assert "Will try again after 5 pm." in timeline.inner_text()
    assert waited.attempts.get().outcome == "voicemail"
