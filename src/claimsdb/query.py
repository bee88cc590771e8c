"""Read claims back: filters, lists and summaries, as plain frozen dataclasses.

Filters accept what a researcher knows (a name, an alias, a fragment of a title), resolve it to
ids, and say which known values come closest when nothing matches.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, String, cast, func, literal_column, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from claimsdb.db import models as m
from claimsdb.db.base import BATCH_SIZE
from claimsdb.db.limits import Deadline, TooSlow, time_limit
from claimsdb.db.search import SearchPlan, by_rowid, has_words, matches, plan_search
from claimsdb.errors import ClaimsError, NotFound
from claimsdb.rules import CLOSE_TO_A_NAME, closest_hint, cut_to_precision, last_day, read_partial_date
from claimsdb.seeds.records import TERM_COLUMNS


"""document: by document and position in it (reading order); date: oldest claim first."""

MAX_COUNT = 1_000_000_000
"""The largest offset or limit a list takes: beyond any database claimsdb holds, so a larger
number is a slip (and past 2**63 no database could take it at all)."""


def whole_number(text: str, what: str, *, minimum: int = 0, maximum: int = MAX_COUNT) -> int:
    """A count a user typed: ASCII digits only (int() also takes '²'-like digits of other scripts,
    '1_000' and, for huge strings, a long time), from `minimum` to `maximum`."""
    raw = text.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum)) or not minimum <= int(raw) <= maximum:
        shown = raw if len(raw) <= 24 else raw[:24] + "..."
        raise ClaimsError(f"{what} must be a whole number from {minimum} to {maximum:,}, in digits 0-9, not {shown!r}")
    return int(raw)


@dataclass(frozen=True)
class ClaimFilter:
    """What `list` and `export` select; every field narrows, all combine."""

    source: str | None = None
    claimant: str | None = None
    type: str | None = None
    term: str | None = None
    attribution: str | None = None
    place: str | None = None
    reliability: str | None = None
    """Curator's grades of where the claims come from, e.g. "A-B" or "C" (see assessed_reliability)."""
    credibility: str | None = None
    """Curator's grades of the claims' information, e.g. "1-2" or "3"."""
    date_from: str | None = None
    date_to: str | None = None
    search: str | None = None
    include_withdrawn: bool = False
    sort: str = "document"
    limit: int | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        if self.search is not None and not self.search.strip():
            object.__setattr__(self, "search", None)  # blank, like "" (and a web form's empty box): no search
        elif self.search is not None and not has_words(self.search):
            raise ClaimsError(
                f"the search {self.search!r} has no words to look for (letters or digits); "
                "leave it out to list every claim"
            )
        if self.limit is not None and not 0 <= self.limit <= MAX_COUNT:
            raise ClaimsError(f"limit must be a whole number from 0 to {MAX_COUNT:,}, not {self.limit}")
        if not 0 <= self.offset <= MAX_COUNT:
            raise ClaimsError(f"offset must be a whole number from 0 to {MAX_COUNT:,}, not {self.offset}")


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
    """As EDTF: 2021-12-15, 2021-12, 2021, or an interval (2019/2021, ../2021-12-16) when known only by bounds."""
    claimed_on_precision: str | None
    quote: str
    attribution: str | None = None
    place: str | None = None
    date_match: str | None = None
    """Under a date filter: "certain" when the claim's dates lie wholly inside it, "possible" when
    they only overlap it (a claim dated 2021, or "no later than 2021-12-16", under --from 2021-06)."""


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
    return cut_to_precision(value, precision)


# --- resolving what the user typed -----------------------------------------------------------------


def resolve_claimants(session: Session, text: str) -> list[str]:
    """Organisation ids whose id, name, alias or kind is `text` (any case); NotFound names the closest.

    A kind selects every claimant of it: `unnamed person` finds every unnamed person described on a claim.
    """
    wanted = text.casefold()
    names: dict[str, set[str]] = {}
    kinds = (
        select(m.Organisation.id, m.Organisation.name, m.TermRow.id, m.TermRow.label)
        .join(m.TermRow, m.Organisation.kind_id == m.TermRow.id)
    )  # fmt: skip
    for org_id, name, kind, kind_label in session.execute(kinds).tuples():
        keys = {org_id.casefold(), name.casefold(), kind.casefold(), kind_label.casefold()}
        names.setdefault(org_id, set()).update(keys)
    aliases = select(m.OrganisationAlias.organisation_id, m.OrganisationAlias.alias)
    for org_id, alias in session.execute(aliases).tuples():
        names[org_id].add(alias.casefold())
    found = sorted(org_id for org_id, keys in names.items() if wanted in keys)
    if found:
        return found
    every = sorted({key for keys in names.values() for key in keys})
    raise NotFound(_closest("claimant", text, every))


