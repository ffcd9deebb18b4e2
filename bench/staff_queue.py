"""Part 4: the intake staff's queue in the admin with 100,000 requests in PostgreSQL.

The parent (`measure`) creates and drops the database; a child process (`python -m
bench.staff_queue`, Django configured from the environment) fills it and times each admin page
in-process with Django's test client, logged in as an Intake staff user with a verified second
factor. Server time only: no network, no browser.
"""

import contextlib
import json
import random
import re
import statistics
import subprocess
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from bench import postgres
from tools.local_server import PYTHON, ROOT, manage, site_env

ROWS = 100_000
ROUNDS = 7
FIRST_NAMES = [
    "Maria", "James", "Aisha", "Wei", "Carlos", "Olivia", "Dmitri", "Fatima", "Liam", "Priya",
    "Noah", "Sofia", "Kwame", "Emma", "Hiroshi", "Ava", "Mateo", "Zainab", "Ethan", "Chloe",
]  # fmt: skip
LAST_NAMES = [
    "Lopez", "Smith", "Okafor", "Chen", "Garcia", "Johnson", "Ivanov", "Khan", "Brown", "Patel",
    "Nguyen", "Rossi", "Mensah", "Miller", "Tanaka", "Davis", "Silva", "Ahmed", "Wilson", "Moreau",
    "Kowalski", "Haddad", "Murphy", "Novak", "Reyes",
]  # fmt: skip
# What the "before" run takes away: the indexes of intake migration 0002.
BEFORE_DROPPED_INDEXES = [
    "intake_submission_phone",
    "intake_submission_name_search_trgm",  # the name's, since intake 0009
    "intake_submission_email_trgm",
    "intake_submission_phone_trgm",
]
AREA_CODES = ["202", "212", "305", "312", "415", "503", "617", "702", "713", "818"]


def _status(rng: random.Random, age: timedelta) -> str:
    """Recent requests are still being worked; older ones are mostly closed."""
    if age < timedelta(days=7):
        return rng.choices(["new", "in_progress", "contacted"], [5, 3, 2])[0]
    return rng.choices(["closed", "contacted", "spam"], [85, 5, 10])[0]


def fake_submission(number: int, *, now: datetime, rng: random.Random, total: int = ROWS) -> dict:
    """Field values of one stored request, the newest first, spread over two years; no ORM."""
    created = now - timedelta(days=730) * (number / total) - timedelta(seconds=rng.randrange(600))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    method = rng.choices(["phone", "text", "email"], [5, 2, 3])[0]
    phone = f"+1{AREA_CODES[number % 10]}{200 + number // 10 % 800:03d}{number % 10000:04d}"
    email = f"{first}.{last}{number}@example.org".lower()
    status = _status(rng, now - created)
    return {
        "name": f"{first} {last}",
        # Some give only what they asked to be contacted by, some give both.
        "phone": "" if method == "email" and number % 2 else phone,
        "email": email if method == "email" or number % 3 else "",
        "preferred_contact": method,
        "best_time": rng.choice(["", "morning", "afternoon", "evening"]),
        "message": "Benchmark request. I would like to talk about treatment options." * 2,
        "consent_given_at": created,
        "consent_version": "2025-06-01",
        "created_at": created,
        "status": status,
        "spam_reason": "sent 1s after the form was shown" if status == "spam" else "",
        "notified_at": None if status == "spam" else created + timedelta(minutes=1),
        "idempotency_key": uuid.UUID(int=rng.getrandbits(128), version=4),
        # What ContactSubmission.save() and its default would give: COPY bypasses both.
        "name_search": fold_name(f"{first} {last}"),
        "reference": bench_reference(number),
    }


def fold_name(name: str) -> str:
    from intake.models import fold  # in the child, where Django is configured

    return fold(name)


def bench_reference(number: int) -> str:
    """A distinct reference per row, in the alphabet the site uses."""
    from intake.models import REFERENCE_ALPHABET, REFERENCE_LENGTH

    letters = []
    for _ in range(REFERENCE_LENGTH):
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        letters.append(REFERENCE_ALPHABET[digit])
    return "".join(letters)


