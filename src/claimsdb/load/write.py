"""Write a validated SeedBundle into the database inside the caller's transaction.

The database mirrors the seeds: new claims are added, changed ones updated, and claims gone from
the seeds are *withdrawn* (kept, marked, hidden from default queries, like Wikidata's deprecated
rank), so a citation of a claim id never dangles. Every load is a LoadRun that records the files
it read (with hashes) and what it did to each claim. This module never commits.

A bundle may hold only the files that changed since the last load (`SeedBundle.scope`): rows that
came from other files are left as they are. `stored_seeds` tells the reader what those rows are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    bindparam,
    cast,
    delete,
    func,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claimsdb import __version__
from claimsdb.db import models as m
from claimsdb.db.base import BATCH_SIZE
from claimsdb.db.search import refresh_search_index
from claimsdb.errors import SeedError, SeedIssue
from claimsdb.load_report import LoadReport
from claimsdb.seeds.records import (
    CLAIM_COLUMNS,
    DocumentRecord,
    FileResult,
    Need,
    OrganisationRecord,
    PlaceRecord,
    PublishedDate,
    SeedBundle,
    SeedFileRecord,
    SourceRecord,
    StoredOrganisation,
    StoredSeeds,
    TermRecord,
    VocabularyRecord,
)

if TYPE_CHECKING:
    from claimsdb.db.runs import LastRun
    from claimsdb.load.stream import ClaimStream


def holds_reference_rows(session: Session) -> bool:
    """Whether any table a seed file's definitions go into (but claims) holds a row."""
    tables = (m.Vocabulary, m.TermRow, m.Organisation, m.Place, m.Source, m.Document)
    return any(session.scalar(select(model.id).limit(1)) is not None for model in tables)


def holds_claims(session: Session) -> bool:
    """Whether the database holds any claim, withdrawn ones included."""
    return session.scalar(select(m.Claim.id).limit(1)) is not None


def last_run_id(session: Session) -> int | None:
    """The newest run's id."""
    return session.scalar(select(m.LoadRun.id).order_by(m.LoadRun.id.desc()).limit(1))


def last_run_files(session: Session) -> tuple[int | None, dict[str, str]]:
    """The newest run and the {path: sha256} of the files it read."""
    run_id = last_run_id(session)
    if run_id is None:
        return None, {}
    rows = session.execute(select(m.LoadRunFile.path, m.LoadRunFile.sha256).where(m.LoadRunFile.run_id == run_id))
    return run_id, dict(rows.tuples().all())


def last_run_fingerprints(session: Session, run_id: int | None) -> dict[str, str]:
    """{path: fingerprint} of the files whose fingerprint the run recorded and files.trusted trusts:
    those that had not changed for a while when the run began reading them."""
    from claimsdb.seeds.files import trusted

    started = session.scalar(select(m.LoadRun.started_at).where(m.LoadRun.id == run_id)) if run_id else None
    if started is None:
        return {}
    if started.tzinfo is None:  # SQLite keeps no time zone: it was written in UTC
        started = started.replace(tzinfo=dt.UTC)
    read_from_ns = int(started.timestamp()) * 1_000_000_000 + started.microsecond * 1_000
    query = select(m.LoadRunFile.path, m.LoadRunFile.fingerprint).where(
        m.LoadRunFile.run_id == run_id, m.LoadRunFile.fingerprint.is_not(None)
    )
    return {
        path: fingerprint for path, fingerprint in session.execute(query).tuples() if trusted(fingerprint, read_from_ns)
    }


def last_run_version(session: Session, run_id: int | None) -> str | None:
    """The claimsdb version that made a run."""
    return session.scalar(select(m.LoadRun.claimsdb_version).where(m.LoadRun.id == run_id)) if run_id else None


