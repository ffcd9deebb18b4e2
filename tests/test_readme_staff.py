"""README "Add a staff member": its shell lines run as written from the repository root.

The lines are read out of README.md and run through `make` against a throwaway SQLite
database, with the secret read from `.secret_key` as `make run` does (not from the test
environment).
"""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def section(markdown: str, heading: str) -> str:
    start = markdown.index(f"\n## {heading}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end != -1 else None]


def shell_lines(text: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_add_a_staff_member_section_has_shell_lines():
    lines = shell_lines(section((ROOT / "README.md").read_text(), "Add a staff member"))

    assert any("invite_staff" in line for line in lines)
    assert all(line.startswith("make manage ARGS=") for line in lines)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_add_a_staff_member_lines_run_as_written(tmp_path):
    lines = shell_lines(section((ROOT / "README.md").read_text(), "Add a staff member"))
    database = tmp_path / "readme.sqlite3"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "PYTEST", "EMAIL_"))
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{database}",
        # No mail server here: the site's email goes to stdout instead.
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )

    def run(line: str) -> str:
        done = subprocess.run(
            ["bash", "-c", line],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    run('make manage ARGS="migrate --noinput --verbosity 0"')  # what `make run` did already
    output = "".join(run(line) for line in lines)

    assert re.search(r"/account/set-up/\?token=", output)
    with sqlite3.connect(database) as db:
        staff = db.execute(
            "SELECT u.username, g.name, u.is_active, u.is_staff FROM auth_user u "
            "JOIN auth_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id "
            "ORDER BY u.username"
        ).fetchall()
        reviewer = db.execute(
            "SELECT r.name, r.credentials, u.username FROM articles_reviewer r "
            "JOIN auth_user u ON u.id = r.user_id"
        ).fetchall()
    assert staff == [
        ("editor@example.org", "Editors", 0, 1),
        ("intake@example.org", "Intake staff", 0, 1),
        ("ray@example.org", "Medical reviewers", 0, 1),
    ]
    assert reviewer == [("Ray Hamilton", "DNP, PMHNP-BC, FNP-C", "ray@example.org")]