def resolve_type(text: str) -> str:
    """The claim type `text` names (any case; spaces or hyphens for underscores); NotFound names the closest.

    Claim types are fixed by the seed schema, so an unknown one is a mistake, as an unknown --term is.
    """
    from claimsdb.seeds.schema import CLAIM_TYPES

    wanted = "_".join(text.casefold().replace("-", " ").split())
    if wanted in CLAIM_TYPES:
        return wanted
    raise NotFound(_closest("claim type", text, list(CLAIM_TYPES)) + f" (one of {', '.join(CLAIM_TYPES)})")


def resolve_sources(session: Session, text: str) -> list[str]:
    """Source ids matching an id, a URL, or a fragment of a title (any case).

    An id or URL is looked up in the database first: a facet's link names its publication by id,
    and reading every title (tens of thousands, with a million claims) for it would cost more
    than the page."""
    exact = list(session.scalars(select(m.Source.id).where(or_(m.Source.id == text, m.Source.url == text))))
    if exact:
        return exact
    rows = session.execute(select(m.Source.id, m.Source.title, m.Source.url)).tuples().all()
    fragment = text.casefold()
    found = sorted(sid for sid, title, _ in rows if fragment in title.casefold())
    if found:
        return found
    raise NotFound(_closest("source", text, sorted(sid for sid, _, _ in rows)))


def resolve_terms(session: Session, text: str, vocabulary: str | None = None) -> list[str]:
    """Term ids (of one vocabulary, if given) whose id or label is `text` (any case); NotFound names the closest."""
    wanted = text.casefold()
    query = select(m.TermRow.id, m.TermRow.label)
    if vocabulary is not None:
        query = query.where(m.TermRow.vocabulary_id == vocabulary)
    rows = session.execute(query).tuples().all()
    found = sorted(term for term, label in rows if wanted in (term.casefold(), label.casefold()))
    if found:
        return found
    what = f"{vocabulary} term" if vocabulary else "vocabulary term"
    raise NotFound(_closest(what, text, sorted({t.casefold() for t, _ in rows} | {lbl.casefold() for _, lbl in rows})))


def resolve_places(session: Session, text: str) -> list[str]:
    """Place ids whose id, name, alias or ISO 3166-2 code is `text` (any case), with the places
    inside them (a province selects its towns too); NotFound names the closest."""
    wanted = text.casefold()
    keys: dict[str, set[str]] = {}
    parent: dict[str, str | None] = {}
    places = select(m.Place.id, m.Place.name, m.Place.iso_3166_2, m.Place.part_of_id)
    for place_id, name, code, part_of in session.execute(places).tuples():
        keys[place_id] = {place_id.casefold(), name.casefold(), *((code.casefold(),) if code else ())}
        parent[place_id] = part_of
    for place_id, alias in session.execute(select(m.PlaceAlias.place_id, m.PlaceAlias.alias)).tuples():
        keys[place_id].add(alias.casefold())
    found = {place_id for place_id, names in keys.items() if wanted in names}
    if not found:
        raise NotFound(_closest("place", text, sorted({key for names in keys.values() for key in names})))
    inside = {place for place in parent if _within(place, found, parent)}
    return sorted(found | inside)


def _within(place: str, areas: set[str], parent: dict[str, str | None]) -> bool:
    seen: set[str] = set()
    current = parent.get(place)
    while current is not None and current not in seen:
        if current in areas:
            return True
        seen.add(current)
        current = parent.get(current)
    return False


RELIABILITY = ("A", "B", "C", "D", "E", "F")
CREDIBILITY = ("1", "2", "3", "4", "5", "6")


def grade_range(text: str, grades: tuple[str, ...], what: str) -> list[str]:
    """Admiralty grades from what a user writes: "B", "A-C", "1-2", "A,C" (any case)."""
    chosen: list[str] = []
    for part in text.upper().replace(" ", "").split(","):
        low, _, high = part.partition("-")
        if low not in grades or (high and high not in grades) or (high and grades.index(high) < grades.index(low)):
            raise ClaimsError(
                f"{text!r} is not a {what} grade or range: write one of {', '.join(grades)} "
                f"or a range such as {grades[0]}-{grades[1]}"
            )
        chosen += grades[grades.index(low) : grades.index(high or low) + 1]
    return chosen


