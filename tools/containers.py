"""The image as production runs it, under podman on this machine: for `make image-test` and
`make cluster-test`.

No image registry is reachable here, so the Python base image is made with debootstrap from
the Debian mirror apt already uses, and kept between runs (keyed by the mirror's snapshot
date, or its Release date). Containers share the host's network and bind free loopback
ports; each run gets a PostgreSQL database of its own, dropped afterwards. Every container
and database made here is removed on the way out, whatever happened.
"""

import contextlib
import datetime
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tools import commands
from tools.local_server import ROOT, answers_ok, free_port

BASE_IMAGE = "localhost/python-base:3.11-bookworm"
BASE_KEY_LABEL = "org.hartrehab.base-key"
BASE_PACKAGES = "python3,python3-venv,python-is-python3,ca-certificates"
IMAGE = "hartrehab:ci"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
APT_SOURCES = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
# crun cannot set up cgroups on these machines, and runc refuses limits above these.
PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs"]
LIMITS = ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]
# The PostgreSQL server these machines run (trust auth); each run makes its own database.
POSTGRES = "postgres://postgres@127.0.0.1:5432"
WORKERS = "2"  # gunicorn workers per container: these machines have 2 cores for everyone
START_SECONDS = 120
STOP_SECONDS = 20


class CheckFailed(Exception):
    """A check of the image did not hold; the message says what was seen."""


def run_checks(name: str, main) -> None:
    """Run a check command's `main` and exit with its status: 1 with the failed step named,
    and the cleanup of its `with` blocks done on SIGTERM or SIGHUP too."""

    def stop(signum, frame):
        raise SystemExit(f"{name}: stopped by signal {signum}; cleaning up")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        sys.exit(main())
    except CheckFailed as failure:
        sys.stderr.write(f"{name}: FAILED: {failure}\n")
        sys.exit(1)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(args: list[str], *, timeout: float = 600, check: bool = True, record: bool = True, **kw):
    """Run a command, its output captured; a failure raises CheckFailed with its last lines.
    It is recorded for the report (tools.commands) unless `record` is off: for queries."""
    if record:
        commands.ran(args, env=kw.get("env"))
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    if check and result.returncode != 0:
        # Secrets the report hides stay out of the message too.
        output = commands.RECORDER.redact((result.stdout + result.stderr).strip()[-3000:])
        shown = commands.RECORDER.redact(" ".join(args[:6]))
        raise CheckFailed(f"`{shown} …` exited {result.returncode}:\n{output}")
    return result


# --- the base image ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mirror:
    url: str
    key: str  # what the cached base image is keyed by


def apt_mirror() -> Mirror:
    """The Debian mirror apt uses for bookworm, read from apt's sources now (never stored)."""
    text = "\n".join(path.read_text() for path in APT_SOURCES if path.is_file())
    url = None
    for stanza in re.split(r"\n\s*\n", text):  # deb822 (.sources) stanzas
        fields = dict(re.findall(r"^(URIs|Suites|Types):\s*(.+)$", stanza, re.MULTILINE))
        if "deb" in fields.get("Types", "").split() and "bookworm" in fields.get("Suites", ""):
            url = fields["URIs"].split()[0]
            break
    if url is None:  # one-line format: deb [options] URI SUITE COMPONENTS
        match = re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+bookworm\s", text, re.MULTILINE)
        url = match and match.group(1)
    if not url:
        raise CheckFailed("no Debian bookworm mirror found in apt's sources")
    snapshot = re.search(r"snapshot\.debian\.org/archive/debian/(\d{8}T\d{6}Z)", text)
    return Mirror(url=url.rstrip("/"), key=snapshot.group(1) if snapshot else _release_date(url))


def _release_date(url: str) -> str:
    with urllib.request.urlopen(f"{url.rstrip('/')}/dists/bookworm/Release", timeout=30) as r:
        head = r.read(4096).decode(errors="replace")
    match = re.search(r"^Date:\s*(.+)$", head, re.MULTILINE)
    return match.group(1).strip() if match else datetime.date.today().isoformat()


