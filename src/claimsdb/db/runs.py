"""The newest load run and the files it read, in plain SQL: through SQLAlchemy's connection, or
straight through sqlite3.

A load with nothing changed needs no more than this: which files the last run read, their hashes
and fingerprints, and when it began reading. Read through the models and the ORM it would cost
more than the reading (about a sixth of a second at 50,000 claims), and on a SQLite file even
importing SQLAlchemy costs a tenth of a second: there `last_run_in_file` reads the same rows with
sqlite3 alone. Both read them with the same SQL (NEWEST_RUN, RUN_FILES); tests/test_last_run.py
holds its columns to the models'.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimsdb.db.engine import open_read_only
from claimsdb.db.migrate import HEAD_REVISION

if TYPE_CHECKING:
    from sqlalchemy import Connection

NEWEST_RUN = "SELECT id, claimsdb_version, started_at FROM load_runs ORDER BY id DESC LIMIT 1"
RUN_FILES = "SELECT path, sha256, fingerprint FROM load_run_files WHERE run_id = :run_id"
REVISION = "SELECT version_num FROM alembic_version"
ANY_CLAIM = "SELECT 1 FROM claims LIMIT 1"

Execute = Callable[[str, Mapping[str, Any]], Iterable[Sequence[Any]]]
"""Run one of the texts above with its parameters (named :like_this) and give back its rows."""


@dataclass(frozen=True)
class LastRun:
    """The newest load run: who made it, when it began reading, and each file it read."""

    run_id: int
    claimsdb_version: str
    read_from_ns: int | None
    """When the run began reading, in nanoseconds since the epoch (None if not recorded)."""
    files: dict[str, str] = field(default_factory=dict)
    """{stored path: sha256} of every file it read."""
    fingerprints: dict[str, str] = field(default_factory=dict)
    """{stored path: fingerprint} of the files it recorded one for (seeds.files.file_fingerprint)."""
    holds_claims: bool = True
    """Whether the database held any claim when the run was read (a load into one that holds none
    writes as it parses, load.first; it asks again once it holds the write lock)."""


def last_run(connection: Connection) -> LastRun | None:
    """The newest run and its files (None before the first load), in two queries on a SQLAlchemy
    connection (either back end), inside its transaction."""
    from sqlalchemy import text

    return _read(lambda sql, parameters: connection.execute(text(sql), parameters))


def last_run_in_file(path: Path, wait_seconds: float) -> LastRun | None:
    """The newest run and its files in the SQLite file at `path`, read with sqlite3 alone (no
    SQLAlchemy), opened read-only as the read-only engine opens it (engine.open_read_only).

    None before the first load, and None for anything unusual: no file, no schema, a schema at
    another revision than this claimsdb's, a database locked for over `wait_seconds`, a damaged
    file, a time that is not one. None only means "not known to be unchanged": the load that
    follows reads the database through SQLAlchemy, and says what is wrong with it, if anything.
    Where nothing can be written (a read-only mount, a full disk) the file is read all the same,
    as `claims list` reads it: a load with nothing to change says so there.
    """
    try:
        connection = open_read_only(path, wait_seconds)
    except (sqlite3.Error, OSError, ValueError):
        return None
    try:
        connection.isolation_level = None  # transactions as written here: one read, from one snapshot
        connection.execute("BEGIN")
        if connection.execute(REVISION).fetchall() != [(HEAD_REVISION,)]:
            return None
        return _read(connection.execute)
    except (sqlite3.Error, ValueError):
        return None
    finally:
        connection.close()


def _read(execute: Execute) -> LastRun | None:
    """The newest run and its files, through `execute` (NEWEST_RUN, RUN_FILES, then ANY_CLAIM)."""
    newest = list(execute(NEWEST_RUN, {}))
    if not newest:
        return None
    run_id, version, started = newest[0]
    files: dict[str, str] = {}
    fingerprints: dict[str, str] = {}
    for path, sha256, fingerprint in execute(RUN_FILES, {"run_id": run_id}):
        files[path] = sha256
        if fingerprint is not None:
            fingerprints[path] = fingerprint
    holds_claims = bool(list(execute(ANY_CLAIM, {})))
    return LastRun(run_id, version, _nanoseconds(_moment(started)), files, fingerprints, holds_claims)


def _moment(stored: object) -> dt.datetime | None:
    """A recorded time as a datetime: PostgreSQL's driver gives one; SQLite holds the text
    SQLAlchemy's DateTime wrote ("2025-01-31 12:00:00.000001"), read as SQLAlchemy reads it
    back (datetime.fromisoformat). Anything else is a ValueError."""
    if stored is None or isinstance(stored, dt.datetime):
        return stored
    if isinstance(stored, str):
        return dt.datetime.fromisoformat(stored)
    raise ValueError(f"a load run's start time is not a time: {stored!r}")


def _nanoseconds(moment: dt.datetime | None) -> int | None:
    """A recorded time in nanoseconds since the epoch; SQLite keeps no time zone: it was written in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000