def stored_seeds(session: Session, known: tuple[LastRun, dict[str, str]] | None = None) -> StoredSeeds:
    """What the last load left: each file's hash, and what the files define; the many organisations,
    places and assessments, and the claims, on demand.

    The answers on demand come from `session` while the seeds are read, so keep it open. A load after
    one edit asks about a few of them: reading them all would cost more than the edit's own work.
    The last run's files are read with Core (db.runs); `known`, the last run as the nothing-changed
    check read it a moment ago and the fingerprints of it that files.trusted trusts, is taken instead
    if it is still the last.
    """
    from claimsdb.db.runs import last_run
    from claimsdb.seeds.files import trusted

    connection = session.connection()
    stored = StoredSeeds()
    if known is not None and known[0].run_id == last_run_id(session):
        run: LastRun | None = known[0]
        stored.fingerprints = known[1]
    else:
        run = last_run(connection)
        read_from = run.read_from_ns if run is not None else None
        stored.fingerprints = {
            path: fingerprint
            for path, fingerprint in (run.fingerprints.items() if run is not None else ())
            if read_from is not None and trusted(fingerprint, read_from)
        }
    if run is not None:
        stored.run_id, stored.files = run.run_id, run.files
    vocabularies = dict(connection.execute(select(m.Vocabulary.id, m.Vocabulary.seed_file)).tuples().all())
    stored.complete = run is not None and run.claimsdb_version == __version__ and None not in vocabularies.values()
    if not stored.complete:
        return stored
    defined = stored.defined
    for name, seed_file in vocabularies.items():
        defined[("vocabulary", name)] = seed_file
    for term, vocabulary in connection.execute(select(m.TermRow.id, m.TermRow.vocabulary_id)).tuples():
        defined[("term", vocabulary, term)] = vocabularies[vocabulary]
    sources = select(m.Source.id, m.Source.seed_file, m.Source.published, m.Source.published_precision,
                     m.Source.published_inferred_reason)  # fmt: skip
    source_files: dict[str, str] = {}
    for source, seed_file, published, precision, reason in connection.execute(sources).tuples():
        defined[("source", source)] = source_files[source] = seed_file
        stored.published[source] = PublishedDate(published, precision or "day", reason) if published else None
    reports = select(m.SourceReport.source_id, m.SourceReport.reported_id).order_by(
        m.SourceReport.source_id, m.SourceReport.position
    )
    for source, reported in connection.execute(reports).tuples():
        stored.reports_on[source] = (*stored.reports_on.get(source, ()), reported)
    for document, path in connection.execute(select(m.Document.id, m.Document.path)).tuples():
        if document in source_files:
            stored.document_files[path] = source_files[document]
    stored.definitions = _DatabaseDefinitions(session)
    stored.claims = _DatabaseClaims(session)
    return stored


_DEFINING: dict[str, Any] = {"organisation": m.Organisation, "place": m.Place, "assessment": m.Assessment}
"""The table of each kind in records.DEFINED_ON_DEMAND."""


