"""The image without building it (no Docker engine runs here): lint the Dockerfile, run the
entrypoint and the health check, and check the settings the image's environment gives."""

import os
import re
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
HEALTHCHECK = ROOT / "docker" / "healthcheck.py"
SHELL_SCRIPTS = [ENTRYPOINT, *sorted((ROOT / "scripts").glob("*.sh"))]


def tool(name: str) -> str:
    """A linter from the dev extra, installed beside this Python."""
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    assert found, f"{name} is missing: pip install -e '.[dev]'"
    return found


def instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) for each Dockerfile instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), " ".join(rest.split())))
    return pairs


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def image_env() -> dict[str, str]:
    env = {}
    for keyword, rest in final_stage():
        if keyword == "ENV":
            env.update(item.split("=", 1) for item in rest.split())
    env.pop("PATH")
    return env


def test_hadolint_finds_nothing():
    result = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "info", "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_finds_nothing():
    result = subprocess.run(
        [tool("shellcheck"), *map(str, SHELL_SCRIPTS)], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stdout


def test_image_is_multi_stage_on_a_pinned_slim_python():
    steps = instructions()
    arg = next(rest for keyword, rest in steps if keyword == "ARG")
    froms = [rest for keyword, rest in steps if keyword == "FROM"]

    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-[a-z]+", arg)
    assert froms == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE}"]
    assert ("COPY", "--from=builder /venv /venv") in final_stage()
    final_runs = " ".join(rest for keyword, rest in final_stage() if keyword == "RUN")
    assert "pip install" not in final_runs  # dependencies come from the builder stage
    builder_runs = [rest for keyword, rest in steps[: len(steps) - len(final_stage())]]
    assert any("manage.py collectstatic" in rest for rest in builder_runs)


def test_image_runs_gunicorn_as_a_non_root_user_with_a_health_check():
    stage = dict(final_stage())

    assert re.fullmatch(r"[1-9]\d{3,}:[1-9]\d{3,}", stage["USER"])
    assert stage["HEALTHCHECK"].endswith('CMD ["python", "docker/healthcheck.py"]')
    assert stage["ENTRYPOINT"] == '["docker/entrypoint.sh"]'
    assert stage["CMD"] == '["gunicorn", "--config", "gunicorn.conf.py", "hartrehab.wsgi"]'
    assert os.access(ENTRYPOINT, os.X_OK)


def test_build_context_leaves_out_secrets_and_local_state():
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {".env", ".secret_key", "db.sqlite3*", ".git", ".venv", "staticfiles"} <= ignored
    # and what does not serve the site (`make image-test` checks the built image too)
    assert {"tests", "bench", "tools", "docs", "node_modules"} <= ignored


def test_the_images_environment_passes_check_deploy(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(image_env())
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="www.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_takes_workers_and_bind_from_the_environment(monkeypatch):
    for name, value in {**image_env(), "WEB_CONCURRENCY": "3"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GUNICORN_ACCESSLOG", raising=False)

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert config["workers"] == 3
    assert config["bind"] == "0.0.0.0:8000"
    assert config["worker_tmp_dir"] == "/dev/shm"
    assert config["accesslog"] is None  # the request log comes from hartrehab.requestlog
    assert config["proxy_protocol"] == "off"  # on only behind a proxy that sends it


def test_gunicorn_reads_the_proxy_protocol_from_listed_proxies_only(monkeypatch):
    monkeypatch.setenv("GUNICORN_PROXY_PROTOCOL", "auto")
    monkeypatch.setenv("GUNICORN_PROXY_ALLOW_IPS", "10.0.0.5")

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert config["proxy_protocol"] == "auto"
    assert config["proxy_allow_ips"] == "10.0.0.5"


def run_entrypoint(tmp_path, *, fail: str = "", **env) -> tuple[subprocess.CompletedProcess, str]:
    """Run the entrypoint with a stand-in `python` that records what it was asked to do."""
    calls = tmp_path / "calls"
    calls.touch()
    fake = tmp_path / "bin" / "python"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(
        f'#!/bin/sh\necho "$*" >> "{calls}"\n'
        + (f'case "$*" in *{fail}*) exit 3;; esac\n' if fail else "")
    )
    fake.chmod(0o755)
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "echo", "gunicorn ran with", "--config x"],
        env={"PATH": f"{fake.parent}:/usr/bin:/bin", **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result, calls.read_text()


def test_entrypoint_runs_only_the_command_by_default(tmp_path):
    result, calls = run_entrypoint(tmp_path)

    assert result.returncode == 0
    assert calls == ""
    assert result.stdout.strip() == "gunicorn ran with --config x"


def test_entrypoint_migrates_and_loads_content_when_asked(tmp_path):
    result, calls = run_entrypoint(tmp_path, ENTRYPOINT_MIGRATE="1", ENTRYPOINT_LOAD_CONTENT="1")

    assert result.returncode == 0
    assert calls.splitlines() == [
        "manage.py migrate --noinput",
        "manage.py setup_roles",
        "manage.py load_content --keep-admin-work",
    ]
    assert result.stdout.strip().endswith("gunicorn ran with --config x")


def test_entrypoint_stops_before_the_command_when_a_step_fails(tmp_path):
    result, calls = run_entrypoint(
        tmp_path, fail="migrate", ENTRYPOINT_MIGRATE="1", ENTRYPOINT_LOAD_CONTENT="1"
    )

    assert result.returncode == 3
    assert calls.splitlines() == ["manage.py migrate --noinput"]
    assert "gunicorn ran" not in result.stdout


def healthcheck(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK)],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_healthcheck_passes_when_the_site_is_healthy(live_server):
    # "*" is skipped and the leading dot dropped: the Host sent is "localhost".
    result = healthcheck(
        HEALTHCHECK_URL=f"{live_server.url}/healthz", DJANGO_ALLOWED_HOSTS="*,.localhost"
    )

    assert result.returncode == 0, result.stderr


def test_healthcheck_fails_when_the_database_is_down(live_server):
    from django.db import OperationalError
    from django.db.backends.base.base import BaseDatabaseWrapper

    # On the class: the live server answers from a thread with its own connection object.
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError):
        result = healthcheck(
            HEALTHCHECK_URL=f"{live_server.url}/healthz", DJANGO_ALLOWED_HOSTS="localhost"
        )

    assert result.returncode == 1
    assert "503" in result.stderr


