"""Everything that says where one claim comes from, gathered for `claims show`.

Who claims it, in which publication, through which intermediaries it reached the document we hold,
when (and how sure that date is), on what evidence, the exact words in their surrounding text with
offsets and hash, what it relates to in either direction, and which seed line and load run put it here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from claimsdb.db import models as m
from claimsdb.errors import NotFound
from claimsdb.query import iso_partial
from claimsdb.rules import CLOSE_TO_AN_ID, closest_hint
from claimsdb.seeds.records import TERM_COLUMNS, VALUE_COLUMNS

CONTEXT_CHARS = 240
"""How much of the document `show` prints on each side of the quote."""


@dataclass(frozen=True)
class SourceInfo:
    id: str
    title: str
    publisher_id: str | None
    publisher_name: str | None
    published: str | None
    published_precision: str | None
    published_inferred_reason: str | None
    url: str | None
    held: bool
    description: str | None


@dataclass(frozen=True)
class TermInfo:
    term: str
    label: str
    definition: str | None


@dataclass(frozen=True)
class PlaceInfo:
    id: str
    name: str
    kind: str
    iso_3166_2: str | None
    wikidata: str | None
    part_of: str | None


@dataclass(frozen=True)
class AssessmentInfo:
    """One of the curator's grades bearing on a claim: of the claim, its publication or its claimant."""

    id: str
    target_kind: str  # "claim", "source" or "organisation"
    target_id: str
    reliability: str | None
    credibility: int | None
    assessor: str
    assessed_on: str
    reason: str


@dataclass(frozen=True)
class RelatedClaim:
    direction: str  # "outgoing": this claim <kind> other; "incoming": other <kind> this claim
    kind: str
    claim_id: str
    claimant_name: str
    statement: str
    status: str


@dataclass(frozen=True)
class LoadRunInfo:
    id: int
    started_at: str


@dataclass(frozen=True)
class Corroboration:
    """How many corroborating claims there are, and how many independent publications they rest on."""

    claims: int
    independent_sources: int
    groups: list[list[str]]  # claim ids grouped by shared upstream publications


@dataclass(frozen=True)
class Claimant:
    """Who makes the claim: an organisation, a named person, or someone the document leaves unnamed."""

    id: str
    name: str
    kind: str
    kind_label: str
    aliases: list[str]
    part_of: str | None
    """The name of the organisation it is part of."""
    description: str | None
    known: str | None
    """What the document says of an unnamed claimant."""
    members: list[str]
    """The names of its members, for a group of claimants."""
    described_in: str | None
    wikidata: str | None


@dataclass(frozen=True)
class Anchor:
    """Where the claim's quote sits in the held document, with the text around it for reading."""

    exact: str
    start: int
    end: int
    """Offsets in Unicode code points from 0, end exclusive."""
    line: int
    prefix: str | None
    suffix: str | None
    document_sha256: str
    context_before: str
    context_after: str
    """Up to CONTEXT_CHARS of the document on each side of the quote."""
    verified: bool
    """Does the stored document still hold the quote at these offsets?"""