class _DatabaseDefinitions:
    """StoredDefinitions answered by queries: a partial load asks about a few, not every organisation."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()

    def files_defining(self, kind: str, ids: Collection[str]) -> dict[str, str]:
        model = _DEFINING[kind]
        found: dict[str, str] = {}
        for batch in _batches(sorted(ids)):
            query = select(model.id, model.seed_file).where(model.id.in_(batch))
            found.update(self.connection.execute(query).tuples().all())
        return found

    def defined_in(self, files: Collection[str]) -> set[Need]:
        found: set[Need] = set()
        for batch in _batches(sorted(files)):
            for kind, model in _DEFINING.items():
                ids = self.connection.execute(select(model.id).where(model.seed_file.in_(batch))).scalars()
                found.update((kind, key) for key in ids)
        return found

    def ids_outside(self, kind: str, files: Collection[str]) -> list[str]:
        model = _DEFINING[kind]
        query = select(model.id, model.seed_file)
        return sorted(key for key, seed_file in self.connection.execute(query).tuples() if seed_file not in files)

    def files_using(self, needs: Collection[Need]) -> set[str]:
        """The same uses the files were read for (resolve.py's needs), by the rows that are not claims."""
        from claimsdb.seeds.resolve import ORGANISATION_KINDS, PLACE_KINDS

        by_kind: dict[tuple[str, ...], list[str]] = {}
        for need in needs:
            by_kind.setdefault(need[:-1], []).append(need[-1])
        org, place, source, assessment = m.Organisation, m.Place, m.Source, m.Assessment
        member_files = select(org.seed_file).join(m.OrganisationMember, m.OrganisationMember.organisation_id == org.id)
        report_files = select(source.seed_file).join(m.SourceReport, m.SourceReport.source_id == source.id)
        users = {
            ("term", ORGANISATION_KINDS): [(select(org.seed_file), org.kind_id)],
            ("term", PLACE_KINDS): [(select(place.seed_file), place.kind_id)],
            ("organisation",): [
                (select(org.seed_file), org.part_of_id), (member_files, m.OrganisationMember.member_id),
                (select(source.seed_file), source.publisher_id),
                (select(assessment.seed_file), assessment.organisation_id),
            ],
            ("place",): [(select(place.seed_file), place.part_of_id)],
            ("source",): [
                (report_files, m.SourceReport.reported_id), (select(assessment.seed_file), assessment.source_id),
            ],
            ("claim",): [(select(assessment.seed_file), assessment.claim_id)],
        }  # fmt: skip
        files: set[str] = set()
        for kind, keys in by_kind.items():
            for query, column in users.get(kind, ()):
                for batch in _batches(sorted(set(keys))):
                    files.update(self.connection.execute(query.where(column.in_(batch)).distinct()).scalars())
        return files

    def organisations_named(self, names: Collection[str], by_name: Collection[str]) -> list[StoredOrganisation]:
        """Read in the order a load that read every file would meet them: by file, then line."""
        org, alias = m.Organisation, m.OrganisationAlias
        found: dict[str, tuple[str, str, str, int | None]] = {}
        named: set[str] = set()
        wanted = set(names)
        for batch in _batches(sorted(key for key in wanted if key.isascii())) if wanted else ():
            aliases = select(alias.organisation_id, alias.alias).where(self._maybe(alias.alias, batch))
            named.update(key for key, value in self.connection.execute(aliases).tuples() if value.casefold() in wanted)
            query = self._organisations.where(self._maybe(org.id, batch))
            found.update(
                (row[0], row) for row in self.connection.execute(query).tuples() if row[0].casefold() in wanted
            )
        wanted_names = set(by_name)
        for batch in _batches(sorted(key for key in wanted_names if key.isascii())) if wanted_names else ():
            query = self._organisations.where(self._maybe(org.name, batch))
            found.update(
                (row[0], row) for row in self.connection.execute(query).tuples() if row[1].casefold() in wanted_names
            )
        for batch in _batches(sorted(named - found.keys())):
            found.update((row[0], row) for row in self.connection.execute(self._organisations.where(org.id.in_(batch))))
        own: dict[str, tuple[str, ...]] = {key: () for key in found}
        for batch in _batches(sorted(found)):
            aliases = select(alias.organisation_id, alias.alias).where(alias.organisation_id.in_(batch))
            for key, value in self.connection.execute(aliases.order_by(alias.organisation_id, alias.position)):
                own[key] = (*own[key], value)
        rows = sorted(found.values(), key=lambda row: (row[2].split("/"), row[3] or 0))
        return [StoredOrganisation(key, name, own[key], seed_file, line) for key, name, seed_file, line in rows]

    @property
    def _organisations(self) -> Any:
        return select(m.Organisation.id, m.Organisation.name, m.Organisation.seed_file, m.Organisation.seed_line)

    def _maybe(self, column: Any, names: list[str]) -> ColumnElement[bool]:
        """The values of `column` that may casefold to one of `names` (ASCII ones): an ASCII value
        casefolds as it lower-cases, so SQL can say; any other is left to Python's casefold()."""
        if self.connection.dialect.name == "sqlite":  # lower() maps ASCII letters only
            return or_(func.lower(column).in_(names), func.length(cast(column, LargeBinary)) != func.length(column))
        return or_(  # under "C", whatever the database's locale (a Turkish one lower-cases I to dotless ı)
            func.lower(column.collate("C")).in_(names), func.octet_length(column) != func.char_length(column)
        )


class _DatabaseClaims:
    """StoredClaims answered by queries: a partial load asks about a few files, not every claim."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.active = m.Claim.status == "active"

    def _column(self, query: Any) -> set[Any]:
        return set(self.connection.execute(query).scalars())

    def files_defining(self, ids: Collection[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for batch in _batches(sorted(ids)):
            query = select(m.Claim.id, m.Claim.seed_file).where(self.active, m.Claim.id.in_(batch))
            found.update(self.connection.execute(query).tuples().all())
        return found

    def ids_in(self, files: Collection[str]) -> set[str]:
        return (
            self._column(select(m.Claim.id).where(self.active, m.Claim.seed_file.in_(sorted(files))))
            if files
            else set()
        )

    def files_using(self, needs: Collection[Need]) -> set[str]:
        conditions: list[ColumnElement[bool]] = []
        by_kind: dict[tuple[str, ...], list[str]] = {}
        for need in needs:
            by_kind.setdefault(need[:-1], []).append(need[-1])
        for kind, keys in by_kind.items():
            if kind == ("organisation",):
                conditions.append(m.Claim.claimant_id.in_(keys))
            elif kind == ("source",):
                conditions.append(m.Claim.made_in_id.in_(keys))
            elif kind == ("place",):
                conditions.append(m.Claim.place.in_(keys))
            elif kind[0] == "term":
                conditions += [getattr(m.Claim, column).in_(keys) for column in _columns_of(kind[1])]
        files = (
            self._column(select(m.Claim.seed_file).where(self.active, or_(*conditions)).distinct())
            if conditions
            else set()
        )
        targets = by_kind.get(("claim",))
        if targets:
            related = select(m.Claim.seed_file).join(m.ClaimRelation, m.ClaimRelation.claim_id == m.Claim.id)
            files |= self._column(related.where(self.active, m.ClaimRelation.target_id.in_(targets)).distinct())
        return files

    def files_dated_by(self, sources: Collection[str]) -> set[str]:
        if not sources:
            return set()
        undated = m.Claim.claimed_on_basis.in_(("publication", "document", "unknown"))  # no date of their own
        return self._column(
            select(m.Claim.seed_file).where(self.active, undated, m.Claim.made_in_id.in_(sorted(sources))).distinct()
        )

    def ids_outside(self, files: Collection[str]) -> list[str]:
        return sorted(self._column(select(m.Claim.id).where(self.active, m.Claim.seed_file.not_in(sorted(files)))))


def _batches(keys: list[str], size: int = BATCH_SIZE) -> Iterator[list[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def _columns_of(vocabulary: str) -> list[str]:
    """The claim columns that hold terms of this vocabulary."""
    from claimsdb.seeds.schema import CLAIM_TYPES, term_column, term_fields

    columns = [
        term_column(kind, name) for kind in CLAIM_TYPES for name, used in term_fields(kind) if used == vocabulary
    ]
    return list(dict.fromkeys(columns))


def load_bundle(
    session: Session, bundle: SeedBundle, *, recapture: Sequence[str] = (), stream: ClaimStream | None = None
) -> LoadReport:
    """Make the database say what the seeds say; raise SeedError (writing nothing) if it cannot.

    With `stream`, a first load's claims were written while the files were parsed (load.stream).
    """
    recaptured = _check_recaptures(session, bundle, set(recapture))
    if stream is not None:
        run = stream.run
    else:
        # started when the seeds began to be read: files.trusted compares the files' times with it
        started = bundle.read_started or dt.datetime.now(dt.UTC)
        run = m.LoadRun(started_at=started, seeds_dir=bundle.root, claimsdb_version=__version__)
        session.add(run)
        session.flush()
    report = LoadReport(
        run_id=run.id, seeds_dir=bundle.root, documents_recaptured=recaptured, files_read=bundle.files_read
    )
    report.files_total = sum(1 for f in _unique_files(bundle.files) if f.kind == "seed")
    if stream is None or stream.references is None:  # else the stream wrote them with the claims
        _sync_reference_data(session, bundle, checked_at_end=stream is not None)
    if stream is not None:
        touched = _streamed_claims(session, stream, report)
    else:
        touched = _sync_claims(session, bundle, run.id, report)
    _sync_assessments(session, bundle)
    _delete_unused(session, bundle)
    refresh_search_index(session, touched)
    insert_rows(session, m.LoadRunFile.__table__, [_file_row(run.id, f) for f in _unique_files(bundle.files)])
    run.finished_at = dt.datetime.now(dt.UTC)
    run.claims_total = report.claims_total
    run.added = len(report.added) + len(report.restored)
    run.changed = len(report.changed)
    run.withdrawn = len(report.withdrawn)
    run.unchanged = report.unchanged
    session.flush()
    if stream is not None:
        stream.check_references()
    return report


def _owned(column: Any, bundle: SeedBundle) -> ColumnElement[bool]:
    """Rows that came from the files this bundle replaces (every row, when it holds every file)."""
    return true() if bundle.full else column.in_(sorted(bundle.scope))


def _unique_files(files: Iterable[SeedFileRecord]) -> list[SeedFileRecord]:
    return list({f.path: f for f in files}.values())


def _file_row(run_id: int, record: SeedFileRecord) -> dict[str, Any]:
    return {
        "run_id": run_id, "path": record.path, "sha256": record.sha256, "kind": record.kind,
        "fingerprint": record.fingerprint,
    }  # fmt: skip


def _check_recaptures(session: Session, bundle: SeedBundle, recapture: set[str]) -> list[str]:
    """A held document's bytes never change silently between loads; returns the re-captured ids."""
    stored: dict[str, str] = {}
    for batch in _batches(sorted({d.id for d in bundle.documents})):  # those read: a partial load reads few
        query = select(m.Document.id, m.Document.sha256).where(m.Document.id.in_(batch))
        stored.update(session.execute(query).tuples().all())
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
    issues += [
        SeedIssue(bundle.root, None, f"--recapture {key}: no such document in the seeds") for key in sorted(unknown)
    ]
    if issues:
        raise SeedError(issues)
    return recaptured


# --- reference data: vocabularies, terms, organisations, sources, documents ------------------------


def _upsert_parts(session: Session, model: type[m.Base], rows: list[dict[str, Any]], checked_at_end: bool) -> None:
    """Rows that may be `part_of` one another: part_of is set once every row exists, unless the
    database checks references only at the end."""
    if checked_at_end:
        _upsert(session, model, rows, keep=("part_of_id",))
        return
    _upsert(session, model, [{**row, "part_of_id": None} for row in rows], keep=("part_of_id",))
    _update_by_id(session, model, [{"key": row["id"], "part_of_id": row["part_of_id"]} for row in rows], "part_of_id")


@dataclass
class ReferenceRows:
    """The rows of the reference tables that some seed files define, as the columns hold them:
    from a whole bundle (load_bundle), or a file at a time (a first load's stream). Link tables
    (aliases, members, reports) have no identity of their own and follow their owners.

    The first definition of an id counts, as SeedBundle's terms do (any other second definition is
    refused by the checks, so nothing written for it is ever committed).
    """

    vocabularies: list[dict[str, Any]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)
    organisations: list[dict[str, Any]] = field(default_factory=list)
    organisation_aliases: list[dict[str, Any]] = field(default_factory=list)
    organisation_members: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    place_aliases: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    source_reports: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    defined: set[tuple[str, str]] = field(default_factory=set)
    """(table, id) of every row added so far, cleared rows included."""

    def add(self, part: FileResult | SeedBundle) -> None:
        """The rows of what `part` (a parsed file, or a bundle) defines."""
        documents = part.documents if isinstance(part, SeedBundle) else [part.document] if part.document else []
        self._add(
            self._first("vocabularies", part.vocabularies), self._first("terms", part.terms),
            self._first("organisations", part.organisations), self._first("places", part.places),
            self._first("sources", part.sources), self._first("documents", documents),
        )  # fmt: skip

    def _first(self, table: str, items: Sequence[Any]) -> list[Any]:
        fresh = [item for item in items if (table, item.id) not in self.defined]
        self.defined.update((table, item.id) for item in fresh)
        return fresh

    def _add(
        self,
        vocabularies: list[VocabularyRecord],
        terms: list[TermRecord],
        organisations: list[OrganisationRecord],
        places: list[PlaceRecord],
        sources: list[SourceRecord],
        documents: list[DocumentRecord],
    ) -> None:
        self.vocabularies += [
            {"id": v.id, "label": v.label, "description": v.description, "seed_file": v.seed_file}
            for v in vocabularies
        ]  # fmt: skip
        self.terms += [
            {"id": t.id, "vocabulary_id": t.vocabulary, "label": t.label, "definition": t.definition,
             "huridocs": t.huridocs}
            for t in terms
        ]  # fmt: skip
        self.organisations += [
            {"id": o.id, "name": o.name, "kind_id": o.kind, "part_of_id": o.part_of, "description": o.description,
             "known": o.known, "described_in_id": o.described_in, "wikidata": o.wikidata, "seed_file": o.seed_file,
             "seed_line": o.seed_line}
            for o in organisations
        ]  # fmt: skip
        self.organisation_aliases += [
            {"organisation_id": o.id, "alias": alias, "position": i}
            for o in organisations for i, alias in enumerate(o.aliases)
        ]  # fmt: skip
        self.organisation_members += [
            {"organisation_id": o.id, "member_id": member, "position": i}
            for o in organisations for i, member in enumerate(o.members)
        ]  # fmt: skip
        self.places += [
            {"id": p.id, "name": p.name, "kind_id": p.kind, "part_of_id": p.part_of, "iso_3166_2": p.iso_3166_2,
             "wikidata": p.wikidata, "description": p.description, "seed_file": p.seed_file,
             "seed_line": p.seed_line}
            for p in places
        ]  # fmt: skip
        self.place_aliases += [
            {"place_id": p.id, "alias": alias, "position": i} for p in places for i, alias in enumerate(p.aliases)
        ]  # fmt: skip
        self.sources += [
            {"id": s.id, "title": s.title, "publisher_id": s.publisher, "published": s.published,
             "published_precision": s.published_precision,
             "published_inferred_reason": s.published_inferred_reason, "url": s.url, "description": s.description,
             "held": s.held, "seed_file": s.seed_file, "seed_line": s.seed_line}
            for s in sources
        ]  # fmt: skip
        self.source_reports += [
            {"source_id": s.id, "reported_id": r, "position": i}
            for s in sources for i, r in enumerate(s.reports_on)
        ]  # fmt: skip
        self.documents += [
            {"id": d.id, "path": d.path, "sha256": d.sha256, "size_bytes": d.size_bytes, "text": d.text}
            for d in documents
        ]  # fmt: skip

    def insert(self, session: Session) -> None:
        """Insert every row, into tables that hold none of them (a first load's), and start afresh."""
        tables = (
            (m.Vocabulary, self.vocabularies), (m.TermRow, self.terms), (m.Organisation, self.organisations),
            (m.OrganisationAlias, self.organisation_aliases), (m.OrganisationMember, self.organisation_members),
            (m.Place, self.places), (m.PlaceAlias, self.place_aliases), (m.Source, self.sources),
            (m.SourceReport, self.source_reports), (m.Document, self.documents),
        )  # fmt: skip
        for model, rows in tables:
            insert_rows(session, model.__table__, rows)
        for each in fields(self):
            if each.name != "defined":
                setattr(self, each.name, [])


def _sync_reference_data(session: Session, bundle: SeedBundle, *, checked_at_end: bool = False) -> None:
    """`checked_at_end`: the database checks references only before commit (a streamed first load)."""
    rows = ReferenceRows()
    rows.add(bundle)
    _upsert(session, m.Vocabulary, rows.vocabularies)
    _upsert(session, m.TermRow, rows.terms)
    _upsert_parts(session, m.Organisation, rows.organisations, checked_at_end)
    _replace_links(session, bundle, m.OrganisationAlias.organisation_id, m.Organisation, rows.organisation_aliases)
    _replace_links(session, bundle, m.OrganisationMember.organisation_id, m.Organisation, rows.organisation_members)
    _upsert_parts(session, m.Place, rows.places, checked_at_end)
    _replace_links(session, bundle, m.PlaceAlias.place_id, m.Place, rows.place_aliases)
    _upsert(session, m.Source, rows.sources)
    _replace_links(session, bundle, m.SourceReport.source_id, m.Source, rows.source_reports)
    _upsert(session, m.Document, rows.documents)


def _sync_assessments(session: Session, bundle: SeedBundle) -> None:
    """Assessments point at claims, so they are rewritten once the claims are in."""
    session.execute(delete(m.Assessment).where(_owned(m.Assessment.seed_file, bundle)))
    columns = {"organisation": "organisation_id", "source": "source_id", "claim": "claim_id"}
    insert_rows(session, m.Assessment.__table__, [
        {"id": a.id, "organisation_id": None, "source_id": None, "claim_id": None, columns[a.target_kind]: a.target_id,
         "reliability": a.reliability, "credibility": a.credibility, "assessor": a.assessor,
         "assessed_on": a.assessed_on, "assessed_on_precision": a.assessed_on_precision, "reason": a.reason,
         "seed_file": a.seed_file, "seed_line": a.seed_line}
        for a in bundle.assessments
    ])  # fmt: skip


def _replace_links(
    session: Session, bundle: SeedBundle, owner_column: Any, owner: Any, rows: list[dict[str, Any]]
) -> None:
    """Link tables have no identity of their own: rewrite the links of the rows the bundle's files own."""
    owned = select(owner.id).where(_owned(owner.seed_file, bundle))
    session.execute(delete(owner_column.table).where(owner_column.in_(owned)))
    insert_rows(session, owner_column.table, rows)


def _upsert(session: Session, model: type[m.Base], rows: list[dict[str, Any]], keep: Sequence[str] = ()) -> None:
    """Insert new rows and update changed ones, by primary key `id`; columns in `keep` are not compared."""
    if not rows:
        return
    table = model.__table__
    compared = [name for name in rows[0] if name not in keep]
    keys = [row["id"] for row in rows]
    existing = {}
    for batch in _batches(keys):  # only the rows in question: a partial load touches few
        query = select(*(table.c[name] for name in compared)).where(table.c.id.in_(batch))
        existing.update({row["id"]: dict(row) for row in session.execute(query).mappings()})
    new = [row for row in rows if row["id"] not in existing]
    changed = [row for row in rows if row["id"] in existing and existing[row["id"]] != {k: row[k] for k in compared}]
    if new:
        insert_rows(session, table, new)
    for row in changed:
        values = {k: row[k] for k in compared if k != "id"}
        session.execute(update(table).where(table.c.id == row["id"]).values(**values))


def insert_rows(
    session: Session, table: Any, rows: list[dict[str, Any]] | list[tuple[Any, ...]], names: Sequence[str] | None = None
) -> None:
    """One executemany straight to the driver, in batches.

    The ORM's bulk insert splits rows by which values are None, and Core's per-row parameter
    processing costs more than SQLite's own work at 100,000 claims; these rows are already exactly
    what the columns hold (str, int, bool, date, None), so they go to the driver as they are.
    Rows are dicts, or tuples in the order of `names`.
    """
    if not rows:
        return
    connection = session.connection()
    names = list(names if names is not None else rows[0])  # type: ignore[arg-type]
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([marker] * len(names))})"
    as_tuple = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    for start in range(0, len(rows), BATCH_SIZE):  # dates as they are: engine.iso_dates_for_sqlite
        in_batch = rows[start : start + BATCH_SIZE]
        batch = [row if isinstance(row, tuple) else as_tuple(row) for row in in_batch]
        connection.exec_driver_sql(sql, batch)


