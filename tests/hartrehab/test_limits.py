"""Every wait for the database in a web request has a limit, declared once (hartrehab/limits.py)
and read by the settings and by gunicorn, whose timeout stays above it."""

import importlib.util
import os
import runpy
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

import hartrehab

ROOT = settings.BASE_DIR
LIMITS = ROOT / "hartrehab" / "limits.py"
PRINT_OPTIONS = (
    "from django.conf import settings; print(repr(settings.DATABASES['default']['OPTIONS']))"
)


def database_options(*command: str, **env_overrides) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="hartrehab.settings", DJANGO_SECRET_KEY="x" * 50)
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return eval(result.stdout.strip().splitlines()[-1])  # noqa: S307 - our own repr() of a dict


WEB = ("-c", f"import django; django.setup(); {PRINT_OPTIONS}")
COMMAND = ("manage.py", "shell", "--no-imports", "-c", PRINT_OPTIONS)
POSTGRES = "postgres://nobody@127.0.0.1:9/none"


def test_web_connections_to_postgresql_carry_the_statement_and_lock_limits():
    assert database_options(*WEB, DATABASE_URL=POSTGRES)["options"] == (
        "-c statement_timeout=5000 -c lock_timeout=3000"
    )
    assert database_options(
        *WEB,
        DATABASE_URL=POSTGRES,
        DATABASE_STATEMENT_TIMEOUT_MS="1500",
        DATABASE_LOCK_TIMEOUT_MS="700",
    )["options"] == ("-c statement_timeout=1500 -c lock_timeout=700")


def test_manage_py_commands_are_not_cut_short_by_the_request_limits():
    """migrate, load_content and the worker are nobody's request; a migration may wait."""
    assert "options" not in database_options(*COMMAND, DATABASE_URL=POSTGRES)


def test_sqlite_waits_for_a_lock_as_long_as_the_lock_limit_in_a_request():
    assert database_options(*WEB, DATABASE_URL="")["timeout"] == 3
    assert (
        database_options(*WEB, DATABASE_URL="", DATABASE_LOCK_TIMEOUT_MS="1500")["timeout"] == 1.5
    )
    assert database_options(*COMMAND, DATABASE_URL="")["timeout"] == 20


def gunicorn_timeout(monkeypatch, **env) -> int:
    for name in ("GUNICORN_TIMEOUT", "DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_LOCK_TIMEOUT_MS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # A fresh read of the declaration with this environment, as a new gunicorn would make.
    spec = importlib.util.spec_from_file_location("hartrehab.limits", LIMITS)
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    monkeypatch.setattr(hartrehab, "limits", fresh)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["timeout"]


def test_gunicorn_waits_longer_than_the_database_may(monkeypatch):
    assert gunicorn_timeout(monkeypatch) == 30
    assert gunicorn_timeout(monkeypatch, GUNICORN_TIMEOUT="10") == 24
    assert (
        gunicorn_timeout(monkeypatch, DATABASE_STATEMENT_TIMEOUT_MS="20000", GUNICORN_TIMEOUT="30")
        == 69
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's own limits: run with DATABASE_URL=postgres://... (CI does)",
)
def test_a_postgresql_connection_has_the_limits(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement = cursor.fetchone()[0]
        cursor.execute("SHOW lock_timeout")
        lock = cursor.fetchone()[0]

    assert (statement, lock) == ("5s", "3s")
