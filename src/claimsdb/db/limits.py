"""Time limits on queries, so a page can give up on a count instead of making its reader wait.

A web page of a million claims cannot wait seconds for its totals and facets; it gives each count
what is left of a budget, and a count that runs out is reported as not counted (the page says
"many" and offers the exact figure on demand), as Datasette does with its facet_time_limit_ms.
Each back end stops a running query its own way: SQLite through a progress handler that asks
the clock every few thousand virtual-machine steps, PostgreSQL through `SET LOCAL
statement_timeout` inside a savepoint, which a cancelled statement rolls back alone, so the rest
of the reading transaction carries on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

SQLITE_STEPS = 5_000
"""SQLite virtual-machine steps between looks at the clock: a few microseconds of work each."""
PG_QUERY_CANCELED = "57014"


class TooSlow(Exception):
    """A query ran out of its time limit and was stopped; nothing it would have said is known."""


@dataclass(frozen=True)
class Deadline:
    """The moment (time.monotonic) by which queries under it must be done; `at` None: no limit."""

    at: float | None = None

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        """A deadline `seconds` from now (None: none at all, so every count is exact)."""
        return cls(None if seconds is None else time.monotonic() + seconds)

    def remaining(self) -> float | None:
        """Seconds left (never below 0), or None without a limit."""
        return None if self.at is None else max(0.0, self.at - time.monotonic())


@contextmanager
def time_limit(session: Session, deadline: Deadline) -> Iterator[None]:
    """Run the block's queries until `deadline`; past it the running query stops and TooSlow is raised.

    With no time left the block is not started at all (a limit of 0 ms counts nothing), so the
    result is the same on both back ends however fast the query would have been.
    """
    seconds = deadline.remaining()
    if seconds is None:
        yield
        return
    if seconds <= 0:
        raise TooSlow
    if session.get_bind().dialect.name == "sqlite":
        with _sqlite_limit(session, time.monotonic() + seconds):
            yield
    else:
        with _postgresql_limit(session, seconds):
            yield


@contextmanager
def _sqlite_limit(session: Session, until: float) -> Iterator[None]:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    raw.set_progress_handler(lambda: time.monotonic() > until, SQLITE_STEPS)
    try:
        yield
    except OperationalError as exc:
        if "interrupted" in str(exc.orig):
            raise TooSlow from None
        raise
    finally:
        raw.set_progress_handler(None, 0)


@contextmanager
def _postgresql_limit(session: Session, seconds: float) -> Iterator[None]:
    milliseconds = max(1, math.ceil(seconds * 1000))  # 0 would mean no limit at all
    try:
        with session.begin_nested():  # a cancelled statement rolls back to here, and its setting with it
            session.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
            yield
            session.execute(text("SET LOCAL statement_timeout TO DEFAULT"))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == PG_QUERY_CANCELED:
            raise TooSlow from None
        raise