def _delete_unused(session: Session, bundle: SeedBundle) -> None:
    """Remove rows the replaced files no longer define, unless a withdrawn claim still points at them."""
    defined = {
        m.Source: {s.id for s in bundle.sources},
        m.Organisation: {o.id for o in bundle.organisations},
        m.Place: {p.id for p in bundle.places},
        m.Vocabulary: {v.id for v in bundle.vocabularies},
    }
    gone: dict[Any, list[str]] = {}
    for model, wanted in defined.items():
        owned_rows = select(model.id).where(_owned(model.seed_file, bundle))
        # a bundle of every file owns every row, wanted ones included: when the table holds no more
        # rows than are wanted, none is gone (and tens of thousands of ids need not be read)
        if bundle.full and session.scalar(select(func.count()).select_from(model)) == len(wanted):
            gone[model] = []
            continue
        owned = session.scalars(owned_rows).all()
        gone[model] = [key for key in owned if key not in wanted]
    vocabularies = {v.id for v in bundle.vocabularies} | set(gone[m.Vocabulary])
    terms = {t.id for t in bundle.terms}
    owned_terms = session.scalars(select(m.TermRow.id).where(m.TermRow.vocabulary_id.in_(sorted(vocabularies)))).all()
    documents = (
        session.scalars(select(m.Document.id).where(m.Document.id.in_(gone[m.Source]))).all() if gone[m.Source] else []
    )
    unused = (
        (m.Document, documents), (m.Source, gone[m.Source]), (m.Organisation, gone[m.Organisation]),
        (m.Place, gone[m.Place]), (m.TermRow, [t for t in owned_terms if t not in terms]),
        (m.Vocabulary, gone[m.Vocabulary]),
    )  # fmt: skip
    for model, keys in unused:
        for key in keys:
            try:
                with session.begin_nested():
                    session.execute(delete(model).where(model.id == key))
            except IntegrityError:
                pass  # still referenced by a withdrawn claim, which keeps its provenance


