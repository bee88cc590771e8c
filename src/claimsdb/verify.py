"""Re-check the database file and every stored quote anchor against its document, in the database and on disk.

A claim's anchor was exact when it was loaded; `verify` proves it still is: the document text in
the database still hashes to the recorded sha256, the file on disk still has those bytes, and the
quote still sits between its offsets with the same prefix and suffix. Any drift names the claim.
First, on SQLite, the file itself is checked (`PRAGMA quick_check`): pages of tables verify does
not read (organisations, sources) can be damaged while every anchor still checks out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from claimsdb.db import models as m
from claimsdb.seeds.files import disk_path


@dataclass(frozen=True)
class Drift:
    claim_id: str
    document_id: str
    problem: str


@dataclass
class VerifyReport:
    claims: int = 0
    documents: int = 0
    drift: list[Drift] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    """What SQLite's quick_check (or reading the claims) found wrong with the database file itself."""
    checked_file: bool = False
    """Whether the database file was checked (SQLite); PostgreSQL checks its own pages."""

    @property
    def ok(self) -> bool:
        return not self.drift and not self.damage


def verify(session: Session, seeds_dir: Path | None) -> VerifyReport:
    """The database file's integrity (SQLite), then every anchor; damage found while reading the
    anchors is reported as damage, not raised."""
    report = VerifyReport()
    if session.get_bind().dialect.name == "sqlite":
        report.checked_file = True
        report.damage = file_damage(session)
    try:
        verify_anchors(session, seeds_dir, report)
    except DBAPIError as exc:
        report.damage.append(f"reading the claims and documents failed: {exc.orig}")
    return report


def file_damage(session: Session, most: int = 100) -> list[str]:
    """What SQLite's quick_check finds wrong with the file (empty when it says ok): the O(n) check
    of every page, record and constraint, without the index cross-checks of integrity_check."""
    try:
        found = list(session.execute(text(f"PRAGMA quick_check({int(most)})")).scalars())
    except DBAPIError as exc:
        return [f"SQLite's quick_check could not read the file: {exc.orig}"]
    return [] if found == ["ok"] else [str(line) for line in found]


def verify_anchors(session: Session, seeds_dir: Path | None, report: VerifyReport | None = None) -> VerifyReport:
    report = report if report is not None else VerifyReport()
    for document in session.scalars(select(m.Document).order_by(m.Document.id)):
        report.documents += 1
        problems = _document_problems(document, seeds_dir)
        claims = session.scalars(
            select(m.Claim).where(m.Claim.document_id == document.id).order_by(m.Claim.quote_start, m.Claim.id)
        )
        for claim in claims:
            report.claims += 1
            for problem in [*problems, *_anchor_problems(claim, document)]:
                report.drift.append(Drift(claim.id, document.id, problem))
    return report


def _document_problems(document: m.Document, seeds_dir: Path | None) -> list[str]:
    problems = []
    in_database = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    if in_database != document.sha256:
        problems.append(
            f"the document text in the database was altered: it hashes to {in_database}, not the captured "
            f"{document.sha256}"
        )
    if seeds_dir is not None:
        path = disk_path(seeds_dir, document.path)
        if not path.is_file():
            problems.append(f"the document file {path} is missing")
        else:
            on_disk = hashlib.sha256(path.read_bytes()).hexdigest()
            if on_disk != document.sha256:
                problems.append(f"the document file {path} changed: sha256 {on_disk}, captured {document.sha256}")
    return problems


def _anchor_problems(claim: m.Claim, document: m.Document) -> list[str]:
    text = document.text
    problems = []
    if claim.document_sha256 != document.sha256:
        problems.append(f"anchored against sha256 {claim.document_sha256}, but the document now has {document.sha256}")
    found = text[claim.quote_start : claim.quote_end]
    if found != claim.quote:
        problems.append(
            f"characters {claim.quote_start}-{claim.quote_end} now read {found!r}, not the quote {claim.quote!r}"
        )
    elif not (
        text[: claim.quote_start].endswith(claim.quote_prefix)
        and text[claim.quote_end :].startswith(claim.quote_suffix)
    ):
        problems.append("the text around the quote (prefix/suffix) changed")
    return problems
