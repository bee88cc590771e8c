"""One load at a time per database, and a clear word to whoever has to wait.

SQLite: the load's transaction begins IMMEDIATE (see engine.py), so a second writer waits on the
busy timeout. PostgreSQL: a transaction-scoped advisory lock, released by commit or rollback, so a
killed load can never leave it held.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from claimsdb.errors import ClaimsError

LOAD_LOCK_KEY = 0x636C61696D73  # "claims"


class LoadInProgress(ClaimsError):
    """Another load held the database for longer than we were willing to wait."""


def take_load_lock(connection: Connection, wait_seconds: float, on_wait: Callable[[str], None] | None = None) -> None:
    """Hold the per-database load lock until the current transaction ends."""
    if connection.dialect.name != "postgresql":
        return  # SQLite's BEGIN IMMEDIATE already holds the write lock
    if connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOAD_LOCK_KEY}).scalar():
        return
    if on_wait:
        on_wait(f"Another load is running on this database; waiting up to {wait_seconds:g} s for it to finish...")
    connection.execute(text(f"SET LOCAL lock_timeout = '{int(wait_seconds * 1000)}ms'"))
    try:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOAD_LOCK_KEY})
    except OperationalError:
        raise LoadInProgress(
            f"another load kept this database busy for over {wait_seconds:g} s; nothing was written. "
            "Try again when it has finished."
        ) from None
    connection.execute(text("SET LOCAL lock_timeout = 0"))
