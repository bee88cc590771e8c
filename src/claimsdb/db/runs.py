"""The newest load run and the files it read, read with SQLAlchemy Core only.

A load with nothing changed needs no more than this: which files the last run read, their hashes
and fingerprints, and when it began reading. Read through the models, the ORM and the models'
module would cost it more than the reading (about a sixth of a second at 50,000 claims), so the
two tables are named here as light Core tables; tests/test_cli_startup.py holds them to the
models' columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, DateTime, Integer, String, column, select, table

LOAD_RUNS = table(
    "load_runs",
    column("id", Integer),
    column("started_at", DateTime(timezone=True)),
    column("claimsdb_version", String),
)
LOAD_RUN_FILES = table(
    "load_run_files",
    column("run_id", Integer),
    column("path", String),
    column("sha256", String),
    column("fingerprint", String),
)


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


def last_run(connection: Connection) -> LastRun | None:
    """The newest run and its files (None before the first load), in two queries."""
    newest = select(LOAD_RUNS.c.id, LOAD_RUNS.c.claimsdb_version, LOAD_RUNS.c.started_at)
    row = connection.execute(newest.order_by(LOAD_RUNS.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    run_id, version, started = row
    files: dict[str, str] = {}
    fingerprints: dict[str, str] = {}
    read = select(LOAD_RUN_FILES.c.path, LOAD_RUN_FILES.c.sha256, LOAD_RUN_FILES.c.fingerprint)
    for path, sha256, fingerprint in connection.execute(read.where(LOAD_RUN_FILES.c.run_id == run_id)):
        files[path] = sha256
        if fingerprint is not None:
            fingerprints[path] = fingerprint
    return LastRun(run_id, version, _nanoseconds(started), files, fingerprints)


def _nanoseconds(moment: dt.datetime | None) -> int | None:
    """A recorded time in nanoseconds since the epoch; SQLite keeps no time zone: it was written in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000
