import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from articles.services import create_article
from tests import factories
from tests.html import parse, text_of
from tests.staff import (
    STAFF_PASSWORD,
    admin_url,
    current_code,
    login_staff,
    make_staff,
    totp_device,
)

LOGIN = admin_url("login/")


def post_login(client, username="staff", password=STAFF_PASSWORD, code="", **extra):
    data = {"username": username, "password": password, "otp_token": code, "next": admin_url()}
    return client.post(LOGIN, data, **extra)


def errors(response) -> str:
    return " ".join(text_of(p) for p in parse(response.content).select(".errornote, .errorlist"))


def test_staff_without_second_factor_cannot_reach_the_admin(client, db):
    user = make_staff(superuser=True)
    totp_device(user)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(admin_url())

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_staff_with_a_verified_second_factor_reaches_the_admin(client, db):
    login_staff(client, make_staff(superuser=True))

    assert client.get(admin_url()).status_code == 200
    assert client.get(admin_url("auth/user/")).status_code == 200


def test_login_with_password_and_current_code_opens_the_admin(client, db):
    user = make_staff(password=STAFF_PASSWORD)
    device = totp_device(user)

    response = post_login(client, code=current_code(device))

    assert response.status_code == 302, errors(response)
    assert response["Location"] == admin_url()
    assert client.get(admin_url()).status_code == 200


def test_login_page_asks_for_the_authentication_code(client, db):
    form = parse(client.get(LOGIN).content).find("form", id="login-form")

    code = form.find("input", attrs={"name": "otp_token"})
    assert code["autocomplete"] == "one-time-code"
    assert text_of(form.find("label", attrs={"for": code["id"]})).startswith("Authentication code")


@pytest.mark.parametrize("code", ["", "000000x", "12345"])
def test_right_password_without_the_right_code_is_refused(client, db, code):
    totp_device(make_staff(password=STAFF_PASSWORD))

    response = post_login(client, code=code)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "code" in errors(response)


def wrong_code(device) -> str:
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"


def login_form_as_shown(response) -> str:
    """The login form's HTML without its CSRF token (new on every page) or the code typed."""
    form = parse(response.content).find("form", id="login-form")
    assert not form.find("input", attrs={"name": "password"}).get("value")
    form.find("input", attrs={"name": "csrfmiddlewaretoken"}).decompose()
    form.find("input", attrs={"name": "otp_token"}).attrs.pop("value", None)
    return str(form)


def test_wrong_password_missing_code_and_wrong_code_get_the_same_answer(client, db):
    device = totp_device(make_staff(password=STAFF_PASSWORD))

    wrong_password = post_login(client, password="not the password", code=current_code(device))
    missing_code = post_login(client, code="")
    bad_code = post_login(client, code=wrong_code(device))

    answers = [wrong_password, missing_code, bad_code]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert "_auth_user_id" not in client.session
    assert len({errors(r) for r in answers}) == 1
    assert "authentication code is wrong" in errors(bad_code)
    assert len({login_form_as_shown(r) for r in answers}) == 1


@pytest.mark.parametrize("failure", ["wrong password", "missing code", "wrong code"])
def test_each_kind_of_failed_login_counts_toward_the_lockout(client, db, failure):
    device = totp_device(make_staff(password=STAFF_PASSWORD))
    attempts = {
        "wrong password": lambda: post_login(client, password="wrong!", code=current_code(device)),
        "missing code": lambda: post_login(client, code=""),
        "wrong code": lambda: post_login(client, code=wrong_code(device)),
    }

    statuses = [attempts[failure]().status_code for _ in range(5)]

    assert AccessAttempt.objects.get(username="staff").failures_since_start == 5
    assert statuses == [200, 200, 200, 200, 429]
    assert post_login(client, code=current_code(device)).status_code == 429


def test_staff_user_without_an_authenticator_is_told_how_to_get_one(client, db):
    make_staff(password=STAFF_PASSWORD)

    response = post_login(client, code="123456")

    assert "reset your second factor" in errors(response)
    assert "_auth_user_id" not in client.session


def test_a_user_who_is_not_staff_cannot_log_in(client, db):
    user = make_staff(password=STAFF_PASSWORD, is_active=True)
    device = totp_device(user)
    user.is_staff = False
    user.save()

    response = post_login(client, code=current_code(device))

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_view_marks_every_posted_value_sensitive(client, db):
    response = post_login(client, code="123456")

    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


