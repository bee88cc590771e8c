"""Tables. These describe storage; the seed format lives in `claimsdb.seeds.schema`.

A claim row is wide on purpose: its typed value is spread over real columns (method, offence,
quantity_lower, ...) so queries and exports filter on them directly, and every column that says
where the claim came from (quote anchor, seed file and line, load runs) sits beside them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimsdb.db.base import PATH_LENGTH, Base, Id, LongText, Term
from claimsdb.rules import PRECISIONS, RELATION_KINDS

CLAIM_STATUSES = ("active", "withdrawn")
DATE_BASES = ("stated", "inferred", "publication", "document", "unknown")
CHANGE_ACTIONS = ("added", "changed", "withdrawn", "restored")


def _one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


class Vocabulary(Base):
    __tablename__ = "vocabularies"

    id: Mapped[Id]
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    seed_file: Mapped[str | None] = mapped_column(String(PATH_LENGTH))
    """The seed file that defines it; None only for rows loaded before revision 0004."""


class TermRow(Base):
    """A controlled term (shooting, public_execution, ngo ...), with a label and a definition."""

    __tablename__ = "terms"

    id: Mapped[Id]
    vocabulary_id: Mapped[str] = mapped_column(ForeignKey("vocabularies.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    definition: Mapped[LongText]
    huridocs: Mapped[str | None] = mapped_column(String(300))
    """The equivalent HURIDOCS micro-thesaurus term, where one exists."""


class Organisation(Base):
    """Who makes claims or publishes sources: an NGO, a ministry, a state, an outlet, a person, or
    a claimant the document does not name (an unnamed person or group, a collective), described
    on the claim that cites them."""

    __tablename__ = "organisations"

    id: Mapped[Id]
    name: Mapped[str] = mapped_column(String(300))
    kind_id: Mapped[str] = mapped_column(ForeignKey("terms.id"))
    part_of_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    description: Mapped[str | None] = mapped_column(Text)
    known: Mapped[str | None] = mapped_column(Text)
    """What the document says of an unnamed claimant ("defected in 2023")."""
    wikidata: Mapped[str | None] = mapped_column(String(20))
    described_in_id: Mapped[str | None] = mapped_column(String(120))
    """The held document whose claim describes an unnamed or collective claimant; None for the
    organisations of organisations.yaml. (Not a foreign key: sources already point at
    organisations, and both rows come from the same seed file, so they come and go together.)"""
    seed_file: Mapped[str] = mapped_column(String(PATH_LENGTH))
    seed_line: Mapped[int | None]

    aliases: Mapped[list[OrganisationAlias]] = relationship(
        cascade="all, delete-orphan", order_by="OrganisationAlias.position"
    )


class OrganisationMember(Base):
    """A collective claimant's named members ("UN member countries, among them South Korea")."""

    __tablename__ = "organisation_members"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    position: Mapped[int]


class Place(Base):
    """A named place from the gazetteer: a province, a special city, a town (part_of its province)."""

    __tablename__ = "places"

    id: Mapped[Id]
    name: Mapped[str] = mapped_column(String(300))
    kind_id: Mapped[str] = mapped_column(ForeignKey("terms.id"))
    part_of_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"))
    iso_3166_2: Mapped[str | None] = mapped_column(String(10))
    wikidata: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    seed_file: Mapped[str] = mapped_column(String(PATH_LENGTH))
    seed_line: Mapped[int | None]


class PlaceAlias(Base):
    __tablename__ = "place_aliases"

    place_id: Mapped[str] = mapped_column(ForeignKey("places.id"), primary_key=True)
    alias: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int]


class OrganisationAlias(Base):
    __tablename__ = "organisation_aliases"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    alias: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int]


class Source(Base):
    """A publication in a chain: an article we hold, or a report we know only through one."""

    __tablename__ = "sources"
    __table_args__ = (_one_of("published_precision", PRECISIONS, "published_precision"),)

    id: Mapped[Id]
    title: Mapped[str] = mapped_column(String(1000))
    publisher_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    published: Mapped[dt.date | None] = mapped_column(Date)
    published_precision: Mapped[str | None] = mapped_column(String(5))
    published_inferred_reason: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(Text)
    held: Mapped[bool]
    seed_file: Mapped[str] = mapped_column(String(PATH_LENGTH))
    seed_line: Mapped[int | None]


class SourceReport(Base):
    """`source_id` reports on `reported_id` (the article describes the NGO's report)."""

    __tablename__ = "source_reports"

    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    reported_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    position: Mapped[int]