def _latest_grade(column: Any, target: Any, key: Any) -> Any:
    """The newest assessment's grade of one target, as a correlated subquery."""
    return (
        select(column).where(target == key, column.is_not(None))
        .order_by(m.Assessment.assessed_on.desc(), m.Assessment.id.desc()).limit(1)
        .scalar_subquery()
    )  # fmt: skip


def assessed_reliability() -> Any:
    """The curator's reliability grade (A-F) of where a claim comes from: of the publication it was
    made in, or, where that is not graded, of its claimant."""
    return func.coalesce(
        _latest_grade(m.Assessment.reliability, m.Assessment.source_id, m.Claim.made_in_id),
        _latest_grade(m.Assessment.reliability, m.Assessment.organisation_id, m.Claim.claimant_id),
    )


def reliability_graded() -> Any:
    """Which target assessed_reliability() took its grade from (a source or an organisation id)."""
    from sqlalchemy import case

    source_grade = _latest_grade(m.Assessment.reliability, m.Assessment.source_id, m.Claim.made_in_id)
    organisation_grade = _latest_grade(m.Assessment.reliability, m.Assessment.organisation_id, m.Claim.claimant_id)
    return case(
        (source_grade.is_not(None), m.Claim.made_in_id),
        (organisation_grade.is_not(None), m.Claim.claimant_id),
        else_=None,
    )


def assessed_credibility() -> Any:
    """The curator's credibility grade (1-6) of a claim's information."""
    return _latest_grade(m.Assessment.credibility, m.Assessment.claim_id, m.Claim.id)


def date_bounds(text: str, *, end: bool) -> dt.date:
    """The first (or last) day of a date given as YYYY, YYYY-MM or YYYY-MM-DD."""
    try:
        first, precision = read_partial_date(text)
    except ValueError as exc:
        raise ClaimsError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD ({exc})") from None
    return last_day(first, precision) if end else first


def _closest(what: str, text: str, known: list[str]) -> str:
    return f"no {what} matches {text!r}{closest_hint(text.casefold(), known, CLOSE_TO_A_NAME)}"


# --- lists ---------------------------------------------------------------------------------------


def claim_select(
    session: Session, filters: ClaimFilter, plan: SearchPlan | None = None, *, walk: bool = False
) -> Select[Any]:
    """The claims matching `filters`, joined to claimant and publication, in a stable order.

    `walk`: keep SQLite from finding them by the type, claimant or publication indexes, so it walks
    the reading order (see _walk_in_reading_order)."""
    return narrow(session, _claims_with_names(), filters, plan, walk=walk)


def _claims_with_names() -> Select[Any]:
    made_in = aliased(m.Source)
    return (
        select(m.Claim, m.Organisation.name, made_in.title)
        .join(m.Organisation, m.Claim.claimant_id == m.Organisation.id)
        .outerjoin(made_in, m.Claim.made_in_id == made_in.id)
    )


def narrow(
    session: Session, query: Select[Any], filters: ClaimFilter, plan: SearchPlan | None = None, *, walk: bool = False
) -> Select[Any]:
    """Apply `filters` (and their order and limit) to any select over the claims table.

    A search is planned for this order and limit unless the caller brings its own `plan`.
    """
    query = query.where(*filter_conditions(session, filters, plan or search_plan(session, filters), walk=walk))
    query = query.order_by(*_ORDER[filters.sort], *READING_ORDER)
    if filters.offset:
        query = query.offset(filters.offset)
    return query.limit(filters.limit) if filters.limit is not None else query


