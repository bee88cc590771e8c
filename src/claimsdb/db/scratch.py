"""A new SQLite database file, made under a temporary name beside its own and moved into place whole.

A first load into a file that does not exist yet writes while it parses (load.stream), so the file
would exist before the seeds are known to be good. Made here instead, under a hidden name in the
same folder, it appears at its real name only once the load has committed: a failed load leaves
nothing behind, a reader never finds a half-made database, and no file anybody else made is ever
removed. The move is a hard link, which refuses to replace a database another load made meanwhile.

Nobody reads the file while it is made, and a failed or interrupted load throws it away, so it is
made without a journal on disk and without waiting for the disk (`journal_mode=MEMORY`,
`synchronous=OFF`): every page is written once, straight into the file, instead of into the
write-ahead log and then again into the file (a tenth of a cold load at 50,000 claims). A rollback
still works (the journal is in memory). Once committed, the file is switched to WAL mode and
flushed to disk whole, and only then linked into place. Most of it is on its way to the disk
before that: `flush_soon` starts flushing it once its rows and indexes are written, while the load
still checks and commits.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import event

from claimsdb.db.database import Database
from claimsdb.errors import DatabaseStateError

_SIDE_FILES = ("", "-wal", "-shm", "-journal")


class NewFile:
    """The database at `target`, made as `database` (under a temporary name) until `publish`."""

    def __init__(self, target: Path, wait_seconds: float) -> None:
        self.target = target
        self.path = target.with_name(f".{target.name}.loading-{os.getpid()}-{secrets.token_hex(4)}")
        self.database = Database(str(self.path), wait_seconds=wait_seconds)
        event.listen(self.database.engine, "connect", _unjournaled)
        self._flushing: threading.Thread | None = None

    def flush_soon(self) -> None:
        """Start writing what is in the file so far to the disk, in another thread, while the load
        checks and commits: `publish` then has only the last pages to flush (a tenth of a second at
        50,000 claims, spent while the CPU works instead of after). A failure here is left to
        publish's own flush to report."""
        if self._flushing is None:
            self._flushing = threading.Thread(target=_flush_quietly, args=(self.path,), daemon=True)
            self._flushing.start()

    def publish(self) -> bool:
        """Put the committed database at `target`; False if a database appeared there meanwhile."""
        self.database.close()
        self._flushed()
        self._as_one_file()
        try:
            os.link(self.path, self.target)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: the same, but for a split second
            if self.target.exists():
                return False
            os.replace(self.path, self.target)
        with contextlib.suppress(OSError):  # the new name on disk too, where a folder can be flushed
            _flush(self.target.parent)
        return True

    def discard(self) -> None:
        """Remove the temporary name (and, unless published, the database)."""
        self.database.close()
        self._flushed()
        for suffix in _SIDE_FILES:
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _flushed(self) -> None:
        if self._flushing is not None:
            self._flushing.join()

    def _as_one_file(self) -> None:
        """Everything in the main file, on disk, and the file in WAL mode (so readers never wait for
        the next load, engine._sqlite_wal): the file alone is the database."""
        connection = sqlite3.connect(self.path, isolation_level=None)
        try:
            (mode,) = connection.execute("PRAGMA journal_mode=WAL").fetchone()
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
        log = Path(f"{self.path}-wal")
        if busy or mode != "wal" or (log.exists() and log.stat().st_size):
            raise DatabaseStateError(f"could not finish the new database {self.target}; nothing was written")
        try:
            _flush(self.path)  # written with synchronous=OFF: on disk before it gets its real name
        except OSError as exc:
            raise DatabaseStateError(
                f"could not write the new database {self.target} to disk ({exc.strerror}); nothing was written"
            ) from None


def _unjournaled(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """A file nobody else opens until it is committed and flushed (see the module's docstring)."""
    dbapi_connection.execute("PRAGMA journal_mode=MEMORY")
    dbapi_connection.execute("PRAGMA synchronous=OFF")


def _flush_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        _flush(path)


def _flush(path: Path) -> None:
    """Write a file's data (or a folder's entries) through to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
