"""Write a validated SeedBundle into the database inside the caller's transaction.

The database mirrors the seeds: new claims are added, changed ones updated, and claims gone from
the seeds are *withdrawn* (kept, marked, hidden from default queries, like Wikidata's deprecated
rank), so a citation of a claim id never dangles. Every load is a LoadRun that records the files
it read (with hashes) and what it did to each claim. This module never commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, DateTime, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claimsdb import __version__
from claimsdb.db import models as m
from claimsdb.db.search import refresh_search_index
from claimsdb.errors import SeedError, SeedIssue
from claimsdb.seeds.records import CLAIM_COLUMNS, ClaimRecord, SeedBundle, SeedFileRecord

_PROVENANCE_ONLY = {"seed_file", "seed_line"}
"""Columns that follow a claim around its seed file without making it a changed claim."""


@dataclass
class LoadReport:
    """What one load did, claim by claim."""

    run_id: int | None
    seeds_dir: str
    nothing_changed: bool = False
    previous_run_id: int | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    unchanged: int = 0
    claims_total: int = 0
    documents_recaptured: list[str] = field(default_factory=list)


_HASHED_COLUMNS = tuple(name for name in CLAIM_COLUMNS if name not in _PROVENANCE_ONLY)


def content_hash(record: ClaimRecord) -> str:
    """A digest of everything a curator can change about a claim, relations included.

    repr() of str, int, None and date values is stable, and the column order is fixed.
    """
    columns = record.columns
    body = (tuple(columns[name] for name in _HASHED_COLUMNS), sorted((r.kind, r.target_id) for r in record.relations))
    return hashlib.sha256(repr(body).encode()).hexdigest()


def last_run_files(session: Session) -> tuple[int | None, dict[str, str]]:
    """The newest run and the {path: sha256} of the files it read."""
    run_id = session.scalar(select(m.LoadRun.id).order_by(m.LoadRun.id.desc()).limit(1))
    if run_id is None:
        return None, {}
    rows = session.execute(select(m.LoadRunFile.path, m.LoadRunFile.sha256).where(m.LoadRunFile.run_id == run_id))
    return run_id, dict(rows.tuples().all())


def load_bundle(session: Session, bundle: SeedBundle, *, recapture: Sequence[str] = ()) -> LoadReport:
    """Make the database say what the seeds say; raise SeedError (writing nothing) if it cannot."""
    recaptured = _check_recaptures(session, bundle, set(recapture))
    run = m.LoadRun(
        started_at=dt.datetime.now(dt.UTC), seeds_dir=bundle.root, claimsdb_version=__version__
    )
    session.add(run)
    session.flush()
    report = LoadReport(run_id=run.id, seeds_dir=bundle.root, documents_recaptured=recaptured)
    _sync_reference_data(session, bundle)
    _sync_claims(session, bundle, run.id, report)
    _delete_unused(session, bundle)
    refresh_search_index(session)
    _insert_many(session, m.LoadRunFile.__table__, [_file_row(run.id, f) for f in _unique_files(bundle.files)])
    run.finished_at = dt.datetime.now(dt.UTC)
    run.claims_total = report.claims_total
    run.added = len(report.added) + len(report.restored)
    run.changed = len(report.changed)
    run.withdrawn = len(report.withdrawn)
    run.unchanged = report.unchanged
    session.flush()
    return report


def _unique_files(files: Iterable[SeedFileRecord]) -> list[SeedFileRecord]:
    return list({f.path: f for f in files}.values())


def _file_row(run_id: int, record: SeedFileRecord) -> dict[str, Any]:
    return {"run_id": run_id, "path": record.path, "sha256": record.sha256, "kind": record.kind}


def _check_recaptures(session: Session, bundle: SeedBundle, recapture: set[str]) -> list[str]:
    """A held document's bytes never change silently between loads; returns the re-captured ids."""
    stored = dict(session.execute(select(m.Document.id, m.Document.sha256)).tuples().all())
    issues, recaptured = [], []
    for document in bundle.documents:
        before = stored.get(document.id)
        if before is None or before == document.sha256:
            continue
        if document.id in recapture or document.pinned:
            recaptured.append(document.id)
            continue
        issues.append(
            SeedIssue(
                document.path,
                None,
                f"the bytes of document {document.id!r} changed since it was loaded (database sha256 {before}, "
                f"file {document.sha256}). Held documents are never edited: restore the file, or, if this is a "
                f"deliberate re-capture, record the new sha256 in its seed or load with --recapture {document.id}",
            )
        )
    unknown = recapture - {d.id for d in bundle.documents}
    issues += [SeedIssue(bundle.root, None, f"--recapture {key}: no such document in the seeds") for key in sorted(unknown)]
    if issues:
        raise SeedError(issues)
    return recaptured


