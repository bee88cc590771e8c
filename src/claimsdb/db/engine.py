"""Engines from a path or URL. Nothing here runs at import; callers build what they need."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from claimsdb.errors import ClaimsError

DEFAULT_DB = "claims.db"
DB_ENV = "CLAIMS_DB"
DEFAULT_WAIT_SECONDS = 60
"""How long a write waits for another writer (another load) before giving up with a clear message."""


SUPPORTED_DATABASES = (
    "a SQLite file path (claims.db), a sqlite:///path/to/claims.db URL, or a PostgreSQL URL (postgresql://user@host/claims)"
)


def database_url(db: str | None = None) -> str:
    """`--db` value, else $CLAIMS_DB, else claims.db here; a bare path means a SQLite file.

    Only SQLite and PostgreSQL (through the bundled psycopg) are supported; any other URL is a
    ClaimsError naming what is, before SQLAlchemy looks for a driver we do not ship.
    """
    value = db or os.environ.get(DB_ENV) or DEFAULT_DB
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    scheme, rest = value.split("://", 1)
    backend, _, driver = scheme.lower().partition("+")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        url = f"postgresql+psycopg://{rest}"  # the driver we ship; SQLAlchemy would pick psycopg2
    elif backend == "sqlite" and driver in ("", "pysqlite"):
        url = f"{scheme.lower()}://{rest}"
    else:  # only the scheme in the message: the rest may hold a password
        raise ClaimsError(f"unsupported database {scheme + '://'!r} in --db or ${DB_ENV}: give {SUPPORTED_DATABASES}")
    try:
        make_url(url)
    except (ArgumentError, ValueError) as exc:
        message = f"cannot read the {backend} URL in --db or ${DB_ENV} ({exc}); give {SUPPORTED_DATABASES}"
        raise ClaimsError(message) from None
    return url


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str, *, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Engine:
    """An engine with SQLite made safe: foreign keys on, WAL, a busy timeout of `wait_seconds`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": wait_seconds})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (BEGIN is emitted explicitly).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
    # A writer takes the write lock at BEGIN, so two loads queue on the busy timeout instead of
    # one failing half-way when it first writes.
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
