"""Engines from a path or URL. Nothing here runs at import; callers build what they need.

SQLAlchemy is imported only where an engine is built or an unusual URL is read: a bare path or a
plain sqlite:///path URL, and a SQLite file opened read-only with sqlite3 (open_read_only), need
none of it, so a load with nothing changed does not pay the tenth of a second it takes to import.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from claimsdb.errors import ClaimsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

DEFAULT_DB = "claims.db"
DB_ENV = "CLAIMS_DB"
DEFAULT_WAIT_SECONDS = 60
"""How long a write waits for another writer (another load) before giving up with a clear message."""


SUPPORTED_DATABASES = (
    "a SQLite file path (claims.db), a sqlite:///path/to/claims.db URL, "
    "or a PostgreSQL URL (postgresql://user@host/claims)"
)


def database_url(db: str | None = None) -> str:
    """The database's URL: `db` (the CLI's --db, or $CLAIMS_DB: the CLI reads it), else claims.db
    here; a bare path means a SQLite file.

    Only SQLite and PostgreSQL (through the bundled psycopg) are supported; any other URL is a
    ClaimsError naming what is, before SQLAlchemy looks for a driver we do not ship.
    """
    value = db or DEFAULT_DB
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
    if _plain_sqlite_database(url) is not None:
        return url  # nothing in it that make_url could refuse
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except (ArgumentError, ValueError) as exc:
        message = f"cannot read the {backend} URL in --db or ${DB_ENV} ({exc}); give {SUPPORTED_DATABASES}"
        raise ClaimsError(message) from None
    return url


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL (None for other databases and in-memory SQLite)."""
    database = _plain_sqlite_database(url)
    if database is None:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        return None
    return Path(database)


def plain_sqlite_file(url: str) -> Path | None:
    """The file behind a plain sqlite:///path URL (no query string, which could hold connection
    options), as SQLAlchemy would open it; None for any other URL and for in-memory SQLite."""
    return sqlite_file(url) if _plain_sqlite_database(url) is not None else None


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    if _plain_sqlite_database(url) is not None:
        return url  # no password, nothing to render differently
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


_PLAIN_SQLITE = ("sqlite:///", "sqlite+pysqlite:///")


def _plain_sqlite_database(url: str) -> str | None:
    """The database part of a plain SQLite URL, one of _PLAIN_SQLITE then a path without `?`; None
    for any other URL. make_url reads such a URL as this database part and nothing else (no user,
    host, port or query; the path as written: it unquotes no database part), and renders it back
    unchanged. tests/test_unchanged_load.py holds the two readings together."""
    if "?" in url:
        return None
    for scheme in _PLAIN_SQLITE:
        if url.startswith(scheme):
            return url[len(scheme) :]
    return None


def make_engine(url: str, *, wait_seconds: float = DEFAULT_WAIT_SECONDS, read_only: bool = False) -> Engine:
    """An engine with SQLite made safe: foreign keys on, WAL, a busy timeout of `wait_seconds`.

    `read_only` opens a SQLite file read-only (SQLite's `mode=ro`), so reading works where
    writing cannot: a read-only mount, a folder the reader may not write to, a full disk. Such a
    connection never creates the file and never changes the journal mode.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        read_only = read_only and path is not None
        if read_only:
            engine = create_engine(url, creator=lambda: open_read_only(path, wait_seconds))  # type: ignore[arg-type]
        else:
            engine = create_engine(url, connect_args={"timeout": wait_seconds})
        event.listen(engine, "connect", _sqlite_pragmas)
        if not read_only:
            event.listen(engine, "connect", _sqlite_wal)
        event.listen(engine, "begin", _sqlite_begin)
        iso_dates_for_sqlite()
        return engine
    return create_engine(url, pool_pre_ping=True)


def iso_dates_for_sqlite() -> None:
    """Dates and times handed to the sqlite3 driver as they are (load.insert_rows) are stored as
    ISO text, the way SQLAlchemy's SQLite Date and DateTime types store them.

    The same as the sqlite3 module's own adapters, which Python 3.12 deprecates; converted by the
    driver, a load need not rebuild every row of claims in Python to turn its dates into text.
    """
    sqlite3.register_adapter(dt.date, dt.date.isoformat)
    sqlite3.register_adapter(dt.datetime, _iso_date_time)


def _iso_date_time(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ")


def open_read_only(path: Path, wait_seconds: float) -> sqlite3.Connection:
    """A read-only connection to the SQLite file at `path` (relative: to the working folder).

    A database in WAL mode (as claimsdb leaves it) can only be opened if its -shm index exists or
    can be created. Where it can be neither (a read-only mount, a full disk) and no -wal or -journal
    file holds anything, every committed change is in the database file itself: it is then read as
    `immutable`, without the index and without locks.
    """
    uri = f"{path.absolute().as_uri()}?mode=ro"  # (as_uri refuses a relative path)
    try:
        return _checked(sqlite3.connect(uri, uri=True, timeout=wait_seconds, check_same_thread=False))
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF not in _NO_INDEX or not path.is_file() or _pending_changes(path):
            raise  # a busy or locked database, in particular, is waited for, never read without locks
    return _checked(sqlite3.connect(f"{uri}&immutable=1", uri=True, timeout=wait_seconds, check_same_thread=False))


def _pending_changes(path: Path) -> bool:
    """Does a -wal or rollback -journal file beside the database hold anything (changes not, or not
    wholly, in the database file)?"""
    for suffix in ("-wal", "-journal"):
        try:
            if Path(f"{path}{suffix}").stat().st_size > 0:
                return True
        except FileNotFoundError:
            pass
    return False


_NO_INDEX = {sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL}
"""What SQLite says when a WAL index can be neither opened nor created (primary result codes)."""


def _checked(connection: sqlite3.Connection) -> sqlite3.Connection:
    """The connection once it has read the schema (where a missing -shm index shows), else closed."""
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (BEGIN is emitted explicitly).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_wal(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Writers switch the database to WAL (it stays so): readers then never wait for a load.
    dbapi_connection.execute("PRAGMA journal_mode=WAL")


def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
    # A writer takes the write lock at BEGIN, so two loads queue on the busy timeout instead of
    # one failing half-way when it first writes.
    options = connection.get_execution_options()
    immediate = options.get("sqlite_immediate", False)
    # Foreign keys are enforced, except in a first load that checks them all before it commits
    # (load.stream). SQLite ignores this pragma inside a transaction: it is set before BEGIN.
    enforced = not options.get("sqlite_foreign_keys_checked_at_end", False)
    info = connection.connection.info
    if info.get("foreign_keys", True) != enforced:
        connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}")
        info["foreign_keys"] = enforced
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