def test_five_failures_lock_the_user_and_address_for_fifteen_minutes(client, db, time_machine):
    user = make_staff(password=STAFF_PASSWORD)
    device = totp_device(user)
    time_machine.move_to(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
    statuses = [post_login(client, password="wrong password!").status_code for _ in range(5)]

    locked = post_login(client, code=current_code(device))
    time_machine.shift(datetime.timedelta(minutes=14))
    still_locked = post_login(client, code=current_code(device))
    from_elsewhere = post_login(client, code=current_code(device), REMOTE_ADDR="192.0.2.7")

    assert statuses == [200, 200, 200, 200, 429]
    assert locked.status_code == still_locked.status_code == 429
    assert text_of(parse(locked.content).find("h1")) == "Too many failed logins"
    assert "15 minutes" in text_of(parse(locked.content).find(class_="errornote"))
    assert from_elsewhere.status_code == 302  # the lock holds for this user at this address
    assert AccessFailureLog.objects.filter(username="staff").count() == 5


def test_the_lock_is_released_after_fifteen_minutes(client, db, time_machine):
    user = make_staff(password=STAFF_PASSWORD)
    device = totp_device(user)
    time_machine.move_to(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
    for _ in range(5):
        post_login(client, password="wrong password!")
    assert post_login(client, code=current_code(device)).status_code == 429
    time_machine.shift(datetime.timedelta(minutes=14))
    assert post_login(client, code=current_code(device)).status_code == 429

    time_machine.shift(datetime.timedelta(minutes=2))
    response = post_login(client, code=current_code(device))

    assert response.status_code == 302, errors(response)
    assert client.get(admin_url()).status_code == 200


def test_new_passwords_are_hashed_with_argon2(db):
    user = make_staff(password=STAFF_PASSWORD)

    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(STAFF_PASSWORD)


def test_passwords_need_twelve_characters(db):
    user = get_user_model()(username="new-staff")
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("short-pass1", user)

    validate_password("twelve chars", user)


def test_staff_session_ends_after_thirty_minutes_idle(client, db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False)
    login_staff(client, make_staff(superuser=True))

    for _ in range(3):  # activity keeps the session alive well past 30 minutes in all
        time_machine.shift(datetime.timedelta(minutes=20))
        assert client.get(admin_url()).status_code == 200
    time_machine.shift(datetime.timedelta(minutes=31))
    response = client.get(admin_url())

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_public_pages_start_no_session(client, seed_article):
    for path in ["/", seed_article.get_absolute_url(), "/privacy/", "/contact/"]:
        response = client.get(path)
        assert not any("session" in name for name in response.cookies), path


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry was forged
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.9", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),  # fewer hops than proxies: not through them
    ],
)
def test_lockout_address_trusts_only_the_configured_proxies(
    rf, settings, proxies, forwarded, expected
):
    from hartrehab.admin_site import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


# "View on site" (/admin/r/<content type>/<id>/) -----------------------------------------------

ROLES = ["editor", "medical_reviewer", "intake_staff", "no_group", "superuser"]


@pytest.fixture
def staff_in_role(db):
    makers = {
        "editor": lambda: factories.make_editor("edna"),
        "medical_reviewer": lambda: factories.make_medical_reviewer("rhea"),
        "intake_staff": lambda: factories.make_staff("ingrid", "Intake staff"),
        "no_group": lambda: factories.make_staff("nogroup"),
        "superuser": lambda: factories.make_staff("sue", is_superuser=True),
    }
    return lambda role: makers[role]()


def view_on_site(client, obj, object_id=None):
    content_type = ContentType.objects.get_for_model(obj)
    return client.get(admin_url(f"r/{content_type.pk}/{object_id or obj.pk}/"))


@pytest.mark.parametrize("role", ROLES)
def test_view_on_site_answers_only_for_what_the_role_may_see(client, staff_in_role, role):
    published = factories.make_article("Published.\n", slug="published-one", title="Published")
    editor = factories.make_editor("author")
    unpublished = create_article(
        slug="secret-draft", title="Secret", summary="S.", body="B.\n", change_note="n", by=editor
    ).article
    draft = factories.make_draft(published, by=editor)
    submission = factories.make_submission()
    login_staff(client, staff_in_role(role))
    sees_articles = role in ("editor", "medical_reviewer", "superuser")

    answers = {
        "published": view_on_site(client, published),
        "unpublished": view_on_site(client, unpublished),
        "draft version": view_on_site(client, draft),
        "request": view_on_site(client, submission),
        "no such request": view_on_site(client, submission, object_id=submission.pk + 1000),
    }

    expected = {
        "published": 302 if sees_articles else 404,
        "unpublished": 404,
        "draft version": 404,
        "request": 404,  # a request has no page outside the admin, for anyone
        "no such request": 404,
    }
    assert {what: r.status_code for what, r in answers.items()} == expected
    if sees_articles:
        assert answers["published"]["Location"].endswith("/articles/published-one/")
    assert "secret-draft" not in answers["unpublished"].content.decode()


def test_view_on_site_needs_a_login(client, db):
    submission = factories.make_submission()

    response = view_on_site(client, submission)

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
