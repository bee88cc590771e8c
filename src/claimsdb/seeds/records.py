"""Validated, resolved seed content: what `load` writes, independent of YAML and of SQLAlchemy.

Every reference has been checked, every quote anchored, every default worked out, so the loader
only maps fields onto tables. Each record keeps the seed file and line it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from claimsdb.errors import SeedIssue
from claimsdb.rules import cut_to_precision, last_day


@dataclass(frozen=True)
class TermRecord:
    id: str
    vocabulary: str
    label: str
    definition: str
    huridocs: str | None = None


@dataclass(frozen=True)
class VocabularyRecord:
    id: str
    label: str
    description: str | None
    seed_file: str | None = None


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
    known: str | None = None
    described_in: str | None = None
    """The document whose claim describes this (unnamed or collective) claimant."""
    members: tuple[str, ...] = ()
    wikidata: str | None = None


@dataclass(frozen=True)
class AssessmentRecord:
    """A curator's grade of an organisation, a publication (reliability) or a claim (credibility)."""

    id: str
    target_kind: str  # "organisation", "source" or "claim"
    target_id: str
    reliability: str | None
    credibility: int | None
    assessor: str
    assessed_on: dt.date
    assessed_on_precision: str
    reason: str
    seed_file: str
    seed_line: int | None


@dataclass(frozen=True)
class PlaceRecord:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    part_of: str | None
    iso_3166_2: str | None
    wikidata: str | None
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


@dataclass(frozen=True, slots=True)
class RelationRecord:
    claim_id: str
    kind: str
    target_id: str

    def __reduce__(self) -> tuple[Any, ...]:  # as a plain tuple: workers send a million of these
        return RelationRecord, (self.claim_id, self.kind, self.target_id)


CLAIM_COLUMNS: tuple[str, ...] = (
    "type", "statement", "claimant_id", "made_in_id", "attribution", "document_id",
    "quote", "quote_start", "quote_end", "quote_prefix", "quote_suffix", "document_sha256",
    "claimed_on", "claimed_on_end", "claimed_on_precision", "claimed_on_basis", "claimed_on_inferred_reason",
    "claimed_on_edtf",
    "method", "evidence_method", "offence", "punishment", "measure", "location", "population",
    "quantity_value", "quantity_lower", "quantity_upper", "quantity_qualifier", "quantity_phrase",
    "period_start", "period_end", "period_label", "period_inferred_reason", "place", "note", "seed_file", "seed_line",
)  # fmt: skip
"""The claim columns a seed sets; `load` compares these (all but the last two, where the claim
sits) to detect a changed claim."""


VALUE_COLUMNS: tuple[str, ...] = (
    "method", "evidence_method", "offence", "punishment", "measure", "location", "population",
    "quantity_value", "quantity_lower", "quantity_upper", "quantity_qualifier", "quantity_phrase",
    "period_start", "period_end", "period_label", "period_inferred_reason", "place",
)  # fmt: skip
"""The columns a claim's typed value is spread over."""
TERM_COLUMNS = ("method", "evidence_method", "offence", "punishment", "measure", "location")
"""The value columns that hold controlled vocabulary terms."""


CLAIM_INDEX = {name: index for index, name in enumerate(CLAIM_COLUMNS)}
DATE_COLUMNS = (
    "claimed_on",
    "claimed_on_end",
    "claimed_on_precision",
    "claimed_on_basis",
    "claimed_on_inferred_reason",
    "claimed_on_edtf",
)


_FIRST_DATE = CLAIM_INDEX[DATE_COLUMNS[0]]
_AFTER_DATES = _FIRST_DATE + len(DATE_COLUMNS)


def content_hash_of(values: tuple[Any, ...], relations: Iterable[tuple[str, str]]) -> str:
    """content_hash of a claim given as its values and its relations' (kind, target id) pairs: the
    sha256 of the repr of every column but the last two (seed_file, seed_line: where the claim sits,
    not what it says) and of the sorted pairs. repr() of str, int, None and date values is stable."""
    body = (values[:-2], sorted(relations))
    return hashlib.sha256(repr(body).encode()).hexdigest()


HashParts = tuple[bytes, bytes]
"""The text content_hash_of hashes, less its date columns', UTF-8 encoded: what comes before them
and after (bytes: they cross between processes and into sha256 as they are, never decoded)."""


