"""A PostgreSQL database of the benchmark's own, created for a run and always dropped after."""

import contextlib
import re
import urllib.parse

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class Unavailable(Exception):
    """No PostgreSQL to measure on (not running, or psycopg not installed)."""


def database_url(server_url: str, name: str) -> str:
    """`server_url` (any database on the server) pointed at database `name` instead."""
    if not NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    parts = urllib.parse.urlsplit(server_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"not a postgres:// URL: {server_url!r}")
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def _connect(server_url: str):
    try:
        import psycopg
    except ImportError as error:
        raise Unavailable("psycopg is not installed (pip install -e '.[postgres]')") from error
    try:
        return psycopg.connect(server_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        host = urllib.parse.urlsplit(server_url).hostname
        raise Unavailable(f"PostgreSQL at {host} is not reachable") from error


def server_version(server_url: str) -> str:
    with _connect(server_url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


@contextlib.contextmanager
def database(server_url: str, name: str):
    """Yield the URL of a new, empty database `name`; drop it on the way out, whatever happened.

    A database of that name left by an interrupted run is dropped first.
    """
    url = database_url(server_url, name)
    with _connect(server_url) as connection:
        # The name matched NAME above, so it is safe to put in the statement.
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        with _connect(server_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
