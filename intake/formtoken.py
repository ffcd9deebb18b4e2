"""The contact form's signed token: when the form was shown, and the key of this one request.

A post sent at once, from an old page, or with a forged token is caught here (the form is shown
again to be sent again); a person who double-clicks or resends the page sends the same key, so
only one request is stored.
"""

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from intake.consent import CONSENT_VERSION

SALT = "intake.contact-form"


@dataclass(frozen=True)
class TokenCheck:
    idempotency_key: uuid.UUID
    consent_version: str
    problem: str = ""  # "", "invalid", "too_fast" or "expired"

    @property
    def reusable(self) -> bool:
        """Whether a form shown again after errors may keep this token (and its key)."""
        return self.problem in {"", "too_fast"}


def issue_token(*, now: float | None = None, key: uuid.UUID | None = None) -> str:
    issued = int(time.time() if now is None else now)
    payload = {"k": (key or uuid.uuid4()).hex, "t": issued, "c": CONSENT_VERSION}
    return signing.dumps(payload, salt=SALT)


def check_token(value: str, *, now: float | None = None) -> TokenCheck:
    """Read a posted token; a missing, forged or badly timed one comes back with its problem."""
    now = time.time() if now is None else now
    try:
        payload = signing.loads(value or "", salt=SALT)
        key = uuid.UUID(hex=payload["k"])
        issued, version = int(payload["t"]), str(payload["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return TokenCheck(uuid.uuid4(), CONSENT_VERSION, "invalid")
    age = now - issued
    if age < settings.INTAKE_MIN_SECONDS:
        return TokenCheck(key, version, "too_fast")
    if age > settings.INTAKE_MAX_SECONDS:
        return TokenCheck(key, version, "expired")
    return TokenCheck(key, version)