def filter_conditions(
    session: Session, filters: ClaimFilter, plan: SearchPlan | None = None, *, walk: bool = False
) -> list[Any]:
    """WHERE conditions for `filters`; names and labels are resolved to ids first.

    A search follows `plan` on SQLite; without one, it is planned for reading every match.
    """
    conditions: list[Any] = []
    if not filters.include_withdrawn:
        conditions.append(m.Claim.status == "active")
    def keyed(column: Any) -> Any:
        return column.concat("") if walk else column  # `x || ''` is a value no index holds

    if filters.type:
        conditions.append(keyed(m.Claim.type) == resolve_type(filters.type))
    if filters.claimant:
        conditions.append(keyed(m.Claim.claimant_id).in_(resolve_claimants(session, filters.claimant)))
    if filters.source:
        ids = resolve_sources(session, filters.source)
        conditions.append(or_(keyed(m.Claim.made_in_id).in_(ids), keyed(m.Claim.document_id).in_(ids)))
    if filters.term:
        terms = resolve_terms(session, filters.term)
        conditions.append(or_(*(getattr(m.Claim, column).in_(terms) for column in TERM_COLUMNS)))
    if filters.attribution:
        conditions.append(m.Claim.attribution.in_(resolve_terms(session, filters.attribution, "attribution_modes")))
    if filters.place:
        conditions.append(m.Claim.place.in_(resolve_places(session, filters.place)))
    if filters.reliability:
        conditions.append(assessed_reliability().in_(grade_range(filters.reliability, RELIABILITY, "reliability")))
    if filters.credibility:
        grades = grade_range(filters.credibility, CREDIBILITY, "credibility")
        conditions.append(assessed_credibility().in_([int(g) for g in grades]))
    # dates are intervals: a claim dated only "2017", or "no later than 2017-07-20", may fall in
    # any range that overlaps it; an open end overlaps everything on its side; no date, nothing
    if filters.date_from:
        start = date_bounds(filters.date_from, end=False)
        open_end = m.Claim.claimed_on_end.is_(None) & m.Claim.claimed_on.is_not(None)
        conditions.append(or_(m.Claim.claimed_on_end >= start, open_end))
    if filters.date_to:
        end = date_bounds(filters.date_to, end=True)
        open_start = m.Claim.claimed_on.is_(None) & m.Claim.claimed_on_end.is_not(None)
        conditions.append(or_(m.Claim.claimed_on <= end, open_start))
    if filters.search:
        conditions.append(matches(session, filters.search, plan))
    return conditions


def search_plan(session: Session, filters: ClaimFilter) -> SearchPlan | None:
    """How SQLite should find the search's claims for this list's order and length (see SearchPlan)."""
    if not filters.search:
        return None
    paged = filters.sort == "document" and filters.limit is not None
    return plan_search(session, filters.search, wanted=filters.offset + (filters.limit or 0) if paged else None)


READING_ORDER = (m.Claim.document_id, m.Claim.quote_start, m.Claim.id)
"""The order of ix_claims_reading_order: documents, and claims by where their quotes start."""

_ORDER: dict[str, tuple[Any, ...]] = {
    "document": (),
    "date": (  # known only by an upper bound: sorted by that bound
        func.coalesce(m.Claim.claimed_on, m.Claim.claimed_on_end).is_(None),
        func.coalesce(m.Claim.claimed_on, m.Claim.claimed_on_end),
        m.Claim.claimed_on_end,
    ),
    "claimant": (m.Claim.claimant_id,),
    "type": (m.Claim.type,),
    "id": (m.Claim.id,),
}


def count_claims(session: Session, filters: ClaimFilter) -> int:
    """How many claims the filters select (before offset and limit)."""
    query = select(func.count()).select_from(m.Claim).where(*filter_conditions(session, filters))
    return session.scalar(query) or 0


def list_claims(session: Session, filters: ClaimFilter) -> list[ClaimRow]:
    """The claims `filters` select, in their order; a search is planned for this very page."""
    plan = search_plan(session, filters)
    if plan is not None and plan.how in ("rowset", "probe"):
        page = _page_by_rowid(session, filters, plan)
        if page is not None:
            return page
        plan = replace(plan, how="walk")
    walk = plan is None and _walk_in_reading_order(session, filters)
    found = session.execute(claim_select(session, filters, plan, walk=walk)).tuples()
    return [_row(claim, name, title, filters) for claim, name, title in found]


def _walk_in_reading_order(session: Session, filters: ClaimFilter) -> bool:
    """Whether SQLite should find a page of filtered claims by walking the reading order.

    Without statistics, SQLite reads every claim a type's, claimant's or publication's index finds
    and sorts them: fine for a few hundred, a second for a type that holds 250,000 claims, where
    walking claims in reading order until the page is full meets about page * claims / matches
    of them. So the matches are counted (on the index, and only as far as needed) and the walk
    is taken when they are at least sqrt(page * claims), where the two costs meet.
    """
    if session.get_bind().dialect.name != "sqlite" or filters.sort != "document" or filters.limit is None:
        return False
    if not (filters.type or filters.claimant or filters.source):
        return False  # no filter with an index to count on: SQLite walks the reading order anyway
    claims = session.scalar(select(func.max(literal_column("rowid"))).select_from(m.Claim)) or 0
    enough = math.ceil(math.sqrt((filters.offset + filters.limit) * claims))
    matching = select(m.Claim.id).where(*filter_conditions(session, filters)).limit(enough).subquery()
    return (session.scalar(select(func.count()).select_from(matching)) or 0) >= enough


