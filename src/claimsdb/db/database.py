"""One claims database: its URL, and the one engine (with its connection pool) used to reach it.

A `Database` is opened once, by whoever knows the database's address (the CLI for one command,
the web app for its whole life), and passed to every `claimsdb.api` call. The engine is built on
first use and kept, so a command makes one engine, and a web server reuses its pooled connections
instead of connecting (a PostgreSQL handshake) for every request. SQLAlchemy is imported when the
engine is first built, not with this module: opening a Database, and a load's nothing-changed check
on a SQLite file (db.runs.last_run_in_file), do without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from claimsdb.db.engine import DEFAULT_WAIT_SECONDS, database_url, describe, make_engine, sqlite_file
from claimsdb.db.migrate import ensure_current
from claimsdb.errors import DatabaseStateError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session


class Database:
    """The database at `db` (a SQLite path or URL, a PostgreSQL URL; None: claims.db here).

    `read_only` opens a SQLite file read-only (`mode=ro`): reading then works on a read-only mount
    or a full disk, and never creates a missing file. `wait_seconds` is how long a write waits for
    another writer. Close it (or use it as a context manager) to release its connections.
    """

    def __init__(self, db: str | None = None, *, read_only: bool = False, wait_seconds: float = DEFAULT_WAIT_SECONDS):
        self.url = database_url(db)
        self.read_only = read_only
        self.wait_seconds = wait_seconds
        self._engine: Engine | None = None

    def __repr__(self) -> str:
        return f"Database({self.name!r}, read_only={self.read_only})"

    @property
    def name(self) -> str:
        """The URL without its password, for messages."""
        return describe(self.url)

    @property
    def file(self) -> Path | None:
        """The SQLite file (None for PostgreSQL)."""
        return sqlite_file(self.url)

    @property
    def engine(self) -> Engine:
        """The one engine for this database, built on first use (so opening never touches a file)."""
        if self._engine is None:
            self._engine = make_engine(self.url, wait_seconds=self.wait_seconds, read_only=self.read_only)
            path = self.file
            if path is not None:
                _reconnect_when_replaced(self._engine, path)
        return self._engine

    def close(self) -> None:
        """Close the pooled connections; the Database can be used again (it reconnects)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def must_exist(self) -> None:
        """A SQLite file that is not there is refused, never created by a read."""
        path = self.file
        if path is not None and not path.exists():
            raise DatabaseStateError(f"no claims database at {path}; run `claims load` to create it, or pass --db")

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Database errors as a DatabaseStateError naming the database, never a traceback."""
        from sqlalchemy.exc import DBAPIError, OperationalError

        try:
            yield
        except OperationalError as exc:
            if "database is locked" in str(exc.orig):
                raise DatabaseStateError(
                    f"{self.name} is busy: another process kept it locked for over {self.wait_seconds:g} s "
                    "(probably another load); nothing was written. Try again when it has finished."
                ) from None
            raise DatabaseStateError(f"database error on {self.name}: {exc.orig}") from None
        except DBAPIError as exc:  # integrity, data or programming errors: a message, never a traceback
            raise DatabaseStateError(
                f"the database {self.name} refused the operation ({type(exc.orig).__name__}: {exc.orig}); "
                "nothing was written"
            ) from None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session on a database that must already exist at the current schema."""
        from sqlalchemy.orm import Session  # here, so a Core-only read (reading_connection) never imports the ORM

        self.must_exist()
        with self.errors(), Session(self.engine) as session:
            ensure_current(session.connection(), create=False)
            yield session

    @contextmanager
    def reading_connection(self) -> Iterator[Connection]:
        """What `reading` gives, as a Core connection: for a read that needs neither the ORM nor
        the models (a load with nothing changed reads the last run through db.runs; on a plain
        SQLite file it needs not even this, see db.runs.last_run_in_file)."""
        self.must_exist()
        with self.errors(), self.engine.connect() as connection:
            ensure_current(connection, create=False)
            yield connection

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A plain session (for writes: the caller begins its one transaction), errors as messages."""
        if self.read_only:
            raise DatabaseStateError(f"{self.name} was opened read-only; open it writable to change it")
        from sqlalchemy.orm import Session

        with self.errors(), Session(self.engine) as session:
            yield session


def _reconnect_when_replaced(engine: Engine, path: Path) -> None:
    """A pooled SQLite connection is used again only while the file it opened is unchanged.

    A connection keeps reading the file it opened, even after that file is replaced (a new
    database moved into place) or rewritten behind a read-only connection that could not use
    the WAL index. So each connection remembers the file's identity, size and time and those of
    its -wal; when any differ at checkout, the pool opens a new connection, as if it had never
    pooled one. (Most checkouts find nothing changed: a stat or two, no reconnecting.)
    """
    from sqlalchemy import event
    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "connect")
    def remember(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["claimsdb_file"] = _fingerprint(path)
        record.info["claimsdb_fresh"] = True  # a new connection is used as it is, whatever a writer did since

    @event.listens_for(engine, "checkout")
    def still_the_same(_dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        if record.info.pop("claimsdb_fresh", False):
            return
        if record.info.get("claimsdb_file") != _fingerprint(path):
            raise DisconnectionError(f"{path} changed since this connection opened it")


def _fingerprint(path: Path) -> tuple[object, ...]:
    """The file's device, inode, size and modification time, and its -wal's size and time."""
    found: list[object] = []
    for file in (path, Path(f"{path}-wal")):
        try:
            stat = file.stat()
        except FileNotFoundError:
            found.append(None)
        else:
            found.append((stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(found)
