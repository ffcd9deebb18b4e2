"""Part 2: patients sending the contact form to gunicorn, on SQLite and on PostgreSQL.

Each submission is what a browser does: GET /contact/ (a fresh visitor: new CSRF cookie and
signed form token), then POST the fields back. The time trap and the rate limit are set for
the run so nothing is quarantined or refused; staff emails go to Django's in-memory backend,
sent by the task worker beside gunicorn (the request itself only queues them).
"""

import contextlib
import functools
import http.client
import json
import statistics
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

from bench import postgres
from tools.local_server import gunicorn, manage, prepare, site_env, task_worker

SUBMISSIONS = 200
CLIENT_THREADS = 8
INTAKE_ENV = {
    "INTAKE_MIN_SECONDS": "0",  # the bench posts within a second of showing the form
    "INTAKE_RATE_LIMIT": "1000000",  # every post comes from 127.0.0.1
    "INTAKE_NOTIFY_EMAILS": "intake@localhost",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}
HIDDEN_FIELDS = ("csrfmiddlewaretoken", "form_token")


class _HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    """The form's hidden fields (CSRF and form token), as a browser would send them back."""
    parser = _HiddenInputs()
    parser.feed(html)
    missing = [name for name in HIDDEN_FIELDS if not parser.values.get(name)]
    if missing:
        raise ValueError(f"contact form has no {', '.join(missing)}")
    return parser.values


def cookies_from(set_cookie_headers: list[str]) -> str:
    """A Cookie header from a response's Set-Cookie headers."""
    jar = SimpleCookie()
    for header in set_cookie_headers:
        jar.load(header)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())


def patient_fields(number: int) -> dict[str, str]:
    """A valid, varied submission; every third one asks for email, the rest for a call/text."""
    method = ("email", "phone", "text")[number % 3]
    return {
        "name": f"Bench Patient {number}",
        "preferred_contact": method,
        "phone": "" if method == "email" else f"202-555-{number % 100:04d}",
        "email": f"bench.patient.{number}@example.org",
        "best_time": ("", "morning", "afternoon", "evening")[number % 4],
        "message": f"Benchmark request {number}.\nPlease call after work.",
        "consent": "on",
        "website": "",  # the honeypot, left empty as a person leaves it
    }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100): a value that was actually measured."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


@dataclass
class Form:
    cookie: str
    fields: dict[str, str]


def _request(port: int, method: str, path: str, body: str = "", headers=None, timeout=30.0):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return response.status, response.msg.get_all("Set-Cookie") or [], response, content
    finally:
        connection.close()


def fetch_form(port: int) -> Form:
    status, set_cookies, _, content = _request(port, "GET", "/contact/")
    if status != 200:
        raise RuntimeError(f"GET /contact/ answered {status}")
    return Form(cookie=cookies_from(set_cookies), fields=hidden_inputs(content.decode()))


def post_form(port: int, form: Form, number: int, timeout: float = 30.0) -> tuple[float, int]:
    """Send one filled-in form; (milliseconds, status). A stored request answers 303."""
    body = urllib.parse.urlencode(form.fields | patient_fields(number))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": form.cookie,
        "Origin": f"http://127.0.0.1:{port}",
    }
    start = time.perf_counter()
    status, _, response, _ = _request(port, "POST", "/contact/", body, headers, timeout)
    elapsed = (time.perf_counter() - start) * 1000
    if status == 303 and response.getheader("Location") != "/contact/thanks/":
        status = -1
    return elapsed, status


def one_round(port: int, first_number: int) -> dict:
    """SUBMISSIONS forms fetched, then posted by CLIENT_THREADS clients; the posts are timed."""
    numbers = range(first_number, first_number + SUBMISSIONS)
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        forms = list(pool.map(lambda _: fetch_form(port), numbers))
        start = time.perf_counter()
        results = list(pool.map(functools.partial(post_form, port), forms, numbers))
        wall = time.perf_counter() - start
    latencies = [ms for ms, _ in results]
    return {
        "per_second": SUBMISSIONS / wall,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "failed": sum(status != 303 for _, status in results),
    }


STORED_CHECK = """
import json
from intake.models import ContactSubmission as S
print(json.dumps({
    "total": S.objects.count(),
    "new": S.objects.filter(status="new", spam_reason="").count(),
    "notified": S.objects.filter(notified_at__isnull=False).count(),
}))
"""


def stored(env: dict, *, wait_seconds: float = 60) -> dict:
    """What the database holds once the task worker has sent what it can (it works on after
    the last post; up to `wait_seconds` for it)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        out = manage(env, "shell", "--no-imports", "-c", STORED_CHECK).stdout
        found = json.loads(out.strip().splitlines()[-1])
        if found["notified"] >= found["new"] or time.monotonic() > deadline:
            return found
        time.sleep(1)


@contextlib.contextmanager
def _servers(workdir: Path, postgres_url: str):
    """One gunicorn per database, both running, so rounds can alternate between them."""
    envs = {"SQLite": site_env(workdir, **INTAKE_ENV)}
    with contextlib.ExitStack() as stack:
        prepare(envs["SQLite"])
        skipped = ""
        try:
            url = stack.enter_context(postgres.database(postgres_url, "bench_intake"))
        except postgres.Unavailable as error:
            skipped = str(error)
        else:
            envs["PostgreSQL"] = site_env(workdir, DATABASE_URL=url, **INTAKE_ENV)
            manage(envs["PostgreSQL"], "migrate", "--noinput")
        ports = {
            name: int(stack.enter_context(gunicorn(env)).rsplit(":", 1)[1])
            for name, env in envs.items()
        }
        for env in envs.values():  # sends the staff emails, outside the measured requests
            stack.enter_context(task_worker(env))
        yield envs, ports, skipped


def measure(workdir: Path, *, postgres_url: str, rounds: int = 3) -> dict:
    """Alternating rounds of SUBMISSIONS posts per database; medians, and what was stored."""
    with _servers(workdir, postgres_url) as (envs, ports, skipped):
        runs = {name: [] for name in envs}
        for number in range(rounds):
            for name, port in ports.items():
                runs[name].append(one_round(port, number * SUBMISSIONS))
        databases = {
            name: {
                "per_second": statistics.median(r["per_second"] for r in results),
                "p50": statistics.median(r["p50"] for r in results),
                "p99": statistics.median(r["p99"] for r in results),
                "p99_rounds": [r["p99"] for r in results],
                "failed": sum(r["failed"] for r in results),
                "sent": rounds * SUBMISSIONS,
                "stored": stored(envs[name]),
            }
            for name, results in runs.items()
        }
    version = "" if skipped else postgres.server_version(postgres_url)
    if "PostgreSQL" in runs:
        pairs = zip(runs["PostgreSQL"], runs["SQLite"], strict=True)
        ratios = [pg["per_second"] / lite["per_second"] for pg, lite in pairs]
        databases["PostgreSQL"]["ratio_to_sqlite"] = statistics.median(ratios)
    return {
        "rounds": rounds,
        "threads": CLIENT_THREADS,
        "databases": databases,
        "postgresql": version,
        "skipped": skipped,
    }
