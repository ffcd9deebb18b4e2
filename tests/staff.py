"""Staff users for tests, logged in the way the admin demands: password plus a TOTP code.

Django test client: `login_staff(client, user)` instead of `client.force_login(user)` (the
admin treats a user without a verified second factor as not staff).
Playwright: `login_staff_in_browser(page, base_url, user, password)` uses the real login form.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hartrehab.services import enrol_totp

STAFF_PASSWORD = "a long test-only passphrase 7"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def make_staff(
    username: str = "staff",
    *,
    password: str | None = None,
    superuser: bool = False,
    groups: tuple[str, ...] = (),
    **fields,
):
    """An active staff user in `groups` (created if missing); `fields` override User fields.

    Without `password` the password is unusable, which skips the slow Argon2 hash.
    """
    User = get_user_model()  # noqa: N806
    fields.setdefault("is_staff", True)
    user = User(username=username, is_superuser=superuser, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def totp_device(user) -> TOTPDevice:
    """The user's authenticator, enrolled now if they have none."""
    existing = list(devices_for_user(user))
    return existing[0] if existing else enrol_totp(user)


def current_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the device will still accept: each code works once, so wait for the next one."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while totp.t() <= device.last_t:
        time.sleep(0.5)
    return current_code(device)


def login_staff(client, user) -> TOTPDevice:
    """Log `user` in on the Django test client with a verified second factor."""
    device = totp_device(user)
    client.force_login(user, backend=MODEL_BACKEND)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def admin_url(path: str = "") -> str:
    return f"/{settings.ADMIN_PATH}{path}"


def login_staff_in_browser(page, base_url: str, user, password: str = STAFF_PASSWORD) -> None:
    """Log in through the admin's real login form with the current TOTP code."""
    code = fresh_code(totp_device(user))
    page.goto(base_url + admin_url("login/"))
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base_url + admin_url())