# --- reference data: vocabularies, terms, organisations, sources, documents ------------------------


def _sync_reference_data(session: Session, bundle: SeedBundle) -> None:
    _upsert(session, m.Vocabulary, [{"id": v.id, "label": v.label, "description": v.description} for v in bundle.vocabularies])
    _upsert(session, m.TermRow, [
        {"id": t.id, "vocabulary_id": t.vocabulary, "label": t.label, "definition": t.definition} for t in bundle.terms
    ])  # fmt: skip
    organisations = [
        {"id": o.id, "name": o.name, "kind_id": o.kind, "part_of_id": None, "description": o.description,
         "seed_file": o.seed_file, "seed_line": o.seed_line}
        for o in bundle.organisations
    ]  # fmt: skip
    _upsert(session, m.Organisation, organisations)  # part_of set after every organisation exists
    for org in bundle.organisations:
        session.execute(update(m.Organisation).where(m.Organisation.id == org.id).values(part_of_id=org.part_of))
    _replace(session, m.OrganisationAlias, [
        {"organisation_id": o.id, "alias": alias, "position": i} for o in bundle.organisations for i, alias in enumerate(o.aliases)
    ])  # fmt: skip
    _upsert(session, m.Source, [
        {"id": s.id, "title": s.title, "publisher_id": s.publisher, "published": s.published,
         "published_precision": s.published_precision,
         "published_inferred_reason": s.published_inferred_reason, "url": s.url, "description": s.description,
         "held": s.held, "seed_file": s.seed_file, "seed_line": s.seed_line}
        for s in bundle.sources
    ])  # fmt: skip
    _replace(session, m.SourceReport, [
        {"source_id": s.id, "reported_id": r, "position": i} for s in bundle.sources for i, r in enumerate(s.reports_on)
    ])  # fmt: skip
    _upsert(session, m.Document, [
        {"id": d.id, "path": d.path, "sha256": d.sha256, "size_bytes": d.size_bytes, "text": d.text} for d in bundle.documents
    ])  # fmt: skip


def _upsert(session: Session, model: type[m.Base], rows: list[dict[str, Any]]) -> None:
    """Insert new rows and update changed ones, by primary key `id`; leave the others for later."""
    if not rows:
        return
    table = model.__table__
    columns = [table.c[name] for name in rows[0]]
    existing = {row["id"]: dict(row) for row in session.execute(select(*columns)).mappings()}
    new = [row for row in rows if row["id"] not in existing]
    changed = [row for row in rows if row["id"] in existing and existing[row["id"]] != row]
    if new:
        _insert_many(session, table, new)
    for row in changed:
        session.execute(update(table).where(table.c.id == row["id"]).values(**row))


def _replace(session: Session, model: type[m.Base], rows: list[dict[str, Any]]) -> None:
    """Link tables have no identity of their own: rewrite them whole."""
    session.execute(delete(model))
    _insert_many(session, model.__table__, rows)


