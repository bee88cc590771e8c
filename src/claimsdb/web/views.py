"""What the pages show, computed from library results: pure functions, no database, no HTML.

The route handlers parse a request, call the library, and hand these functions' results to a
template. Keeping the shaping here (filters from query strings, facets, paging, the split of a
document into highlighted segments) makes it testable without a server and keeps SQL out of the
web layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from markupsafe import Markup

from claimsdb.api import (
    Anchor,
    ClaimFilter,
    ClaimProvenance,
    ClaimRow,
    DocumentQuote,
    FacetCounts,
    SourceRow,
    whole_number,
)
from claimsdb.errors import ClaimsError
from claimsdb.rules import SORTS, http_url

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
FACET_SHOWN = 8
"""Facet values listed before the rest fold away under "more" (a <details>, so no JavaScript)."""
FACET_MAX = 60
"""Facet values listed at all: past this, narrowing the selection is more use than a longer list."""

FILTER_PARAMS = (
    "q", "claimant", "source", "type", "term", "attribution", "place", "reliability", "credibility",
    "from", "to", "withdrawn", "sort",
)  # fmt: skip
"""The list's query parameters, in the order links write them; the CLI's filters by other names."""
EXACT = "exact"
"""The parameter asking for exact counts without a time limit; no other link keeps it."""


@dataclass(frozen=True)
class ListRequest:
    """A claims-list request: the library filter, the parameters as given (for links), the page."""

    filters: ClaimFilter
    params: dict[str, str]
    offset: int
    limit: int
    exact: bool = False
    """Whether every count is wanted exact, however long it takes (the "count them" link)."""


def given_params(query: Mapping[str, str]) -> dict[str, str]:
    """The list's parameters that were given a value, as given (to refill the form)."""
    return {name: query[name].strip() for name in FILTER_PARAMS if query.get(name, "").strip()}


def parse_list_request(query: Mapping[str, str]) -> ListRequest:
    """Query parameters -> ClaimFilter and page; a bad value is a ClaimsError naming what to write."""
    params = given_params(query)
    sort = params.get("sort", "document")
    if sort not in SORTS:
        raise ClaimsError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    withdrawn = params.get("withdrawn", "")
    if withdrawn not in ("", "0", "1"):
        raise ClaimsError(f"withdrawn must be 1 (include withdrawn claims) or 0, not {withdrawn!r}")
    if withdrawn != "1":
        params.pop("withdrawn", None)
    if sort == "document":
        params.pop("sort", None)
    filters = ClaimFilter(
        source=params.get("source"),
        claimant=params.get("claimant"),
        type=params.get("type"),
        term=params.get("term"),
        attribution=params.get("attribution"),
        place=params.get("place"),
        reliability=params.get("reliability"),
        credibility=params.get("credibility"),
        date_from=params.get("from"),
        date_to=params.get("to"),
        search=params.get("q"),
        include_withdrawn=withdrawn == "1",
        sort=sort,
    )
    offset = _whole_number(query, "offset", 0, minimum=0)
    limit = min(_whole_number(query, "limit", PAGE_SIZE, minimum=1), MAX_PAGE_SIZE)
    exact = query.get(EXACT, "").strip()
    if exact not in ("", "1"):
        raise ClaimsError(f"{EXACT} must be 1 (count every claim and facet, however long it takes), not {exact!r}")
    return ListRequest(filters, params, offset, limit, exact == "1")


