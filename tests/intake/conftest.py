import pytest
from django.core.management import call_command

from tests.factories import make_user


@pytest.fixture
def roles(db):
    call_command("setup_roles", verbosity=0)


@pytest.fixture
def intake_staff(roles):
    return make_user("ingrid", groups=("Intake staff",))


@pytest.fixture
def editor(roles):
    return make_user("edith", groups=("Editors",))


@pytest.fixture
def medical_reviewer(roles):
    return make_user("marcus", groups=("Medical reviewers",))


@pytest.fixture
def superuser(db):
    return make_user("sue", is_superuser=True)


@pytest.fixture(autouse=True)
def _intake_settings(settings):
    """Known limits, and the database rate limiter unless a test asks for Redis."""
    settings.REDIS_URL = ""
    settings.INTAKE_NOTIFY_EMAILS = ["intake@example.org"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.INTAKE_MIN_SECONDS = 3
    settings.INTAKE_MAX_SECONDS = 24 * 60 * 60
    settings.INTAKE_RATE_LIMIT = 20
    settings.INTAKE_RATE_LIMIT_WINDOW_SECONDS = 3600
    settings.CLINIC_PHONE = "(555) 010-4242"