class Document(Base):
    """The verbatim text of a held source, with the sha256 of its bytes at capture."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(PATH_LENGTH))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    text: Mapped[LongText]


class Claim(Base):
    """One attributed proposition, anchored to its exact words in a held document."""

    __tablename__ = "claims"
    __table_args__ = (
        _one_of("status", CLAIM_STATUSES, "status"),
        _one_of("claimed_on_precision", PRECISIONS, "claimed_on_precision"),
        _one_of("claimed_on_basis", DATE_BASES, "claimed_on_basis"),
        CheckConstraint("quote_start >= 0 AND quote_end > quote_start", name="quote_offsets"),
        # each ends in status, so a list's counts (active claims by type, claimant, publication)
        # read one index from end to end instead of looking every claim up in the table
        Index("ix_claims_type_claimant_status", "type", "claimant_id", "status"),
        Index("ix_claims_claimant_status", "claimant_id", "status"),
        Index("ix_claims_made_in_status", "made_in_id", "status"),
        Index("ix_claims_document_status", "document_id", "made_in_id", "status"),
        # the default order of every listing and export: lets "first page of a search" stop early
        Index("ix_claims_reading_order", "document_id", "quote_start", "id"),
        # a load that reads a few changed files finds the claims they held by file, not by a scan
        Index("ix_claims_seed_file", "seed_file"),
    )

    id: Mapped[Id]
    type: Mapped[str] = mapped_column(String(40))
    statement: Mapped[LongText]
    claimant_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    made_in_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    # the quote anchor: W3C TextQuoteSelector + TextPositionSelector, in code points
    quote: Mapped[LongText]
    quote_start: Mapped[int]
    quote_end: Mapped[int]
    quote_prefix: Mapped[str] = mapped_column(Text)
    quote_suffix: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))
    # when the claim was made, as precisely as known, and how we know
    claimed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    claimed_on_end: Mapped[dt.date | None] = mapped_column(Date, index=True)
    """The last day `claimed_on` can mean at its precision (2017 -> 2017-12-31), for range queries."""
    claimed_on_precision: Mapped[str | None] = mapped_column(String(5))
    claimed_on_basis: Mapped[str] = mapped_column(String(12))
    claimed_on_inferred_reason: Mapped[str | None] = mapped_column(Text)
    claimed_on_edtf: Mapped[str | None] = mapped_column(String(60))
    """The date as EDTF (ISO 8601-2): 2021-12-15, 2021?, 2019/2021, ../2024-06-28; claimed_on and
    claimed_on_end are its earliest and latest days (None: open)."""
    attribution: Mapped[Term] = mapped_column(ForeignKey("terms.id"))
    """How the document attributes the claim (attribution_modes: direct, reported, summarised, own_voice)."""
    # the typed value, one column per field
    method: Mapped[Term] = mapped_column(ForeignKey("terms.id"))
    evidence_method: Mapped[Term] = mapped_column(ForeignKey("terms.id"))
    offence: Mapped[Term] = mapped_column(ForeignKey("terms.id"))
    punishment: Mapped[Term] = mapped_column(ForeignKey("terms.id"))
    measure: Mapped[Term] = mapped_column(ForeignKey("terms.id"))
    location: Mapped[Term] = mapped_column(ForeignKey("terms.id"))
    population: Mapped[str | None] = mapped_column(Text)
    quantity_value: Mapped[int | None] = mapped_column(Integer)
    quantity_lower: Mapped[int | None] = mapped_column(Integer)
    quantity_upper: Mapped[int | None] = mapped_column(Integer)
    quantity_qualifier: Mapped[str | None] = mapped_column(String(20))
    quantity_phrase: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[str | None] = mapped_column(String(10))
    period_end: Mapped[str | None] = mapped_column(String(10))
    period_label: Mapped[str | None] = mapped_column(Text)
    period_inferred_reason: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(ForeignKey("places.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # where the claim came from and what became of it
    seed_file: Mapped[str] = mapped_column(String(PATH_LENGTH))
    seed_line: Mapped[int | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="active")
    added_run_id: Mapped[int] = mapped_column(ForeignKey("load_runs.id"))
    changed_run_id: Mapped[int] = mapped_column(ForeignKey("load_runs.id"))


class Assessment(Base):
    """A curator's grade, kept apart from every claim's own fields: the Admiralty grading of an
    organisation's or publication's reliability (A-F) or of a claim's credibility (1-6)."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("reliability IN ('A', 'B', 'C', 'D', 'E', 'F')", name="reliability"),
        CheckConstraint("credibility BETWEEN 1 AND 6", name="credibility"),
        CheckConstraint(
            "(CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN source_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN claim_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    id: Mapped[Id]
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"), index=True)
    claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"), index=True)
    reliability: Mapped[str | None] = mapped_column(String(1))
    credibility: Mapped[int | None]
    assessor: Mapped[str] = mapped_column(String(300))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    assessed_on_precision: Mapped[str] = mapped_column(String(5))
    reason: Mapped[LongText]
    seed_file: Mapped[str] = mapped_column(String(PATH_LENGTH))
    seed_line: Mapped[int | None]


class ClaimRelation(Base):
    """claim_id <kind> target_id: "the denial contradicts the TJWG's claim"."""

    __tablename__ = "claim_relations"
    __table_args__ = (_one_of("kind", RELATION_KINDS, "kind"),)

    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), primary_key=True, index=True)


class LoadRun(Base):
    """One `claims load`: when, from where, and how many claims it added, changed, withdrew."""

    __tablename__ = "load_runs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    seeds_dir: Mapped[str] = mapped_column(String(1000))
    claimsdb_version: Mapped[str] = mapped_column(String(40))
    claims_total: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)


class LoadRunFile(Base):
    """A seed or document file a run read, with the sha256 of its bytes then."""

    __tablename__ = "load_run_files"

    run_id: Mapped[int] = mapped_column(ForeignKey("load_runs.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(PATH_LENGTH), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    fingerprint: Mapped[str | None] = mapped_column(String(100))
    """Size, mtime, ctime and inode before it was read (seeds.files.file_fingerprint): the next load
    hashes the file only if this differs. None: always hash it."""


class ClaimChange(Base):
    """What a run did to one claim."""

    __tablename__ = "claim_changes"
    __table_args__ = (_one_of("action", CHANGE_ACTIONS, "action"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("load_runs.id"), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), primary_key=True, index=True)
    action: Mapped[str] = mapped_column(String(10))