def image_label(image: str, label: str) -> str | None:
    result = run(
        [*PODMAN, "image", "inspect", "--format", f'{{{{ index .Labels "{label}" }}}}', image],
        check=False,
        record=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_base_image() -> str:
    """Make BASE_IMAGE with debootstrap unless one from the same mirror snapshot exists."""
    mirror = apt_mirror()
    if image_label(BASE_IMAGE, BASE_KEY_LABEL) == mirror.key:
        return f"{BASE_IMAGE} (cached, mirror {mirror.key})"
    for tool in ("debootstrap", "podman"):
        if not shutil.which(tool):
            raise CheckFailed(f"{tool} is missing: apt-get install podman runc debootstrap")
    with tempfile.TemporaryDirectory(prefix="hartrehab-base-") as folder:
        root = Path(folder) / "root"
        run(
            ["debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}"]
            + ["bookworm", str(root), mirror.url],
            timeout=900,
        )
        # The machine's CA bundle: pip inside the build trusts what this machine trusts.
        shutil.copyfile(CA_BUNDLE, root / "etc/ssl/certs/ca-certificates.crt")
        shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
        tar_args = ["tar", "-C", str(root), "-c", "."]
        commands.ran(tar_args)
        tar = subprocess.Popen(tar_args, stdout=subprocess.PIPE)
        try:
            run(
                [*PODMAN, "import", "--change", f"LABEL {BASE_KEY_LABEL}={mirror.key}"]
                + ["--change", 'CMD ["python"]', "-", BASE_IMAGE],
                stdin=tar.stdout,
                timeout=600,
            )
        finally:
            tar.stdout.close()
            tar.wait(timeout=60)
    return f"{BASE_IMAGE} (made, mirror {mirror.key})"


def image_id(image: str) -> str | None:
    result = run(
        [*PODMAN, "image", "inspect", "--format", "{{.Id}}", image], check=False, record=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def build_image(tag: str = IMAGE) -> None:
    """The Dockerfile on the local base; docker format, as podman's default (OCI) drops the
    HEALTHCHECK. The image this tag named before is removed unless a container still uses it."""
    before = image_id(tag)
    run(
        [*PODMAN, "build", "--isolation", "chroot", "--network", "host", "--format", "docker"]
        + ["--build-arg", f"PYTHON_IMAGE={BASE_IMAGE}", "--tag", tag, str(ROOT)],
        timeout=1200,
    )
    if before and before != image_id(tag):
        commands.RECORDER.name(before, "$PREVIOUS_IMAGE_ID")
        run([*PODMAN, "rmi", before], check=False)


# --- databases and containers --------------------------------------------------------------


@contextlib.contextmanager
def database(prefix: str) -> Iterator[str]:
    """Yield the DATABASE_URL of a new, empty PostgreSQL database; drop it afterwards."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    create = f'CREATE DATABASE "{name}"'
    commands.RECORDER.sent(f"PostgreSQL ({POSTGRES}/postgres, psycopg)", create)
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=10) as conn:
        conn.execute(create)
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=10) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_env(database_url: str, **extra: str) -> dict[str, str]:
    """The container's environment: production settings, plain HTTP on loopback only."""
    env = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": WORKERS,
    }
    env.update(extra)
    return env


@dataclass
class Container:
    name: str
    port: int
    env: dict[str, str]
    image: str = IMAGE

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def exec(self, *args: str, user: str | None = None, check: bool = True):
        as_user = ["--user", user] if user else []
        return run([*PODMAN, "exec", *as_user, self.name, *args], timeout=120, check=check)

    def logs(self) -> str:
        result = run([*PODMAN, "logs", "--tail", "40", self.name], check=False, record=False)
        return (result.stdout + result.stderr).strip()


def _run_flags(folder: Path, env: dict[str, str]) -> list[str]:
    """`podman run` as production runs the image (compose.yaml: read-only root, /tmp in
    memory), on the host's network, with `env` from a file only this user can read."""
    path = folder / "env"
    path.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    path.chmod(0o600)
    commands.RECORDER.wrote(path, env)
    commands.RECORDER.name(path, "$ENV_FILE")
    return [*LIMITS, "--network", "host", "--read-only", "--tmpfs", "/tmp", "--env-file", str(path)]


def one_off(env: dict[str, str], *args: str, image: str = IMAGE, timeout: float = 300):
    """Run a command in a fresh container of the image (same flags as the site's), then drop it.
    The entrypoint's start-up steps are left to the serving containers."""
    env = {**env, "ENTRYPOINT_MIGRATE": "0", "ENTRYPOINT_LOAD_CONTENT": "0"}
    with tempfile.TemporaryDirectory(prefix="hartrehab-env-") as folder:
        return run(
            [*PODMAN, "run", "--rm", *_run_flags(Path(folder), env), image, *args],
            timeout=timeout,
        )


def new_container(prefix: str, env: dict[str, str], *, port: int | None = None) -> Container:
    """A container not yet started, to serve on `port` (default: a free loopback port)."""
    port = port or free_port()
    name = f"{prefix}-{os.getpid()}-{secrets.token_hex(3)}"
    env = {"SITE_URL": f"http://127.0.0.1:{port}", **env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    return Container(name=name, port=port, env=env)


def start(box: Container) -> None:
    """Start the container and return once /healthz answers 200."""
    with tempfile.TemporaryDirectory(prefix="hartrehab-env-") as folder:
        run(
            [*PODMAN, "run", "--detach", "--name", box.name, *_run_flags(Path(folder), box.env)]
            + [box.image],
            timeout=120,
        )
    wait_healthy(box)


def remove(box: Container) -> None:
    """Stop the container (SIGTERM: gunicorn finishes what it serves) and delete it."""
    run([*PODMAN, "rm", "--force", "--time", str(STOP_SECONDS), box.name], check=False, timeout=90)


@contextlib.contextmanager
def container(prefix: str, env: dict[str, str], *, port: int | None = None) -> Iterator[Container]:
    """Start the image serving on a loopback port; yield once /healthz answers; always remove
    it."""
    box = new_container(prefix, env, port=port)
    try:
        start(box)
        yield box
    finally:
        remove(box)


def running(box: Container) -> bool:
    result = run(
        [*PODMAN, "inspect", "--format", "{{.State.Running}}", box.name],
        check=False,
        timeout=30,
        record=False,
    )
    return result.stdout.strip() == "true"


def wait_healthy(box: Container, timeout: float = START_SECONDS) -> None:
    """Wait until /healthz answers 200; fail at once, with the logs, if the container exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not running(box):
            raise CheckFailed(f"container {box.name} exited; its last lines:\n{box.logs()}")
        if port_open(box.port) and answers_ok(box.url + "/healthz"):
            return
        time.sleep(0.5)
    raise CheckFailed(f"/healthz did not answer 200 within {timeout:.0f}s:\n{box.logs()}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- a publish made the way staff make it --------------------------------------------------

# Run inside the image with `manage.py shell -c`: an editor drafts a change to the article, a
# medical reviewer (another person) approves and publishes it, each through the workflow
# services with their own permissions. Prints the published version's number.
PUBLISH_CODE = """
from io import StringIO
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from articles.models import Article, Reviewer
from articles import services

call_command("setup_roles", stdout=StringIO())
def staff(name, group):
    user, _ = User.objects.get_or_create(username=name, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)
editor = staff("image-check-editor", "Editors")
medic = staff("image-check-reviewer", "Medical reviewers")
Reviewer.objects.get_or_create(user=medic, defaults={"name": "Image Check", "credentials": "MD"})
article = Article.objects.get(slug=SLUG)
draft = services.create_draft(article, by=editor)
draft = services.update_draft(
    draft, by=editor, title=draft.title, summary=draft.summary, about=draft.about,
    body=draft.body + "\\n\\n" + MARKER + "\\n", change_note="Deployment check",
)
draft = services.submit_for_review(draft, by=editor)
services.approve_version(draft, by=medic)
draft.refresh_from_db()
services.publish_version(draft, by=medic)
print(draft.number)
"""


def publish(*, slug: str, marker: str, env: dict[str, str] | None = None, box=None) -> int:
    """Publish a new version of `slug` whose body ends with `marker`, in a running container
    (`box`) or a fresh one with `env`; return the version's number."""
    code = f"SLUG = {slug!r}\nMARKER = {marker!r}\n" + PUBLISH_CODE
    command = ["python", "manage.py", "shell", "-c", code]
    result = box.exec(*command) if box else one_off(env, *command)
    return int(result.stdout.strip().splitlines()[-1])
