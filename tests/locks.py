"""Another database session holding a table lock, for the database-limit tests (PostgreSQL)."""

import contextlib

import psycopg
from django.db import connection


@contextlib.contextmanager
def table_locked(table: str):
    """Another session holds ACCESS EXCLUSIVE on `table` until the block ends, longer than the
    site's lock limit: the request gives up first."""
    params = connection.get_connection_params()
    for name in ("options", "cursor_factory", "context"):  # that session has no limits
        params.pop(name, None)
    other = psycopg.connect(**params)
    try:
        other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        other.rollback()
        other.close()
