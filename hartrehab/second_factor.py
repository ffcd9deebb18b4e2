"""The second factor: authenticator enrolment (QR code, manual key) and checking a login code.

A login code is either the 6-digit code from the authenticator app (TOTP) or one of the
person's single-use recovery codes (django-otp's static device). Its shape says which device
to ask, so a wrong code never counts against the other device's throttle.
"""

import re
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
TOTP_CODE_RE = re.compile(r"^\d{6}$")


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed authenticator offered on the set-up page (the same one on every visit)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def manual_key(device: TOTPDevice) -> str:
    """The secret as the base32 text authenticator apps accept, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The provisioning URI as an inline SVG QR code (drawn here: nothing from another site)."""
    qr = segno.make(device.config_url, micro=False)
    # segno writes only the QR's own elements and the title we give it, which it escapes.
    return mark_safe(  # noqa: S308
        qr.svg_inline(scale=5, border=4, title="QR code for your authenticator app")
    )


def normalize_code(token: str) -> str:
    return "".join((token or "").split()).lower()


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with STAFF_RECOVERY_CODES fresh ones; return them."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.STAFF_RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def verify_code(user, token: str) -> Device | None:
    """The confirmed device that accepts `token` (consuming it), or None.

    A 6-digit code goes to the authenticator app, anything else to the recovery codes.
    """
    code = normalize_code(token)
    if not code:
        return None
    model = TOTPDevice if TOTP_CODE_RE.match(code) else StaticDevice
    with transaction.atomic():
        devices = model.objects.devices_for_user(user, confirmed=True).select_for_update()
        for device in devices:
            if device.verify_is_allowed()[0] and device.verify_token(code):
                return device
    return None


def is_recovery_device(device: Device) -> bool:
    return isinstance(device, StaticDevice)
