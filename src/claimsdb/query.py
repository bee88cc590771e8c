"""Read claims back: filters, lists and summaries, as plain frozen dataclasses.

Filters accept what a researcher knows (a name, an alias, a fragment of a title), resolve it to
ids, and say which known values come closest when nothing matches.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from claimsdb.db import models as m
from claimsdb.errors import NotFound


@dataclass(frozen=True)
class ClaimFilter:
    source: str | None = None
    claimant: str | None = None
    type: str | None = None
    include_withdrawn: bool = False
    limit: int | None = None


@dataclass(frozen=True)
class ClaimRow:
    id: str
    type: str
    status: str
    statement: str
    claimant_id: str
    claimant_name: str
    made_in_id: str | None
    made_in_title: str | None
    document_id: str
    claimed_on: str | None
    claimed_on_precision: str | None
    quote: str


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Overview:
    claims: int
    withdrawn: int
    documents: int
    sources: int
    organisations: int
    by_type: list[Count]
    by_claimant: list[Count]
    by_source: list[Count]
    sample: list[ClaimRow]


def iso_partial(value: Any, precision: str | None) -> str | None:
    """A date as precisely as it is known: 2017-07-19, 2017-07 or 2017."""
    if value is None:
        return None
    width = {"day": 10, "month": 7, "year": 4}.get(precision or "day", 10)
    return value.isoformat()[:width]


# --- resolving what the user typed -----------------------------------------------------------------


def resolve_claimants(session: Session, text: str) -> list[str]:
    """Organisation ids whose id, name or alias is `text` (any case); NotFound names the closest."""
    wanted = text.casefold()
    names: dict[str, set[str]] = {}
    for org_id, name in session.execute(select(m.Organisation.id, m.Organisation.name)).tuples():
        names.setdefault(org_id, set()).update({org_id.casefold(), name.casefold()})
    for org_id, alias in session.execute(select(m.OrganisationAlias.organisation_id, m.OrganisationAlias.alias)).tuples():
        names[org_id].add(alias.casefold())
    found = sorted(org_id for org_id, keys in names.items() if wanted in keys)
    if found:
        return found
    every = sorted({key for keys in names.values() for key in keys})
    raise NotFound(_closest("claimant", text, every))


def resolve_sources(session: Session, text: str) -> list[str]:
    """Source ids matching an id, a URL, or a fragment of a title (any case)."""
    rows = session.execute(select(m.Source.id, m.Source.title, m.Source.url)).tuples().all()
    exact = [sid for sid, _, url in rows if text in (sid, url)]
    if exact:
        return exact
    fragment = text.casefold()
    found = sorted(sid for sid, title, _ in rows if fragment in title.casefold())
    if found:
        return found
    raise NotFound(_closest("source", text, sorted(sid for sid, _, _ in rows)))


def _closest(what: str, text: str, known: list[str]) -> str:
    close = difflib.get_close_matches(text.casefold(), known, n=3, cutoff=0.4)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return f"no {what} matches {text!r}{hint}"


# --- lists ---------------------------------------------------------------------------------------


def claim_select(session: Session, filters: ClaimFilter) -> Select[Any]:
    """The claims matching `filters`, joined to claimant and publication, in a stable order."""
    made_in = aliased(m.Source)
    query = (
        select(m.Claim, m.Organisation.name, made_in.title)
        .join(m.Organisation, m.Claim.claimant_id == m.Organisation.id)
        .outerjoin(made_in, m.Claim.made_in_id == made_in.id)
    )
    if not filters.include_withdrawn:
        query = query.where(m.Claim.status == "active")
    if filters.type:
        query = query.where(m.Claim.type == filters.type)
    if filters.claimant:
        query = query.where(m.Claim.claimant_id.in_(resolve_claimants(session, filters.claimant)))
    if filters.source:
        ids = resolve_sources(session, filters.source)
        query = query.where(or_(m.Claim.made_in_id.in_(ids), m.Claim.document_id.in_(ids)))
    query = query.order_by(m.Claim.document_id, m.Claim.quote_start, m.Claim.id)
    if filters.limit is not None:
        query = query.limit(filters.limit)
    return query


def list_claims(session: Session, filters: ClaimFilter) -> list[ClaimRow]:
    return [_row(claim, name, title) for claim, name, title in session.execute(claim_select(session, filters)).tuples()]


def iter_claims(session: Session, filters: ClaimFilter) -> Iterator[ClaimRow]:
    result = session.execute(claim_select(session, filters).execution_options(yield_per=500))
    for claim, name, title in result.tuples():
        yield _row(claim, name, title)


def _row(claim: m.Claim, claimant_name: str, made_in_title: str | None) -> ClaimRow:
    return ClaimRow(
        id=claim.id,
        type=claim.type,
        status=claim.status,
        statement=claim.statement,
        claimant_id=claim.claimant_id,
        claimant_name=claimant_name,
        made_in_id=claim.made_in_id,
        made_in_title=made_in_title,
        document_id=claim.document_id,
        claimed_on=iso_partial(claim.claimed_on, claim.claimed_on_precision),
        claimed_on_precision=claim.claimed_on_precision,
        quote=claim.quote,
    )


# --- summaries -------------------------------------------------------------------------------------


def overview(session: Session, sample_size: int = 5) -> Overview:
    """What is in the database: counts by type, claimant and publication, and a few claims."""
    active = m.Claim.status == "active"

    def counts(key: Any, label: Any, *joins: Any) -> list[Count]:
        query = select(key, label, func.count()).select_from(m.Claim)
        for target, on in joins:
            query = query.outerjoin(target, on)
        query = query.where(active).group_by(key, label).order_by(func.count().desc(), key)
        return [Count(k or "-", lbl or "(not identified)", n) for k, lbl, n in session.execute(query).tuples()]

    total = session.scalar(select(func.count()).select_from(m.Claim).where(active)) or 0
    return Overview(
        claims=total,
        withdrawn=session.scalar(select(func.count()).select_from(m.Claim).where(~active)) or 0,
        documents=session.scalar(select(func.count()).select_from(m.Document)) or 0,
        sources=session.scalar(select(func.count()).select_from(m.Source)) or 0,
        organisations=session.scalar(select(func.count()).select_from(m.Organisation)) or 0,
        by_type=counts(m.Claim.type, m.Claim.type),
        by_claimant=counts(m.Claim.claimant_id, m.Organisation.name, (m.Organisation, m.Claim.claimant_id == m.Organisation.id)),
        by_source=counts(m.Claim.made_in_id, m.Source.title, (m.Source, m.Claim.made_in_id == m.Source.id)),
        sample=_sample(session, sample_size),
    )


def _sample(session: Session, size: int) -> list[ClaimRow]:
    """A few claims of different types, so the first screen shows the range of what is held."""
    rows = list_claims(session, ClaimFilter())
    picked: list[ClaimRow] = []
    seen_types: set[str] = set()
    for row in rows:
        if row.type not in seen_types and len(picked) < size:
            picked.append(row)
            seen_types.add(row.type)
    return picked
