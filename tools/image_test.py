"""`make image-test`: build the image with podman and check it the way a user meets it.

Steps: the base image (debootstrap, cached), the build, what the image holds, then one
container against a PostgreSQL database of its own: /healthz and the image's HEALTHCHECK,
the article page, a contact request sent through the form and found in the database, every
process running as uid 10001 on a read-only root file system, and a version published by
staff that the running container serves at once and still serves after a restart.

Each step prints its time; the first that fails is named and the command exits 1. The
container and the database are removed on every exit. Run with the project's venv Python.
"""

import contextlib
import http.cookiejar
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

from bs4 import BeautifulSoup

from tools import containers
from tools.containers import CheckFailed, say

ARTICLE = "opioid-induced-hyperalgesia"
APP_UID = "10001"
# Never in the image (.dockerignore): tests, benchmarks, tools, docs, node modules, git data.
LEFT_OUT = ["tests", "bench", "tools", "docs", "node_modules", ".git", ".ci", ".venv"]
# The form keeps a request sent sooner than this after it was shown as spam; wait past it.
INTAKE_MIN_SECONDS = 2


class Steps:
    """Times each named step; the first failure is reported with its step's name."""

    def __init__(self, command: str):
        self.command = command
        self.started = time.monotonic()
        self.times: list[tuple[str, float]] = []

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        say(f"== {name}")
        began = time.monotonic()
        try:
            yield
        except Exception as error:  # any error fails the step, which is named
            reason = str(error) or type(error).__name__
            raise CheckFailed(f"step '{name}' failed: {reason}") from error
        self.times.append((name, time.monotonic() - began))
        say(f"   ok ({self.times[-1][1]:.1f}s)")

    def summary(self) -> str:
        return f"{self.command}: all {len(self.times)} steps passed in {self.total():.0f}s"

    def total(self) -> float:
        return time.monotonic() - self.started


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx comes back as an HTTPError whose status the caller checks


def browser() -> urllib.request.OpenerDirector:
    """A client that keeps cookies (the CSRF cookie) and shows redirects instead of following."""
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar), NoRedirect()
    )


def fetch(client, url: str, data: dict | None = None) -> tuple[int, dict, str]:
    """(status, headers, body) of a GET, or a POST of `data`; 4xx/5xx/3xx are answers too."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    try:
        with client.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read().decode(errors="replace")


def page_text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


def check_article(box, *, contains: str | None = None) -> str:
    status, _, html = fetch(browser(), f"{box.url}/articles/{ARTICLE}/")
    assert status == 200, f"the article answered {status}"
    heading = BeautifulSoup(html, "html.parser").find("h1")
    assert heading and heading.get_text(strip=True), "the article page has no heading"
    if contains is not None:
        assert contains in page_text(html), f"the article does not show {contains!r}"
    return heading.get_text(strip=True)


def contact_fields(html: str, name: str) -> dict[str, str]:
    """What a patient sends: the form's hidden fields (CSRF, form token) and their answers."""
    form = BeautifulSoup(html, "html.parser").find("form", class_="intake-form")
    assert form, "no intake form on /contact/"
    fields = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input", type="hidden")
        if field.get("name")
    }
    assert "csrfmiddlewaretoken" in fields, "the form carries no CSRF token"
    fields.update(name=name, phone="202-555-0143", preferred_contact="phone", consent="on")
    return fields


def send_contact_request(base_url: str, name: str) -> None:
    """Fill the form like a patient: load it, wait, post it, follow the 303 to the thanks page."""
    client = browser()
    status, _, html = fetch(client, f"{base_url}/contact/")
    assert status == 200, f"GET /contact/ answered {status}"
    fields = contact_fields(html, name)
    time.sleep(INTAKE_MIN_SECONDS + 0.5)
    status, headers, _ = fetch(client, f"{base_url}/contact/", fields)
    assert status == 303, f"POST /contact/ answered {status}, not 303"
    thanks = urllib.parse.urljoin(f"{base_url}/contact/", headers["Location"])
    status, _, html = fetch(client, thanks)
    assert status == 200, f"GET {thanks} answered {status}"
    assert "thank" in page_text(html).lower(), "the thanks page does not thank"


def stored_requests(database_url: str, name: str) -> list[str]:
    """Statuses of the contact requests with this name, straight from PostgreSQL."""
    import psycopg

    with psycopg.connect(database_url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT status FROM intake_contactsubmission WHERE name = %s", [name]
        ).fetchall()
    return [status for (status,) in rows]


