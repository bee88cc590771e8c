"""Validated, resolved seed content: what `load` writes, independent of YAML and of SQLAlchemy.

Every reference has been checked, every quote anchored, every default worked out, so the loader
only maps fields onto tables. Each record keeps the seed file and line it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TermRecord:
    id: str
    vocabulary: str
    label: str
    definition: str


@dataclass(frozen=True)
class VocabularyRecord:
    id: str
    label: str
    description: str | None


@dataclass(frozen=True)
class OrganisationRecord:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    part_of: str | None
    description: str | None
    seed_file: str
    seed_line: int | None


@dataclass(frozen=True)
class SourceRecord:
    id: str
    title: str
    publisher: str | None
    published: dt.date | None
    published_precision: str | None
    published_inferred_reason: str | None
    url: str | None
    reports_on: tuple[str, ...]
    description: str | None
    held: bool
    seed_file: str
    seed_line: int | None


@dataclass(frozen=True)
class DocumentRecord:
    id: str
    path: str
    sha256: str
    text: str
    size_bytes: int
    pinned: bool  # the seed records this sha256: a changed file is then an explicit re-capture


@dataclass(frozen=True)
class RelationRecord:
    claim_id: str
    kind: str
    target_id: str


CLAIM_COLUMNS: tuple[str, ...] = (
    "type", "statement", "claimant_id", "made_in_id", "document_id",
    "quote", "quote_start", "quote_end", "quote_prefix", "quote_suffix", "document_sha256",
    "claimed_on", "claimed_on_end", "claimed_on_precision", "claimed_on_basis", "claimed_on_inferred_reason",
    "method", "evidence_method", "offence", "punishment", "measure", "location", "population",
    "quantity_value", "quantity_lower", "quantity_upper", "quantity_qualifier", "quantity_phrase",
    "period_start", "period_end", "period_label", "note", "seed_file", "seed_line",
)  # fmt: skip
"""The claim columns a seed sets, in table order; `load` compares these to detect a changed claim."""


VALUE_COLUMNS: tuple[str, ...] = (
    "method", "evidence_method", "offence", "punishment", "measure", "location", "population",
    "quantity_value", "quantity_lower", "quantity_upper", "quantity_qualifier", "quantity_phrase",
    "period_start", "period_end", "period_label",
)  # fmt: skip
"""The columns a claim's typed value is spread over."""
TERM_COLUMNS = ("method", "evidence_method", "offence", "punishment", "measure", "location")
"""The value columns that hold controlled vocabulary terms."""


@dataclass(frozen=True)
class ClaimRecord:
    id: str
    columns: dict[str, Any]
    relations: tuple[RelationRecord, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.columns[name]


@dataclass(frozen=True)
class SeedFileRecord:
    path: str
    sha256: str
    kind: str  # "seed" or "document"


@dataclass
class SeedBundle:
    """Everything in one seeds directory, valid and resolved."""

    root: str
    files: list[SeedFileRecord] = field(default_factory=list)
    vocabularies: list[VocabularyRecord] = field(default_factory=list)
    terms: list[TermRecord] = field(default_factory=list)
    organisations: list[OrganisationRecord] = field(default_factory=list)
    sources: list[SourceRecord] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)
