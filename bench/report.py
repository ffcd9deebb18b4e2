"""docs/BENCHMARKS.md from the results of bench.run."""

import datetime

TARGET_RATIO = 0.8
TARGET_P99_MS = 50
BUDGET_GZ = 30 * 1024
LOAD_FIRST_S = 20
LOAD_UNCHANGED_S = 3


def _ok(met: bool) -> str:
    return "met" if met else "**missed**"


def _machine(results: dict) -> list[str]:
    m = results["machine"]
    lines = ["## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in m.items()]
    args = results["args"]
    lines += [
        "",
        "Command: `make bench` (`python -m bench.run "
        f"--rounds {args['rounds']} --seconds {args['seconds']}`). The site runs under gunicorn "
        "with `gunicorn.conf.py` (5 sync workers on 2 cores), `DJANGO_DEBUG=0`, whitenoise, "
        "SQLite in a temporary folder; wrk and the server share the 2 cores.",
        "",
    ]
    return lines


def _load(results: dict) -> list[str]:
    data = results.get("load")
    if not data:
        return []
    rounds = results["args"]["rounds"]
    lines = [
        "## Load (wrk, 32 connections)",
        "",
        f"Median of {rounds} alternating rounds of {results['args']['seconds']} s per target.",
        "",
        "| target | requests/s | p50 ms | p99 ms | non-2xx/3xx |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, row in data["rows"].items():
        lines.append(
            f"| {name} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | {row['errors']} |"
        )
    ratio = data["ratio"]
    p99 = data["rows"]["article"]["p99"]
    per_round = ", ".join(f"{r:.2f}" for r in data["ratios"])
    lines += [
        "",
        f"Article ÷ CSS throughput, median of per-round ratios: **{ratio:.2f}** "
        f"(rounds: {per_round}); target ≥ {TARGET_RATIO}: {_ok(ratio >= TARGET_RATIO)}.",
        f"Article p99: **{p99:.1f} ms**; target ≤ {TARGET_P99_MS} ms: {_ok(p99 <= TARGET_P99_MS)}.",
        "",
    ]
    return lines


def _content(results: dict) -> list[str]:
    data = results.get("content")
    if not data:
        return []
    lines = [
        "## Scale of content (`load_content`, whole command incl. start-up)",
        "",
        "| files | first load s | per file ms | unchanged run s | 10 changed s |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, row in data["sizes"].items():
        lines.append(
            f"| {size} | {row['first']:.2f} | {1000 * row['first'] / int(size):.1f} | "
            f"{row['unchanged']:.2f} | {row['ten_changed']:.2f} |"
        )
    largest = data["sizes"][max(data["sizes"], key=int)]
    lines += [
        "",
        f"1,000 files: first load {largest['first']:.1f} s (target ≤ {LOAD_FIRST_S} s: "
        f"{_ok(largest['first'] <= LOAD_FIRST_S)}); unchanged run {largest['unchanged']:.1f} s "
        f"(target ≤ {LOAD_UNCHANGED_S} s: {_ok(largest['unchanged'] <= LOAD_UNCHANGED_S)}); "
        "a run with 10 changed files writes exactly 10 versions (checked by the benchmark).",
        "",
    ]
    return lines


def _weight(results: dict) -> list[str]:
    data = results.get("weight")
    if not data:
        return []
    lines = [
        "## Page weight (bytes; compressed = gzip level 6)",
        "",
        "| page | HTML | HTML gz | CSS | CSS gz | total | total gz | ≤ 30 KB gz |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for path, row in data.items():
        lines.append(
            f"| `{path}` | {row['html']} | {row['html_gz']} | {row['css']} | {row['css_gz']} | "
            f"{row['total']} | {row['total_gz']} | {_ok(row['total_gz'] <= BUDGET_GZ)} |"
        )
    lines += ["", "No page loads JavaScript, fonts or images.", ""]
    return lines


def render(results: dict) -> str:
    today = datetime.date.today().isoformat()
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {today}. Timings on a shared 2-core machine swing between "
        "runs: compare the ratios measured in the same run, not single numbers across runs.",
        "",
    ]
    for section in (_machine, _load, _content, _weight):
        lines += section(results)
    return "\n".join(lines).rstrip() + "\n"