def check_metrics(box, token: str) -> str:
    """Every worker's article views in each scrape (multiprocess mode on a read-only root)."""
    client = browser()
    assert fetch(client, f"{box.url}/metrics")[0] == 404, "/metrics answered without the token"
    views = 12
    for _ in range(views):
        check_article(box)
    line = 'hartrehab_requests_total{method="GET",status="200",view="articles:detail"}'
    counts = set()
    for _ in range(4):
        request = urllib.request.Request(
            f"{box.url}/metrics", headers={"Authorization": f"Bearer {token}"}
        )
        with client.open(request, timeout=30) as response:
            text = response.read().decode()
        found = [row.split()[-1] for row in text.splitlines() if row.startswith(line)]
        counts.add(float(found[0]) if found else 0.0)
    # The article was also read before this step; every scrape must see at least these views.
    assert len(counts) == 1 and counts.pop() >= views, f"scrapes disagree or miss views: {counts}"
    return f"{views} article views counted the same by 4 scrapes"


def check_processes_run_as_app_user(box) -> None:
    result = box.exec("sh", "-c", "grep -H '^Uid:' /proc/[0-9]*/status")
    uids = {line.split()[1] for line in result.stdout.splitlines()}  # real uid of each
    assert uids == {APP_UID}, f"processes run as uids {sorted(uids)}, not only {APP_UID}"
    assert len(result.stdout.splitlines()) >= 3, "fewer processes than gunicorn's master+workers"


def check_root_file_system_is_read_only(box) -> None:
    for path in ("/app/probe", "/venv/probe"):
        result = box.exec("touch", path, check=False)
        assert result.returncode != 0, f"the app's user could write {path}"
    # Even root cannot write: the file system itself is read-only, not just its permissions.
    result = box.exec("touch", "/probe", user="0", check=False)
    assert result.returncode != 0 and "Read-only file system" in result.stderr, (
        f"root could write / or failed otherwise: {result.stderr.strip()}"
    )
    box.exec("touch", "/tmp/probe")  # the one writable place, in memory


def check_image_contents() -> None:
    listing = containers.one_off(
        {},
        "python",
        "-c",
        "import pathlib, sys; root = pathlib.Path('/app');"
        "print('\\n'.join(sorted(str(p.relative_to(root)) for p in root.rglob('*'))))",
    ).stdout.splitlines()
    top = {line.split("/")[0] for line in listing}
    found = sorted(top & set(LEFT_OUT))
    assert not found, f"the image holds {found}"
    tests = [line for line in listing if line.rsplit("/", 1)[-1].startswith(("test_", "conftest"))]
    assert not tests, f"the image holds test files: {tests[:5]}"
    assert "manage.py" in top and "staticfiles" in top, "the image lacks the app or its static"


def main() -> int:
    steps = Steps("image-test")
    run_id = secrets.token_hex(4)
    with contextlib.ExitStack() as cleanup:
        with steps("base image"):
            say("   " + containers.ensure_base_image())
        with steps("build the image"):
            containers.build_image()
        with steps("the image leaves out tests, bench, tools, docs, node_modules, git"):
            check_image_contents()
        with steps("PostgreSQL database"):
            database_url = cleanup.enter_context(containers.database("image_test"))
        metrics_token = secrets.token_urlsafe(24)
        env = containers.site_env(
            database_url,
            ENTRYPOINT_MIGRATE="1",
            ENTRYPOINT_LOAD_CONTENT="1",
            INTAKE_MIN_SECONDS=str(INTAKE_MIN_SECONDS),
            METRICS_TOKEN=metrics_token,
        )
        with steps("start: migrate, load content, serve /healthz"):
            box = cleanup.enter_context(containers.container("hartrehab-image-test", env))
        with steps("the image's HEALTHCHECK passes"):
            containers.run([*containers.PODMAN, "healthcheck", "run", box.name], timeout=60)
        with steps("the article page"):
            say(f"   {check_article(box)}")
        with steps("a contact request is stored in PostgreSQL"):
            name = f"Image Check {run_id}"
            send_contact_request(box.url, name)
            statuses = stored_requests(database_url, name)
            assert statuses == ["new"], f"stored as {statuses}, expected one new request"
        with steps("/metrics sums every worker's requests; 404 without the token"):
            say(f"   {check_metrics(box, metrics_token)}")
        with steps("every process runs as uid 10001"):
            check_processes_run_as_app_user(box)
        with steps("the root file system is read-only"):
            check_root_file_system_is_read_only(box)
        marker = f"Checked by the image test {run_id}."
        with steps("a version published by staff is served at once"):
            number = containers.publish(env=env, slug=ARTICLE, marker=marker)
            say(f"   published v{number}")
            check_article(box, contains=marker)
        with steps("after a restart the container serves the published version"):
            containers.run(
                [*containers.PODMAN, "restart", "--time", str(containers.STOP_SECONDS), box.name],
                timeout=120,
            )
            containers.wait_healthy(box)
            check_article(box, contains=marker)
    say(steps.summary())
    return 0


if __name__ == "__main__":
    containers.run_checks("image-test", main)
