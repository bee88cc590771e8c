"""One seed file on its own: parsed, validated, its document read, its quotes anchored.

This runs in worker processes, one file at a time, so it settles everything a file can settle
alone (most of a load's work) and sends back plain records. What the file refers to in other
files (claimants, sources, related claims, vocabulary terms) it only lists, as `needs`;
`validate.py` checks those once every file is in. Claims that take their date from a source
defined elsewhere get it there too (`ClaimRecord.dated_by`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from operator import itemgetter
from pathlib import Path
from stat import S_ISREG
from typing import Any

from claimsdb.errors import SeedIssue, dotted
from claimsdb.seeds import schema
from claimsdb.seeds.anchor import AnchorNotFound, anchor_quote
from claimsdb.seeds.files import RealPaths, fingerprint_of, stored_path
from claimsdb.seeds.parse import Loc, decode_text
from claimsdb.seeds.read import SeedFileInput, read_seed_file
from claimsdb.seeds.records import (
    date_columns,
    CLAIM_COLUMNS,
    AssessmentRecord,
    VALUE_COLUMNS,
    ClaimRecord,
    Definition,
    DocumentRecord,
    FileResult,
    Need,
    OrganisationRecord,
    PlaceRecord,
    RelationRecord,
    SeedFileRecord,
    SourceRecord,
    TermRecord,
    Use,
    VocabularyRecord,
)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
"""A held document larger than this is refused (a news article is a few kilobytes)."""

ORGANISATION_KINDS = "organisation_kinds"
PLACE_KINDS = "place_kinds"
ATTRIBUTION_MODES = "attribution_modes"
OWN_VOICE = "own_voice"
"""The attribution of a claim the document's publisher makes in its own article, unless the curator says otherwise."""


def resolve_file(
    root: Path, path: Path, *, with_uses: bool = False, compress: bool = True, real: RealPaths | None = None
) -> FileResult:
    """Everything one file says, as records; `with_uses` also records where each reference is;
    `compress`: whether its claims are packed compressed (FileResult.pack_claims); `real`: where
    files really are, shared by a batch of files (files.RealPaths)."""
    real = real or RealPaths(root)  # both the file and its document are checked against the folder
    one, issues = read_seed_file(root, path, real)
    if one is None:
        return FileResult(str(path), stored_path(root, path), "", issues=issues, readable=False)
    result = FileResult(
        str(path), one.stored_path, one.parsed.sha256, one.parsed.fingerprint, issues=issues, broken_ids=one.broken_ids
    )
    if with_uses:
        result.uses = []
    _FileResolver(root, one, result, real).resolve()
    result.pack_claims(compress)
    return result