@dataclass(frozen=True)
class ClaimValue:
    """A claim's typed value, spread over the fields its type uses; the others are None.

    Shown (and written as JSON) with only the fields that are set, in this order; vocabulary
    terms carry their label and definition."""

    omit_unset = True  # a class attribute, not a field: render.to_json leaves the None fields out

    method: TermInfo | None = None
    evidence_method: TermInfo | None = None
    offence: TermInfo | None = None
    punishment: TermInfo | None = None
    measure: TermInfo | None = None
    location: TermInfo | None = None
    population: str | None = None
    quantity_value: int | float | None = None
    quantity_lower: int | float | None = None
    quantity_upper: int | float | None = None
    quantity_qualifier: str | None = None
    quantity_phrase: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    period_label: str | None = None
    period_inferred_reason: str | None = None

    def set_fields(self) -> list[tuple[str, Any]]:
        """(name, value) of each field that is set, in order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None]

    def __bool__(self) -> bool:
        return bool(self.set_fields())


@dataclass(frozen=True)
class ClaimProvenance:
    id: str
    type: str
    status: str
    statement: str
    note: str | None
    value: ClaimValue
    claimant: Claimant
    made_in: SourceInfo | None
    chain: list[SourceInfo]
    document: SourceInfo
    claimed_on: str | None
    """As EDTF: a date as precise as known, or an interval (2019/2021, ../2021-12-16)."""
    claimed_on_precision: str | None
    claimed_on_basis: str
    claimed_on_inferred_reason: str | None
    evidence: list[RelatedClaim]
    anchor: Anchor
    relations: list[RelatedClaim]
    corroboration: Corroboration
    seed_file: str
    seed_line: int | None
    added_in_run: LoadRunInfo
    changed_in_run: LoadRunInfo
    attribution: TermInfo | None = None
    """How the document attributes the claim; None only for claims loaded before attribution was recorded."""
    claimed_on_earliest: str | None = None
    claimed_on_latest: str | None = None
    place: PlaceInfo | None = None
    assessments: list[AssessmentInfo] = field(default_factory=list)
    """The curator's grades of this claim, the publication it was made in and its claimant, newest
    first: kept apart from what the claimant claims."""


def show(session: Session, claim_id: str) -> ClaimProvenance:
    claim = session.get(m.Claim, claim_id)
    if claim is None:
        known = list(session.scalars(select(m.Claim.id)))
        otherwise = (
            "; `claims list` shows the ids" if known else "; the database holds no claims yet: run `claims load`"
        )
        hint = closest_hint(claim_id, known, CLOSE_TO_AN_ID, otherwise=otherwise)
        raise NotFound(f"no claim {claim_id!r}{hint}")
    document_text = session.scalar(select(m.Document.text).where(m.Document.id == claim.document_id)) or ""
    made_in = source_info(session, claim.made_in_id) if claim.made_in_id else None
    document = source_info(session, claim.document_id)
    edges = _reports_on(session)
    return ClaimProvenance(
        id=claim.id,
        type=claim.type,
        status=claim.status,
        statement=claim.statement,
        note=claim.note,
        value=_value(session, claim),
        claimant=_claimant(session, claim.claimant_id),
        made_in=made_in,
        chain=[source_info(session, sid) for sid in attribution_chain(claim.made_in_id, claim.document_id, edges)],
        document=document,
        claimed_on=claim.claimed_on_edtf or iso_partial(claim.claimed_on, claim.claimed_on_precision),
        claimed_on_precision=claim.claimed_on_precision,
        claimed_on_basis=claim.claimed_on_basis,
        claimed_on_inferred_reason=claim.claimed_on_inferred_reason,
        evidence=_evidence(session, claim),
        anchor=_anchor(claim, document_text),
        relations=(relations := _relations(session, claim.id)),
        corroboration=_corroboration(session, claim, relations, edges),
        seed_file=claim.seed_file,
        seed_line=claim.seed_line,
        added_in_run=_run(session, claim.added_run_id),
        changed_in_run=_run(session, claim.changed_run_id),
        attribution=_term(session, claim.attribution) if claim.attribution else None,
        claimed_on_earliest=claim.claimed_on.isoformat() if claim.claimed_on else None,
        claimed_on_latest=claim.claimed_on_end.isoformat() if claim.claimed_on_end else None,
        place=place_info(session, claim.place) if claim.place else None,
        assessments=_assessments(session, claim),
    )


def _assessments(session: Session, claim: m.Claim) -> list[AssessmentInfo]:
    targets = [m.Assessment.claim_id == claim.id, m.Assessment.organisation_id == claim.claimant_id]
    if claim.made_in_id is not None:
        targets.append(m.Assessment.source_id == claim.made_in_id)
    rows = session.scalars(
        select(m.Assessment).where(or_(*targets)).order_by(m.Assessment.assessed_on.desc(), m.Assessment.id)
    )
    found = []
    for row in rows:
        targets_of_row = (("claim", row.claim_id), ("source", row.source_id), ("organisation", row.organisation_id))
        kind, target = next((k, v) for k, v in targets_of_row if v)
        found.append(
            AssessmentInfo(
                row.id, kind, target, row.reliability, row.credibility, row.assessor,
                iso_partial(row.assessed_on, row.assessed_on_precision) or "", row.reason,
            )
        )  # fmt: skip
    return found


def _term(session: Session, term_id: str) -> TermInfo:
    term = session.get(m.TermRow, term_id)
    return TermInfo(term_id, term.label if term else term_id, term.definition if term else None)


def place_info(session: Session, place_id: str) -> PlaceInfo:
    place = session.get(m.Place, place_id)
    assert place is not None  # a claim's place is a foreign key
    parent = session.get(m.Place, place.part_of_id) if place.part_of_id else None
    return PlaceInfo(
        place.id, place.name, place.kind_id, place.iso_3166_2, place.wikidata, parent.name if parent else None
    )


def attribution_chain(made_in: str | None, document_id: str, edges: dict[str, list[str]]) -> list[str]:
    """Sources from the claimant's publication down to the document held, following reports_on.

    With no identified publication the chain is just the document: we know the claim only because
    the document reports it. A publication the document does not (transitively) report on is
    linked to it directly.
    """
    if made_in is None or made_in == document_id:
        return [document_id]
    previous: dict[str, str] = {}
    queue = deque([document_id])
    while queue:
        node = queue.popleft()
        if node == made_in:
            path = [node]
            while path[-1] != document_id:
                path.append(previous[path[-1]])
            return path
        for nxt in edges.get(node, []):
            if nxt not in previous and nxt != document_id:
                previous[nxt] = node
                queue.append(nxt)
    return [made_in, document_id]


def source_info(session: Session, source_id: str) -> SourceInfo:
    """One publication as `show` and the web pages present it; NotFound names the closest ids."""
    source = session.get(m.Source, source_id)
    if source is None:
        known = list(session.scalars(select(m.Source.id)))
        raise NotFound(f"no source {source_id!r}{closest_hint(source_id, known, CLOSE_TO_AN_ID)}")
    publisher = session.get(m.Organisation, source.publisher_id) if source.publisher_id else None
    return SourceInfo(
        id=source.id,
        title=source.title,
        publisher_id=source.publisher_id,
        publisher_name=publisher.name if publisher else None,
        published=iso_partial(source.published, source.published_precision),
        published_precision=source.published_precision,
        published_inferred_reason=source.published_inferred_reason,
        url=source.url,
        held=source.held,
        description=source.description,
    )


def _claimant(session: Session, org_id: str) -> Claimant:
    org = session.get(m.Organisation, org_id)
    assert org is not None
    part_of = session.get(m.Organisation, org.part_of_id) if org.part_of_id else None
    kind = session.get(m.TermRow, org.kind_id)
    members = session.scalars(
        select(m.Organisation.name)
        .join(m.OrganisationMember, m.OrganisationMember.member_id == m.Organisation.id)
        .where(m.OrganisationMember.organisation_id == org.id)
        .order_by(m.OrganisationMember.position)
    ).all()
    return Claimant(
        id=org.id,
        name=org.name,
        kind=org.kind_id,
        kind_label=kind.label if kind else org.kind_id,
        aliases=[a.alias for a in org.aliases],
        part_of=part_of.name if part_of else None,
        description=org.description,
        known=org.known,
        members=list(members),
        described_in=org.described_in_id,
        wikidata=org.wikidata,
    )


def _value(session: Session, claim: m.Claim) -> ClaimValue:
    """The typed value's set fields; vocabulary terms carry their label and definition."""
    value: dict[str, Any] = {}
    for name in VALUE_COLUMNS:
        raw = getattr(claim, name)
        if raw is None or name == "place":  # the place is ClaimProvenance.place
            continue
        value[name] = _term(session, raw) if name in TERM_COLUMNS else raw
    return ClaimValue(**value)


