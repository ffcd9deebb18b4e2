"""`make run` serves with gunicorn and runs the task worker beside it (scripts/serve.sh)."""

import os
import signal
import subprocess
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SERVE = ROOT / "scripts" / "serve.sh"


def stand_in(path: Path, text: str) -> None:
    path.write_text("#!/bin/sh\n" + text)
    path.chmod(0o755)


def records_pid(record: Path, what: str = "$$") -> str:
    """Shell lines that write `what` to `record` in one step (a reader never sees half)."""
    return f'echo "{what}" > "{record}.tmp"; mv "{record}.tmp" "{record}"\n'


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_run_starts_the_worker_and_stops_it_when_gunicorn_stops(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    started = tmp_path / "worker"
    # The worker stand-in records what it was asked to run, then keeps running.
    stand_in(bin_dir / "python", records_pid(started, "$$ $*") + "exec sleep 60\n")
    # gunicorn stops by itself once the worker is up, as it would on a crash or Ctrl-C.
    stand_in(
        bin_dir / "gunicorn",
        f'for _ in $(seq 50); do [ -e "{started}" ] && break; sleep 0.1; done\n'
        'echo "gunicorn $*"\nexit 3\n',
    )

    result = subprocess.run(
        ["sh", str(SERVE)],
        cwd=ROOT,
        env={**os.environ, "BIN": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=30,
    )

    pid, command = started.read_text().split(" ", 1)
    assert command.strip() == "manage.py db_worker"
    assert "gunicorn --config gunicorn.conf.py hartrehab.wsgi" in result.stdout
    assert result.returncode == 3
    assert not alive(int(pid))


def test_stopping_make_run_stops_gunicorn_and_the_worker(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pids = {name: tmp_path / name for name in ("python", "gunicorn")}
    for name, record in pids.items():
        stand_in(bin_dir / name, records_pid(record) + "exec sleep 60\n")
    script = subprocess.Popen(["sh", str(SERVE)], cwd=ROOT, env={**os.environ, "BIN": str(bin_dir)})
    try:
        deadline = time.monotonic() + 10
        while not all(p.exists() for p in pids.values()) and time.monotonic() < deadline:
            time.sleep(0.05)

        script.send_signal(signal.SIGTERM)
        assert script.wait(timeout=10) == 130
    finally:
        script.kill()
    assert [alive(int(p.read_text())) for p in pids.values()] == [False, False]


def test_make_run_uses_the_script():
    makefile = (ROOT / "Makefile").read_text()
    run_target = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]

    assert "scripts/serve.sh" in run_target