def national(phone: str) -> str:
    """+12025550143 → 202-555-0143, the way staff type a number they were given."""
    digits = phone.removeprefix("+1")
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def sql_summary(sql: str) -> str:
    """A query in a few words: a list of columns elided, quotes dropped, cut at 90 characters."""

    def elide(match):
        columns = match.group(2)
        return f"SELECT {match.group(1) or ''}{'…' if ',' in columns else columns} FROM "

    text = re.sub(r"^SELECT (DISTINCT )?(.*?) FROM ", elide, sql, count=1, flags=re.S)
    text = text.replace('"', "").replace("|", "/")  # the report puts it in a table cell
    return text if len(text) <= 90 else text[:89] + "…"


def plan_summary(plan: dict) -> str:
    """A plan tree from EXPLAIN (FORMAT JSON) in one line: its nodes, outermost first."""
    nodes = []

    def walk(node):
        label = node["Node Type"]
        if node.get("Index Name"):
            label += f" using {node['Index Name']}"
        elif node.get("Relation Name"):
            label += f" on {node['Relation Name']}"
        nodes.append(label)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return " → ".join(nodes)


# --- the child process: Django is configured from here on ------------------------------------


def _fill(rows: int) -> float:
    """COPY `rows` requests into the table (bulk_create takes ten times as long), then VACUUM
    ANALYZE as autovacuum would soon after; the table's CHECK constraints still apply."""
    from django.db import connection

    from articles.models import Article

    start = time.perf_counter()
    source_id = Article.objects.get(slug="opioid-induced-hyperalgesia").pk
    rng, now = random.Random(7), datetime.now().astimezone()
    columns = [*fake_submission(0, now=now, rng=random.Random()), "source_id"]
    statement = f"COPY intake_contactsubmission ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        # Filling is not a web request: the site's statement limit (hartrehab/limits.py) would
        # cancel a COPY of 100,000 rows on a busy machine. The pages are timed under it.
        cursor.execute("SHOW statement_timeout")
        limit = cursor.fetchone()[0]
        cursor.execute("SET statement_timeout = 0")
        with cursor.cursor.copy(statement) as copy:
            for number in range(rows):
                fields = fake_submission(number, now=now, rng=rng)
                copy.write_row([*fields.values(), source_id if number % 3 == 0 else None])
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [limit])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE intake_contactsubmission")
    return time.perf_counter() - start


def _staff_client():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from hartrehab.roles import INTAKE_STAFF
    from hartrehab.services import enrol_totp

    call_command("setup_roles", verbosity=0)
    user = get_user_model().objects.create(username="bench-intake", is_staff=True)
    user.groups.add(Group.objects.get(name=INTAKE_STAFF))
    device = enrol_totp(user)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # as the login form's code does
    session.save()
    return client