class _FileResolver:
    def __init__(self, root: Path, one: SeedFileInput, result: FileResult, real: RealPaths) -> None:
        self.root = root
        self.real = real
        self.one = one
        self.result = result
        self.text: str | None = None
        self.local_sources: dict[str, schema.SourceSeed] = {}
        self.described: dict[str, tuple[OrganisationRecord, int | None]] = {}
        """Claimants described on this file's claims, by id, with the line that first describes each."""
        self.document_bound: dict[str, Any] | None = None
        """The date columns of a claim dated only by its document (shared: never changed once made)."""

    def issue(self, loc: Loc, message: str) -> None:
        self.result.issues.append(
            SeedIssue(self.one.parsed.path, self.one.parsed.line_of(loc), f"{dotted(loc)}: {message}")
        )

    def need(self, need: Need, loc: Loc) -> None:
        self.result.needs.add(need)
        if self.result.uses is not None:
            self.result.uses.append(Use(need, loc, self.one.parsed.line_of(loc)))

    def define(self, key: Need, loc: Loc, id_loc: Loc | None = None) -> None:
        line = self.one.parsed.line_of(loc)
        id_line = self.one.parsed.line_of(id_loc if id_loc is not None else (*loc, "id"))
        self.result.definitions.append(
            Definition(key, line, id_line, dotted(id_loc if id_loc is not None else (*loc, "id")))
        )

    def resolve(self) -> None:
        content = self.one.content
        for name, vocabulary in content.vocabularies.items():
            self._vocabulary(name, vocabulary)
        for index, org in enumerate(content.organisations):
            self._organisation(org, ("organisations", self.one.original_index("organisations", index)))
        for index, place in enumerate(content.places):
            self._place(place, ("places", self.one.original_index("places", index)))
        for index, source in enumerate(content.sources):
            self._source(source, ("sources", self.one.original_index("sources", index)))
        if content.document is not None:
            self._source(content.document, ("document",))
            self._document(content.document)
        for index, assessment in enumerate(content.assessments):
            self._assessment(assessment, ("assessments", self.one.original_index("assessments", index)))
        for index, claim in enumerate(content.claims):
            loc = ("claims", self.one.original_index("claims", index))
            self.result.claim_ids.append(claim.id)
            self.result.claim_lines.append(self.one.parsed.line_of(loc))
            if self.result.uses is not None:  # resolved for a message: say exactly where
                self.define(("claim", claim.id), loc)
            record = self._claim(claim, loc)
            if record is not None:
                self.result.claims.append(record)

    # -- definitions -----------------------------------------------------------------------------

    def _vocabulary(self, name: str, vocabulary: schema.VocabularySeed) -> None:
        loc = ("vocabularies", name)
        self.define(("vocabulary", name), loc, loc)
        self.result.vocabularies.append(
            VocabularyRecord(name, vocabulary.label, vocabulary.description, self.one.stored_path)
        )
        for term_id, term in vocabulary.terms.items():
            self.define(("term", name, term_id), (*loc, "terms", term_id), (*loc, "terms", term_id))
            self.result.terms.append(TermRecord(term_id, name, term.label, term.definition, term.huridocs))

    def _organisation(self, org: schema.OrganisationSeed, loc: Loc) -> None:
        self.define(("organisation", org.id), loc)
        self.need(("term", ORGANISATION_KINDS, org.kind), (*loc, "kind"))
        if org.kind in schema.UNNAMED_KINDS:
            self.issue(
                (*loc, "kind"),
                f"{org.kind!r} is for claimants a document does not name; describe them on the claim that cites "
                f"them (claimant: {{kind: {org.kind}, name: ...}}) instead of inventing an organisation",
            )
        if org.part_of == org.id:
            self.issue((*loc, "part_of"), "an organisation cannot be part of itself")
        elif org.part_of is not None:
            self.need(("organisation", org.part_of), (*loc, "part_of"))
        self.result.organisations.append(
            OrganisationRecord(
                org.id, org.name, org.kind, tuple(dict.fromkeys(org.aliases)), org.part_of,
                org.description, self.one.stored_path, self.one.parsed.line_of(loc), wikidata=org.wikidata,
            )
        )  # fmt: skip

    def _assessment(self, assessment: schema.AssessmentSeed, loc: Loc) -> None:
        self.define(("assessment", assessment.id), loc)
        kind, target = assessment.target.kind_and_id()
        self.need((kind, target), (*loc, "target", kind))
        self.result.assessments.append(
            AssessmentRecord(
                assessment.id, kind, target, assessment.reliability, assessment.credibility, assessment.assessor,
                assessment.assessed_on.value, assessment.assessed_on.precision, assessment.reason,
                self.one.stored_path, self.one.parsed.line_of(loc),
            )
        )  # fmt: skip

    def _place(self, place: schema.PlaceSeed, loc: Loc) -> None:
        self.define(("place", place.id), loc)
        self.need(("term", PLACE_KINDS, place.kind), (*loc, "kind"))
        if place.part_of == place.id:
            self.issue((*loc, "part_of"), "a place cannot be part of itself")
        elif place.part_of is not None:
            self.need(("place", place.part_of), (*loc, "part_of"))
        self.result.places.append(
            PlaceRecord(
                place.id, place.name, place.kind, tuple(dict.fromkeys(place.aliases)), place.part_of, place.iso_3166_2,
                place.wikidata, place.description, self.one.stored_path, self.one.parsed.line_of(loc),
            )
        )  # fmt: skip

    def _described_claimant(self, claimant: schema.DescribedClaimant, document_id: str, loc: Loc) -> str:
        """The id of a claimant described on a claim; described once per file, however many claims cite it."""
        key = claimant.id or described_claimant_id(document_id, claimant.name)
        line = self.one.parsed.line_of(loc)
        record = OrganisationRecord(
            key, claimant.name, claimant.kind, (), claimant.part_of, None, self.one.stored_path, line,
            claimant.known, document_id, tuple(dict.fromkeys(claimant.members)),
        )  # fmt: skip
        first = self.described.get(key)
        if first is not None:
            if first[0] != replace(record, seed_line=first[0].seed_line):
                self.issue(
                    loc,
                    f"another claim (line {first[1]}) describes the claimant {key!r} differently; if these are "
                    "different people or groups, give each its own `id:`; if the same, describe them alike",
                )
            return key
        self.described[key] = (record, line)
        self.define(("organisation", key), loc, (*loc, "id") if claimant.id else (*loc, "name"))
        self.need(("term", ORGANISATION_KINDS, claimant.kind), (*loc, "kind"))
        if claimant.part_of is not None:
            self.need(("organisation", claimant.part_of), (*loc, "part_of"))
        for index, member in enumerate(claimant.members):
            self.need(("organisation", member), (*loc, "members", index))
        self.result.organisations.append(record)
        return key

    def _source(self, source: schema.SourceSeed, loc: Loc) -> None:
        self.define(("source", source.id), loc)
        self.local_sources.setdefault(source.id, source)
        if source.publisher is not None:
            self.need(("organisation", source.publisher), (*loc, "publisher"))
        for index, target in enumerate(source.reports_on):
            self.need(("source", target), (*loc, "reports_on", index))
        if source.reports_on:
            where = (*loc, "reports_on")
            self.result.reports_on_at.setdefault(
                source.id, (self.one.parsed.path, self.one.parsed.line_of(where), dotted(where))
            )
        published = source.published
        self.result.sources.append(
            SourceRecord(
                source.id, source.title, source.publisher,
                published.date.value if published else None, published.date.precision if published else None,
                published.inferred if published else None, source.url, source.reports_on, source.description,
                isinstance(source, schema.DocumentSeed), self.one.stored_path, self.one.parsed.line_of(loc),
            )
        )  # fmt: skip

    def _document(self, document: schema.DocumentSeed) -> None:
        loc: Loc = ("document",)
        path = self.root / document.file
        try:
            resolved = self.real.real(path)
            stat = resolved.stat()  # before reading: the fingerprint is of the bytes read, as for seed files
        except (RuntimeError, OSError, ValueError):
            self.issue(
                (*loc, "file"),
                f"document file {document.file!r} not found; paths are relative to the seeds directory ({self.root})",
            )
            return
        if not resolved.is_relative_to(self.real.root):
            self.issue(
                (*loc, "file"),
                f"document file {document.file!r} leads outside the seeds directory; keep documents under it (e.g. "
                "documents/)",
            )
            return
        if not S_ISREG(stat.st_mode):
            self.issue((*loc, "file"), f"document file {document.file!r} is not a file")
            return
        if stat.st_size > MAX_DOCUMENT_BYTES:
            self.issue(
                (*loc, "file"), f"document file {document.file!r} is over the {MAX_DOCUMENT_BYTES // 2**20} MiB limit"
            )
            return
        fingerprint = fingerprint_of(stat)
        raw = resolved.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if document.sha256 is not None and document.sha256 != digest:
            self.issue(
                (*loc, "sha256"),
                f"the bytes of {document.file!r} changed since capture: recorded sha256 {document.sha256}, "
                f"file has {digest}. A held document is never edited; restore it, or, if this is a deliberate "
                "re-capture, put the new sha256 here",
            )
            return
        text, problem = decode_text(raw, document.file)
        if problem is not None:
            self.issue((*loc, "file"), f"document file {document.file!r}: {problem.message.replace('the file', 'it')}")
            return
        stored = stored_path(self.root, path)
        self.text = text or ""
        self.result.document = DocumentRecord(
            document.id, stored, digest, self.text, len(raw), document.sha256 is not None
        )
        self.result.document_file = SeedFileRecord(stored, digest, "document", fingerprint)

    # -- claims ----------------------------------------------------------------------------------

    def _claim(self, claim: schema.ClaimBase, loc: Loc) -> ClaimRecord | None:
        document = self.one.content.document
        assert document is not None  # SeedFile guarantees claims sit beside their document
        if isinstance(claim.claimant, schema.DescribedClaimant):
            claimant = self._described_claimant(claim.claimant, document.id, (*loc, "claimant"))
        else:
            claimant = claim.claimant
            self.need(("organisation", claimant), (*loc, "claimant"))
        if claim.made_in is not None:
            self.need(("source", claim.made_in), (*loc, "made_in"))
        relations = []
        for kind, target in claim.relations():
            index = getattr(claim, kind).index(target)
            if target == claim.id:
                self.issue((*loc, kind, index), "a claim cannot relate to itself")
                continue
            self.need(("claim", target), (*loc, kind, index))
            relations.append(RelationRecord(claim.id, kind, target))
        attribution = self._attribution(claim, claimant, document, loc)
        value_columns = self._value_columns(claim, loc)
        anchor_columns = self._anchor(claim, loc)
        date = self._date(claim, document, loc)
        if value_columns is None or anchor_columns is None or attribution is None or date is None:
            return None
        made_in = claim.made_in
        if made_in is None and claimant == document.publisher:
            made_in = document.id  # the outlet speaking in its own article
        columns = {
            "type": claim.type,
            "statement": claim.statement,
            "claimant_id": claimant,
            "made_in_id": made_in,
            "attribution": attribution,
            "document_id": document.id,
            **anchor_columns,
            **date,
            **value_columns,
            "note": claim.note,
            "seed_file": self.one.stored_path,
            "seed_line": self.one.parsed.line_of(loc),
        }
        values = _claim_values(columns)
        dated_by = made_in if claim.claimed_on is None and made_in is not None else None
        return ClaimRecord(claim.id, values, tuple(relations), dated_by=dated_by)

    def _attribution(
        self, claim: schema.ClaimBase, claimant: str, document: schema.DocumentSeed, loc: Loc
    ) -> str | None:
        """How the document attributes the claim; only the publisher's own claims may leave it out."""
        if claim.attribution is not None:
            self.need(("term", ATTRIBUTION_MODES, claim.attribution), (*loc, "attribution"))
            return claim.attribution
        if claimant == document.publisher:
            self.need(("term", ATTRIBUTION_MODES, OWN_VOICE), (*loc, "claimant"))
            return OWN_VOICE
        self.issue(
            loc,
            "say how the document attributes this claim: attribution: direct (the claimant's quoted words), "
            'reported ("the report said", "according to"), summarised (the outlet sums up the claimant\'s '
            "publication) or own_voice (the outlet's own assertion; then the claimant is its publisher)",
        )
        return None

    def _date(self, claim: schema.ClaimBase, document: schema.DocumentSeed, loc: Loc) -> dict[str, Any] | None:
        """The claim's own date, or, until its publication's date is known, the held document's bound."""
        published = document.published
        held_until = published.date.last_day() if published else None
        if claim.claimed_on is None:
            if published is None:
                return date_columns(None, None, "unknown", None)
            bound = self.document_bound
            if bound is None:  # the same for every undated claim of the file: made once
                bound = document_bound(document.id, published.date.value, published.date.precision)
                self.document_bound = bound
            return bound
        span = claim.claimed_on.span()
        if held_until is not None and span.earliest is not None and span.earliest > held_until:
            self.issue(
                (*loc, "claimed_on"),
                f"{span.edtf} is after the document it was recorded from "
                f"({published.date.iso() if published else ''}); "
                "a claim is made no later than the text that reports it: check the date",
            )
            return None
        return claimed_on_columns(claim.claimed_on)

    def _anchor(self, claim: schema.ClaimBase, loc: Loc) -> dict[str, Any] | None:
        if self.text is None or self.result.document is None:
            return None  # the document's own problem was reported already
        try:
            anchor = anchor_quote(self.text, claim.quote, claim.occurrence, claim.quote_prefix)
        except AnchorNotFound as exc:
            self.issue((*loc, "quote"), str(exc))
            return None
        return {
            "quote": anchor.exact,
            "quote_start": anchor.start,
            "quote_end": anchor.end,
            "quote_prefix": anchor.prefix,
            "quote_suffix": anchor.suffix,
            "document_sha256": self.result.document.sha256,
        }

    def _value_columns(self, claim: schema.ClaimBase, loc: Loc) -> dict[str, Any] | None:
        columns: dict[str, Any] = dict.fromkeys(VALUE_COLUMNS)
        value = claim.__dict__.get("value")
        if value is None:
            return columns
        fields = value.__dict__  # a model's set fields; getattr on an absent one is slow in pydantic
        ok = True
        for field_name, vocabulary in _TERM_FIELDS_BY_TYPE[claim.type]:
            term = fields.get(field_name)
            if term is not None:
                self.need(("term", vocabulary, term), (*loc, "value", field_name))
            columns[schema.term_column(claim.type, field_name)] = term
        columns["population"] = fields.get("population")
        place = fields.get("place")
        if place is not None:
            self.need(("place", place), (*loc, "value", "place"))
            columns["place"] = place
        for field_name in ("quantity", "size"):
            quantity = fields.get(field_name)
            if quantity is None:
                continue
            columns.update(quantity.columns())
            if quantity.phrase and quantity.phrase not in claim.quote:
                self.issue(
                    (*loc, "value", field_name, "phrase"),
                    f"the phrase {quantity.phrase!r} is not in the quote; the phrase must be the quote's own words",
                )
                ok = False
        period = fields.get("period")
        if period is not None:
            columns["period_start"] = period.start.iso() if period.start else None
            columns["period_end"] = period.end.iso() if period.end else None
            columns["period_label"] = period.label
            columns["period_inferred_reason"] = period.inferred
        return columns if ok else None