def _page_by_rowid(session: Session, filters: ClaimFilter, plan: SearchPlan) -> list[ClaimRow] | None:
    """The page found by a rowset or probe plan: a walk in reading order, each claim's index row
    found by its rowid.

    None when the walk passes the plan's window before the page is full (the word is rarer in
    this stretch than in the index as a whole), or meets a claim whose index row is elsewhere:
    the caller then walks with a set of ids. Ids come first, claims after, so the claims an
    offset skips are checked too but never loaded.
    """
    wanted = filters.offset + (filters.limit or 0)
    others = replace(filters, search=None, offset=0, limit=max(wanted, plan.window))
    conditions = filter_conditions(session, others, walk=_walk_in_reading_order(session, others))
    matching, misplaced = by_rowid(plan)
    ids = select(m.Claim.id, misplaced).where(*conditions, or_(matching, misplaced))
    last = _reading_key_at(session, conditions, plan.window)
    if last is not None:
        ids = ids.where(tuple_(*READING_ORDER) <= tuple_(*last))
    found = session.execute(ids.order_by(*READING_ORDER).limit(wanted)).tuples().all()
    if any(unsure for _, unsure in found) or (last is not None and len(found) < wanted):
        return None
    page = [claim_id for claim_id, _ in found[filters.offset :]]
    return [_row(claim, name, title, filters) for claim, name, title in _claims_by_id(session, page)]


def _claims_by_id(session: Session, ids: list[str], chunk: int = BATCH_SIZE) -> list[Any]:
    """The claims with these ids (already in reading order), with names; in batches, as a
    statement may hold only so many parameters."""
    rows: list[Any] = []
    for start in range(0, len(ids), chunk):
        query = _claims_with_names().where(m.Claim.id.in_(ids[start : start + chunk])).order_by(*READING_ORDER)
        rows += session.execute(query).tuples().all()
    return rows


def _reading_key_at(session: Session, conditions: list[Any], position: int) -> tuple[Any, ...] | None:
    """The reading-order key of the `position`th claim (from 1) meeting `conditions`; None past the end."""
    query = select(*READING_ORDER).where(*conditions).order_by(*READING_ORDER).offset(max(position, 1) - 1).limit(1)
    row = session.execute(query).first()
    return tuple(row) if row is not None else None


def date_match(earliest: dt.date | None, latest: dt.date | None, filters: ClaimFilter) -> str | None:
    """Whether a claim a date filter selected lies wholly inside it ("certain") or only overlaps it."""
    if not (filters.date_from or filters.date_to):
        return None
    after_start = not filters.date_from or (
        earliest is not None and earliest >= date_bounds(filters.date_from, end=False)
    )
    before_end = not filters.date_to or (latest is not None and latest <= date_bounds(filters.date_to, end=True))
    inside = after_start and before_end
    return "certain" if inside else "possible"


def _row(claim: m.Claim, claimant_name: str, made_in_title: str | None, filters: ClaimFilter | None = None) -> ClaimRow:
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
        claimed_on=claim.claimed_on_edtf or iso_partial(claim.claimed_on, claim.claimed_on_precision),
        claimed_on_precision=claim.claimed_on_precision,
        quote=claim.quote,
        attribution=claim.attribution,
        place=claim.place,
        date_match=date_match(claim.claimed_on, claim.claimed_on_end, filters) if filters else None,
    )


@dataclass(frozen=True)
class FacetCounts:
    """Counts of the selected claims by type, claimant, publication and year, as (key, label, count).

    A facet is None when it was not counted by its deadline: a facet is shown whole or not at all,
    so every count shown is exactly what selecting its value lists.
    """

    types: list[tuple[str, str, int]] | None
    claimants: list[tuple[str, str, int]] | None
    sources: list[tuple[str, str, int]] | None
    years: list[tuple[str, str, int]] | None
    total: int | None = None
    """How many claims are selected: known with the types and claimants, as their sum."""


Counts = list[tuple[str, str, int]]
TITLED = 200
"""Publications of a facet labelled by their titles, most claims first; the rest keep their ids as
labels (the web lists 60 at most), since reading thousands of titles costs more than the count."""


