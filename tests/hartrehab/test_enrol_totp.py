from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.staff import make_staff


def enrol(*args) -> str:
    out = StringIO()
    call_command("enrol_totp", *args, stdout=out)
    return out.getvalue()


def test_prints_a_provisioning_uri_for_the_new_authenticator(db):
    user = make_staff("ana")

    output = enrol("ana")

    uri = next(line for line in output.splitlines() if line.startswith("otpauth://"))
    parts = urlsplit(uri)
    params = parse_qs(parts.query)
    device = TOTPDevice.objects.get(user=user)
    assert parts.netloc == "totp" and parts.path == "/Hart%20Rehab%3Aana"
    assert params["issuer"] == ["Hart Rehab"] and params["digits"] == ["6"]
    assert params["secret"][0] in device.config_url
    assert device.confirmed


def test_refuses_to_replace_an_authenticator_unless_asked(db):
    user = make_staff("ana")
    enrol("ana")
    first = TOTPDevice.objects.get(user=user)

    with pytest.raises(CommandError, match="--replace"):
        enrol("ana")

    assert list(devices_for_user(user)) == [first]


def test_replace_is_the_recovery_path_for_a_lost_device(db):
    user = make_staff("root", superuser=True)
    enrol("root")
    lost = TOTPDevice.objects.get(user=user)

    output = enrol("root", "--replace")

    new = TOTPDevice.objects.get(user=user)
    assert new.pk != lost.pk and new.key != lost.key
    assert new.config_url in output


def test_dry_run_changes_nothing(db):
    user = make_staff("ana")

    output = enrol("ana", "--dry-run")

    assert "would enrol" in output
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: None, "no such user"),
        (lambda: make_staff("ana", is_staff=False), "not an active staff user"),
        (lambda: make_staff("ana", is_active=False), "not an active staff user"),
    ],
)
def test_only_existing_active_staff_can_be_enrolled(db, make, message):
    make()

    with pytest.raises(CommandError, match=message):
        enrol("ana")

    assert not TOTPDevice.objects.exists()


def test_qr_option_draws_the_uri_in_the_terminal(db):
    make_staff("ana")

    output = enrol("ana", "--qr")

    assert output.count("\u2588") > 100  # full blocks of the QR code


def test_django_otps_admin_page_can_draw_the_qr_code(client, db):
    from tests.staff import admin_url, login_staff

    user = make_staff("root", superuser=True)
    device = login_staff(client, user)

    response = client.get(admin_url(f"otp_totp/totpdevice/{device.pk}/qrcode/"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