def hash_parts(values: tuple[Any, ...], relations: Iterable[tuple[str, str]]) -> HashParts:
    """The text of a claim's content hash either side of its date columns.

    A claim may take its date from a source another file defines, known only to the process that
    sees every file; the rest of the text, its reprs most of a hash's cost, is made where the claim
    is parsed. content_hash_from(hash_parts(v, r), hash_dates(dates of v)) == content_hash_of(v, r):
    repr((values, pairs)) is "((" + the values' reprs joined by ", " + "), " + repr(pairs) + ")",
    and UTF-8 encodes it piece by piece as it does whole (repr escapes what UTF-8 cannot hold).
    """
    before = ", ".join(map(repr, values[:_FIRST_DATE]))
    after = ", ".join(map(repr, values[_AFTER_DATES:-2]))
    return f"(({before}, ".encode(), f", {after}), {sorted(relations)!r})".encode()


def hash_dates(dates: Iterable[Any]) -> bytes:
    """The date columns' part of a content hash's text, given their values (DATE_COLUMNS order)."""
    return ", ".join(map(repr, dates)).encode()


def content_hash_from(parts: HashParts, dates: bytes) -> str:
    digest = hashlib.sha256(parts[0])
    digest.update(dates)
    digest.update(parts[1])
    return digest.hexdigest()


def date_columns(
    value: Any, precision: str | None, basis: str, reason: str | None, *, latest: Any = None, edtf: str | None = None
) -> dict[str, Any]:
    """The date columns; a single date's latest day and EDTF form follow from its precision."""
    if value is not None and precision and latest is None and edtf is None:
        latest = last_day(value, precision)
        edtf = cut_to_precision(value, precision)
    return {
        "claimed_on": value,
        "claimed_on_end": latest,
        "claimed_on_precision": precision if (value is not None or latest is not None) else None,
        "claimed_on_basis": basis,
        "claimed_on_inferred_reason": reason,
        "claimed_on_edtf": edtf,
    }


@dataclass(slots=True)  # not frozen: a frozen dataclass is several times slower to build, and we build a million
class ClaimRecord:
    """One claim's row: `values` in CLAIM_COLUMNS order (a tuple: a million of them must fit)."""

    id: str
    values: tuple[Any, ...]
    relations: tuple[RelationRecord, ...] = ()
    content_hash: str = ""
    dated_by: str | None = None
    """The source whose publication date the claim takes, once every file is read; then None."""

    def __getitem__(self, name: str) -> Any:
        return self.values[CLAIM_INDEX[name]]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its fields (workers send claims back by the hundred thousand; 4x faster)."""
        return ClaimRecord, (self.id, self.values, self.relations, self.content_hash, self.dated_by)

    @property
    def columns(self) -> dict[str, Any]:
        return dict(zip(CLAIM_COLUMNS, self.values, strict=True))


@dataclass(frozen=True)
class SeedFileRecord:
    path: str
    sha256: str
    kind: str  # "seed" or "document"
    fingerprint: str | None = None
    """files.file_fingerprint, taken before the bytes were read: lets the next load skip hashing it."""


Need = tuple[str, ...]
"""Something a seed refers to: ("organisation", id), ("place", id), ("source", id), ("claim", id)
or ("term", vocabulary, id)."""


@dataclass(slots=True)
class Definition:
    """One thing a file defines ("vocabulary", name) or a Need, with where, for duplicate messages."""

    key: Need
    line: int | None  # of the item
    id_line: int | None  # of its id (or name)
    id_loc: str  # the id's place, dotted: "claims[3].id"

    def __reduce__(self) -> tuple[Any, ...]:
        return Definition, (self.key, self.line, self.id_line, self.id_loc)


@dataclass(frozen=True)
class Use:
    """Where one reference is written, for messages about it."""

    need: Need
    loc: tuple[str | int, ...]
    line: int | None


@dataclass
class FileResult:
    """What one seed file says, resolved as far as the file alone allows.

    Made in a worker process and sent back whole, so it holds plain records, not pydantic models
    or the YAML line map. What the file refers to elsewhere is in `needs`; `uses` (where each
    reference is written) is only filled when a message needs it.
    """

    path: str  # as the user names it, for messages
    stored_path: str  # "<seeds dir name>/<relative path>": how the database names it
    sha256: str
    fingerprint: str | None = None  # files.file_fingerprint, before the file was read
    issues: list[SeedIssue] = field(default_factory=list)
    broken_ids: frozenset[str] = frozenset()
    vocabularies: list[VocabularyRecord] = field(default_factory=list)
    terms: list[TermRecord] = field(default_factory=list)
    organisations: list[OrganisationRecord] = field(default_factory=list)
    places: list[PlaceRecord] = field(default_factory=list)
    sources: list[SourceRecord] = field(default_factory=list)
    assessments: list[AssessmentRecord] = field(default_factory=list)
    document: DocumentRecord | None = None
    document_file: SeedFileRecord | None = None
    claims: list[ClaimRecord] = field(default_factory=list)
    """While the file is resolved; then packed into `packed_claims` to cross between processes."""
    packed_claims: bytes = b""
    claim_count: int = 0
    claims_dated_by: frozenset[str] = frozenset()
    """The sources whose publication date the file's claims take (ClaimRecord.dated_by)."""
    definitions: list[Definition] = field(default_factory=list)
    """What the file defines, in file order: vocabularies, terms, organisations, sources (and,
    when resolved `with_uses`, claims too)."""
    claim_ids: list[str] = field(default_factory=list)
    claim_lines: list[int | None] = field(default_factory=list)
    """Every claim the file defines (valid or not), in order, and its line: kept lean, as there
    may be a million; where exactly each `id` is written is looked up only for a message."""
    reports_on_at: dict[str, tuple[str, int | None, str]] = field(default_factory=dict)
    """For each source with `reports_on`: (path, line, dotted place) of that list, for messages."""
    needs: set[Need] = field(default_factory=set)
    uses: list[Use] | None = None
    readable: bool = True

    def pack_claims(self, compress: bool = True) -> None:
        """Claims as one compressed blob: a million claims held between parsing and writing take
        a few hundred MB this way, instead of gigabytes as objects. Claims written as soon as they
        are parsed (load.stream) are not held, and not compressed; their content hashes are made
        here, in the worker, as far as the claim alone allows (a PackedClaim's `hashed`)."""
        rows = []
        for c in self.claims:
            pairs = tuple((r.kind, r.target_id) for r in c.relations)
            hashed: str | HashParts | None = None
            if not compress:
                hashed = content_hash_of(c.values, pairs) if c.dated_by is None else hash_parts(c.values, pairs)
            rows.append((c.id, c.values, pairs, c.dated_by, hashed))
        pickled = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        self.packed_claims = zlib.compress(pickled, 1) if compress else pickled
        self.claim_count = len(rows)
        self.claims_dated_by = frozenset(c.dated_by for c in self.claims if c.dated_by is not None)
        self.claims = []


