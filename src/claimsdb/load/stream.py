"""A first load writes its claims while the seed files are still being parsed.

Into a database that holds no claims, every claim is new: nothing is compared, updated or
withdrawn. So each file's claims are inserted as soon as a worker process hands the file back,
and the main process writes while the workers parse, instead of waiting for the last file. Each
batch of claims is added to the full-text index as it is written, too; and into a database with
no reference rows yet (a new one), each file's organisations, places, sources, documents and terms
go in with its claims (load.write.ReferenceRows), instead of after the last file.

The all-or-nothing guarantee is the same as any load's: everything happens inside the load's one
transaction; the cross-file checks still run on every file before anything is committed, and any
problem they find (or any error) rolls the transaction back, claims written early included.
A claim may name a source whose file has not been parsed yet, so references are checked once, at
the end, before the transaction commits. On SQLite the transaction runs with foreign keys off and
ends with `PRAGMA foreign_key_check` on each table but claim_changes (a tenth of a second at 50,000
claims; deferring the keys instead would make SQLite search the claims for each organisation or
source inserted later); the CHECK constraints of claims and their relations are checked once a
batch, by one SELECT (`_insert_checked_after`). On PostgreSQL, whose foreign keys are not declared
deferrable, the load drops them inside its transaction and adds them back at the end, which checks
every row; a failed load rolls that back too (PostgreSQL's DDL is transactional).

Claims go in in file order, as `load_bundle` would insert them: a file whose claims take the date
of a source not parsed yet waits (held compressed), with the files after it, until that source's
file is parsed. Files named like `sources.yaml` are parsed first and shown to the stream at once
(`foresee`, seeds.collect), so with seeds laid out as README says, claims seldom wait.
"""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
import zlib
from collections import deque
from pathlib import Path
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, DropConstraint

from claimsdb import __version__
from claimsdb.db import models as m
from claimsdb.db.base import BATCH_SIZE
from claimsdb.db.search import index_claims_after
from claimsdb.errors import DatabaseStateError
from claimsdb.load.write import (
    BULK_TABLES,
    CLAIM_ROW,
    ReferenceRows,
    create_indexes,
    drop_indexes,
    holds_reference_rows,
    insert_rows,
)
from claimsdb.seeds.records import FileResult, PackedClaim, PublishedDate, unpack_claim_rows
from claimsdb.seeds.validate import ClaimFinisher, published_date

_RELATION_ROW = ("claim_id", "kind", "target_id")
_CHANGE_ROW = ("run_id", "claim_id", "action")
WRITE_EVERY = 2_000
"""Claims held before they are written: a fifth of BATCH_SIZE, so that few are left to write once
the last file is parsed, when the load waits for this process alone (each batch of the full-text
index, which costs more the more batches it is given, still takes BATCH_SIZE claims)."""