def _insert_many(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany straight to the driver, in batches.

    The ORM's bulk insert splits rows by which values are None, and Core's per-row parameter
    processing costs more than SQLite's own work at 100,000 claims; these rows are already exactly
    what the columns hold (str, int, bool, date, None), so they go to the driver as they are.
    """
    if not rows:
        return
    connection = session.connection()
    names = list(rows[0])
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([marker] * len(names))})"
    )
    # SQLite stores dates as ISO text, as SQLAlchemy's SQLite Date and DateTime types do
    dates = [name for name in names if isinstance(table.c[name].type, Date | DateTime)]
    needs_text = connection.dialect.name == "sqlite" and dates
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        if needs_text:
            batch = [{**row, **{d: _iso(row[d]) for d in dates}} for row in batch]
        connection.exec_driver_sql(sql, [tuple(row[name] for name in names) for row in batch])


_BATCH = 10_000


def _iso(value: dt.date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()


def _delete_unused(session: Session, bundle: SeedBundle) -> None:
    """Remove reference rows gone from the seeds, unless a withdrawn claim still points at them."""
    keep = {
        m.Document: {d.id for d in bundle.documents},
        m.Source: {s.id for s in bundle.sources},
        m.Organisation: {o.id for o in bundle.organisations},
        m.TermRow: {t.id for t in bundle.terms},
        m.Vocabulary: {v.id for v in bundle.vocabularies},
    }
    for model, wanted in keep.items():
        table = model.__table__
        for (key,) in session.execute(select(table.c.id)).all():
            if key in wanted:
                continue
            try:
                with session.begin_nested():
                    session.execute(delete(table).where(table.c.id == key))
            except IntegrityError:
                pass  # still referenced by a withdrawn claim, which keeps its provenance


# --- claims ---------------------------------------------------------------------------------------


def _sync_claims(session: Session, bundle: SeedBundle, run_id: int, report: LoadReport) -> None:
    existing: dict[str, tuple[str, str]] = {}
    positions: dict[str, tuple[str, int | None]] = {}
    query = select(m.Claim.id, m.Claim.content_hash, m.Claim.status, m.Claim.seed_file, m.Claim.seed_line)
    for claim_id, digest, status, seed_file, seed_line in session.execute(query).tuples():
        existing[claim_id] = (digest, status)
        positions[claim_id] = (seed_file, seed_line)
    moved: list[dict[str, Any]] = []
    new_rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for record in bundle.claims:
        digest = content_hash(record)
        row = {"id": record.id, **record.columns, "content_hash": digest, "status": "active", "changed_run_id": run_id}
        before = existing.get(record.id)
        if before is None:
            new_rows.append({**row, "added_run_id": run_id})
            report.added.append(record.id)
            changes.append({"run_id": run_id, "claim_id": record.id, "action": "added"})
            continue
        if before == (digest, "active"):
            report.unchanged += 1
            if positions[record.id] != (record["seed_file"], record["seed_line"]):
                moved.append({"key": record.id, "seed_file": record["seed_file"], "seed_line": record["seed_line"]})
            continue
        action = "restored" if before[1] == "withdrawn" else "changed"
        (report.restored if action == "restored" else report.changed).append(record.id)
        changes.append({"run_id": run_id, "claim_id": record.id, "action": action})
        session.execute(update(m.Claim).where(m.Claim.id == record.id).values(**row))
    _insert_many(session, m.Claim.__table__, new_rows)
    # the same claim, now at another line or in another file: its provenance follows it
    _update_many(session, moved, seed_file=bindparam("seed_file"), seed_line=bindparam("seed_line"))
    in_seeds = {record.id for record in bundle.claims}
    gone = [key for key, (_, status) in existing.items() if key not in in_seeds and status == "active"]
    _update_many(session, [{"key": key} for key in gone], status="withdrawn", changed_run_id=run_id)
    report.withdrawn.extend(gone)
    changes.extend({"run_id": run_id, "claim_id": key, "action": "withdrawn"} for key in gone)
    _replace(session, m.ClaimRelation, [
        {"claim_id": r.claim_id, "kind": r.kind, "target_id": r.target_id} for c in bundle.claims for r in c.relations
    ])  # fmt: skip
    _insert_many(session, m.ClaimChange.__table__, changes)
    report.claims_total = len(bundle.claims)


def _update_many(session: Session, rows: list[dict[str, Any]], **values: Any) -> None:
    """One executemany UPDATE of claims by id (`key` in each row), not one statement per claim."""
    if rows:
        table = m.Claim.__table__
        session.connection().execute(update(table).where(table.c.id == bindparam("key")).values(**values), rows)


assert set(CLAIM_COLUMNS) <= {c.name for c in m.Claim.__table__.columns}, "records and table drifted apart"
