import shutil
import subprocess

import pytest

from tools import audit
from tools.audit import CATEGORIES, Page, Result, score_page, table

URL = "http://127.0.0.1:1/page/"


def report(**audit_scores) -> dict:
    """A Lighthouse report with one weighted audit per category plus the ones given."""
    audits = {f"{c}-ok": {"score": 1, "title": f"{c} ok"} for c in CATEGORIES}
    refs = {c: [{"id": f"{c}-ok", "weight": 1}] for c in CATEGORIES}
    for audit_id, (category, score, extra) in audit_scores.items():
        audits[audit_id] = {"score": score, "title": audit_id, **extra}
        refs[category].append({"id": audit_id, "weight": 1})
    return {
        "finalDisplayedUrl": URL,
        "audits": audits,
        "categories": {c: {"auditRefs": refs[c]} for c in CATEGORIES},
    }


def test_all_audits_passing_scores_100_everywhere():
    result = Result(Page("home", "/"))

    score_page(result, report())

    assert result.scores == dict.fromkeys(CATEGORIES, 100) and result.passed


def test_a_failing_audit_lowers_its_category_and_is_named():
    result = Result(Page("home", "/"))

    score_page(result, report(**{"color-contrast": ("accessibility", 0, {})}))

    assert result.scores["accessibility"] == 50
    assert result.failed_audits == ["accessibility: color-contrast: color-contrast"]
    assert not result.passed


def test_expected_failure_is_not_counted():
    page = Page("404", "/x/", status=404, expected_failures={"http-status-code": "why"})
    result = Result(page)

    score_page(result, report(**{"http-status-code": ("seo", 0, {})}))

    assert result.scores["seo"] == 100 and result.passed


def console(*urls) -> dict:
    return {"details": {"items": [{"sourceLocation": {"url": u}} for u in urls]}}


def test_console_error_is_excused_only_when_it_is_the_pages_own_status():
    page = Page("404", "/x/", status=404, expected_failures={"errors-in-console": "why"})
    own = Result(page)
    other = Result(page)

    score_page(own, report(**{"errors-in-console": ("best-practices", 0, console(URL))}))
    score_page(
        other,
        report(**{"errors-in-console": ("best-practices", 0, console(URL, URL + "x.css"))}),
    )

    assert own.passed
    assert other.scores["best-practices"] == 50 and not other.passed


def test_html_error_fails_a_page_whatever_its_scores():
    result = Result(Page("home", "/"))
    score_page(result, report())

    result.html_errors = ["line 1: Stray end tag “span”."]

    assert not result.passed


def test_table_has_a_row_per_page_with_scores_errors_and_verdict():
    done = Result(Page("home", "/"))
    score_page(done, report())
    missing = Result(Page("thanks", "/contact/thanks/"), problem="HTTP 404, expected 200")

    lines = table([done, missing]).splitlines()

    assert lines[0].split() == ["page", "path", *CATEGORIES, "HTML", "errors", "result"]
    assert lines[1].split() == ["home", "/", "100", "100", "100", "100", "0", "pass"]
    assert lines[2].split()[-4:] == ["HTTP", "404,", "expected", "200"]
    assert not missing.passed


@pytest.mark.skipif(
    not audit.VNU_JAR.exists() or shutil.which("java") is None,
    reason="needs node_modules/ (npm ci) and Java, as `make audit` does",
)
def test_vnu_errors_are_counted_per_page(tmp_path):
    good = tmp_path / "good.html"
    good.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head></html>')
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head><p></span>')

    found = audit.vnu_errors({"good": good, "bad": bad})

    assert found["good"] == []
    assert len(found["bad"]) == 1 and "span" in found["bad"][0]


def test_cpu_slowdown_keeps_lighthouses_default_on_a_fast_machine():
    assert audit.cpu_slowdown(2400) == 4.0
    assert audit.cpu_slowdown(1500) == 4.0
    assert audit.cpu_slowdown(None) == 4.0


def test_cpu_slowdown_is_lower_on_a_slower_or_busier_machine():
    assert audit.cpu_slowdown(750) == 2.0
    assert audit.cpu_slowdown(100) == 1.0  # never speeds the page up


def test_median_of_reruns_decides_a_page_whose_first_run_is_below_100(monkeypatch, tmp_path):
    scores = iter([0.9, 1, 0.95, 1, 1])
    calls = []

    def fake_lighthouse(url, report_path, *, status, slowdown):
        calls.append(slowdown)
        data = report(**{"total-blocking-time": ("performance", next(scores) * 2 - 1, {})})
        data["environment"] = {"benchmarkIndex": 750}
        return data

    monkeypatch.setattr(audit, "lighthouse", fake_lighthouse)
    monkeypatch.setattr(audit, "REPORTS", tmp_path)
    result = Result(Page("home", "/"))

    audit.run_lighthouse(result, URL)

    assert calls == [4.0, 2.0, 2.0, 2.0, 2.0]
    assert result.scores["performance"] == 100


def test_an_audit_just_short_of_1_in_a_category_that_rounds_to_100_is_not_listed():
    result = Result(Page("home", "/"))
    slightly = {f"a{n}": ("performance", 1, {}) for n in range(300)}
    slightly["total-blocking-time"] = ("performance", 0.9, {})

    score_page(result, report(**slightly))

    assert result.scores["performance"] == 100 and result.failed_audits == []


def test_lighthouse_is_retried_then_reported_as_a_problem(monkeypatch, tmp_path):
    calls = []

    def failing(url, report, *, status, slowdown):
        calls.append(url)
        raise subprocess.CalledProcessError(1, ["lighthouse"])

    monkeypatch.setattr(audit, "lighthouse", failing)
    monkeypatch.setattr(audit, "REPORTS", tmp_path)
    result = Result(Page("thanks", "/contact/thanks/"))

    audit.run_lighthouse(result, "http://127.0.0.1:1/contact/thanks/")

    assert len(calls) == audit.LIGHTHOUSE_ATTEMPTS
    assert result.problem == "lighthouse failed 3 times"
    assert not result.passed


def test_a_passing_retry_is_used(monkeypatch, tmp_path):
    outcomes = [subprocess.CalledProcessError(1, ["lighthouse"]), report()]

    def flaky(url, path, *, status, slowdown):
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(audit, "lighthouse", flaky)
    monkeypatch.setattr(audit, "REPORTS", tmp_path)
    result = Result(Page("home", "/"))

    audit.run_lighthouse(result, "http://127.0.0.1:1/")

    assert result.passed