# --- claims ---------------------------------------------------------------------------------------

CLAIM_ROW = ("id", *CLAIM_COLUMNS, "content_hash", "status", "changed_run_id", "added_run_id")


def _sync_claims(session: Session, bundle: SeedBundle, run_id: int, report: LoadReport) -> list[str] | None:
    """Add, update, restore and withdraw claims; returns the ids whose text may have changed (None: all)."""
    existing = _existing_claims(session, bundle)
    empty = bundle.full and not existing  # a first load: no claims at all yet
    moved: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    changes: list[tuple[int, str, str]] = []
    in_seeds: set[str] = set()
    relations: list[tuple[str, str, str]] = []
    new_rows: list[tuple[Any, ...]] = []
    with _indexes_built_after(session, *BULK_TABLES, bulk=empty):
        for batch in bundle.claim_batches():  # a seed file at a time: a million claims never sit in memory
            for record in batch:
                if existing:
                    in_seeds.add(record.id)  # to find the claims gone from the seeds (none, in an empty database)
                relations += [(r.claim_id, r.kind, r.target_id) for r in record.relations]
                before = existing.get(record.id)
                if before is None:
                    new_rows.append((record.id, *record.values, record.content_hash, "active", run_id, run_id))
                    report.added.append(record.id)
                    if not empty:  # into an empty table, the change records are made in SQL below
                        changes.append((run_id, record.id, "added"))
                    continue
                if before[:2] == (record.content_hash, "active"):
                    if before[2:] != (record["seed_file"], record["seed_line"]):
                        moved.append(
                            {"key": record.id, "seed_file": record["seed_file"], "seed_line": record["seed_line"]}
                        )
                    continue
                action = "restored" if before[1] == "withdrawn" else "changed"
                (report.restored if action == "restored" else report.changed).append(record.id)
                changes.append((run_id, record.id, action))
                updated.append(
                    {
                        "key": record.id,
                        **record.columns,
                        "content_hash": record.content_hash,
                        "status": "active",
                        "changed_run_id": run_id,
                    }
                )
            if len(new_rows) >= BATCH_SIZE:
                _insert_claims(session, new_rows, changes)
                new_rows, changes = [], []
        _insert_claims(session, new_rows, [change for change in changes if change[2] == "added"])
        changes = [change for change in changes if change[2] != "added"]
        if empty:  # before the indexes are built: relations too, as there is nothing to replace
            record_all_added(session, run_id)
            insert_rows(session, m.ClaimRelation.__table__, relations, names=("claim_id", "kind", "target_id"))
            relations = []
    _update_by_id(session, m.Claim, updated, *CLAIM_COLUMNS, "content_hash", "status", "changed_run_id")
    # the same claim, now at another line or in another file: its provenance follows it
    _update_by_id(session, m.Claim, moved, "seed_file", "seed_line")
    gone = [
        key for key, (_, status, seed_file, _) in existing.items()
        if status == "active" and key not in in_seeds and (bundle.full or seed_file in bundle.scope)
    ]  # fmt: skip
    _update_by_id(
        session,
        m.Claim,
        [{"key": key, "status": "withdrawn", "changed_run_id": run_id} for key in gone],
        "status",
        "changed_run_id",
    )
    report.withdrawn.extend(gone)
    changes.extend((run_id, key, "withdrawn") for key in gone)
    if bundle.full and not empty:  # a first load wrote its relations above
        session.execute(delete(m.ClaimRelation).where(m.ClaimRelation.claim_id.in_(select(m.Claim.id))))
    elif not bundle.full:
        # the claims of the bundle's files are those read before (updated and moved above, each now
        # sits in one of them) and the new ones (without relations yet): by id, not by a pass over
        # every claim's file
        for batch in _batches(sorted(existing)):
            session.execute(delete(m.ClaimRelation).where(m.ClaimRelation.claim_id.in_(batch)))
    insert_rows(session, m.ClaimRelation.__table__, relations, names=("claim_id", "kind", "target_id"))
    insert_rows(session, m.ClaimChange.__table__, changes, names=("run_id", "claim_id", "action"))
    report.claims_total = (
        session.scalar(select(func.count()).select_from(m.Claim).where(m.Claim.status == "active")) or 0
    )
    report.unchanged = (
        report.claims_total - len(report.added) - len(report.changed) - len(report.restored)
    )  # read or not
    return None if empty else [*report.added, *report.changed, *report.restored]


