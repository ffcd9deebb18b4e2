"""Response headers on public, form and admin pages, as Mozilla's HTTP Observatory scores them
(an A+ needs every rule below; the bonus rules are the CSP, cookie and referrer ones)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from tests.staff import STAFF_PASSWORD, admin_url, current_code, make_staff, totp_device

PAGES = {
    "public": "/articles/opioid-induced-hyperalgesia/",
    "form": "/contact/",
    "admin": admin_url("login/"),
}
PRIVATE_REFERRER = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "http:", "https:", "*")


def observatory_failures(response) -> list[str]:
    """The Observatory's rules this site must pass, as a list of the ones it fails."""
    failures = []
    csp = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    if directives.get("default-src") not in (["'none'"], ["'self'"]):
        failures.append(f"CSP default-src {directives.get('default-src')}")
    if any(source in csp.split() for source in UNSAFE):
        failures.append(f"CSP has an unsafe source: {csp}")
    if directives.get("frame-ancestors") != ["'none'"]:
        failures.append("CSP frame-ancestors is not 'none'")
    hsts = dict(
        (item.strip().split("=") + [""])[:2]
        for item in response.get("Strict-Transport-Security", "").split(";")
    )
    if int(hsts.get("max-age") or 0) < 15_768_000 or "includeSubDomains" not in hsts:
        failures.append(f"HSTS {response.get('Strict-Transport-Security')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        failures.append("X-Content-Type-Options")
    if response.get("X-Frame-Options") != "DENY":
        failures.append("X-Frame-Options")
    if response.get("Referrer-Policy") not in PRIVATE_REFERRER:
        failures.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    for name, morsel in response.cookies.items():
        if not (
            morsel["secure"] and morsel["httponly"] and morsel["samesite"] in ("Lax", "Strict")
        ):
            failures.append(f"cookie {name} is not Secure, HttpOnly and SameSite")
    return failures


@pytest.mark.parametrize("kind", PAGES)
def test_pages_pass_the_observatory_rules_over_https(client, seed_article, kind):
    response = client.get(PAGES[kind], secure=True)

    assert response.status_code == 200
    assert observatory_failures(response) == []
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Request-ID"]


def test_the_form_pages_cookies_are_host_only_secure_and_httponly(client, db):
    response = client.get(PAGES["admin"], secure=True)

    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/" and not cookie["domain"]


def test_the_staff_session_cookie_is_host_only_secure_and_httponly(client, db):
    device = totp_device(make_staff(password=STAFF_PASSWORD))
    data = {"username": "staff", "password": STAFF_PASSWORD, "otp_token": current_code(device)}

    response = client.post(PAGES["admin"], data, secure=True)

    assert response.status_code == 302
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/" and not cookie["domain"]
    assert observatory_failures(response) == []


def test_plain_http_is_redirected_to_https_except_the_health_check(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/privacy/?a=1")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/privacy/?a=1"
    assert client.get("/healthz").status_code == 200


def production_settings(**env) -> dict:
    """Settings as a process started with `env` (and nothing else from DJANGO_*) sees them."""
    names = [
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SILENCED_SYSTEM_CHECKS", "EMAIL_TIMEOUT",
    ]  # fmt: skip
    code = (
        "import json; from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "hartrehab.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_defaults_are_the_strict_ones():
    values = production_settings()

    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and not values["SECURE_HSTS_PRELOAD"]
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"


def test_each_transport_setting_has_its_own_variable():
    values = production_settings(
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_SECURE_HSTS_PRELOAD="1",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_SECURE_HSTS_SECONDS="600",
    )

    assert not values["SECURE_SSL_REDIRECT"] and not values["SESSION_COOKIE_SECURE"]
    # Browsers refuse __Host- cookies without Secure, so plain HTTP uses Django's names.
    assert values["SESSION_COOKIE_NAME"] == "sessionid"
    assert values["SECURE_HSTS_PRELOAD"] and values["SECURE_HSTS_SECONDS"] == 600
    assert values["SILENCED_SYSTEM_CHECKS"] == []
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_email_timeout_is_never_more_than_ten_seconds():
    assert production_settings(EMAIL_TIMEOUT="60")["EMAIL_TIMEOUT"] == 10
    assert production_settings(EMAIL_TIMEOUT="5")["EMAIL_TIMEOUT"] == 5
