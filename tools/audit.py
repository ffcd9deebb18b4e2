"""`make audit`: Lighthouse (mobile) and the Nu HTML Checker on every public page.

Starts the site itself (tools.local_server), prints one row per page, keeps the reports in
build/audit/, and exits 1 when any score is below 100 or any page has an HTML error.
Run with the project's venv Python from the project folder; needs node_modules/ (npm ci).
"""

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tools.local_server import ROOT, local_site, setup_django

CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
REPORTS = ROOT / "build" / "audit"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
PERFORMANCE_RUNS = 5
DEFAULT_CPU_SLOWDOWN = 4.0
# What Lighthouse's default emulates: a 1500 (high-end desktop) machine slowed down 4x.
TARGET_BENCHMARK_INDEX = 1500 / DEFAULT_CPU_SLOWDOWN


def say(line: str, stream=sys.stdout) -> None:
    stream.write(line + "\n")
    stream.flush()


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    status: int = 200
    # Lighthouse audits that cannot pass on this page by design, with the reason.
    expected_failures: dict[str, str] = field(default_factory=dict)


# Every public page. Add a row when a public page is added; a page that does not answer with
# its expected status fails the audit.
PAGES = [
    Page("home", "/"),
    Page("article", "/articles/opioid-induced-hyperalgesia/"),
    Page("contact", "/contact/"),
    Page("thanks", "/contact/thanks/"),
    Page("privacy", "/privacy/"),
    Page(
        "404",
        "/no-such-page/",
        status=404,
        expected_failures={
            "http-status-code": "a missing page must answer 404, which Lighthouse's SEO "
            "category counts against it",
            "errors-in-console": "Chromium logs the page's own 404 status as a console error "
            "(counted if any other error appears)",
        },
    ),
]


@dataclass
class Result:
    page: Page
    scores: dict[str, int | None] = field(default_factory=dict)
    failed_audits: list[str] = field(default_factory=list)
    html_errors: list[str] = field(default_factory=list)
    problem: str = ""

    @property
    def passed(self) -> bool:
        # Scores decide; failed_audits only explain a score below 100.
        return (
            not self.problem
            and not self.html_errors
            and set(self.scores) == set(CATEGORIES)
            and all(score == 100 for score in self.scores.values())
        )


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


LIGHTHOUSE_ATTEMPTS = 3


class LighthouseFailed(Exception):
    """Lighthouse produced no report for a page, however often it was asked."""


def cpu_slowdown(benchmark_index: float | None) -> float:
    """Lighthouse's CPU slowdown calibrated to this machine (its docs, "Calibrating the CPU
    slowdown"): the default 4x turns a 1500+ desktop into a mid-tier phone; a slower or busier
    machine gets a lower multiplier, so the phone emulated stays the same."""
    if not benchmark_index:
        return DEFAULT_CPU_SLOWDOWN
    calibrated = benchmark_index / TARGET_BENCHMARK_INDEX
    return round(min(DEFAULT_CPU_SLOWDOWN, max(1.0, calibrated)), 1)


def lighthouse(url: str, report: Path, *, status: int, slowdown: float) -> dict:
    # Lighthouse refuses a page that answers 4xx unless told to audit it anyway.
    ignore_status = ["--ignore-status-code"] if status >= 400 else []
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            *ignore_status,
            f"--throttling.cpuSlowdownMultiplier={slowdown}",
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--form-factor=mobile",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env={**os.environ, "CHROME_PATH": CHROME},
        check=True,
        timeout=300,
    )
    return json.loads(report.read_text(encoding="utf-8"))


def lighthouse_with_retries(url: str, report: Path, *, status: int, slowdown: float) -> dict:
    """Lighthouse now and then fails to record a trace (NO_NAVSTART, "run Lighthouse again"):
    try again, a bounded number of times, before reporting the page as not audited."""
    for attempt in range(1, LIGHTHOUSE_ATTEMPTS + 1):
        try:
            return lighthouse(url, report, status=status, slowdown=slowdown)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            say(f"lighthouse failed on {url} (attempt {attempt}): {type(error).__name__}")
    raise LighthouseFailed(f"lighthouse failed {LIGHTHOUSE_ATTEMPTS} times")


def _only_expected(audit_id: str, audit: dict, url: str) -> bool:
    """An expected failure is excused only while it is about nothing but the page itself."""
    if audit_id != "errors-in-console":
        return True
    items = audit.get("details", {}).get("items", [])
    return all(item.get("sourceLocation", {}).get("url") == url for item in items)