def test_healthcheck_fails_when_nothing_listens():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = healthcheck(GUNICORN_BIND=f"0.0.0.0:{port}")

    assert result.returncode == 1
    assert f"127.0.0.1:{port}/healthz" in result.stderr


@pytest.fixture
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_the_site_with_postgresql_and_redis(compose):
    web = compose["services"]["web"]

    assert set(compose["services"]) == {"web", "worker", "db", "redis"}
    assert "@db:5432/" in web["environment"]["DATABASE_URL"]
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:6379/")
    assert web["environment"]["ENTRYPOINT_MIGRATE"] == "1"
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    assert web["environment"]["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")


def test_compose_runs_the_task_worker_from_the_same_image(compose):
    web, worker = compose["services"]["web"], compose["services"]["worker"]

    assert worker["image"] == web["image"]
    assert worker["command"] == ["python", "manage.py", "db_worker"]
    assert worker["environment"]["DATABASE_URL"] == web["environment"]["DATABASE_URL"]
    assert worker["environment"]["DJANGO_SECRET_KEY"] == web["environment"]["DJANGO_SECRET_KEY"]
    assert worker["healthcheck"] == {"disable": True}  # gunicorn does not run there


def test_compose_images_are_pinned(compose):
    own = compose["services"]["web"]["image"]
    images = [s["image"] for s in compose["services"].values() if s["image"] != own]

    assert all(re.search(r":\d+(\.\d+)+-", image) for image in images), images


def test_entrypoint_starts_again_after_an_editor_published_in_the_admin(tmp_path):
    """A restart runs load_content again; an admin publish must not stop the site starting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ENTRYPOINT_MIGRATE="1",
        ENTRYPOINT_LOAD_CONTENT="1",
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
    )

    def start(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["sh", str(ENTRYPOINT), *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    first = start("true")
    assert first.returncode == 0, first.stderr
    publish = (
        "from articles.models import Article; from articles.services import publish_version; "
        "from tests.factories import make_approved, make_editor, make_medical_reviewer; "
        "a = Article.objects.get(slug='opioid-induced-hyperalgesia'); "
        "v = make_approved(a, editor=make_editor(), reviewer=make_medical_reviewer()); "
        "publish_version(v, by=v.approval.approved_by); print(v.number)"
    )
    published = start("python", "manage.py", "shell", "-c", publish)
    assert published.returncode == 0, published.stderr
    number = published.stdout.strip().splitlines()[-1]

    restart = start("python", "manage.py", "shell", "-c", _PRINT_PUBLISHED)

    assert restart.returncode == 0, restart.stderr
    assert f"kept v{number} of 'opioid-induced-hyperalgesia'" in restart.stdout
    assert "export_content opioid-induced-hyperalgesia" in restart.stdout
    assert restart.stdout.strip().splitlines()[-1] == number
    refused = start("python", "manage.py", "load_content")
    assert refused.returncode == 1 and "--force" in refused.stderr


_PRINT_PUBLISHED = (
    "from articles.models import Article; "
    "print(Article.objects.get(slug='opioid-induced-hyperalgesia').published_version.number)"
)