def claimed_on_columns(claimed_on: schema.ClaimDate) -> dict[str, Any]:
    """A claim's own date: a day, month or year, or an interval, as the curator wrote it."""
    span = claimed_on.span()
    basis = "inferred" if claimed_on.inferred else "stated"
    return date_columns(span.earliest, span.precision, basis, claimed_on.inferred, latest=span.latest, edtf=span.edtf)


def document_bound(document_id: str, published: Any, precision: str) -> dict[str, Any]:
    """A claim recorded from a dated document was made no later than that document."""
    latest = schema.last_day(published, precision)
    written = schema.PartialDate.model_construct(value=published, precision=precision).iso()
    reason = f"made no later than {document_id}, the document it was recorded from (published {written})"
    return date_columns(None, precision, "document", reason, latest=latest, edtf=f"../{written}")


def described_claimant_id(document_id: str, name: str) -> str:
    """The id of an unnamed claimant given none: the document's id and the words describing them."""
    words = (
        re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
        or "claimant-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    )
    return f"{document_id}--{words}"[:120].rstrip("-_")


_claim_values: Callable[[dict[str, Any]], tuple[Any, ...]] = itemgetter(*CLAIM_COLUMNS)
"""A claim's columns in CLAIM_COLUMNS order, as a tuple."""
_TERM_FIELDS_BY_TYPE = {claim_type: tuple(schema.term_fields(claim_type)) for claim_type in schema.CLAIM_TYPES}