def _whole_number(query: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = query.get(name, "").strip()
    return whole_number(raw, name, minimum=minimum) if raw else default


def without_empty(pairs: Sequence[tuple[str, str]], path: str = "/") -> str | None:
    """The URL minus empty parameters, or None if there are none: a plain GET form sends every
    field, and `/?q=x&claimant=&type=` should read (and be shared) as `/?q=x`."""
    kept = [(name, value) for name, value in pairs if value.strip()]
    if len(kept) == len(pairs):
        return None
    return f"{path}?{urlencode(kept)}" if kept else path


def link(params: Mapping[str, str], changes: Mapping[str, str | int | None] | None = None, path: str = "/") -> str:
    """A URL for the list with `changes` applied (None removes a parameter); paging restarts unless set."""
    merged: dict[str, str] = {k: v for k, v in params.items() if k != "offset"}
    for name, value in (changes or {}).items():
        if value is None or value == "":
            merged.pop(name, None)
        else:
            merged[name] = str(value)
    order = {name: i for i, name in enumerate((*FILTER_PARAMS, "offset", "limit", EXACT))}
    query = urlencode(sorted(merged.items(), key=lambda item: order.get(item[0], len(order))))
    return f"{path}?{query}" if query else path


# --- facets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetValue:
    label: str
    key: str
    count: int
    adds: dict[str, str] | None  # the parameters that select it; None when it cannot be selected
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    param: str
    values: list[FacetValue] | None
    """None when not counted in time: the page offers to count it instead."""

    @property
    def counted(self) -> bool:
        return self.values is not None

    @property
    def shown(self) -> list[FacetValue]:
        return (self.values or [])[:FACET_SHOWN]

    @property
    def more(self) -> list[FacetValue]:
        return (self.values or [])[FACET_SHOWN:FACET_MAX]

    @property
    def unlisted(self) -> int:
        return max(0, len(self.values or []) - FACET_MAX)


def type_label(claim_type: str) -> str:
    """execution_method -> execution method: ids are for machines, labels for people."""
    return claim_type.replace("_", " ")


def facets(counts: FacetCounts, params: Mapping[str, str]) -> list[Facet]:
    """The selection's counts (from the database) as facets whose values are links.

    Each count is what the list shows after selecting that value: the publication facet counts a
    claim under the publication it was made in *and* the document it was recorded from, because the
    `source` filter matches either; a year selects claims whose (possibly partial) date overlaps it.
    A facet not counted in time has no values (None).
    """
    chosen_claimant = params.get("claimant", "").casefold()
    chosen_year = params.get("from") if params.get("from") == params.get("to") else None

    def values(
        rows: list[tuple[str, str, int]] | None, make: Callable[[str, str, int], FacetValue]
    ) -> list[FacetValue] | None:
        return None if rows is None else [make(key, label, n) for key, label, n in rows]

    def kind(key: str, _label: str, n: int) -> FacetValue:
        return FacetValue(type_label(key), key, n, {"type": key}, params.get("type") == key)

    def claimant(key: str, name: str, n: int) -> FacetValue:
        return FacetValue(name, key, n, {"claimant": key}, chosen_claimant == key)

    def publication(key: str, title: str, n: int) -> FacetValue:
        return FacetValue(title, key, n, {"source": key}, params.get("source") == key)

    def year(key: str, _label: str, n: int) -> FacetValue:
        adds = None if key == "unknown" else {"from": key, "to": key}
        return FacetValue(key, key, n, adds, chosen_year == key)

    return [
        Facet("Type", "type", values(counts.types, kind)),
        Facet("Claimant", "claimant", values(counts.claimants, claimant)),
        Facet("Publication", "source", values(counts.sources, publication)),
        Facet("Year claimed", "from", values(counts.years, year)),
    ]


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in force, shown as a chip whose link removes it."""

    label: str
    value: str
    removes: dict[str, None]


FILTER_LABELS = {
    "q": "text", "claimant": "claimant", "source": "publication", "type": "type", "term": "term",
    "attribution": "attribution", "place": "place", "reliability": "source reliability",
    "credibility": "credibility", "from": "from", "to": "to", "withdrawn": "withdrawn", "sort": "sort",
}  # fmt: skip


def active_filters(params: Mapping[str, str], shown: Sequence[Facet] = ()) -> list[ActiveFilter]:
    """The filters in force, each named the way its facet names it (a claimant's name, not its id)."""
    labels = {(facet.param, value.key): value.label for facet in shown for value in facet.values or []}
    chips: list[ActiveFilter] = []
    for name, value in params.items():
        if name == "sort" or (name in ("from", "to") and params.get("from") == params.get("to")):
            continue
        text = (
            "included"
            if name == "withdrawn"
            else labels.get((name, value.casefold() if name == "claimant" else value), value)
        )
        chips.append(ActiveFilter(FILTER_LABELS[name], text, {name: None}))
    if params.get("from") and params.get("from") == params.get("to"):
        chips.append(ActiveFilter("claimed in", params["from"], {"from": None, "to": None}))
    return chips


# --- paging ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    rows: list[ClaimRow]
    total: int | None
    """None when the selection was not counted in time (the page says "many")."""
    offset: int
    limit: int
    more: bool
    """Whether claims follow this page."""

    @property
    def first(self) -> int:
        return self.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.rows)

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.more else None

    @property
    def number(self) -> int:
        return self.offset // self.limit + 1

    @property
    def count(self) -> int | None:
        """How many pages there are (None when the total is not known)."""
        return None if self.total is None else max(1, -(-self.total // self.limit))

    @property
    def paged(self) -> bool:
        """Whether the selection spans more than this one page."""
        return self.offset > 0 or self.more


def count_link(params: Mapping[str, str], shown: Page) -> str:
    """The link to this very page with every count made exactly, however long it takes."""
    limit = None if shown.limit == PAGE_SIZE else shown.limit
    return link(params, {EXACT: 1, "offset": shown.offset or None, "limit": limit})


def page(rows: Sequence[ClaimRow], total: int | None, offset: int, limit: int, more: bool | None = None) -> Page:
    """One page of a selection of `total` claims (the database returns just this page); `more`
    says whether claims follow it, worked out from `total` when not given."""
    if more is None:
        more = total is not None and offset + limit < total
    return Page(list(rows), total, offset, limit, more)


# --- sources --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourcePage:
    source: SourceRow
    reports_on: list[SourceRow]
    reported_by: list[SourceRow]


def source_page(sources: Sequence[SourceRow], reports: Mapping[str, Sequence[str]], source_id: str) -> SourcePage:
    """The publication `source_id` (one of `sources`) and its neighbours in the reports_on graph."""
    by_id = {row.id: row for row in sources}
    return SourcePage(
        source=by_id[source_id],
        reports_on=[by_id[sid] for sid in reports.get(source_id, ()) if sid in by_id],
        reported_by=[row for row in sources if source_id in reports.get(row.id, ())],
    )


# --- a held document with its quotes highlighted ----------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """One claim's quote in a document: its number in reading order and its offsets."""

    number: int
    claim_id: str
    statement: str
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A run of text inside which the set of covering quotes does not change."""

    text: str
    covering: tuple[Quote, ...]
    opens: tuple[Quote, ...] = field(default=())  # quotes that start here: an anchor to jump to
    closes: tuple[Quote, ...] = field(default=())  # quotes that end here: a numbered link after it

    @property
    def title(self) -> str:
        ids = ", ".join(q.claim_id for q in self.covering)
        return f"quoted by {len(self.covering)} claims: {ids}" if len(self.covering) > 1 else f"quoted by {ids}"

    @property
    def claim_ids(self) -> str:
        return " ".join(q.claim_id for q in self.covering)


def numbered(quotes: Iterable[DocumentQuote]) -> list[Quote]:
    """A document's quotes (in reading order) numbered from 1, as the page shows them."""
    return [Quote(number, q.claim_id, q.statement, q.start, q.end) for number, q in enumerate(quotes, start=1)]


def segments(text: str, quotes: Sequence[Quote]) -> list[Segment]:
    """Split `text` at every quote boundary, so overlapping quotes become one <mark> per segment.

    Each segment lists every quote covering it; a quote's first segment carries its anchor and its
    last segment its numbered link, so several claims quoting the same words stay distinguishable.
    """
    usable = [q for q in quotes if 0 <= q.start < q.end <= len(text)]
    cuts = sorted({0, len(text), *(q.start for q in usable), *(q.end for q in usable)})
    result: list[Segment] = []
    for start, end in zip(cuts, cuts[1:]):
        covering = tuple(q for q in usable if q.start <= start and end <= q.end)
        opens = tuple(q for q in usable if q.start == start)
        closes = tuple(q for q in usable if q.end == end)
        result.append(Segment(text[start:end], covering, opens, closes))
    return result


# --- one claim --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """The quote with the document text around it, trimmed to whole words where it was cut."""

    before: str
    exact: str
    after: str
    cut_before: bool
    cut_after: bool


def quote_context(anchor: Anchor, width: int) -> Context:
    """`show`'s context, minus the broken word at each cut edge (the quote itself is never touched)."""
    before, after = anchor.context_before, anchor.context_after
    cut_before, cut_after = len(before) >= width, len(after) >= width
    if cut_before and " " in before:
        before = before[before.index(" ") + 1 :]
    if cut_after and " " in after:
        after = after[: after.rindex(" ")]
    return Context(before, anchor.exact, after, cut_before, cut_after)


def citation(claim: ClaimProvenance, url: str) -> str:
    """A plain-text reference to one claim that a reader can paste into a footnote."""
    who = claim.claimant.name
    where = f"“{claim.made_in.title}”" if claim.made_in else "publication not identified"
    when = claim.claimed_on or "date unknown"
    doc = claim.document
    held = ", ".join(part for part in (doc.publisher_name, doc.published) if part)
    anchor = claim.anchor
    publisher = f" ({held})" if held else ""
    address = f" <{doc.url}>" if http_url(doc.url) else ""
    return (
        f"{who}, {where}, {when}. "
        f"Quoted in “{doc.title}”{publisher}{address}: “{anchor.exact}” "
        f"[document {doc.id}, sha256 {anchor.document_sha256}, characters {anchor.start}–{anchor.end}]. "
        f"claimsdb claim {claim.id}, {url}"
    )


def isolate(value: object) -> Markup:
    """Text from seeds or requests, escaped, in its own bidirectional isolate (<bdi>, whose direction
    follows its own first strong character): a right-to-left override or a Hebrew name inside it
    cannot reorder the words of the page around it. The `bdi` filter of every template."""
    return Markup("<bdi>{}</bdi>").format(value)