def facet_counts(session: Session, filters: ClaimFilter, deadline: Deadline | None = None) -> FacetCounts:
    """Facets of a selection, counted in the database (GROUP BY), each by `deadline` or not at all.

    Types and claimants (and so the total) come from one pass over the claims by type and
    claimant, which an index holds; a publication counts the claims made in it *or* recorded from
    it, as the `source` filter selects them; a claim dated only "2017" counts under 2017; undated
    claims under "unknown". Facets are counted in the order the page shows them, each with what is
    left of the time.
    """
    where = filter_conditions(session, filters)  # names resolved once, before the clock runs
    deadline = deadline or Deadline()

    def within(count: Callable[[], Any]) -> Any:
        try:
            with time_limit(session, deadline):
                return count()
        except TooSlow:
            return None

    pairs: list[tuple[str, str, int]] | None = within(lambda: _type_claimant_counts(session, where))
    types = claimants = None
    if pairs is not None:
        by_type: dict[str, int] = {}
        by_claimant: dict[str, int] = {}
        for claim_type, claimant, n in pairs:
            by_type[claim_type] = by_type.get(claim_type, 0) + n
            by_claimant[claimant] = by_claimant.get(claimant, 0) + n
        types = _most_first([(key, key, n) for key, n in by_type.items()])
        claimants = _most_first(_named_claimants(session, by_claimant))
    return FacetCounts(
        types=types,
        claimants=claimants,
        sources=within(lambda: _most_first(_source_counts(session, where))),
        years=within(lambda: _year_counts(session, filters, where)),
        total=None if pairs is None else sum(n for _, _, n in pairs),
    )


def _most_first(rows: Counts) -> Counts:
    return sorted(rows, key=lambda row: (-row[2], row[0]))


def _type_claimant_counts(session: Session, where: list[Any]) -> list[tuple[str, str, int]]:
    pair = (m.Claim.type, m.Claim.claimant_id)
    query = select(*pair, func.count()).select_from(m.Claim).where(*where).group_by(*pair)
    return list(session.execute(query).tuples())


def _named_claimants(session: Session, counts: dict[str, int]) -> Counts:
    """(claimant id, name, count) for claim counts by claimant id."""
    names = select(m.Organisation.id, m.Organisation.name).where(m.Organisation.id.in_(list(counts)))
    return [(key, name, counts[key]) for key, name in session.execute(names).tuples()]


def _source_counts(session: Session, where: list[Any]) -> Counts:
    """Claims by publication, in one pass: each under the publication it was made in and under the
    document it was recorded from, once where the two are the same."""
    per_source: dict[str, int] = {}
    pairs = select(m.Claim.document_id, m.Claim.made_in_id, func.count()).where(*where)
    for document, made_in, n in session.execute(pairs.group_by(m.Claim.document_id, m.Claim.made_in_id)).tuples():
        if made_in is not None:
            per_source[made_in] = per_source.get(made_in, 0) + n
        if document != made_in:
            per_source[document] = per_source.get(document, 0) + n
    rows = _most_first([(key, key, n) for key, n in per_source.items()])
    titles = source_titles(session, [key for key, _, _ in rows[:TITLED]])
    return [(key, titles.get(key, key), n) for key, _, n in rows]


def source_titles(session: Session, ids: list[str]) -> dict[str, str]:
    """Publication id -> title, for these ids (in batches, as a statement takes only so many parameters)."""
    titles: dict[str, str] = {}
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        titles.update(session.execute(select(m.Source.id, m.Source.title).where(m.Source.id.in_(batch))).tuples().all())
    return titles


def _year_counts(session: Session, filters: ClaimFilter, where: list[Any]) -> Counts:
    """For each year a selected claim's dates start or end in, how many claims `--from Y --to Y`
    would list: those certainly and those possibly made that year (a claim known only as "no
    later than 2021-12-16" counts under every year up to 2021). Undated claims count as "unknown".

    Counted in one pass over the claims by the years their dates start and end in: a year's bounds
    are whole years, so whether a claim overlaps year Y follows from those two years alone. The
    year's link replaces any date filter, so the claims are those of the other filters.
    """
    first, last = (func.substr(cast(column, String), 1, 4) for column in (m.Claim.claimed_on, m.Claim.claimed_on_end))
    dated = bool(filters.date_from or filters.date_to)
    others = filter_conditions(session, replace(filters, date_from=None, date_to=None)) if dated else where
    spans = session.execute(select(first, last, func.count()).where(*others).group_by(first, last)).tuples().all()
    if dated:  # the years shown are those of the claims the date filter selects
        selected = session.execute(select(first, last).where(*where).distinct()).tuples().all()
    else:
        selected = [(start, end) for start, end, _ in spans]
    years = sorted({year for pair in selected for year in pair if year is not None})
    counts = [(year, year, sum(n for start, end, n in spans if _overlaps(start, end, int(year)))) for year in years]
    unknown = 0 if dated else sum(n for start, end, n in spans if start is None and end is None)
    return counts + ([("unknown", "unknown", unknown)] if unknown else [])