def _anchor(claim: m.Claim, text: str) -> Anchor:
    start, end = claim.quote_start, claim.quote_end
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    return Anchor(
        exact=claim.quote,
        start=start,
        end=end,
        line=text.count("\n", 0, start) + 1,
        prefix=claim.quote_prefix,
        suffix=claim.quote_suffix,
        document_sha256=claim.document_sha256,
        context_before=before,
        context_after=after,
        verified=text[start:end] == claim.quote,
    )


def _evidence(session: Session, claim: m.Claim) -> list[RelatedClaim]:
    """Evidence-basis claims the same claimant makes in the same publication."""
    if claim.made_in_id is None or claim.type == "evidence_basis":
        return []
    rows = session.execute(
        select(m.Claim.id, m.Claim.statement, m.Claim.status, m.Organisation.name)
        .join(m.Organisation, m.Claim.claimant_id == m.Organisation.id)
        .where(
            m.Claim.type == "evidence_basis",
            m.Claim.made_in_id == claim.made_in_id,
            m.Claim.claimant_id == claim.claimant_id,
        )
        .order_by(m.Claim.id)
    ).tuples()
    return [RelatedClaim("basis", "rests_on", cid, name, statement, status) for cid, statement, status, name in rows]


def _relations(session: Session, claim_id: str) -> list[RelatedClaim]:
    other = m.Claim
    found: list[RelatedClaim] = []
    for direction, mine, theirs in (
        ("outgoing", m.ClaimRelation.claim_id, m.ClaimRelation.target_id),
        ("incoming", m.ClaimRelation.target_id, m.ClaimRelation.claim_id),
    ):
        rows = session.execute(
            select(m.ClaimRelation.kind, other.id, other.statement, other.status, m.Organisation.name)
            .join(other, other.id == theirs)
            .join(m.Organisation, other.claimant_id == m.Organisation.id)
            .where(mine == claim_id)
            .order_by(m.ClaimRelation.kind, other.id)
        ).tuples()
        found += [
            RelatedClaim(direction, kind, cid, name, statement, status) for kind, cid, statement, status, name in rows
        ]
    return found


