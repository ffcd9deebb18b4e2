"""Writes to staff accounts: enrolling the second factor."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice


class AlreadyEnrolled(Exception):
    """The user has an authenticator already; replacing it must be asked for."""


class NotStaff(Exception):
    """Only active staff users log in to the admin, so only they are enrolled."""


def enrol_totp(
    user: AbstractBaseUser, *, replace: bool = False, name: str = "Authenticator app"
) -> TOTPDevice:
    """Give `user` one new confirmed TOTP device; with `replace`, remove every other device.

    Replacing is also the recovery path for a lost phone: the old device stops working at once.
    """
    if not (user.is_active and user.is_staff):
        raise NotStaff(f"{user.get_username()} is not an active staff user")
    with transaction.atomic():
        existing = list(devices_for_user(user, confirmed=None))
        if existing and not replace:
            raise AlreadyEnrolled(f"{user.get_username()} already has an authenticator")
        for device in existing:
            device.delete()
        device = TOTPDevice(user=user, name=name, confirmed=True)
        device.full_clean()
        device.save()
    return device