def _pages() -> dict[str, tuple[str, str]]:
    """name → (URL, a change link its HTML must contain, proving the right rows came back)."""
    from django.conf import settings

    from intake.models import ContactSubmission

    base = f"/{settings.ADMIN_PATH}intake/contactsubmission/"
    target = ContactSubmission.objects.order_by("pk")[ROWS // 2]
    oldest_new = ContactSubmission.objects.filter(status="new").order_by("created_at", "pk")[0]
    phone_row = ContactSubmission.objects.exclude(phone="").order_by("pk")[ROWS // 3]
    link = f"{base}{{}}/change/"
    return {
        # The worklist puts the oldest open request first.
        "list": (
            base,
            link.format(ContactSubmission.objects.open().order_by("created_at", "pk")[0].pk),
        ),
        "filtered (status new)": (f"{base}?status__exact=new", link.format(oldest_new.pk)),
        "search name": (f"{base}?q={target.name.replace(' ', '+')}", ""),
        "search email": (f"{base}?q={target.email}", link.format(target.pk)),
        "search phone": (f"{base}?q={national(phone_row.phone)}", link.format(phone_row.pk)),
        "detail": (link.format(target.pk), ""),
    }


def _queries(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    times = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    # The slowest read: EXPLAIN ANALYZE runs the statement, and a write would happen twice.
    _, slowest = max((ms, sql) for ms, sql in times if sql.startswith("SELECT"))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + slowest)
        plan = cursor.fetchone()[0][0]
    return {
        "queries": len(captured),
        "sql_ms": sum(ms for ms, _ in times),
        "count_ms": [ms for ms, sql in times if sql.startswith("SELECT COUNT(*)")],
        "slowest_ms": plan["Execution Time"],
        "slowest_sql": sql_summary(slowest),
        "slowest_plan": plan_summary(plan),
    }


def _check(client, pages: dict) -> None:
    for name, (url, must_contain) in pages.items():
        response = client.get(url)
        if response.status_code != 200 or must_contain.encode() not in response.content:
            raise RuntimeError(f"{name}: {url} answered {response.status_code} without its row")


@contextlib.contextmanager
def before_0002():
    """The queue as it was before intake migration 0002, with the admin's date_hierarchy back.

    The indexes are dropped inside a transaction that is rolled back on the way out (DDL is
    transactional in PostgreSQL), so rounds can alternate between before and after.
    """
    from django.contrib import admin
    from django.db import connection, transaction

    from intake.models import ContactSubmission

    model_admin = admin.site._registry[ContactSubmission]
    with transaction.atomic():
        with connection.cursor() as cursor:
            for index in BEFORE_DROPPED_INDEXES:
                cursor.execute(f"DROP INDEX {index}")
        model_admin.date_hierarchy = "created_at"
        try:
            yield
        finally:
            del model_admin.date_hierarchy  # back to the class's: none
            transaction.set_rollback(True)


def time_pages(client, pages: dict, variants: dict) -> dict:
    """variant → page → server time (median of ROUNDS) and its SQL; rounds alternate pages and
    variants, so drift on a shared machine hits all of them alike."""
    timings = {variant: {name: [] for name in pages} for variant in variants}
    for setup in variants.values():
        with setup():
            _check(client, pages)
    for _ in range(ROUNDS):
        for variant, setup in variants.items():
            with setup():
                for name, (url, _) in pages.items():
                    start = time.perf_counter()
                    client.get(url)
                    timings[variant][name].append(1000 * (time.perf_counter() - start))
    results = {}
    for variant, setup in variants.items():
        with setup():
            results[variant] = {
                name: {"ms": statistics.median(values), "max_ms": max(values)}
                | _queries(client, pages[name][0])
                for name, values in timings[variant].items()
            }
    return results


def child_main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("load_content", verbosity=0)
    fill_seconds = _fill(ROWS)
    client = _staff_client()
    variants = {"pages": contextlib.nullcontext, "before": before_0002}
    results = time_pages(client, _pages(), variants)
    print(json.dumps({"rows": ROWS, "fill_seconds": fill_seconds, **results}))


# --- the parent: bench.run ---------------------------------------------------------------------


def measure(workdir: Path, *, postgres_url: str) -> dict:
    """Fill a PostgreSQL database of the bench's own and time the staff pages on it."""
    try:
        with postgres.database(postgres_url, "bench_queue") as url:
            env = site_env(workdir, DATABASE_URL=url, DJANGO_ALLOWED_HOSTS="testserver")
            env["DJANGO_SETTINGS_MODULE"] = "hartrehab.settings"
            manage(env, "migrate", "--noinput")
            out = subprocess.run(
                [PYTHON, "-m", "bench.staff_queue"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
                timeout=300,
            ).stdout
    except postgres.Unavailable as error:
        return {"skipped": str(error)}
    except subprocess.CalledProcessError as error:
        # The child's own traceback says what broke; the parent's alone does not.
        raise RuntimeError(f"bench.staff_queue failed:\n{error.stderr[-3000:]}") from None
    return json.loads(out.strip().splitlines()[-1]) | {
        "postgresql": postgres.server_version(postgres_url)
    }


if __name__ == "__main__":
    child_main()