def _reports_on(session: Session) -> dict[str, list[str]]:
    """The whole reports_on graph (small: one edge per publication reported on), loaded once per claim shown."""
    edges: dict[str, list[str]] = {}
    query = select(m.SourceReport.source_id, m.SourceReport.reported_id).order_by(
        m.SourceReport.source_id, m.SourceReport.position
    )
    for source_id, reported in session.execute(query).tuples():
        edges.setdefault(source_id, []).append(reported)
    return edges


def upstream(made_in: str | None, claimant_id: str, edges: dict[str, list[str]]) -> frozenset[str]:
    """The publications a claim rests on: where it was made and everything that reports on, transitively.

    A claim whose publication is not identified rests on "that claimant, somewhere": two such
    claims by one claimant are not counted as independent of each other.
    """
    if made_in is None:
        return frozenset({f"(unidentified publication of {claimant_id})"})
    seen, stack = {made_in}, [made_in]
    while stack:
        for nxt in edges.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return frozenset(seen)


def _corroboration(
    session: Session, claim: m.Claim, relations: list[RelatedClaim], edges: dict[str, list[str]]
) -> Corroboration:
    """Group corroborating claims by shared upstream publications; each group is one independent source."""
    own = upstream(claim.made_in_id, claim.claimant_id, edges)
    groups: list[tuple[set[str], list[str]]] = []
    ids = sorted({r.claim_id for r in relations if r.kind == "corroborates" and r.status == "active"})
    for other_id in ids:
        other = session.get(m.Claim, other_id)
        assert other is not None
        basis = upstream(other.made_in_id, other.claimant_id, edges)
        if basis & own:
            continue  # rests on the claim's own sources: a repetition, not a corroboration
        joined = [g for g in groups if g[0] & basis]
        merged_basis, merged_ids = set(basis), [other_id]
        for group in joined:
            merged_basis |= group[0]
            merged_ids += group[1]
            groups.remove(group)
        groups.append((merged_basis, sorted(merged_ids)))
    return Corroboration(len(ids), len(groups), [g[1] for g in groups])


def _run(session: Session, run_id: int) -> LoadRunInfo:
    run = session.get(m.LoadRun, run_id)
    assert run is not None
    return LoadRunInfo(run.id, run.started_at.isoformat(timespec="seconds"))