class ClaimStream:
    """Takes each parsed file (`take`, in file order) and writes its claims; `parsed` writes the
    rest, and `checking` the indexes while the files are checked together;
    `finish` says what was added. What a seeds.ResultSink is given (through load.first.FirstLoad).

    Made inside the load's transaction, with the write lock held, on a database without claims;
    on SQLite, in a transaction begun with the execution option `sqlite_foreign_keys_checked_at_end`.
    """

    def __init__(self, session: Session, root: Path, started: dt.datetime) -> None:
        self.session = session
        self.run = m.LoadRun(started_at=started, seeds_dir=str(root), claimsdb_version=__version__)
        session.add(self.run)
        session.flush()
        self.indexes = drop_indexes(session, *BULK_TABLES)
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.foreign_keys = [] if self.sqlite else _drop_foreign_keys(session)
        self.published: dict[str, PublishedDate | None] = {}
        """Each source's date, from its first definition in file order (as the cross-file checks take it)."""
        self.finisher = ClaimFinisher(self.published)
        self.waiting: deque[tuple[frozenset[str], bytes]] = deque()
        """Files whose claims wait for a source's date: the sources, and the claims, packed."""
        self.seen: set[str] = set()
        self.added: list[str] = []
        self.rows: list[tuple[Any, ...]] = []
        self.relations: list[tuple[str, str, str]] = []
        self.indexed = 0
        """The last claim (rowid) in the full-text index, which takes the claims BATCH_SIZE at a time."""
        self.unindexed = 0
        """Claims written since (SQLite)."""
        self.failed: DBAPIError | None = None
        """A write the database refused: reported after the seeds' own problems, which come first."""
        self.references = None if holds_reference_rows(session) else ReferenceRows()
        """Into tables without reference rows, each file's organisations, places, sources, documents
        and terms go in with its claims too (else load_bundle syncs them, comparing with what is there)."""

    def foresee(self, result: FileResult) -> None:
        """A file parsed ahead of its turn (a sources file): its sources' dates are known from now on.

        (Were a source defined twice, the checks refuse the seeds and the load is rolled back, so
        which definition's date a claim took here never matters.)
        """
        for source in result.sources:
            self.published.setdefault(source.id, published_date(source))

    def take(self, result: FileResult) -> None:
        """One parsed file, in file order: its sources' dates are known from now on; its claims go in
        when every date they take is known."""
        if self.failed is not None:
            return
        self.foresee(result)
        if self.references is not None:
            self.references.add(result)
        packed, result.packed_claims = result.packed_claims, b""  # written here, not held in the bundle
        while self.waiting and self.waiting[0][0] <= self.published.keys():
            self._add(unpack_claim_rows(self.waiting.popleft()[1]))
        if not result.claim_count:
            pass  # no claims to write
        elif not self.waiting and result.claims_dated_by <= self.published.keys():
            self._add(unpack_claim_rows(packed))
        else:  # it waits for a source, or behind a file that does: held compressed, as any load holds claims
            self.waiting.append((result.claims_dated_by, zlib.compress(packed, 1)))

    def parsed(self) -> None:
        """Every file is parsed: write the claims still waiting and the rows not written yet.

        Before the files are checked together: an executemany lets go of Python's lock for each
        row, and with the checks running in another thread, getting it back would cost a switch
        interval (5 ms) a row.
        """
        while self.waiting:
            self._add(unpack_claim_rows(self.waiting.popleft()[1]))
        self._write(last=True)

    def checking(self) -> None:
        """While the files are checked together in another thread (seeds.collect): the indexes, a
        few long SQL statements that leave Python's lock to the checks while SQLite works."""
        if self.failed is None:
            try:
                create_indexes(self.session, self.indexes)
            except DBAPIError as exc:
                self.failed = exc

    def finish(self) -> list[str]:
        """The ids added, in order, once the files passed the cross-file checks; raises what the
        database refused while writing them."""
        if self.failed is not None:
            raise self.failed
        return self.added

    def check_references(self) -> None:
        """Every reference in the database leads to a row: the foreign keys, checked once at the end."""
        if not self.sqlite:
            _add_foreign_keys(self.session, self.foreign_keys)
            return
        missing = [
            row
            for table in _CHECKED_TABLES
            for row in self.session.execute(text(f"PRAGMA foreign_key_check({table})"))
        ]
        if missing:
            table, rowid, parent, _ = missing[0]
            raise _missing_rows(f"{len(missing):,} references to missing rows (the first: row {rowid} of {table} "
                                f"names a row of {parent} that is not there)")  # fmt: skip

    def _add(self, claims: list[PackedClaim]) -> None:
        """Claims as the workers packed them, straight to rows: dated, hashed, never made records
        (content_hash_of and ClaimFinisher.dated are what ClaimFinisher.finish does to a record).
        A worker hashed each claim as far as it could (records.PackedClaim): what is left here, for
        a claim that takes its source's date, is that date and the sha256 over the text."""
        run_id, rows, relations, added, seen = self.run.id, self.rows, self.relations, self.added, self.seen
        finisher = self.finisher
        for key, values, pairs, dated_by, hashed in claims:
            if key in seen:
                continue  # a duplicate id: the checks say so
            seen.add(key)
            if dated_by is not None:  # packed uncompressed, for writing at once: `hashed` is never None
                values, hashed = finisher.dated_hash(values, dated_by, hashed)  # type: ignore[arg-type]
            rows.append((key, *values, hashed, "active", run_id, run_id))
            relations += [(key, kind, target) for kind, target in pairs]
            added.append(key)
        if len(rows) >= WRITE_EVERY:  # a file at a time: a batch is never much more than WRITE_EVERY rows
            self._write()

    def _write(self, *, last: bool = False) -> None:
        if self.failed is None:
            try:
                if self.references is not None:
                    self.references.insert(self.session)
                if self.sqlite:
                    self._write_to_sqlite(last)
                else:
                    self._write_to_postgresql()
            except DBAPIError as exc:
                self.failed = exc
        self.rows, self.relations = [], []

    def _write_to_sqlite(self, last: bool) -> None:
        """The claims and their relations, checked a batch at a time; then, every BATCH_SIZE claims
        and after the `last` batch, their change records ("added") and full-text entries, copied by
        SQLite from the claims written since."""
        _insert_checked_after(self.session, m.Claim.__table__, self.rows, CLAIM_ROW)
        _insert_checked_after(self.session, m.ClaimRelation.__table__, self.relations, _RELATION_ROW)
        self.unindexed += len(self.rows)
        if self.unindexed and (last or self.unindexed >= BATCH_SIZE):
            self.indexed = _changes_and_search_after(self.session, self.run.id, self.indexed)
            self.unindexed = 0

    def _write_to_postgresql(self) -> None:
        """The claims, their relations and change records (PostgreSQL's search index keeps itself)."""
        insert_rows(self.session, m.Claim.__table__, self.rows, names=CLAIM_ROW)
        insert_rows(self.session, m.ClaimRelation.__table__, self.relations, names=_RELATION_ROW)
        changes = [(self.run.id, row[0], "added") for row in self.rows]
        insert_rows(self.session, m.ClaimChange.__table__, changes, names=_CHANGE_ROW)


