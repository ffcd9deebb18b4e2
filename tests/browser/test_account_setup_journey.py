"""An office manager invites a medical reviewer in the browser; the reviewer sets up on a phone."""

import re
from base64 import b32decode

import pytest
from django.core import mail
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Reviewer
from tests.browser.conftest import axe_violations
from tests.browser.test_csp import LISTEN
from tests.staff import STAFF_PASSWORD, admin_url, fresh_code, login_staff_in_browser, make_staff

PHONE = {"width": 375, "height": 740}
NEW_PASSWORD = "violet harbour lantern 42"
LINK_RE = re.compile(r"https?://\S+/account/set-up/\?token=\S+")


def code_from_key(manual_key: str) -> str:
    """What an authenticator app shows for the key typed in by hand."""
    key = manual_key.replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{TOTP(b32decode(key)).token():06d}"


@pytest.mark.browser
def test_invited_reviewer_sets_up_on_a_phone_and_logs_in(browser, site):
    call_command("setup_roles", verbosity=0)
    manager = make_staff("manager", password=STAFF_PASSWORD, superuser=True)
    office = browser.new_context().new_page()
    login_staff_in_browser(office, site, manager)

    office.goto(site + admin_url("auth/user/"))
    office.get_by_role("link", name="Invite a staff member").click()
    office.get_by_label("Email address").fill("ray@example.org")
    office.get_by_label("Full name").fill("Ray Hamilton")
    office.get_by_role("radio", name="Medical reviewers").check()
    office.get_by_label("Reviewer name and credentials").fill("Ray Hamilton, DNP, PMHNP-BC, FNP-C")
    office.get_by_role("button", name="Send the invitation").click()
    assert "Invitation sent to ray@example.org" in office.locator(".messagelist").inner_text()
    link = LINK_RE.search(mail.outbox[-1].body).group(0)
    link = site + link[link.index("/", len("https://")) :]  # the live server's host and port

    phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    phone.add_init_script(LISTEN)
    outside = []
    phone.on("request", lambda r: None if r.url.startswith(site) else outside.append(r.url))
    phone.goto(link)
    assert phone.locator("figure.qr svg").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []
    phone.get_by_label("New password:", exact=True).fill(NEW_PASSWORD)
    phone.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    phone.get_by_label("Code from the app").fill(
        code_from_key(phone.locator("#manual-key").inner_text())
    )
    phone.get_by_role("button", name="Set up my account").click()

    assert phone.get_by_role("heading", name="Your account is ready").is_visible()
    assert phone.locator("#recovery-codes li").count() == 10
    assert phone.evaluate("window.__csp") == []
    assert outside == []

    ray = Reviewer.objects.get(name="Ray Hamilton").user
    phone.get_by_role("link", name="Log in").click()
    phone.get_by_label("Username").fill("ray@example.org")
    phone.get_by_label("Password").fill(NEW_PASSWORD)
    phone.get_by_label("Authentication code").fill(fresh_code(TOTPDevice.objects.get(user=ray)))
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url(site + admin_url())
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone_context.close()
