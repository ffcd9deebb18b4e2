"""The benchmark's own parts: its parsers, generated data and report."""

import datetime
import random
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection

from articles.models import ArticleVersion
from bench.content import write_articles
from bench.intake import cookies_from, hidden_inputs, patient_fields, percentile
from bench.load import parse_wrk
from bench.postgres import database_url
from bench.report import render
from bench.staff_queue import (
    BEFORE_DROPPED_INDEXES,
    before_0002,
    fake_submission,
    national,
    plan_summary,
    sql_summary,
)
from intake.forms import ContactForm
from intake.models import ContactSubmission
from intake.phones import as_e164
from tests.clients import FormClient

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.10ms    3.20ms  80.00ms   90.00%
  Latency Distribution
     50%  850.00us
     75%   12.00ms
     90%   15.00ms
     99%    1.20s
  12000 requests in 5.00s, 100.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2400.50
Transfer/sec:     20.00MB
"""


def test_wrk_output_is_parsed_with_units():
    result = parse_wrk(WRK_OUTPUT)

    assert result.rps == 2400.50
    assert result.p50_ms == 0.85
    assert result.p99_ms == 1200.0
    assert result.non_2xx_3xx == 3
    assert result.requests == 12000


def test_generated_articles_are_valid_and_load(db, tmp_path):
    write_articles(tmp_path, 3)

    out = StringIO()
    call_command("load_content", str(tmp_path), stdout=out)

    assert out.getvalue().count("created v1") == 3
    assert ArticleVersion.objects.count() == 3


# --- parts 2 and 4: intake form and the staff queue ---


def test_bench_fills_the_real_form_and_its_post_is_stored_as_new(db, settings):
    settings.INTAKE_MIN_SECONDS = 0
    settings.INTAKE_NOTIFY_EMAILS = []
    client = FormClient(enforce_csrf_checks=True)

    fields = hidden_inputs(client.get("/contact/").content.decode())
    response = client.post("/contact/", fields | patient_fields(7))

    assert response.status_code == 303
    assert response["Location"] == "/contact/thanks/"
    [stored] = ContactSubmission.objects.all()
    assert (stored.status, stored.spam_reason, stored.name) == ("new", "", "Bench Patient 7")


@pytest.mark.parametrize("number", range(6))
def test_every_kind_of_bench_patient_is_valid(number):
    form = ContactForm(patient_fields(number))

    assert form.is_valid(), form.errors


def test_a_page_without_the_form_tokens_is_an_error_naming_them():
    with pytest.raises(ValueError, match="csrfmiddlewaretoken, form_token"):
        hidden_inputs('<form><input type="hidden" name="other" value="1"></form>')


def test_cookie_header_is_built_from_set_cookie_headers():
    headers = [
        "csrftoken=abc123; expires=Wed, 25 Nov 2027 23:00:00 GMT; Max-Age=31449600; Path=/",
        "other=x; Path=/; HttpOnly",
    ]

    assert cookies_from(headers) == "csrftoken=abc123; other=x"


def test_percentile_is_a_measured_value_by_nearest_rank():
    values = [float(v) for v in range(200, 0, -1)]

    assert percentile(values, 99) == 198.0
    assert percentile(values, 50) == 100.0
    assert percentile([5.0], 99) == 5.0
    with pytest.raises(ValueError):
        percentile([], 99)


def test_generated_queue_rows_pass_the_models_checks(db):
    rng, now = random.Random(1), datetime.datetime.now(datetime.UTC)
    rows = [fake_submission(n, now=now, rng=rng, total=300) for n in range(300)]

    for fields in rows:
        ContactSubmission(**fields).full_clean()
    ContactSubmission.objects.bulk_create(ContactSubmission(**fields) for fields in rows)
    statuses = {fields["status"] for fields in rows}
    assert {"new", "closed", "spam"} <= statuses
    assert rows[0]["created_at"] > rows[-1]["created_at"]


def test_a_phone_search_term_reads_back_as_the_stored_number():
    rng, now = random.Random(1), datetime.datetime.now(datetime.UTC)
    phone = next(
        f["phone"] for n in range(10) if (f := fake_submission(n, now=now, rng=rng))["phone"]
    )

    assert as_e164(national(phone)) == phone


def test_sql_summary_elides_a_column_list_but_keeps_an_aggregate():
    select = 'SELECT "t"."a", "t"."b" FROM "t" WHERE "t"."a" = 1'

    assert sql_summary(select) == "SELECT … FROM t WHERE t.a = 1"
    assert sql_summary('SELECT COUNT(*) AS "n" FROM "t"') == "SELECT COUNT(*) AS n FROM t"
    assert len(sql_summary("SELECT 1 FROM t WHERE " + "x OR " * 50)) == 90


def test_plan_summary_lists_nodes_outermost_first():
    plan = {
        "Plan": {
            "Node Type": "Limit",
            "Plans": [
                {
                    "Node Type": "Bitmap Heap Scan",
                    "Relation Name": "intake_contactsubmission",
                    "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "name_trgm"}],
                }
            ],
        }
    }

    assert plan_summary(plan) == (
        "Limit → Bitmap Heap Scan on intake_contactsubmission → Bitmap Index Scan using name_trgm"
    )


def test_bench_database_url_names_its_own_database_only():
    server = "postgres://postgres@127.0.0.1:5432/postgres"

    assert database_url(server, "bench_queue") == "postgres://postgres@127.0.0.1:5432/bench_queue"
    with pytest.raises(ValueError, match="plain database name"):
        database_url(server, 'x"; DROP DATABASE postgres; --')
    with pytest.raises(ValueError, match="postgres://"):
        database_url("sqlite:///tmp/x", "bench_queue")


def _queue_page(ms: float) -> dict:
    return {
        "ms": ms,
        "max_ms": ms,
        "queries": 12,
        "sql_ms": 30.0,
        "count_ms": [10.0, 11.0],
        "slowest_sql": "SELECT COUNT(*) AS __count FROM intake_contactsubmission",
        "slowest_ms": 11.0,
        "slowest_plan": "Aggregate → Seq Scan on intake_contactsubmission",
    }


def test_report_marks_a_queue_page_over_300_ms_missed():
    pages = {"list": _queue_page(120.0), "search email": _queue_page(301.0)}
    queue = {
        "rows": 100_000,
        "postgresql": "15.2",
        "fill_seconds": 8.0,
        "pages": pages,
        "before": pages,
    }

    text = render({"machine": {}, "args": {"rounds": 5, "seconds": 5}, "queue": queue})

    rows = {line.split(" | ")[0]: line for line in text.splitlines() if "| 12 |" in line}
    assert "| met |" in rows["| list"]
    assert "| **missed** |" in rows["| search email"]
    assert "Every page ≤ 300 ms: **missed**" in text


def test_report_says_when_postgresql_was_not_measured():
    intake = {
        "rounds": 3,
        "threads": 8,
        "postgresql": "",
        "skipped": "PostgreSQL at 127.0.0.1 is not reachable",
        "databases": {
            "SQLite": {
                "per_second": 50.0,
                "p50": 100.0,
                "p99": 250.0,
                "p99_rounds": [250.0],
                "failed": 0,
                "sent": 600,
                "stored": {"total": 600, "new": 600, "notified": 600},
            }
        },
    }
    results = {"machine": {}, "args": {"rounds": 5, "seconds": 5}, "intake": intake}
    results["queue"] = {"skipped": "PostgreSQL at 127.0.0.1 is not reachable"}

    text = render(results)

    assert "PostgreSQL **not measured**: PostgreSQL at 127.0.0.1 is not reachable." in text
    assert "**Not measured**: PostgreSQL at 127.0.0.1 is not reachable." in text
    assert "none quarantined or refused: met" in text


def _submission_indexes() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "intake_contactsubmission")
    return {name for name, info in constraints.items() if info["index"]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the queue bench is PostgreSQL's")
def test_queue_before_0002_drops_its_indexes_only_for_the_while(db):
    model_admin = admin.site._registry[ContactSubmission]
    assert set(BEFORE_DROPPED_INDEXES) <= _submission_indexes()

    with before_0002():
        assert not set(BEFORE_DROPPED_INDEXES) & _submission_indexes()
        assert model_admin.date_hierarchy == "created_at"

    assert set(BEFORE_DROPPED_INDEXES) <= _submission_indexes()
    assert model_admin.date_hierarchy is None


def test_content_growth_is_reported_as_the_cost_of_each_further_file():
    from bench.report import _growth

    sizes = {"10": {"first": 1.0}, "1000": {"first": 13.0}, "100": {"first": 2.2}}

    growth = _growth(sizes)

    assert growth.startswith("Cost of each further file (first load): ")
    assert growth.endswith(": 13.3 ms from 10 to 100, 12.0 ms from 100 to 1000.")


def test_ratios_are_taken_round_by_round():
    from bench.load import WrkResult, per_round_ratios

    def runs(*rps):
        return [WrkResult(rps=value, p50_ms=1, p99_ms=2, non_2xx_3xx=0) for value in rps]

    assert per_round_ratios(runs(80, 90), runs(100, 100)) == [0.8, 0.9]
    with pytest.raises(ValueError):
        per_round_ratios(runs(80), runs(100, 100))


def test_wrk_timeouts_are_counted():
    output = WRK_OUTPUT.replace(
        "  Non-2xx", "  Socket errors: connect 0, read 0, write 0, timeout 7\n  Non-2xx"
    )

    assert parse_wrk(output).timeouts == 7
    assert parse_wrk(WRK_OUTPUT).timeouts == 0


def mail_results(**row) -> dict:
    mail = {
        "posts": 50,
        "connections": 8,
        "rounds": 3,
        "rps": 1300.0,
        "p50": 4.5,
        "p99": 360.0,
        "p99_rounds": [2040.0, 362.0, 360.0],
        "errors": 0,
        "timeouts": 0,
        "posts_answered": 150,
        "slowest_post": 2285.0,
    } | row
    return {"machine": {}, "args": {"rounds": 3, "seconds": 5}, "mail": mail}


def test_report_has_the_article_during_a_hung_mail_burst_row():
    text = render(mail_results())

    assert "| article during a hung-mail burst | 1300 | 4.5 | 360.0 | 2040, 362, 360 | 0 | 0 |" in (
        text
    )
    assert "Posts answered 303: 150 of 150" in text
    assert "Article p99 under 1000 ms with no timeout: met." in text


@pytest.mark.parametrize("row", [{"p99": 1000.0}, {"timeouts": 3}])
def test_a_slow_or_timed_out_article_during_the_burst_is_missed(row):
    assert "with no timeout: **missed**" in render(mail_results(**row))


# --- outcomes: counting on ---


def test_the_bench_finds_each_call_to_action_link_in_page_order(client, seed_article):
    from bench.outcomes import CTA_LINK

    html = client.get(seed_article.get_absolute_url()).content.decode()
    links = [link.replace("&amp;", "&") for link in CTA_LINK.findall(html)]

    assert links == [
        f"/contact/?source=opioid-induced-hyperalgesia&cta={n}" for n in range(1, len(links) + 1)
    ]
    assert len(links) == 7


def test_the_report_shows_counting_cost_and_each_call_to_action():
    rows = {"rps": 100.0, "p50": 1.0, "p99": 2.0, "errors": 0}
    results = {
        "machine": {"cpu": "test"},
        "args": {"rounds": 2, "seconds": 1},
        "load": {
            "rows": {"article": rows, "article, counting on": rows},
            "ratio": 0.95,
            "ratios": [0.9, 1.0],
            "counting_ratio": 0.93,
            "counting_ratios": [0.92, 0.94],
            "counting_vs_off": 0.97,
        },
        "outcomes": {
            "sent": {"1": {"visits": 16, "requests": 6}},
            "shown": {
                "views": 1234,
                "ctas": [
                    {"position": 1, "heading": "Take a step", "visits": "16", "requests": "6"}
                ],
            },
        },
    }

    text = render(results)

    assert "Article ÷ CSS with counting on" in text and "**0.93**" in text
    assert "Article with ÷ without counting, median of per-round ratios: **0.97**" in text
    assert "| 1 | Take a step | 16 | 16 | 6 | 6 |" in text
