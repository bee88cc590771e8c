"""One claims database: its URL, and the one engine (with its connection pool) used to reach it.

A `Database` is opened once, by whoever knows the database's address (the CLI for one command,
the web app for its whole life), and passed to every `claimsdb.api` call. The engine is built on
first use and kept, so a command makes one engine, and a web server reuses its pooled connections
instead of connecting (a PostgreSQL handshake) for every request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from claimsdb.db.engine import DEFAULT_WAIT_SECONDS, database_url, describe, make_engine, sqlite_file
from claimsdb.db.migrate import ensure_current
from claimsdb.errors import DatabaseStateError


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
        self.must_exist()
        with self.errors(), Session(self.engine) as session:
            ensure_current(session.connection(), create=False)
            yield session

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A plain session (for writes: the caller begins its one transaction), errors as messages."""
        if self.read_only:
            raise DatabaseStateError(f"{self.name} was opened read-only; open it writable to change it")
        with self.errors(), Session(self.engine) as session:
            yield session
