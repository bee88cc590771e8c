"""Cross-file checks and resolution: ids, references, vocabulary terms, documents and quotes.

Each file was valid on its own; here the files meet. Every problem becomes a SeedIssue with the
file and line of the offending value, and checking goes on so one run reports all of them.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimsdb.errors import SeedIssue
from claimsdb.seeds import schema
from claimsdb.seeds.anchor import AnchorNotFound, anchor_quote
from claimsdb.seeds.parse import Loc, decode_text
from claimsdb.seeds.read import SeedFileInput, dotted
from claimsdb.seeds.records import (
    ClaimRecord,
    DocumentRecord,
    OrganisationRecord,
    RelationRecord,
    SeedBundle,
    SeedFileRecord,
    SourceRecord,
    VALUE_COLUMNS,
    TermRecord,
    VocabularyRecord,
)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
"""A held document larger than this is refused (a news article is a few kilobytes)."""

ORGANISATION_KINDS = "organisation_kinds"


@dataclass(frozen=True)
class _Where:
    """Where a value was written, for messages."""

    file: SeedFileInput
    loc: Loc

    def issue(self, message: str, *more: str | int) -> SeedIssue:
        loc = (*self.loc, *more)
        return SeedIssue(self.file.parsed.path, self.file.parsed.line_of(loc), f"{dotted(loc)}: {message}")


class _Resolver:
    def __init__(self, root: Path, inputs: list[SeedFileInput], unreadable: dict[str, frozenset[str]]) -> None:
        self.root = root
        self.unreadable = unreadable
        self.maybe_defined = frozenset().union(*unreadable.values())
        self.unchecked = 0  # references not judged because a file that may define them is unreadable
        self.inputs = inputs
        self.issues: list[SeedIssue] = []
        self.bundle = SeedBundle(root=str(root))
        self.terms: dict[str, TermRecord] = {}
        self.organisations: dict[str, tuple[schema.OrganisationSeed, _Where]] = {}
        self.sources: dict[str, tuple[schema.SourceSeed, _Where]] = {}
        self.claims: dict[str, tuple[schema.ClaimBase, _Where, SeedFileInput]] = {}
        self.texts: dict[str, str] = {}
        self.documents: dict[str, DocumentRecord] = {}
        self.broken_ids: set[str] = {key for one in inputs for key in one.broken_ids}

    # -- collecting ids ------------------------------------------------------------------------

    def _register(self, table: dict[str, Any], key: str, value: Any, where: _Where, what: str) -> bool:
        if key in table:
            first = table[key][1] if isinstance(table[key], tuple) else None
            first_at = f" (first in {first.file.parsed.path}:{first.file.parsed.line_of(first.loc)})" if first else ""
            self.issues.append(where.issue(f"duplicate {what} id {key!r}{first_at}; ids must be unique across all seed files", "id"))
            return False
        table[key] = value
        return True

    def collect(self) -> None:
        for one in self.inputs:
            content = one.content
            for name, vocabulary in content.vocabularies.items():
                self._collect_vocabulary(name, vocabulary, _Where(one, ("vocabularies", name)))
            for index, org in enumerate(content.organisations):
                where = _Where(one, ("organisations", one.original_index("organisations", index)))
                self._register(self.organisations, org.id, (org, where), where, "organisation")
            for index, source in enumerate(content.sources):
                where = _Where(one, ("sources", one.original_index("sources", index)))
                self._register(self.sources, source.id, (source, where), where, "source")
            if content.document is not None:
                where = _Where(one, ("document",))
                self._register(self.sources, content.document.id, (content.document, where), where, "source")
            for index, claim in enumerate(content.claims):
                where = _Where(one, ("claims", one.original_index("claims", index)))
                self._register(self.claims, claim.id, (claim, where, one), where, "claim")

    def _collect_vocabulary(self, name: str, vocabulary: schema.VocabularySeed, where: _Where) -> None:
        if any(v.id == name for v in self.bundle.vocabularies):
            self.issues.append(where.issue(f"vocabulary {name!r} is defined twice; keep one definition"))
            return
        self.bundle.vocabularies.append(VocabularyRecord(name, vocabulary.label, vocabulary.description))
        for term_id, term in vocabulary.terms.items():
            if term_id in self.terms:
                other = self.terms[term_id].vocabulary
                self.issues.append(where.issue(f"term {term_id!r} is already in vocabulary {other!r}; term ids are unique across vocabularies", "terms", term_id))
                continue
            self.terms[term_id] = TermRecord(term_id, name, term.label, term.definition)

    # -- checking references -------------------------------------------------------------------

    def term(self, vocabulary: str, term: str | None, where: _Where, *loc: str | int) -> None:
        if term is None:
            return
        record = self.terms.get(term)
        if record is not None and record.vocabulary == vocabulary:
            return
        if term in self.maybe_defined:
            self.unchecked += 1
            return
        known = sorted(t.id for t in self.terms.values() if t.vocabulary == vocabulary)
        if not known:
            self.issues.append(where.issue(f"{term!r} needs the vocabulary {vocabulary!r}, which no seed file defines", *loc))
            return
        close = difflib.get_close_matches(term, known, n=3, cutoff=0.4)
        hint = f"closest known: {', '.join(close)}" if close else f"known: {', '.join(known[:12])}"
        self.issues.append(
            where.issue(
                f"unknown {vocabulary} term {term!r} ({hint}); use a known term or add it, with a label "
                f"and definition, under vocabularies.{vocabulary}",
                *loc,
            )
        )

    def reference(self, table: dict[str, Any], what: str, key: str | None, where: _Where, *loc: str | int) -> bool:
        if key is None or key in table:
            return True
        if key in self.broken_ids:
            return False  # its own definition is broken, and that was reported
        if key in self.maybe_defined:
            self.unchecked += 1  # it may be defined in a file we could not read
            return False
        close = difflib.get_close_matches(key, sorted(table), n=3, cutoff=0.5)
        hint = f"; closest: {', '.join(close)}" if close else ""
        self.issues.append(where.issue(f"unknown {what} {key!r}{hint}; {_WHERE_TO_DEFINE.get(what, 'define it')} or fix the id", *loc))
        return False

    # -- resolving ------------------------------------------------------------------------------

    def resolve(self) -> SeedBundle:
        self.collect()
        for org, where in self.organisations.values():
            self._organisation(org, where)
        for source, where in self.sources.values():
            self._source(source, where)
        self._reporting_cycles()
        for one in self.inputs:
            self.bundle.files.append(SeedFileRecord(one.stored_path, one.parsed.sha256, "seed"))
            if one.content.document is not None:
                self._document(one, one.content.document)
        for claim, where, one in self.claims.values():
            record = self._claim(claim, where, one)
            if record is not None:
                self.bundle.claims.append(record)
        self.bundle.terms = list(self.terms.values())
        return self.bundle

    def _organisation(self, org: schema.OrganisationSeed, where: _Where) -> None:
        self.term(ORGANISATION_KINDS, org.kind, where, "kind")
        self.reference(self.organisations, "organisation", org.part_of, where, "part_of")
        if org.part_of == org.id:
            self.issues.append(where.issue("an organisation cannot be part of itself", "part_of"))
        self.bundle.organisations.append(
            OrganisationRecord(
                org.id, org.name, org.kind, tuple(dict.fromkeys(org.aliases)), org.part_of,
                org.description, where.file.stored_path, where.file.parsed.line_of(where.loc),
            )
        )  # fmt: skip

    def _source(self, source: schema.SourceSeed, where: _Where) -> None:
        self.reference(self.organisations, "organisation", source.publisher, where, "publisher")
        for index, target in enumerate(source.reports_on):
            self.reference(self.sources, "source", target, where, "reports_on", index)
        published = source.published
        self.bundle.sources.append(
            SourceRecord(
                source.id, source.title, source.publisher,
                published.date.value if published else None, published.date.precision if published else None,
                published.inferred if published else None, source.url, tuple(dict.fromkeys(source.reports_on)), source.description,
                isinstance(source, schema.DocumentSeed), where.file.stored_path, where.file.parsed.line_of(where.loc),
            )
        )  # fmt: skip

    def _reporting_cycles(self) -> None:
        graph = {key: [t for t in seed.reports_on if t in self.sources] for key, (seed, _) in self.sources.items()}
        state: dict[str, int] = {}

        def visit(node: str, path: list[str]) -> None:
            state[node] = 1
            for nxt in graph[node]:
                if state.get(nxt) == 1:
                    cycle = " -> ".join([*path[path.index(nxt):], nxt]) if nxt in path else f"{node} -> {nxt}"
                    self.issues.append(self.sources[node][1].issue(f"reports_on goes round in a circle: {cycle}", "reports_on"))
                elif nxt not in state:
                    visit(nxt, [*path, nxt])
            state[node] = 2

        for node in graph:
            if node not in state:
                visit(node, [node])

    def _document(self, one: SeedFileInput, document: schema.DocumentSeed) -> None:
        where = _Where(one, ("document",))
        path = self.root / document.file
        try:
            resolved = path.resolve(strict=True)
        except (RuntimeError, OSError, ValueError):
            self.issues.append(where.issue(f"document file {document.file!r} not found; paths are relative to the seeds directory ({self.root})", "file"))
            return
        if not resolved.is_relative_to(self.root.resolve()):
            self.issues.append(where.issue(f"document file {document.file!r} leads outside the seeds directory; keep documents under it (e.g. documents/)", "file"))
            return
        if not resolved.is_file():
            self.issues.append(where.issue(f"document file {document.file!r} is not a file", "file"))
            return
        if resolved.stat().st_size > MAX_DOCUMENT_BYTES:
            self.issues.append(where.issue(f"document file {document.file!r} is over the {MAX_DOCUMENT_BYTES // 2**20} MiB limit", "file"))
            return
        raw = resolved.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if document.sha256 is not None and document.sha256 != digest:
            self.issues.append(
                where.issue(
                    f"the bytes of {document.file!r} changed since capture: recorded sha256 {document.sha256}, "
                    f"file has {digest}. A held document is never edited; restore it, or, if this is a deliberate "
                    "re-capture, put the new sha256 here",
                    "sha256",
                )
            )
            return
        text, problem = _document_text(raw, document.file)
        if problem:
            self.issues.append(where.issue(problem, "file"))
            return
        stored = path.relative_to(self.root).as_posix()
        self.texts[document.id] = text
        record = DocumentRecord(document.id, f"{self.root.name}/{stored}", digest, text, len(raw), document.sha256 is not None)
        self.documents[document.id] = record
        self.bundle.documents.append(record)
        self.bundle.files.append(SeedFileRecord(f"{self.root.name}/{stored}", digest, "document"))

    def _claim(self, claim: schema.ClaimBase, where: _Where, one: SeedFileInput) -> ClaimRecord | None:
        document = one.content.document
        assert document is not None  # SeedFile guarantees claims sit beside their document
        ok = self.reference(self.organisations, "organisation", claim.claimant, where, "claimant")
        ok &= self.reference(self.sources, "source", claim.made_in, where, "made_in")
        relations = []
        for kind, target in claim.relations():
            index = getattr(claim, kind).index(target)
            if target == claim.id:
                self.issues.append(where.issue("a claim cannot relate to itself", kind, index))
            elif self.reference(self.claims, "claim", target, where, kind, index):
                relations.append(RelationRecord(claim.id, kind, target))
        value_columns = self._value_columns(claim, where)
        anchor_columns = self._anchor(claim, where, document.id)
        if not ok or value_columns is None or anchor_columns is None:
            return None
        made_in = claim.made_in
        if made_in is None and claim.claimant == document.publisher:
            made_in = document.id  # the outlet speaking in its own article
        columns = {
            "type": claim.type,
            "statement": claim.statement,
            "claimant_id": claim.claimant,
            "made_in_id": made_in,
            "document_id": document.id,
            **anchor_columns,
            **self._claimed_on(claim, made_in),
            **value_columns,
            "note": claim.note,
            "seed_file": one.stored_path,
            "seed_line": one.parsed.line_of(where.loc),
        }
        return ClaimRecord(claim.id, columns, tuple(relations))

    def _anchor(self, claim: schema.ClaimBase, where: _Where, document_id: str) -> dict[str, Any] | None:
        text = self.texts.get(document_id)
        if text is None:
            return None  # the document's own problem was reported already
        try:
            anchor = anchor_quote(text, claim.quote, claim.occurrence, claim.quote_prefix)
        except AnchorNotFound as exc:
            self.issues.append(where.issue(str(exc), "quote"))
            return None
        document = self.documents[document_id]
        return {
            "quote": anchor.exact,
            "quote_start": anchor.start,
            "quote_end": anchor.end,
            "quote_prefix": anchor.prefix,
            "quote_suffix": anchor.suffix,
            "document_sha256": document.sha256,
        }

    def _claimed_on(self, claim: schema.ClaimBase, made_in: str | None) -> dict[str, Any]:
        if claim.claimed_on is not None:
            date = claim.claimed_on.date
            basis = "inferred" if claim.claimed_on.inferred else "stated"
            return _date_columns(date, basis, claim.claimed_on.inferred)
        source = self.sources.get(made_in)[0] if made_in in self.sources else None
        if source is not None and source.published is not None:
            published = source.published
            reason = f"the publication date of {made_in}" + (f" ({published.inferred})" if published.inferred else "")
            return _date_columns(published.date, "publication", reason)
        return _date_columns(None, "unknown", None)

    def _value_columns(self, claim: schema.ClaimBase, where: _Where) -> dict[str, Any] | None:
        columns: dict[str, Any] = dict.fromkeys(VALUE_COLUMNS)
        value = claim.__dict__.get("value")
        if value is None:
            return columns
        fields = value.__dict__  # a model's set fields; getattr on an absent one is slow in pydantic
        before = len(self.issues)
        for field_name, vocabulary in _TERM_FIELDS_BY_TYPE[claim.type]:
            term = fields.get(field_name)
            self.term(vocabulary, term, where, "value", field_name)
            columns[_column_for(claim.type, field_name)] = term
        columns["population"] = fields.get("population")
        for field_name in ("quantity", "size"):
            quantity = fields.get(field_name)
            if quantity is None:
                continue
            columns.update(quantity.columns())
            if quantity.phrase and quantity.phrase not in claim.quote:
                self.issues.append(where.issue(f"the phrase {quantity.phrase!r} is not in the quote; the phrase must be the quote's own words", "value", field_name, "phrase"))
        period = fields.get("period")
        if period is not None:
            columns["period_start"] = period.start.iso() if period.start else None
            columns["period_end"] = period.end.iso() if period.end else None
            columns["period_label"] = period.label
        return columns if len(self.issues) == before else None


_WHERE_TO_DEFINE = {
    "organisation": "add it under `organisations:` (seeds/organisations.yaml)",
    "source": "add it under `sources:` (seeds/sources.yaml)",
    "claim": "define that claim",
}


def _term_fields(claim_type: str) -> Iterable[tuple[str, str]]:
    for key, vocabulary in schema.TERM_FIELDS.items():
        field_name, _, only_for = key.partition("@")
        if not only_for or only_for == claim_type:
            yield field_name, vocabulary


_TERM_FIELDS_BY_TYPE = {claim_type: tuple(_term_fields(claim_type)) for claim_type in schema.CLAIM_TYPES}


def _column_for(claim_type: str, field_name: str) -> str:
    return "evidence_method" if (claim_type, field_name) == ("evidence_basis", "method") else field_name


def _date_columns(date: schema.PartialDate | None, basis: str, reason: str | None) -> dict[str, Any]:
    return {
        "claimed_on": date.value if date else None,
        "claimed_on_end": date.last_day() if date else None,
        "claimed_on_precision": date.precision if date else None,
        "claimed_on_basis": basis,
        "claimed_on_inferred_reason": reason,
    }


def _document_text(raw: bytes, label: str) -> tuple[str, str | None]:
    text, issue = decode_text(raw, label)
    if issue is not None:
        return "", f"document file {label!r}: {issue.message.replace('the file', 'it')}"
    return text or "", None


def build_bundle(
    root: Path, inputs: list[SeedFileInput], unreadable: dict[str, frozenset[str]] | None = None
) -> tuple[SeedBundle, list[SeedIssue]]:
    """Check the files against each other; names in `unreadable` files are not called unknown."""
    resolver = _Resolver(root, inputs, unreadable or {})
    bundle = resolver.resolve()
    if resolver.unchecked:
        resolver.issues.append(
            SeedIssue(
                str(root), None,
                f"{resolver.unchecked} references to ids or terms could not be checked because "
                f"{', '.join(sorted(resolver.unreadable))} could not be read; they will be once it is fixed",
            )  # fmt: skip
        )
    return bundle, resolver.issues
