"""One load at a time per database, and a clear word to whoever has to wait.

SQLite: the load's transaction begins IMMEDIATE (see engine.py), so a second writer waits on the
busy timeout. PostgreSQL: a transaction-scoped advisory lock, released by commit or rollback, so a
killed load can never leave it held.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from claimsdb.errors import ClaimsError

if TYPE_CHECKING:
    from sqlalchemy import Connection

LOAD_LOCK_KEY = 0x636C61696D73  # "claims"
MAX_WAIT_SECONDS = 7 * 24 * 3600
"""A week: longer than any load, and within PostgreSQL's lock_timeout (milliseconds, a 32-bit int)."""


class LoadInProgress(ClaimsError):
    """Another load held the database for longer than we were willing to wait."""


def parse_wait(text: str | float) -> float:
    """How long to wait for another load, from what a user wrote: plain digits with an optional
    fraction, 0 to MAX_WAIT_SECONDS (float() would also take inf, nan, 1e308 and other scripts' digits)."""
    raw = str(text).strip()
    if not (raw.isascii() and re.fullmatch(r"[0-9]+(\.[0-9]+)?", raw)) or float(raw) > MAX_WAIT_SECONDS:
        shown = raw if len(raw) <= 24 else raw[:24] + "..."
        raise ClaimsError(
            f"the wait must be a number of seconds from 0 to {MAX_WAIT_SECONDS} (a week), such as 60, not {shown!r}"
        )
    return float(raw)


def take_load_lock(connection: Connection, wait_seconds: float, on_wait: Callable[[str], None] | None = None) -> None:
    """Hold the per-database load lock until the current transaction ends."""
    if connection.dialect.name != "postgresql":
        return  # SQLite's BEGIN IMMEDIATE already holds the write lock
    from sqlalchemy import text  # here: parse_wait, which every load calls, needs no SQLAlchemy
    from sqlalchemy.exc import OperationalError

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