def _overlaps(start: str | None, end: str | None, year: int) -> bool:
    """Whether dates starting in year `start` and ending in `end` (None: open) meet `year`, as
    filter_conditions' date filter decides it for --from YEAR --to YEAR."""
    after_start = (end is not None and int(end) >= year) or (end is None and start is not None)
    before_end = (start is not None and int(start) <= year) or (start is None and end is not None)
    return after_start and before_end


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
        by_claimant=counts(
            m.Claim.claimant_id, m.Organisation.name, (m.Organisation, m.Claim.claimant_id == m.Organisation.id)
        ),
        by_source=counts(m.Claim.made_in_id, m.Source.title, (m.Source, m.Claim.made_in_id == m.Source.id)),
        sample=_sample(session, sample_size),
    )


def _sample(session: Session, size: int) -> list[ClaimRow]:
    """The first claim of each type in reading order (the first `size` of them), so the first
    screen shows the range of what is held; one short query per type, not the whole table."""
    firsts = []
    for claim_type in session.scalars(select(m.Claim.type).where(m.Claim.status == "active").distinct()):
        firsts += session.execute(claim_select(session, ClaimFilter(type=claim_type, limit=1))).tuples().all()
    firsts.sort(key=lambda found: (found[0].document_id, found[0].quote_start, found[0].id))
    return [_row(claim, name, title) for claim, name, title in firsts[:size]]


# --- publications, claimants, statistics, runs ------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    id: str
    title: str
    publisher: str | None
    published: str | None
    held: bool
    claims_made_in: int
    claims_recorded_from: int
    reports_on: str


@dataclass(frozen=True)
class ClaimantRow:
    id: str
    name: str
    kind: str
    aliases: str
    part_of: str | None
    claims: int
    known: str | None = None
    """What the document says of an unnamed claimant."""
    members: str = ""
    described_in: str | None = None
    """The document whose claim describes an unnamed or collective claimant."""


@dataclass(frozen=True)
class StatsRow:
    key: str
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class Stats:
    columns: list[str]
    by_type_and_claimant: list[StatsRow]
    by_year: list[Count]


@dataclass(frozen=True)
class RunRow:
    id: int
    started_at: str
    seconds: float | None
    seeds_dir: str
    files: int
    claims: int
    added: int
    changed: int
    withdrawn: int
    unchanged: int


def list_sources(session: Session) -> list[SourceRow]:
    """Every publication, what it reports on, and how many claims were made in or recorded from it."""
    made = _active_claims_by(session, m.Claim.made_in_id)
    recorded = _active_claims_by(session, m.Claim.document_id)
    reports = source_reports(session)
    rows = session.execute(
        select(m.Source, m.Organisation.name)
        .outerjoin(m.Organisation, m.Source.publisher_id == m.Organisation.id)
        .order_by(m.Source.id)
    ).tuples()
    return [
        SourceRow(
            id=source.id, title=source.title, publisher=publisher,
            published=iso_partial(source.published, source.published_precision), held=source.held,
            claims_made_in=made.get(source.id, 0), claims_recorded_from=recorded.get(source.id, 0),
            reports_on=", ".join(reports.get(source.id, [])),
        )  # fmt: skip
        for source, publisher in rows
    ]


def _active_claims_by(session: Session, column: Any) -> dict[Any, int]:
    """How many active claims hold each value of `column`."""
    query = select(column, func.count()).where(m.Claim.status == "active").group_by(column)
    return dict(session.execute(query).tuples().all())


def source_reports(session: Session) -> dict[str, list[str]]:
    """Each publication's id -> the ids of the publications it reports on, in the seed's order."""
    reports: dict[str, list[str]] = {}
    in_order = select(m.SourceReport.source_id, m.SourceReport.reported_id).order_by(m.SourceReport.position)
    for source_id, reported in session.execute(in_order).tuples():
        reports.setdefault(source_id, []).append(reported)
    return reports


@dataclass(frozen=True)
class DocumentQuote:
    """One active claim's quote in a held document, by its offsets (code points from 0)."""

    claim_id: str
    statement: str
    start: int
    end: int


def document_quotes(session: Session, document_id: str) -> list[DocumentQuote]:
    """The quotes of the active claims recorded from `document_id`, in reading order."""
    rows = session.execute(
        select(m.Claim.id, m.Claim.statement, m.Claim.quote_start, m.Claim.quote_end)
        .where(m.Claim.document_id == document_id, m.Claim.status == "active")
    ).tuples()
    quotes = [DocumentQuote(claim_id, statement, start, end) for claim_id, statement, start, end in rows]
    return sorted(quotes, key=lambda quote: (quote.start, quote.end, quote.claim_id))  # ids as Python orders them


