"""Writes to staff accounts: invitations, enrolling the second factor, resets, offboarding.

Each function checks that its caller (`by`; None means a command run on the server) may do
it, writes in one transaction and records an AccountEvent. No secret (link, code, password)
is ever written to the audit trail or a log.
"""

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from hartrehab import second_factor
from hartrehab.invitations import invitation_url
from hartrehab.models import AccountEvent
from hartrehab.roles import MEDICAL_REVIEWERS, ROLE_SLUGS, may_invite_staff

logger = logging.getLogger("hartrehab.accounts")
Action = AccountEvent.Action


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


# Accounts -------------------------------------------------------------------------------


def record_event(user, action: str, *, by=None, detail: str = "") -> AccountEvent:
    event = AccountEvent(user=user, action=action, by=by, detail=detail)
    event.full_clean()
    event.save()
    logger.info("account %s: %s (by %s)", user.pk, action, by.pk if by else "-")
    return event


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _may_manage(by) -> bool:
    return by is None or may_invite_staff(by)


def send_invitation(user, url: str) -> None:
    """Email `user` their one-time set-up link (kept in one place so it can be queued)."""
    hours = settings.STAFF_INVITE_HOURS
    body = (
        f"Hello,\n\nYou have a staff account on the {settings.CLINIC_NAME} website.\n"
        f"Your username: {user.get_username()}\n\n"
        f"Set your password and your authenticator app here (the link works once, "
        f"for {hours} hours):\n{url}\n\n"
        "Open it on your own device. If you did not expect this email, ignore it.\n"
    )
    send_mail(
        f"Set up your {settings.CLINIC_NAME} staff account",
        body,
        None,
        [user.email],
        fail_silently=False,
    )


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = " ".join(name.split()).partition(" ")
    return first[:150], last[:150]


def _close_account(user) -> None:
    """No password, no devices, inactive: nobody can log in, and older links stop working."""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    end_sessions(user)


def invite_staff(
    email: str, *, role: str, name: str = "", reviewer: str = "", by
) -> tuple[AbstractBaseUser, str]:
    """Create (or re-invite) an inactive staff account in the role's group; return it and its link.

    The account cannot log in until its owner opens the link, sets a password and confirms
    an authenticator code. `reviewer` ("Name, Credentials") links a medical reviewer.
    """
    _require(_may_manage(by), "Only a superuser or someone who may invite staff invites staff.")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    if len(email) > 150:
        raise ValidationError({"email": "The address is too long for a username (150 at most)."})
    group_name = ROLE_SLUGS.get(role)
    if group_name is None:
        raise ValidationError({"role": f"Choose one of: {', '.join(ROLE_SLUGS)}."})
    group = Group.objects.filter(name=group_name).first()
    if group is None:
        raise ValidationError(
            {"role": f"The group “{group_name}” does not exist yet: run setup_roles first."}
        )
    if group_name == MEDICAL_REVIEWERS and not reviewer.strip():
        raise ValidationError({"reviewer": "A medical reviewer needs “Name, Credentials”."})
    if group_name != MEDICAL_REVIEWERS and reviewer.strip():
        raise ValidationError({"reviewer": "Only medical reviewers are linked to a reviewer."})
    User = get_user_model()  # noqa: N806 - Django's own idiom
    with transaction.atomic():
        user = (
            User.objects.select_for_update().filter(username__iexact=email).first()
            or User.objects.select_for_update().filter(email__iexact=email).first()
        )
        if user is not None and user.is_active:
            raise ValidationError({"email": f"{email} already has an active account."})
        user = user or User(username=email)
        user.email = email
        user.first_name, user.last_name = _split_name(name) if name else (user.first_name, "")
        # An invitation grants exactly its role, whatever a former account of theirs had.
        user.is_staff, user.is_superuser = True, False
        user.full_clean(exclude=["password"])
        user.save()
        _close_account(user)
        user.groups.set([group])
        user.user_permissions.clear()
        if reviewer.strip():
            from articles.services import link_reviewer

            link_reviewer(user, text=reviewer, by=by)
        record_event(user, Action.INVITED, by=by, detail=group_name)
    return user, invitation_url(user)


def reset_second_factor(user, *, by) -> str:
    """Remove the person's authenticator and recovery codes, close the account, return a new link.

    Their sessions end now; they set a new password and authenticator from the link.
    """
    _require(_may_manage(by), "Only a superuser or someone who may invite staff resets this.")
    _require(by is None or by.pk != user.pk, "Ask another administrator to reset your own.")
    if not user.is_staff:
        raise ValidationError(f"{user.get_username()} is not staff.")
    with transaction.atomic():
        _close_account(user)
        record_event(user, Action.SECOND_FACTOR_RESET, by=by)
    return invitation_url(user)


def offboard(user, *, by) -> int:
    """Deactivate a leaving staff member: sessions ended, devices removed; returns the count."""
    _require(
        by is None or by.is_superuser or by.has_perm("auth.change_user"),
        "Only someone who may change users deactivates them.",
    )
    _require(by is None or by.pk != user.pk, "You cannot deactivate your own account.")
    with transaction.atomic():
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        ended = end_sessions(user)
        record_event(user, Action.OFFBOARDED, by=by, detail=f"{ended} session(s) ended")
    return ended


def accept_invitation(user, *, password: str, device: TOTPDevice, code: str) -> list[str]:
    """Set the password, confirm the authenticator with `code`, activate; return recovery codes.

    Raises ValidationError on "code" when the code is wrong; then only the device's throttle
    (django-otp's delay after failures) changes.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError("This link has already been used.")
    if not device.verify_token(second_factor.normalize_code(code)):
        raise ValidationError(
            {"code": "That code is wrong or has expired. Enter the code the app shows now."}
        )
    with transaction.atomic():
        user = type(user).objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            raise ValidationError("This link has already been used.")
        for other in devices_for_user(user, confirmed=None):
            if other.persistent_id != device.persistent_id:
                other.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        codes = second_factor.new_recovery_codes(user)
        record_event(user, Action.ACCEPTED)
    return codes


def record_recovery_code_use(user) -> None:
    """Who used a recovery code and when (never the code itself)."""
    record_event(user, Action.RECOVERY_CODE_USED)


def end_sessions(user) -> int:
    """Delete every stored session of `user`; returns how many.

    Database-backed engines are searched; with any engine, the password change that comes
    with every caller also makes Django drop the user's sessions at their next request.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    ended = 0
    model = store.get_model_class()
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if store().decode(session.session_data).get(SESSION_KEY) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended
