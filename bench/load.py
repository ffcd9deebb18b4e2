"""HTTP load with wrk: requests per second and latency percentiles, alternating rounds."""

import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int
    timeouts: int = 0  # requests wrk gave up on (--timeout 5s): not in the percentiles
    requests: int = 0  # completed in the run


def wrk(url: str, *, seconds: int, connections: int = 32, headers: dict | None = None) -> WrkResult:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        command + [url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    return parse_wrk(output)


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)
    done = re.search(r"^\s+(\d+) requests in", output, re.M)
    return WrkResult(
        rps=rps,
        p50_ms=p50,
        p99_ms=p99,
        non_2xx_3xx=int(bad.group(1)) if bad else 0,
        timeouts=int(timeouts.group(1)) if timeouts else 0,
        requests=int(done.group(1)) if done else 0,
    )


def alternating_rounds(targets: dict[str, dict], *, rounds: int, seconds: int) -> dict:
    """Run every target once per round, in turn, so drift on a shared machine hits all alike."""
    runs: dict[str, list[WrkResult]] = {name: [] for name in targets}
    for _ in range(rounds):
        for name, target in targets.items():
            runs[name].append(wrk(target["url"], seconds=seconds, headers=target.get("headers")))
    return runs


def per_round_ratios(top: list[WrkResult], bottom: list[WrkResult]) -> list[float]:
    """requests/s of `top` ÷ `bottom`, round by round (both ran in the same rounds)."""
    return [a.rps / b.rps for a, b in zip(top, bottom, strict=True)]


def median(values) -> float:
    return statistics.median(list(values))