def list_claimants(session: Session) -> list[ClaimantRow]:
    """Every organisation or person with names, aliases, kind and how many claims they make."""
    counts = _active_claims_by(session, m.Claim.claimant_id)
    aliases: dict[str, list[str]] = {}
    in_order = (
        select(m.OrganisationAlias.organisation_id, m.OrganisationAlias.alias)
        .order_by(m.OrganisationAlias.position)
    )  # fmt: skip
    for org_id, alias in session.execute(in_order).tuples():
        aliases.setdefault(org_id, []).append(alias)
    members: dict[str, list[str]] = {}
    member = aliased(m.Organisation)
    for org_id, name in session.execute(
        select(m.OrganisationMember.organisation_id, member.name)
        .join(member, m.OrganisationMember.member_id == member.id)
        .order_by(m.OrganisationMember.position)
    ).tuples():
        members.setdefault(org_id, []).append(name)
    parent = aliased(m.Organisation)
    rows = session.execute(
        select(m.Organisation, m.TermRow.label, parent.name)
        .join(m.TermRow, m.Organisation.kind_id == m.TermRow.id)
        .outerjoin(parent, m.Organisation.part_of_id == parent.id)
    ).tuples()
    result = [
        ClaimantRow(
            org.id, org.name, kind, ", ".join(aliases.get(org.id, [])), part_of, counts.get(org.id, 0),
            org.known, ", ".join(members.get(org.id, [])), org.described_in_id,
        )  # fmt: skip
        for org, kind, part_of in rows
    ]
    return sorted(result, key=lambda r: (-r.claims, r.id))


def stats(session: Session) -> Stats:
    """Claims by type x claimant, and by the year they were made."""
    grid: dict[str, dict[str, int]] = {}
    query = (
        select(m.Organisation.name, m.Claim.type, func.count())
        .join(m.Organisation, m.Claim.claimant_id == m.Organisation.id)
        .where(m.Claim.status == "active")
        .group_by(m.Organisation.name, m.Claim.type)
    )
    for name, claim_type, count in session.execute(query).tuples():
        grid.setdefault(name, {})[claim_type] = count
    columns = sorted({t for counts in grid.values() for t in counts})
    rows = [StatsRow(name, counts, sum(counts.values())) for name, counts in grid.items()]
    rows.sort(key=lambda r: (-r.total, r.key))
    years: dict[str, int] = {}
    dates = select(m.Claim.claimed_on, m.Claim.claimed_on_end).where(m.Claim.status == "active")
    for earliest, latest in session.execute(dates).tuples():
        year = _year_made(earliest, latest)
        years[year] = years.get(year, 0) + 1
    in_order = sorted(
        years.items(), key=lambda item: (item[0] == "unknown", item[0].replace("..", "").lstrip("/"), item[0])
    )
    return Stats(columns, rows, [Count(year, year, n) for year, n in in_order])


def _year_made(earliest: dt.date | None, latest: dt.date | None) -> str:
    """The year a claim was made; for dates known only within bounds across years, those bounds."""
    if earliest is None and latest is None:
        return "unknown"
    if earliest is not None and latest is not None and earliest.year == latest.year:
        return str(earliest.year)
    return f"{earliest.year if earliest else '..'}/{latest.year if latest else '..'}"


def document_text(session: Session, document_id: str) -> str:
    text = session.scalar(select(m.Document.text).where(m.Document.id == document_id))
    if text is None:
        raise NotFound(_closest("document", document_id, sorted(session.scalars(select(m.Document.id)))))
    return text


def list_runs(session: Session) -> list[RunRow]:
    per_run = select(m.LoadRunFile.run_id, func.count()).group_by(m.LoadRunFile.run_id)
    files = dict(session.execute(per_run).tuples().all())
    runs = session.scalars(select(m.LoadRun).order_by(m.LoadRun.id.desc()))
    return [
        RunRow(
            id=run.id, started_at=run.started_at.isoformat(timespec="seconds"),
            seconds=round((run.finished_at - run.started_at).total_seconds(), 2) if run.finished_at else None,
            seeds_dir=run.seeds_dir, files=files.get(run.id, 0), claims=run.claims_total, added=run.added,
            changed=run.changed, withdrawn=run.withdrawn, unchanged=run.unchanged,
        )  # fmt: skip
        for run in runs
    ]
