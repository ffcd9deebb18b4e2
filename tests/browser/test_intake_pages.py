import pytest

from intake.models import ContactSubmission
from tests.browser.conftest import axe_violations

ARTICLE = "/articles/opioid-induced-hyperalgesia/"


@pytest.fixture(autouse=True)
def _fast_form(settings):
    # A person in a test browser fills the form in well under the real minimum time.
    settings.INTAKE_MIN_SECONDS = 0
    settings.INTAKE_NOTIFY_EMAILS = ["intake@example.org"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CLINIC_PHONE = "(555) 010-4242"


def fill_valid(page):
    page.get_by_label("Your name").fill("Jordan Example")
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number").fill("202-555-0143")
    page.get_by_label("I agree that Hart Rehab may store these details").check()


@pytest.mark.browser
def test_empty_form_has_no_axe_violations(page, site):
    page.goto(site + "/contact/")

    assert axe_violations(page) == []


@pytest.mark.browser
def test_form_with_errors_showing_has_no_axe_violations(page, site):
    page.goto(site + "/contact/")
    page.get_by_role("button", name="Send my request").click()

    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []


@pytest.mark.browser
def test_thanks_page_has_no_axe_violations(page, site):
    page.goto(site + "/contact/thanks/")

    assert axe_violations(page) == []


@pytest.mark.browser
def test_rate_limited_page_has_no_axe_violations(page, site, settings):
    settings.INTAKE_RATE_LIMIT = 0
    page.goto(site + "/contact/")
    fill_valid(page)
    page.get_by_role("button", name="Send my request").click()

    assert page.get_by_role("heading", level=1).inner_text().startswith("We could not take")
    assert axe_violations(page) == []


@pytest.mark.browser
def test_patient_journey_from_article_to_thanks(page, site, external_requests):
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(site + ARTICLE)

    page.locator("aside.cta a").nth(2).click()
    assert page.url.endswith("/contact/?source=opioid-induced-hyperalgesia&cta=3")
    page.get_by_label("Your name").fill("Jordan Example")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Send my request").click()

    summary = page.locator(".error-summary")
    assert "Enter an email address in the right format" in summary.inner_text()
    assert page.get_by_label("Your name").input_value() == "Jordan Example"
    summary.get_by_role("link", name="Choose how you would like us to contact you").click()
    assert page.url.endswith("#id_preferred_contact_0")

    page.get_by_label("Email address").fill("jordan@example.org")
    fill_valid(page)
    page.get_by_role("button", name="Send my request").click()

    assert page.url == site + "/contact/thanks/"
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you. We have your request."
    sent = page.locator(".intake-sent").inner_text()
    assert sent.startswith("We will text you at (202) 555-0143")
    assert page.locator(".crisis").count() == 1
    assert axe_violations(page) == []
    submission = ContactSubmission.objects.get()
    assert (submission.source.slug, submission.source_cta) == ("opioid-induced-hyperalgesia", 3)
    assert (submission.phone, submission.email) == ("+12025550143", "jordan@example.org")
    assert submission.status == ContactSubmission.Status.NEW
    assert scripts == [] and external_requests == []


@pytest.mark.browser
def test_on_a_375px_phone_the_first_field_is_in_the_first_viewport(page, site):
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(site + "/contact/")

    box = page.get_by_label("Your name").bounding_box()
    assert box["y"] + box["height"] <= 667
    assert axe_violations(page) == []


@pytest.mark.browser
def test_a_field_in_error_lines_up_with_the_others_and_the_button_clears_the_footer(page, site):
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(site + "/contact/")
    page.get_by_role("button", name="Send my request").click()

    name_left = page.get_by_label("Your name").bounding_box()["x"]
    message_left = page.locator("#id_message").bounding_box()["x"]
    assert page.locator(".field--error").count() >= 1
    assert name_left == message_left
    button = page.get_by_role("button", name="Send my request").bounding_box()
    footer = page.locator("footer").bounding_box()
    assert footer["y"] - (button["y"] + button["height"]) >= 48


@pytest.mark.browser
def test_honeypot_is_invisible_and_the_form_fits_320px(page, site):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site + "/contact/")

    assert not page.locator("input[name=website]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.browser
def test_cookies_cleared_while_filling_in_gets_the_sites_page_and_the_back_button(page, site):
    page.goto(site + "/contact/")
    fill_valid(page)
    page.context.clear_cookies()
    page.get_by_role("button", name="Send my request").click()

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Your message was not sent"
    assert "Please go back and send it again" in page.locator("main").inner_text()
    assert page.locator("main a[href='tel:(555)010-4242']").is_visible()
    assert page.locator("main .crisis a[href='tel:988']").is_visible()
    assert axe_violations(page) == []
    assert not ContactSubmission.objects.exists()

    page.go_back()  # what the patient typed is still there to send again
    assert page.get_by_label("Your name").input_value() == "Jordan Example"