_PICKLED = pickle.dumps(None, protocol=pickle.HIGHEST_PROTOCOL)[:1]
"""The first byte of a pickle (PROTO); a zlib stream starts otherwise (0x78)."""


PackedClaim = tuple[str, tuple[Any, ...], tuple[tuple[str, str], ...], str | None, str | HashParts | None]
"""A claim as pack_claims packs it: (id, values, (relation kind, target id) pairs, dated_by, hashed):
`hashed` is its content hash, or, when it takes its date from a source (dated_by), the hash_parts
that content_hash_from finishes; None in claims packed to be held (compressed)."""


def unpack_claim_rows(packed: bytes) -> list[PackedClaim]:
    """The claims as packed, without making records: a first load writes them as they are (load.stream)."""
    if not packed:
        return []
    pickled = packed if packed[:1] == _PICKLED else zlib.decompress(packed)
    return pickle.loads(pickled)  # type: ignore[no-any-return]  # made by pack_claims in our own worker process


def unpack_claims(packed: bytes) -> list[ClaimRecord]:
    return [
        ClaimRecord(key, values, tuple(RelationRecord(key, kind, target) for kind, target in relations), "", dated_by)
        for key, values, relations, dated_by, _hashed in unpack_claim_rows(packed)
    ]


@dataclass(frozen=True)
class PublishedDate:
    """A source's publication date as stored: what a claim without its own date takes."""

    value: dt.date
    precision: str
    inferred: str | None


class StoredClaims(Protocol):
    """The claims the last load left, asked about as needed (there may be a million of them)."""

    def files_defining(self, ids: Collection[str]) -> dict[str, str]:
        """Which file defines each of these (active) claim ids that exists."""
        ...

    def ids_in(self, files: Collection[str]) -> set[str]:
        """The active claims these files define."""
        ...

    def files_using(self, needs: Collection[Need]) -> set[str]:
        """The files whose claims refer to any of these (as claimant, source, term or related claim)."""
        ...

    def files_dated_by(self, sources: Collection[str]) -> set[str]:
        """The files with claims that take their date from one of these sources."""
        ...

    def ids_outside(self, files: Collection[str]) -> list[str]:
        """Every active claim id defined outside these files (only to suggest the closest to a wrong one)."""
        ...


class NoStoredClaims:
    """No database yet, or a load that reads every file."""

    def files_defining(self, ids: Collection[str]) -> dict[str, str]:
        return {}

    def ids_in(self, files: Collection[str]) -> set[str]:
        return set()

    def files_using(self, needs: Collection[Need]) -> set[str]:
        return set()

    def files_dated_by(self, sources: Collection[str]) -> set[str]:
        return set()

    def ids_outside(self, files: Collection[str]) -> list[str]:
        return []


