import io
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from hartrehab.requestlog import WITHHELD, RequestIdFilter, WithheldMessageFormatter
from tests.clients import FormClient
from tests.staff import STAFF_PASSWORD, admin_url, current_code, make_staff, totp_device

REQUEST_LINE = re.compile(
    r"INFO hartrehab\.request \[(?P<id>[0-9a-f]{32})\] "
    r"(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms$"
)
INTAKE = {
    "name": "Zebulon Quartermaine",
    "phone": "+1 617 555 0143",
    "email": "zq.private@example.net",
    "preferred_contact": "phone",
    "message": "I relapsed on fentanyl last Tuesday",
    "consent": "on",
}
# What a patient typed (the radio and checkbox values are the form's own words).
TYPED = [INTAKE[name] for name in ("name", "phone", "email", "message")]


@pytest.fixture
def log_output():
    """Log lines exactly as the stdout handler in settings.LOGGING writes them."""
    stream = io.StringIO()
    config = settings.LOGGING["formatters"]["plain"]
    handler = logging.StreamHandler(stream)
    handler.setFormatter(WithheldMessageFormatter(config["format"]))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def request_lines(stream) -> list[re.Match]:
    return [m for line in stream.getvalue().splitlines() if (m := REQUEST_LINE.search(line))]


def leaked(text: str, values) -> list[str]:
    return [value for value in values if value.lower() in text.lower()]


def test_one_line_per_request_with_id_method_path_status_and_duration(client, db, log_output):
    response = client.get("/privacy/?name=Zebulon+Quartermaine")

    [line] = request_lines(log_output)
    assert line["method"] == "GET" and line["path"] == "/privacy/" and line["status"] == "200"
    assert response["X-Request-ID"] == line["id"]
    assert "Zebulon" not in log_output.getvalue()


def test_every_log_line_in_a_request_carries_its_id(client, db, log_output):
    client.post(admin_url("login/"), {"username": "nobody", "password": "x" * 12})

    ids = set(re.findall(r"\[([0-9a-f]{32}|-)\]", log_output.getvalue()))
    assert len(ids) == 1 and "-" not in ids


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [("req-1234abcd", True), ("bad id\nINFO forged", False), ("short", False), ("x" * 65, False)],
)
def test_a_well_formed_id_from_the_proxy_is_kept(client, db, incoming, kept):
    response = client.get("/privacy/", headers={"X-Request-ID": incoming})

    assert (response["X-Request-ID"] == incoming) is kept
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", response["X-Request-ID"])


def test_an_intake_post_leaves_no_posted_value_in_the_logs(client, db, caplog, log_output):
    caplog.set_level(logging.DEBUG)

    client.post(reverse("intake:contact") + "?source=opioid-induced-hyperalgesia", INTAKE)

    assert request_lines(log_output)[0]["path"] == reverse("intake:contact")
    assert leaked(log_output.getvalue(), TYPED) == []
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert leaked(messages, TYPED) == []


def test_a_server_error_logs_the_traceback_without_the_posted_values(
    db, settings, caplog, log_output
):
    settings.ROOT_URLCONF = "tests.hartrehab.urls"
    caplog.set_level(logging.DEBUG)
    client = FormClient(raise_request_exception=False)

    response = client.post("/test-failure/", INTAKE)

    assert response.status_code == 500
    text = log_output.getvalue()
    assert "Traceback (most recent call last)" in text
    assert f"ValueError: {WITHHELD}" in text and f"IntegrityError: {WITHHELD}" in text
    assert [m["status"] for m in request_lines(log_output)] == ["500"]
    assert leaked(text, TYPED) == []
    assert leaked(" ".join(r.getMessage() for r in caplog.records), TYPED) == []


def test_a_staff_login_leaves_no_password_or_code_in_the_logs(client, db, log_output):
    device = totp_device(make_staff(password=STAFF_PASSWORD))
    code = current_code(device)

    response = client.post(
        admin_url("login/"), {"username": "staff", "password": STAFF_PASSWORD, "otp_token": code}
    )

    assert response.status_code == 302
    assert leaked(log_output.getvalue(), [STAFF_PASSWORD, code]) == []


def test_no_error_email_handler_is_configured(settings):
    handlers = logging.getLogger("django").handlers + logging.getLogger("django.request").handlers

    assert [h for h in handlers if h.__class__.__name__ == "AdminEmailHandler"] == []


def test_sql_parameters_are_never_logged_even_at_debug_level():
    script = (
        "import django, logging; django.setup();"
        "print(logging.getLogger().level, logging.getLogger('django.db.backends')"
        ".isEnabledFor(logging.DEBUG))"
    )
    env = {
        **os.environ,
        "DJANGO_LOG_LEVEL": "DEBUG",
        "DJANGO_SETTINGS_MODULE": "hartrehab.settings",
    }

    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.split()[-2:] == [str(logging.DEBUG), "False"], result.stderr
