import os
import subprocess
import sys

from django.conf import settings


def run_check(**env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_site_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_check(DJANGO_DEBUG="0")

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DJANGO_SECRET_KEY is not set" in lines[0]


def test_site_starts_with_a_secret_key():
    result = run_check(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr


def test_debug_is_off_unless_set():
    result = subprocess.run(
        [sys.executable, "-c", "from hartrehab import settings; print(settings.DEBUG)"],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ["PATH"], "DJANGO_SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.strip() == "False"


def test_an_empty_database_url_means_the_default_sqlite_file():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=settings.BASE_DIR,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "hartrehab.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.strip() == "django.db.backends.sqlite3", result.stderr