class StoredDefinitions(Protocol):
    """The organisations, places and assessments the last load left (DEFINED_ON_DEMAND), asked about as
    needed: there may be tens of thousands, and a load after one edit needs a few of them."""

    def files_defining(self, kind: str, ids: Collection[str]) -> dict[str, str]:
        """Which file defines each of these ids of this kind that exists."""
        ...

    def defined_in(self, files: Collection[str]) -> set[Need]:
        """What these files define."""
        ...

    def ids_outside(self, kind: str, files: Collection[str]) -> list[str]:
        """Every id of this kind defined outside these files (only to suggest the closest to a wrong one)."""
        ...

    def files_using(self, needs: Collection[Need]) -> set[str]:
        """The files whose organisations, places, sources or assessments refer to any of these."""
        ...

    def organisations_named(self, names: Collection[str], by_name: Collection[str]) -> list[StoredOrganisation]:
        """The organisations with an id or alias that casefolds to one of `names`, or a name that
        casefolds to one of `by_name` (both casefolded already)."""
        ...


DEFINED_ON_DEMAND = ("organisation", "place", "assessment")
"""The kinds of definition StoredSeeds.definitions answers for; `defined` holds the rest."""


class NoStoredDefinitions:
    """No database yet, or a load that reads every file."""

    def files_defining(self, kind: str, ids: Collection[str]) -> dict[str, str]:
        return {}

    def defined_in(self, files: Collection[str]) -> set[Need]:
        return set()

    def ids_outside(self, kind: str, files: Collection[str]) -> list[str]:
        return []

    def files_using(self, needs: Collection[Need]) -> set[str]:
        return set()

    def organisations_named(self, names: Collection[str], by_name: Collection[str]) -> list[StoredOrganisation]:
        return []


@dataclass(frozen=True)
class StoredOrganisation:
    """An organisation as the database holds it: what `--claimant` matches it by, and where it is defined."""

    id: str
    name: str
    aliases: tuple[str, ...]
    seed_file: str
    seed_line: int | None


@dataclass
class StoredSeeds:
    """What the database says the seeds were at the last load: lets a load re-read only changed files.

    `defined` maps each vocabulary, term and source (see Need; also ("vocabulary", name)) to the seed
    file that defines it; organisations, places and assessments, which may be many, are asked about
    through `definitions`, and claims, which may be more, through `claims`.
    """

    run_id: int | None = None
    files: dict[str, str] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    """The files' fingerprints (files.file_fingerprint) where the last load recorded one."""
    defined: dict[Need, str] = field(default_factory=dict)
    published: dict[str, PublishedDate | None] = field(default_factory=dict)
    reports_on: dict[str, tuple[str, ...]] = field(default_factory=dict)
    document_files: dict[str, str] = field(default_factory=dict)
    """A held document's stored path -> the seed file that describes it."""
    definitions: StoredDefinitions = field(default_factory=NoStoredDefinitions)
    claims: StoredClaims = field(default_factory=NoStoredClaims)
    complete: bool = False
    """False when the database cannot say which file defines everything: then read every file."""


@dataclass
class SeedBundle:
    """The seed files a load read, valid and resolved, and what they replace.

    `scope` names the seed files whose rows this bundle replaces (the files read and the files
    gone); rows from other files stay as they are. `files` lists every current file, read or not.
    """

    root: str
    files: list[SeedFileRecord] = field(default_factory=list)
    vocabularies: list[VocabularyRecord] = field(default_factory=list)
    terms: list[TermRecord] = field(default_factory=list)
    organisations: list[OrganisationRecord] = field(default_factory=list)
    places: list[PlaceRecord] = field(default_factory=list)
    sources: list[SourceRecord] = field(default_factory=list)
    assessments: list[AssessmentRecord] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)
    claim_packs: list[bytes] = field(default_factory=list)
    claim_count: int = 0
    finish: Callable[[list[ClaimRecord]], None] = lambda records: None
    """Fills in dates taken from sources and the content hash (see validate.ClaimFinisher)."""
    scope: set[str] = field(default_factory=set)
    full: bool = True
    """Whether the bundle holds every seed file (then every row is replaced, whatever its file)."""
    files_read: int = 0
    read_started: dt.datetime | None = None
    """When reading the seeds began (UTC): the load run's start, before any file was looked at."""

    def claim_batches(self) -> Iterator[list[ClaimRecord]]:
        """The claims, finished, one seed file at a time: never all of them in memory at once."""
        for packed in self.claim_packs:
            records = unpack_claims(packed)
            self.finish(records)
            yield records

    @property
    def claims(self) -> list[ClaimRecord]:
        """Every claim at once: for checks and small seed sets (`load` uses claim_batches)."""
        return [record for batch in self.claim_batches() for record in batch]
