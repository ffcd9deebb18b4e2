"""Varnish running deploy/varnish.vcl on a free loopback port, for tests and `make cluster-test`.

varnishd drops privileges to its own users, so its VCL and working folder live in a folder
they can read (not a 0700 temporary folder), removed afterwards. It is stopped by its pid.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tools import commands
from tools.local_server import ROOT, answers_ok, free_port

VCL = ROOT / "deploy" / "varnish.vcl"
START_SECONDS = 20
STOP_SECONDS = 10


@dataclass
class Varnish:
    port: int
    pid: int
    folder: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def available() -> bool:
    return shutil.which("varnishd") is not None or Path("/usr/sbin/varnishd").exists()


def binary() -> str:
    return shutil.which("varnishd") or "/usr/sbin/varnishd"


@contextlib.contextmanager
def readable_folder() -> Iterator[Path]:
    """A folder varnishd's own users can read, holding deploy/varnish.vcl as `site.vcl`
    with the backend port still to fill in; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="hartrehab-varnish-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_vcl(folder: Path, backend_port: int) -> Path:
    vcl = folder / "site.vcl"
    vcl.write_text(VCL.read_text().replace("BACKEND_PORT", str(backend_port)))
    vcl.chmod(0o644)
    commands.RECORDER.note(
        f"{vcl}: deploy/varnish.vcl with BACKEND_PORT replaced by {backend_port}"
    )
    return vcl


@contextlib.contextmanager
def running(backend_port: int, *, port: int | None = None) -> Iterator[Varnish]:
    """varnishd on `port` (a free one by default) in front of 127.0.0.1:`backend_port`,
    until the block ends."""
    with readable_folder() as folder:
        yield from _run(folder, write_vcl(folder, backend_port), port or free_port())


def wait_until_serving(edge: Varnish, path: str = "/healthz", timeout: float = START_SECONDS):
    """Wait until a request through varnishd is answered 200. It starts with its backend
    marked sick until the health probe has seen it answer, and until then passes nothing."""
    deadline = time.monotonic() + timeout
    while not answers_ok(edge.url + path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"varnishd on port {edge.port} did not serve {path} in {timeout}s")
        time.sleep(0.2)


def _run(folder: Path, vcl: Path, port: int) -> Iterator[Varnish]:
    pid_file = folder / "varnishd.pid"
    args = [binary(), "-n", str(folder / "work"), "-a", f"127.0.0.1:{port}"]
    args += ["-f", str(vcl), "-s", "malloc,64m", "-P", str(pid_file)]
    args += ["-p", "default_grace=0", "-T", "none"]
    try:
        commands.ran(args)
        subprocess.run(
            args,
            check=True,
            capture_output=True,
            text=True,
            timeout=START_SECONDS,
        )
        deadline = time.monotonic() + START_SECONDS
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        pid = int(pid_file.read_text())
        varnish = Varnish(port=port, pid=pid, folder=folder)
        yield varnish
    finally:
        if pid_file.exists():
            _stop(int(pid_file.read_text()))


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
