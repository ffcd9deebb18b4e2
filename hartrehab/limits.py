"""How long a web request may wait for the database, declared once.

settings.py gives these limits to every database connection a web process opens, and
gunicorn.conf.py sets its worker timeout above them, so the site answers (with its 503 page)
before gunicorn kills a worker. Standard library only: gunicorn reads this before Django loads.
"""

import os


def _milliseconds(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# PostgreSQL's statement_timeout and lock_timeout; the lock limit is also SQLite's busy timeout.
STATEMENT_TIMEOUT_MS = _milliseconds("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
LOCK_TIMEOUT_MS = _milliseconds("DATABASE_LOCK_TIMEOUT_MS", 3000)

# A request runs a few statements, each under the limits: gunicorn's timeout never goes below
# three of the longest waits a statement can have (24 s with the defaults).
MIN_WORKER_TIMEOUT_SECONDS = -(-3 * (STATEMENT_TIMEOUT_MS + LOCK_TIMEOUT_MS) // 1000)


def worker_timeout(requested_seconds: int) -> int:
    """gunicorn's timeout: what was asked for, but never under the database limits."""
    return max(requested_seconds, MIN_WORKER_TIMEOUT_SECONDS)
