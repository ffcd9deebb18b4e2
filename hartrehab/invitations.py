"""One-time links that let an invited person set up their staff account.

The link carries a signed, timestamped token naming the user and a fingerprint of the
account's state (password hash, active flag, last login). Setting up the account changes that
state, so the link works once; a reset or an offboarding changes it too, so older links die.
The token travels in the query string, which the request log never writes down.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "hartrehab.invitations"
TOKEN_PARAMETER = "token"


class InvalidInvitation(Exception):
    """Forged, mangled, or naming nobody."""


class UsedInvitation(Exception):
    """Genuine, but expired or already used (or replaced by a newer link)."""


def _fingerprint(user) -> str:
    state = f"{user.pk}|{user.password}|{user.is_active}|{user.last_login}"
    return salted_hmac(SALT, state, algorithm="sha256").hexdigest()[:32]


def make_token(user) -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=SALT, compress=True)


def invitation_url(user) -> str:
    """The absolute link for the invitation email (or `invite_staff --print-link`)."""
    path = reverse("admin:accept_invitation")
    return f"{settings.SITE_URL}{path}?{urlencode({TOKEN_PARAMETER: make_token(user)})}"


def user_for_token(token: str):
    """The invited user, still waiting to set up their account; raises if the link is no good."""
    max_age = settings.STAFF_INVITE_HOURS * 60 * 60
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise UsedInvitation("expired") from None
    except signing.BadSignature:
        raise InvalidInvitation("bad signature") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise InvalidInvitation("bad payload")
    user = get_user_model().objects.filter(pk=payload["u"], is_staff=True).first()
    if user is None:
        raise InvalidInvitation("no such staff user")
    if not constant_time_compare(payload.get("f", ""), _fingerprint(user)):
        raise UsedInvitation("used or replaced")
    return user