def _streamed_claims(session: Session, stream: ClaimStream, report: LoadReport) -> list[str] | None:
    """The end of a first load whose claims went in while the files were parsed (load.stream)."""
    report.added = stream.finish()
    report.claims_total = len(report.added)
    return []  # the stream put every claim in the search index as it wrote it


def _insert_claims(session: Session, rows: list[tuple[Any, ...]], changes: list[tuple[int, str, str]]) -> None:
    """New claims and, after them, the change records that point at them."""
    insert_rows(session, m.Claim.__table__, rows, names=CLAIM_ROW)
    insert_rows(session, m.ClaimChange.__table__, changes, names=("run_id", "claim_id", "action"))


def record_all_added(session: Session, run_id: int) -> None:
    """A first load's change records, one "added" per claim, made by the database from the claims
    just inserted (in their insertion order, as one executemany of the same rows would)."""
    order = " ORDER BY rowid" if session.get_bind().dialect.name == "sqlite" else ""
    session.execute(
        text(f"INSERT INTO claim_changes (run_id, claim_id, action) SELECT :run_id, id, 'added' FROM claims{order}"),
        {"run_id": run_id},
    )


BULK_TABLES = (m.Claim.__table__, m.ClaimChange.__table__, m.ClaimRelation.__table__)
"""The tables a first load fills with a row or more per claim: their indexes are built after the rows."""


