"""A first load sets its workers parsing before it opens the database.

Everything a first load does to the database before it can write the first file's claims costs
the main process a few tenths of a second: SQLAlchemy's ORM and Alembic are imported, a new
SQLite file is made under a hidden name (db.scratch), the one transaction begins, the write lock
is taken, the migrations create the schema, the bulk tables' indexes are dropped (load.stream).
Done once the worker processes have started on the seed files (`start`, called by the seed
reader), that time is spent while they parse instead of before. The guarantees do not change:
the seeds are checked before anything is committed, and a failed load leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from claimsdb.errors import DatabaseStateError
from claimsdb.load_report import LoadReport
from claimsdb.seeds.records import FileResult, SeedBundle

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, SessionTransaction

    from claimsdb.db.database import Database
    from claimsdb.db.scratch import NewFile
    from claimsdb.load.stream import ClaimStream


class HoldsClaims(Exception):
    """The database holds claims (another load came first): this load is an ordinary one."""


class FirstLoad:
    """A first load into `db`, whose claims are written as the files are parsed (load.stream).

    A seeds.ResultSink: `start` opens the database once the workers are parsing, and the files go
    to the ClaimStream; `finish` writes the rest and commits. Used as a context manager, it rolls
    back and removes whatever a load that did not finish made.
    """

    def __init__(
        self, db: Database, root: Path, started: dt.datetime, on_wait: Callable[[str], None] | None
    ) -> None:
        self.db = db
        self.root = root
        self.started = started
        """When the seeds began to be read (the load run's start: files.trusted compares with it)."""
        self.on_wait = on_wait
        self.stack = ExitStack()
        self.new: NewFile | None = None
        self.session: Session | None = None
        self.transaction: SessionTransaction | None = None
        self.stream: ClaimStream | None = None

    def __enter__(self) -> FirstLoad:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        try:
            self.stack.__exit__(kind, error, traceback)  # rolls back what was not committed; removes a new file
        except DatabaseStateError as exc:
            raise self._named(exc) from None
        if isinstance(error, DatabaseStateError) and (named := self._named(error)) is not error:
            raise named from None

    def start(self) -> None:
        """The workers are parsing: open the database, make its schema, and get ready to write."""
        from claimsdb.db.locks import take_load_lock
        from claimsdb.db.migrate import ensure_current
        from claimsdb.load.stream import ClaimStream
        from claimsdb.load.write import holds_claims

        db = self.db
        if db.file is not None and not db.file.exists():
            from claimsdb.db.scratch import NewFile

            self.new = NewFile(db.file, db.wait_seconds)
            self.stack.callback(self.new.discard)
            db = self.new.database
        session = self.session = self.stack.enter_context(db.session())
        self.transaction = session.begin()
        checked_at_end = {"sqlite_immediate": True, "sqlite_foreign_keys_checked_at_end": True}
        connection = session.connection(execution_options=checked_at_end)
        take_load_lock(connection, db.wait_seconds, self.on_wait)
        ensure_current(connection, create=True)
        if holds_claims(session):
            raise HoldsClaims
        self.stream = ClaimStream(session, self.root, self.started)

    def foresee(self, result: FileResult) -> None:
        self._stream().foresee(result)

    def take(self, result: FileResult) -> None:
        self._stream().take(result)

    def parsed(self) -> None:
        self._stream().parsed()

    def checking(self) -> None:
        self._stream().checking()
        if self.new is not None:  # every row and index written: on its way to the disk while the checks end
            self.new.flush_soon()

    def finish(self, bundle: SeedBundle) -> LoadReport | None:
        """Write what is left, commit, and put a new file in place; None if another load made the file
        meanwhile (its database is left alone: this load goes the ordinary way)."""
        from claimsdb.load.write import load_bundle

        assert self.session is not None and self.transaction is not None
        report = load_bundle(self.session, bundle, stream=self._stream())
        self.transaction.commit()
        if self.new is not None and not self.new.publish():
            return None
        return report

    def _stream(self) -> ClaimStream:
        if self.stream is None:
            raise RuntimeError("FirstLoad.start was not called: the seed reader starts the load")
        return self.stream

    def _named(self, error: DatabaseStateError) -> DatabaseStateError:
        """A message about the new file under its hidden name, named by the file's own name."""
        if self.new is None or self.new.database.name not in str(error):
            return error
        return DatabaseStateError(str(error).replace(self.new.database.name, self.db.name))
