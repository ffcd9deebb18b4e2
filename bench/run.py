"""Run every benchmark and write docs/BENCHMARKS.md.

    python -m bench.run [--rounds 5] [--seconds 5]
                        [--only load,content,weight,intake,queue,mail]
                        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Servers are started and stopped here, on loopback only; every loop is bounded.
"""

import argparse
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench import content, intake, load, mail_burst, outcomes, postgres, staff_queue, weight
from tools.local_server import ROOT, gunicorn, prepare, site_env

ARTICLE = "/articles/opioid-induced-hyperalgesia/"
PUBLIC_PAGES = ["/", ARTICLE, "/contact/", "/privacy/"]
BUDGET_GZ = 30 * 1024


def machine() -> dict:
    def version(command):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=10)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "not found"

    import django
    import gunicorn as gunicorn_pkg

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn_pkg.__version__,
        "sqlite": sqlite3.sqlite_version,
        "wrk": version(["wrk", "--version"]),
    }


def etag_of(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers["ETag"]


def css_url(base: str) -> str:
    html = weight.fetch(base + ARTICLE).decode()
    return base + re.search(r'href="(/static/css/[^"]+\.css)"', html).group(1)


# What every browser sends; whitenoise then serves the CSS's precompressed copy, and the pages
# are compressed as patients receive them.
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def run_load(
    base: str, uncached_base: str, counting_base: str, *, rounds: int, seconds: int
) -> dict:
    targets = {
        "article": {"url": base + ARTICLE},
        # The same article from a server counting views (the other servers do not), right
        # after it in each round so drift on the machine hits both alike: what counting
        # costs a page (outcomes/).
        "article, counting on": {"url": counting_base + ARTICLE},
        "home": {"url": base + "/"},
        "contact (GET)": {"url": base + "/contact/"},
        "article 304": {
            "url": base + ARTICLE,
            "headers": {"If-None-Match": etag_of(base + ARTICLE)},
        },
        "css (whitenoise)": {"url": css_url(base)},
        # The same article from a second server started with the page cache off: what the
        # cache (hartrehab/pagecache.py) is worth, measured in the same rounds.
        "article, page cache off": {"url": uncached_base + ARTICLE},
    }
    for target in targets.values():
        target["headers"] = BROWSER | target.get("headers", {})
    runs = load.alternating_rounds(targets, rounds=rounds, seconds=seconds)
    ratios = load.per_round_ratios(runs["article"], runs["css (whitenoise)"])
    cache_gains = load.per_round_ratios(runs["article"], runs["article, page cache off"])
    counting = load.per_round_ratios(runs["article, counting on"], runs["css (whitenoise)"])
    counting_cost = load.per_round_ratios(runs["article, counting on"], runs["article"])
    return {
        "rows": {
            name: {
                "rps": load.median(r.rps for r in results),
                "p50": load.median(r.p50_ms for r in results),
                "p99": load.median(r.p99_ms for r in results),
                "errors": sum(r.non_2xx_3xx for r in results),
            }
            for name, results in runs.items()
        },
        "ratio": load.median(ratios),
        "ratios": ratios,
        "cache_gain": load.median(cache_gains),
        "counting_ratio": load.median(counting),
        "counting_ratios": counting,
        "counting_vs_off": load.median(counting_cost),
        "counting_requests": sum(r.requests for r in runs["article, counting on"]),
    }


def run_weights(base: str) -> dict:
    return {path: weight.page_weight(base, path) for path in PUBLIC_PAGES}


def run_served_parts(parts: set[str], args, results: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # Views are counted only by the "counting on" server, so every other row is as before.
        env = site_env(Path(tmp), OUTCOMES_ENABLED="0")
        prepare(env)
        with gunicorn(env) as base:
            if "weight" in parts:
                print("page weight …", flush=True)
                results["weight"] = run_weights(base)
            if "load" in parts:
                print(f"load: {args.rounds} rounds × 7 targets × {args.seconds} s …", flush=True)
                # Idle until its own turn: sync workers waiting in accept() use no CPU.
                counting_env = env | outcomes.COUNTING_ENV
                with (
                    gunicorn(env | {"DJANGO_PUBLIC_PAGE_CACHE": "0"}) as uncached,
                    gunicorn(counting_env) as counting,
                ):
                    results["load"] = run_load(
                        base, uncached, counting, rounds=args.rounds, seconds=args.seconds
                    )
                    print("outcomes: following each call to action …", flush=True)
                    sent = outcomes.follow_calls_to_action(int(counting.rsplit(":", 1)[1]))
                # Stopped gracefully: each worker has written its last counts.
                results["outcomes"] = {
                    "sent": sent,
                    "shown": outcomes.shown_on_the_page(env),
                    "wrk_requests": results["load"]["counting_requests"],
                }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--only", default="load,content,weight,intake,queue,mail")
    # Parts 2 and 4: a PostgreSQL server on which the bench creates and drops its own databases.
    parser.add_argument("--postgres", default=postgres.DEFAULT_SERVER)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    results = {"machine": machine(), "args": vars(args) | {"output": str(args.output)}}
    if parts & {"weight", "load"}:
        run_served_parts(parts, args, results)
    if "content" in parts:
        print("content scale: 10, 100, 1,000 files …", flush=True)
        results["content"] = content.measure()
    # --- parts 2 and 4: intake form and the staff queue ---
    if "intake" in parts:
        print("intake: 200 form submissions per round, SQLite and PostgreSQL …", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            results["intake"] = intake.measure(Path(tmp), postgres_url=args.postgres)
    if "queue" in parts:
        print("queue: 100,000 requests in PostgreSQL, admin pages …", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            results["queue"] = staff_queue.measure(Path(tmp), postgres_url=args.postgres)
    # --- end parts 2 and 4 ---
    if "mail" in parts:
        print(f"mail: article during {mail_burst.POSTS} posts to a hung mail server …", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            results["mail"] = mail_burst.measure(
                Path(tmp), rounds=min(args.rounds, 3), seconds=args.seconds
            )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    from bench.report import render

    args.output.write_text(render(results), encoding="utf-8")
    (args.output.with_suffix(".json")).write_text(json.dumps(results, indent=2, default=str))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
