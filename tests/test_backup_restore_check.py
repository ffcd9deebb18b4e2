import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "backup_restore_check.sh"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backs up PostgreSQL: run with DATABASE_URL=postgres://",
)
def test_a_backup_of_the_site_database_restores_identically(transactional_db, seed_article):
    assert shutil.which("pg_dump"), (
        "PostgreSQL client tools are missing (apt-get install postgresql-client)"
    )

    result = run(database_url())

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("tables restored with identical rows")


@pytest.mark.parametrize("url", ["", "sqlite:///db.sqlite3", "postgres://host-without-db"])
def test_refuses_anything_but_a_postgresql_url(url, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    result = run(url)

    assert result.returncode == 2
    assert "usage:" in result.stderr