def score_page(result: Result, report: dict) -> None:
    """Fill in the scores, ignoring the page's expected failures, and list what failed."""
    audits = report["audits"]
    url = report["finalDisplayedUrl"]
    for category in CATEGORIES:
        refs = report["categories"][category]["auditRefs"]
        weighted, total, failed = 0.0, 0.0, []
        for ref in refs:
            audit = audits[ref["id"]]
            if ref["weight"] == 0 or audit["score"] is None:
                continue
            if ref["id"] in result.page.expected_failures and _only_expected(ref["id"], audit, url):
                continue
            weighted += audit["score"] * ref["weight"]
            total += ref["weight"]
            if audit["score"] < 1:
                failed.append(f"{category}: {ref['id']}: {audit['title']}")
        result.scores[category] = round(100 * weighted / total) if total else None
        if result.scores[category] != 100:
            result.failed_audits.extend(failed)  # what brought the score below 100


def vnu_errors(files: dict[str, Path]) -> dict[str, list[str]]:
    """Nu HTML Checker errors per page name, in one Java run for all pages."""
    completed = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(completed.stdout or "{}").get("messages", [])
    if completed.returncode not in (0, 1) and not messages:
        raise RuntimeError(f"vnu.jar failed: {completed.stderr.strip()}")
    by_path = {path.resolve(): name for name, path in files.items()}
    found: dict[str, list[str]] = {name: [] for name in files}
    for message in messages:
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        # vnu names files as file:/abs/path (one slash), not file:///abs/path.
        path = Path(unquote(urlsplit(message.get("url", "")).path)).resolve()
        if path not in by_path:
            raise RuntimeError(f"vnu.jar reported on a file it was not given: {message}")
        found[by_path[path]].append(
            f"line {message.get('lastLine', '?')}: {message.get('message', '')}"
        )
    return found


def run_lighthouse(result: Result, url: str) -> None:
    """Score the page; when performance is below 100, run it 4 more times and keep the median run.

    Lighthouse's performance varies from run to run on a busy machine: its docs advise the
    median of several runs and a CPU slowdown calibrated to the machine's benchmark index,
    which every report measures. The first run uses the default 4x; the reruns are calibrated
    from the run before. Accessibility, best practices and SEO do not vary.
    """
    runs, slowdown = [], DEFAULT_CPU_SLOWDOWN
    for attempt in range(1, PERFORMANCE_RUNS + 1):
        say(f"== lighthouse {result.page.path} (run {attempt}, CPU slowdown {slowdown}x)")
        report_path = REPORTS / f"{result.page.name}-{attempt}.json"
        try:
            report = lighthouse_with_retries(
                url, report_path, status=result.page.status, slowdown=slowdown
            )
        except LighthouseFailed as failure:
            result.problem = str(failure)
            return
        run = Result(result.page)
        score_page(run, report)
        runs.append(run)
        if attempt == 1 and run.scores.get("performance") == 100:
            break
        slowdown = cpu_slowdown(report.get("environment", {}).get("benchmarkIndex"))
    runs.sort(key=lambda run: run.scores.get("performance") or 0)
    median = runs[len(runs) // 2]
    result.scores, result.failed_audits = median.scores, median.failed_audits


def audit(base_url: str) -> list[Result]:
    shutil.rmtree(REPORTS, ignore_errors=True)
    REPORTS.mkdir(parents=True)
    results, html_files = [], {}
    for page in PAGES:
        result = Result(page)
        results.append(result)
        status, body = fetch(base_url + page.path)
        if status != page.status:
            result.problem = f"HTTP {status}, expected {page.status}"
            continue
        html_files[page.name] = REPORTS / f"{page.name}.html"
        html_files[page.name].write_bytes(body)
        run_lighthouse(result, base_url + page.path)
    errors = vnu_errors(html_files) if html_files else {}
    for result in results:
        result.html_errors = errors.get(result.page.name, [])
    return results


def table(results: list[Result]) -> str:
    header = ["page", "path", *CATEGORIES, "HTML errors", "result"]
    rows = [header]
    for r in results:
        scores = [str(r.scores.get(c, "-")) for c in CATEGORIES]
        verdict = r.problem or ("pass" if r.passed else "FAIL")
        errors = "-" if r.problem else str(len(r.html_errors))
        rows.append([r.page.name, r.page.path, *scores, errors, verdict])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def main() -> int:
    for needed in (LIGHTHOUSE, VNU_JAR, Path(CHROME)):
        if not needed.exists():
            say(f"audit: {needed} is missing (see README: make audit)", stream=sys.stderr)
            return 2
    with local_site() as base_url:
        setup_django()
        results = audit(base_url)
    say("\n" + table(results))
    for r in results:
        for line in r.failed_audits + [f"html: {e}" for e in r.html_errors]:
            say(f"{r.page.name}: {line}")
        for audit_id, why in r.page.expected_failures.items():
            say(f"{r.page.name}: {audit_id} not counted: {why}")
    failed = [r for r in results if not r.passed]
    say(f"audit: {len(results) - len(failed)} pages passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
