"""An office manager invites staff in the browser; each sets up on a phone and logs in.

Nobody touches a shell: the invitation is made in the admin, the link comes by email, the
authenticator is enrolled from the page's manual key (as a person who cannot scan would).
"""

import re
from base64 import b32decode

import pytest
from django.contrib.auth import get_user_model
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
RAY = "Ray Hamilton, DNP, PMHNP-BC, FNP-C"
PEOPLE = [
    # email, full name, role as the form shows it, reviewer
    ("erin@example.org", "Erin Editor", "Editors", ""),
    ("ray@example.org", "Ray Hamilton", "Medical reviewers", RAY),
    ("ivy@example.org", "Ivy Intake", "Intake staff", ""),
]


def code_from_key(manual_key: str) -> str:
    """What an authenticator app shows for the key typed in by hand."""
    key = manual_key.replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{TOTP(b32decode(key)).token():06d}"


def invite_in_admin(office, site, email, name, role, reviewer) -> str:
    """Fill in "Invite a staff member"; return the emailed link, on the live server."""
    office.goto(site + admin_url("auth/user/"))
    office.get_by_role("link", name="Invite a staff member").click()
    office.get_by_label("Email address").fill(email)
    office.get_by_label("Full name").fill(name)
    office.get_by_role("radio", name=role).check()
    if reviewer:
        office.get_by_label("Reviewer name and credentials").fill(reviewer)
    office.get_by_role("button", name="Send the invitation").click()
    assert f"Invitation sent to {email}" in office.locator(".messagelist").inner_text()
    link = LINK_RE.search(mail.outbox[-1].body).group(0)
    return site + link[link.index("/", len("https://")) :]


def set_up_on_a_phone(browser, site, link):
    """Open the link at phone size, set the password and the authenticator; return the page."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.add_init_script(LISTEN)
    outside = []
    phone.on("request", lambda r: None if r.url.startswith(site) else outside.append(r.url))

    phone.goto(link)
    assert phone.locator("figure.qr svg").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []
    phone.get_by_label("New password:", exact=True).fill(NEW_PASSWORD)
    phone.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    key = phone.locator("#manual-key").inner_text()
    phone.get_by_label("Code from the app").fill(code_from_key(key))
    phone.get_by_role("button", name="Set up my account").click()

    assert phone.get_by_role("heading", name="Your account is ready").is_visible()
    assert phone.locator("#recovery-codes li").count() == 10
    assert phone.evaluate("window.__csp") == []
    assert outside == []
    return phone


def log_in_on_the_phone(phone, site, email) -> None:
    device = TOTPDevice.objects.get(user__username=email)
    phone.get_by_role("link", name="Log in").click()
    phone.get_by_label("Username").fill(email)
    phone.get_by_label("Password").fill(NEW_PASSWORD)
    phone.get_by_label("Authentication code").fill(fresh_code(device))
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url(site + admin_url())
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.context.close()


@pytest.mark.browser
def test_a_manager_invites_three_staff_who_each_set_up_on_a_phone(browser, site):
    call_command("setup_roles", verbosity=0)
    manager = make_staff("manager", password=STAFF_PASSWORD, superuser=True)
    office = browser.new_context().new_page()
    login_staff_in_browser(office, site, manager)

    links = [invite_in_admin(office, site, *person) for person in PEOPLE]
    phones = [set_up_on_a_phone(browser, site, link) for link in links]
    # Each code works once: logging in waits for the app's next code, so all log in together.
    for phone, (email, *_) in zip(phones, PEOPLE, strict=True):
        log_in_on_the_phone(phone, site, email)

    staff = get_user_model().objects.filter(username__in=[p[0] for p in PEOPLE], is_active=True)
    assert sorted((u.username, u.groups.get().name) for u in staff) == sorted(
        (email, role) for email, _, role, _ in PEOPLE
    )
    assert Reviewer.objects.get(name="Ray Hamilton").user.username == "ray@example.org"