def _insert_checked_after(
    session: Session, table: Any, rows: list[tuple[Any, ...]], names: tuple[str, ...]
) -> None:
    """SQLite: rows (tuples in the order of `names`) inserted without the table's CHECK constraints,
    then checked in one statement.

    Checked row by row, a constraint like `status IN ('active', 'withdrawn')` makes SQLite build
    a lookup table of its list for every row an executemany inserts (a fifth of the claims' insert
    at 50,000 claims); a SELECT over the rows just written builds it once. A row that breaks one is
    refused as SQLite itself refuses it (IntegrityError: "CHECK constraint failed: <name>"), and the
    load rolls back. SQLite compiles the choice into the statement: the insert has a text of its own
    (never taken from the driver's statement cache by another insert) and is only compiled in here.
    A table with a trigger is inserted into as any other (its trigger's statements would be
    compiled with the same choice, and not checked after).
    """
    if not rows:
        return
    connection = session.connection()
    if connection.exec_driver_sql(_TRIGGERS, (table.name,)).first() is not None:
        insert_rows(session, table, rows, names=names)
        return
    insert, broken_check = _checked_after(table.name, names)
    before = connection.exec_driver_sql(f"SELECT coalesce(max(rowid), 0) FROM {table.name}").scalar()
    connection.exec_driver_sql("PRAGMA ignore_check_constraints=ON")
    try:
        connection.exec_driver_sql(insert, rows)  # type: ignore[arg-type]
    finally:
        connection.exec_driver_sql("PRAGMA ignore_check_constraints=OFF")
    broken = connection.execute(text(broken_check), {"after": before}).scalar()
    if broken is not None:
        raise IntegrityError(insert, None, sqlite3.IntegrityError(f"CHECK constraint failed: {broken}"))


_TRIGGERS = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"


@functools.cache
def _checked_after(table: str, names: tuple[str, ...]) -> tuple[str, str]:
    """The insert of `_insert_checked_after`, and the SELECT that names the first CHECK constraint
    broken by a row after :after (a row breaks one when its expression is false; NULL passes, as
    in SQLite's own check), from the constraints the models (and so the migrations) declare."""
    checks = [
        (str(check.name), str(check.sqltext))
        for check in m.Base.metadata.tables[table].constraints
        if isinstance(check, CheckConstraint)
    ]
    insert = (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        " /* CHECK constraints: checked after, load.stream */"
    )
    if not checks:
        return insert, "SELECT NULL"
    cases = " ".join(f"WHEN NOT ({check}) THEN '{name}'" for name, check in checks)
    every = " AND ".join(f"({check})" for _, check in checks)
    return insert, f"SELECT CASE {cases} END FROM {table} WHERE rowid > :after AND NOT ({every}) LIMIT 1"


def _changes_and_search_after(session: Session, run_id: int, rowid: int) -> int:
    """SQLite: the change records ("added") and the full-text entries of the claims written after
    `rowid`, copied by SQLite from the rows just written (not handed over row by row from Python,
    a parameter at a time); returns the last claim's rowid."""
    session.execute(
        text(
            "INSERT INTO claim_changes (run_id, claim_id, action) SELECT :run, id, 'added' FROM claims "
            "WHERE rowid > :after"
        ),
        {"run": run_id, "after": rowid},
    )
    return index_claims_after(session, rowid)


_CHECKED_TABLES = tuple(
    table.name
    for table in m.Base.metadata.sorted_tables
    if table.foreign_key_constraints and table is not m.ClaimChange.__table__
)
"""The tables whose references check_references checks on SQLite: every table with a foreign key
but claim_changes, whose rows are made here, one for each claim row written with them, for the run
made here (a fifth of the check's time at 50,000 claims)."""


def _missing_rows(what: str) -> DatabaseStateError:
    return DatabaseStateError(
        f"the load would leave {what}; nothing was written. This is a bug in claimsdb's checks: please "
        "report it with the seeds"
    )


def _drop_foreign_keys(session: Session) -> list[ForeignKeyConstraint]:
    """PostgreSQL: drop every foreign key, in this transaction, to add them back at the end."""
    connection = session.connection()
    keys = [key for table in m.Base.metadata.sorted_tables for key in table.foreign_key_constraints]
    for key in keys:
        connection.execute(DropConstraint(key))
    return keys


def _add_foreign_keys(session: Session, keys: list[ForeignKeyConstraint]) -> None:
    """Add the foreign keys back, exactly as the models (and so the migrations) declare them:
    PostgreSQL checks every row as it adds each one."""
    connection = session.connection()
    for key in keys:
        try:
            with connection.begin_nested():
                connection.execute(AddConstraint(key))
        except IntegrityError as exc:
            raise _missing_rows(f"references to missing rows ({exc.orig})") from None