@contextmanager
def _indexes_built_after(session: Session, *tables: Any, bulk: bool) -> Iterator[None]:
    """Into empty tables, insert first and build the secondary indexes once after (a fifth faster)."""
    indexes = drop_indexes(session, *tables) if bulk else []
    yield
    create_indexes(session, indexes)


def drop_indexes(session: Session, *tables: Any) -> list[Any]:
    """Drop the tables' secondary indexes; returns them, for create_indexes.

    Dropped and re-made from the models inside the load's transaction, so they come back exactly
    as the migrations made them (or not at all, if the load fails).
    """
    connection = session.connection()
    indexes = [index for table in tables for index in sorted(table.indexes, key=lambda index: index.name)]
    for index in indexes:
        index.drop(connection)
    return indexes


def create_indexes(session: Session, indexes: list[Any]) -> None:
    connection = session.connection()
    for index in indexes:
        index.create(connection)


def _existing_claims(session: Session, bundle: SeedBundle) -> dict[str, tuple[str, str, str, int | None]]:
    """(content hash, status, seed file, line) of the claims this bundle may touch: all, or few."""
    query = select(m.Claim.id, m.Claim.content_hash, m.Claim.status, m.Claim.seed_file, m.Claim.seed_line)
    connection = session.connection()
    if bundle.full:
        return {key: tuple(rest) for key, *rest in connection.execute(query).tuples()}  # type: ignore[misc]
    found = {
        key: tuple(rest)
        for key, *rest in connection.execute(query.where(m.Claim.seed_file.in_(sorted(bundle.scope)))).tuples()
    }
    for batch in _batches(sorted({record.id for record in bundle.claims} - set(found))):
        found.update(
            {key: tuple(rest) for key, *rest in connection.execute(query.where(m.Claim.id.in_(batch))).tuples()}
        )
    return found  # type: ignore[return-value]


def _update_by_id(session: Session, model: type[m.Base], rows: list[dict[str, Any]], *columns: str) -> None:
    """One executemany UPDATE by id (`key` in each row), not one statement per row."""
    if rows:
        table = model.__table__
        statement = (
            update(table).where(table.c.id == bindparam("key")).values({name: bindparam(name) for name in columns})
        )
        session.connection().execute(statement, rows)


assert set(CLAIM_COLUMNS) <= {c.name for c in m.Claim.__table__.columns}, "records and table drifted apart"
