import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings


def production_env(tmp_path, **overrides) -> dict[str, str]:
    """What README.md says production sets; nothing inherited from the test run's DJANGO_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="www.example.org",
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_SECURE_COOKIES="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        SITE_URL="https://www.example.org",
    )
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("preload", ["0", "1"])
def test_check_deploy_passes_with_production_settings(tmp_path, preload):
    result = check_deploy(production_env(tmp_path, DJANGO_SECURE_HSTS_PRELOAD=preload))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_passes_while_rotating_the_secret_key(tmp_path):
    old = secrets.token_urlsafe(50)

    result = check_deploy(production_env(tmp_path, DJANGO_SECRET_KEY_FALLBACKS=old))

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "warning"),
    [
        ("DJANGO_SECURE_SSL_REDIRECT", "0", "security.W008"),
        ("DJANGO_SECURE_COOKIES", "0", "security.W012"),
        ("DJANGO_SECURE_HSTS_SECONDS", "0", "security.W004"),
        ("DJANGO_SECRET_KEY", "short", "security.W009"),
    ],
)
def test_check_deploy_fails_when_a_transport_setting_is_off(tmp_path, variable, value, warning):
    result = check_deploy(production_env(tmp_path, **{variable: value}))

    assert result.returncode != 0
    assert warning in result.stderr
