"""Figures side by side: every claimed quantity, grouped by what it measures and when, with the
rules that say where the figures cannot all be true.

A figure is kept as it was said ("over 500", "almost 34,000", "63") and read as an interval of
whole numbers: "over 500" is at least 501, "under 100" at most 99, "about 80" is 72-88 (within
ABOUT_TOLERANCE), "almost 34,000" is 30,600-34,000. Figures measure the same thing when they
have the same claim type, the same vocabulary terms and the same place (and, for the size of an
evidence basis, the same publication: every report has its own interviews), and cover the same
period (compared by the days it spans, so `2021` and `2021-01/2021-12` are one period).

The rules, all of them here and none in the CLI or the web layer:

- **conflict**: two figures of one measure and period whose intervals do not overlap; they
  cannot both be true. Only periods with dates are compared ("two years" with no dates is not).
- **restatement**: a figure with the same claimant, publication (release) and interval as an
  earlier one. It repeats that figure, so it is listed but never counted as a second voice.
- **superseded**: a figure that a later claim `supersedes` (a revision) is listed, not compared.
- **sums**: a claimant's quarters (or months) of a year, or months of a quarter, must add up to
  its figure for the whole; when only some parts are given, they may not already exceed it.

Queries and rules only: no printing (render.py), no options (cli.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from claimsdb.db import models as m
from claimsdb.errors import ClaimsError
from claimsdb.query import ClaimFilter, filter_conditions, iso_partial
from claimsdb.rules import last_day, read_partial_date
from claimsdb.seeds.records import TERM_COLUMNS

ABOUT_TOLERANCE = 0.10
"""How far "about N" (and "almost N", below N) may be from N: 10%, so "about 80" is 72-88."""


# --- intervals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """The whole numbers a figure allows, bounds inclusive; None is an open end."""

    low: int | None
    high: int | None
    kind: str
    """exact, at_least, at_most, about, between, or unknown (a vague "dozens": no number)."""

    @property
    def known(self) -> bool:
        return self.kind != "unknown"

    def overlaps(self, other: Interval) -> bool:
        """Can both be true at once? An unknown figure is compatible with anything."""
        if not (self.known and other.known):
            return True
        low = max(self.low or 0, other.low or 0)
        highs = [h for h in (self.high, other.high) if h is not None]
        return not highs or low <= min(highs)

    def intersect(self, other: Interval) -> Interval:
        low = max(self.low or 0, other.low or 0)
        highs = [h for h in (self.high, other.high) if h is not None]
        high = min(highs) if highs else None
        return Interval(low or None, high, "exact" if high is not None and low == high else "between")

    def text(self) -> str:
        """'63', '≥ 501', '≤ 99', '72–88'."""
        if not self.known:
            return "no number"
        if self.high is None:
            return f"≥ {self.low or 0:,}"
        if self.low in (None, 0) and self.kind == "at_most":
            return f"≤ {self.high:,}"
        if self.low == self.high:
            return f"{self.high:,}"
        return f"{self.low or 0:,}–{self.high:,}"


def interval_of(qualifier: str | None, value: int | None, lower: int | None, upper: int | None) -> Interval:
    """A stored quantity (claims.quantity_* columns) as the interval of counts it allows."""
    if qualifier == "exact" and value is not None:
        return Interval(value, value, "exact")
    if qualifier == "more_than" and lower is not None:
        return Interval(lower + 1, None, "at_least")
    if qualifier == "at_least" and lower is not None:
        return Interval(lower, None, "at_least")
    if qualifier == "less_than" and upper is not None:
        return Interval(None, max(upper - 1, 0), "at_most")
    if qualifier == "at_most" and upper is not None:
        return Interval(None, upper, "at_most")
    if qualifier == "approximately" and value is not None:
        return Interval(math.floor(value * (1 - ABOUT_TOLERANCE)), math.ceil(value * (1 + ABOUT_TOLERANCE)), "about")
    if qualifier == "almost" and value is not None:
        return Interval(math.ceil(value * (1 - ABOUT_TOLERANCE)), value, "about")
    if qualifier == "range" and lower is not None and upper is not None:
        return Interval(lower, upper, "between")
    return Interval(None, None, "unknown")


# --- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The span a figure covers, as stored (YYYY, YYYY-MM or YYYY-MM-DD ends) and as days."""

    start: str | None
    end: str | None
    label: str | None
    first_day: dt.date | None
    last_day: dt.date | None

    @property
    def dated(self) -> bool:
        return self.first_day is not None or self.last_day is not None

    @property
    def key(self) -> tuple[Any, ...]:
        """Figures are compared within one key: the days a dated period spans, else its label."""
        return ("dated", self.first_day, self.last_day) if self.dated else ("undated", self.label or "")

    @property
    def granularity(self) -> str | None:
        """year, quarter or month when the period is exactly one; None otherwise."""
        first, last = self.first_day, self.last_day
        if first is None or last is None or first.day != 1 or last != last_day(last, "month"):
            return None
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months == 12 and first.month == 1:
            return "year"
        if months == 3 and first.month in (1, 4, 7, 10):
            return "quarter"
        return "month" if months == 1 else None

    def text(self) -> str:
        """'2021', '2021-Q1', '2021-03', '2011-12/2021-12', '../2021-03', or the label alone."""
        first = self.first_day
        shape = self.granularity
        if shape == "year" and first:
            span = str(first.year)
        elif shape == "quarter" and first:
            span = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        elif shape == "month" and first:
            span = f"{first.year}-{first.month:02d}"
        elif self.start and self.start == self.end:
            span = self.start
        elif self.dated:
            span = f"{self.start or '..'}/{self.end or '..'}"
        else:
            span = ""
        if self.label and span:
            return f"{span} ({self.label})"
        return span or self.label or "no period given"

    def contains(self, other: Period) -> bool:
        return None not in (self.first_day, self.last_day, other.first_day, other.last_day) and (
            self.first_day <= other.first_day and other.last_day <= self.last_day  # type: ignore[operator]
        )

    def overlaps_days(self, first: dt.date, last: dt.date) -> bool:
        starts_in_time = self.first_day is None or self.first_day <= last
        return self.dated and starts_in_time and (self.last_day is None or first <= self.last_day)


def partial_day(text: str | None, *, last: bool) -> dt.date | None:
    """The first (or last) day of YYYY, YYYY-MM or YYYY-MM-DD; None for None."""
    if not text:
        return None
    first, precision = read_partial_date(text)
    return last_day(first, precision) if last else first


def period_of(start: str | None, end: str | None, label: str | None) -> Period:
    return Period(start, end, label, partial_day(start, last=False), partial_day(end, last=True))


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """What `--period` takes: 2021, 2021-Q1, 2021-03, 2021-03-15, or an interval 2019/2021."""
    raw = text.strip()
    try:
        if "/" in raw:
            start, _, end = raw.partition("/")
            first, last = parse_period(start)[0], parse_period(end)[1]
        elif len(raw) == 7 and raw[4:6].upper() == "-Q" and raw[6] in "1234":
            quarter = int(raw[6])
            first = dt.date(int(raw[:4]), 3 * quarter - 2, 1)
            last = last_day(dt.date(int(raw[:4]), 3 * quarter, 1), "month")
        else:
            first, last = partial_day(raw, last=False), partial_day(raw, last=True)  # type: ignore[assignment]
            if len(raw) not in (4, 7, 10):
                raise ValueError(raw)
    except ValueError:
        raise ClaimsError(
            f"{text!r} is not a period: write 2021, 2021-Q1, 2021-03, 2021-03-15 or an interval such as 2019/2021"
        ) from None
    if first is None or last is None or first > last:
        raise ClaimsError(f"{text!r} is not a period: its start comes after its end")
    return first, last


# --- what is measured -------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What a figure counts: claim type, vocabulary terms, place (and a basis's publication)."""

    key: str
    """A stable id for links and exports: defection_figure:measure=arrivals_in_south_korea."""
    claim_type: str
    terms: tuple[tuple[str, str, str], ...]
    """(field, term id, term label) of each term the figure has, e.g.
    ("measure", "arrivals_in_south_korea", "Arrivals in South Korea")."""
    place_id: str | None
    place_name: str | None
    publication_id: str | None
    """Only for evidence_basis: the publication whose basis it is."""

    @property
    def label(self) -> str:
        """'Arrivals in South Korea — defection figure, South Hwanghae Province'."""
        words = ", ".join(label for _, _, label in self.terms) or self.claim_type.replace("_", " ")
        extra = [self.claim_type.replace("_", " ")] if self.terms else []
        if self.place_name:
            extra.append(self.place_name)
        if self.publication_id:
            extra.append(f"basis of {self.publication_id}")
        return f"{words} — {', '.join(extra)}" if extra else words


def _measure(claim: m.Claim, labels: dict[str, str], place_name: str | None) -> Measure:
    terms = tuple(
        (column, term, labels.get(term, term))
        for column in TERM_COLUMNS
        if (term := getattr(claim, column)) is not None
    )
    publication = claim.made_in_id if claim.type == "evidence_basis" else None
    parts = [claim.type, *(f"{column}={term}" for column, term, _ in terms)]
    if claim.place:
        parts.append(f"place={claim.place}")
    if publication:
        parts.append(f"publication={publication}")
    return Measure(":".join(parts), claim.type, terms, claim.place, place_name, publication)


# --- figures and groups -----------------------------------------------------------------------


@dataclass(frozen=True)
class FigureValue:
    """One claimed figure, with who said it, where, when, and what the rules found."""

    claim_id: str
    claimant_id: str
    claimant_name: str
    made_in_id: str | None
    made_in_title: str | None
    document_id: str
    claimed_on: str | None
    claimed_on_earliest: dt.date | None
    qualifier: str
    phrase: str | None
    interval: Interval
    statement: str
    restates: str | None = None
    """The earlier claim this one repeats (same claimant, publication and figure)."""
    superseded_by: str | None = None
    conflicts_with: tuple[str, ...] = ()

    @property
    def said(self) -> str:
        """The figure as said, or as the interval when no phrase was recorded."""
        return self.phrase or self.interval.text()

    @property
    def compared(self) -> bool:
        """Does this figure take part in the conflict check as a voice of its own?"""
        return self.interval.known and self.restates is None and self.superseded_by is None


@dataclass(frozen=True)
class FigureGroup:
    """The figures of one measure for one period."""

    measure: Measure
    period: Period
    values: list[FigureValue]

    @property
    def checked(self) -> bool:
        """Only dated periods are compared: two undated "two years" need not be the same two years."""
        return self.period.dated

    @property
    def conflict(self) -> bool:
        return any(value.conflicts_with for value in self.values)

    @property
    def agreed(self) -> Interval | None:
        """What every compared figure allows at once (None in a conflict, or with nothing to compare)."""
        compared = [v.interval for v in self.values if v.compared]
        if self.conflict or not compared:
            return None
        result = compared[0]
        for interval in compared[1:]:
            result = result.intersect(interval)
        return result


@dataclass(frozen=True)
class SumCheck:
    """A claimant's figures for the parts of a period (quarters of a year) against its figure for the whole."""

    measure: Measure
    claimant_id: str
    claimant_name: str
    whole: FigureValue
    whole_period: Period
    parts: list[tuple[Period, FigureValue]]
    parts_expected: int
    parts_sum: Interval
    adds_up: bool
    problem: str | None


@dataclass(frozen=True)
class Figures:
    groups: list[FigureGroup]
    sums: list[SumCheck]
    """Every sum that could be checked; `adds_up` says which do."""

    @property
    def conflicts(self) -> list[FigureGroup]:
        return [group for group in self.groups if group.conflict]

    @property
    def sums_not_adding_up(self) -> list[SumCheck]:
        return [check for check in self.sums if not check.adds_up]

    @property
    def measures(self) -> list[tuple[Measure, list[FigureGroup]]]:
        """The groups by measure, in the order of `groups`."""
        by_key: dict[str, tuple[Measure, list[FigureGroup]]] = {}
        for group in self.groups:
            by_key.setdefault(group.measure.key, (group.measure, []))[1].append(group)
        return list(by_key.values())


def figures(session: Session, filters: ClaimFilter = ClaimFilter(), period: str | None = None) -> Figures:
    """Every active claim with a quantity that `filters` select (and whose period overlaps
    `period`, e.g. "2021" or "2021-Q1"), grouped, compared and summed."""
    within = parse_period(period) if period else None
    made_in = aliased(m.Source)
    query = (
        select(m.Claim, m.Organisation.name, made_in.title, m.Place.name)
        .join(m.Organisation, m.Claim.claimant_id == m.Organisation.id)
        .outerjoin(made_in, m.Claim.made_in_id == made_in.id)
        .outerjoin(m.Place, m.Claim.place == m.Place.id)
        .where(
            m.Claim.quantity_qualifier.is_not(None),
            *filter_conditions(session, replace(filters, include_withdrawn=False)),
        )
    )
    labels = dict(session.execute(select(m.TermRow.id, m.TermRow.label)).tuples().all())
    superseded = _superseded(session)
    grouped: dict[tuple[str, tuple[Any, ...]], tuple[Measure, Period, list[FigureValue]]] = {}
    for claim, claimant_name, title, place_name in session.execute(query).tuples():
        span = period_of(claim.period_start, claim.period_end, claim.period_label)
        if within is not None and not span.overlaps_days(*within):
            continue
        measure = _measure(claim, labels, place_name)
        value = FigureValue(
            claim_id=claim.id, claimant_id=claim.claimant_id, claimant_name=claimant_name,
            made_in_id=claim.made_in_id, made_in_title=title, document_id=claim.document_id,
            claimed_on=claim.claimed_on_edtf or iso_partial(claim.claimed_on, claim.claimed_on_precision),
            claimed_on_earliest=claim.claimed_on or claim.claimed_on_end,
            qualifier=claim.quantity_qualifier or "vague", phrase=claim.quantity_phrase,
            interval=interval_of(
                claim.quantity_qualifier, claim.quantity_value, claim.quantity_lower, claim.quantity_upper
            ),
            statement=claim.statement, superseded_by=superseded.get(claim.id),
        )  # fmt: skip
        grouped.setdefault((measure.key, span.key), (measure, span, []))[2].append(value)
    groups = [FigureGroup(measure, span, _judged(values, span)) for measure, span, values in grouped.values()]
    groups.sort(key=_group_order)
    return Figures(groups, _sum_checks(groups))


def _group_order(group: FigureGroup) -> tuple[Any, ...]:
    """By measure, then dated periods by start (a year before its quarters), then undated ones."""
    period = group.period
    start = period.first_day or period.last_day or dt.date.max
    length = -((period.last_day or dt.date.max) - start).days
    return (group.measure.label.casefold(), group.measure.key, not period.dated, start, length, period.label or "")


def _superseded(session: Session) -> dict[str, str]:
    """Claim id -> the active claim that supersedes it (a revised figure)."""
    rows = session.execute(
        select(m.ClaimRelation.target_id, m.ClaimRelation.claim_id)
        .join(m.Claim, m.Claim.id == m.ClaimRelation.claim_id)
        .where(m.ClaimRelation.kind == "supersedes", m.Claim.status == "active")
        .order_by(m.ClaimRelation.claim_id)
    ).tuples()
    return {target: by for target, by in rows}


def _said_order(value: FigureValue) -> tuple[Any, ...]:
    return (value.claimed_on_earliest or dt.date.max, value.claim_id)


def _judged(values: list[FigureValue], span: Period) -> list[FigureValue]:
    """Mark restatements, then (for a dated period) every pair of figures that cannot both be true."""
    ordered = sorted(values, key=_said_order)
    marked: list[FigureValue] = []
    for value in ordered:
        first = next(
            (earlier for earlier in marked
             if earlier.restates is None and earlier.claimant_id == value.claimant_id
             and earlier.made_in_id == value.made_in_id and earlier.interval == value.interval),
            None,
        )  # fmt: skip
        marked.append(replace(value, restates=first.claim_id) if first is not None else value)
    if not span.dated:
        return marked
    clashes: dict[str, list[str]] = defaultdict(list)
    compared = [v for v in marked if v.compared]
    for i, one in enumerate(compared):
        for other in compared[i + 1 :]:
            if not one.interval.overlaps(other.interval):
                clashes[one.claim_id].append(other.claim_id)
                clashes[other.claim_id].append(one.claim_id)
    return [replace(v, conflicts_with=tuple(clashes[v.claim_id])) if v.claim_id in clashes else v for v in marked]


# --- sums -------------------------------------------------------------------------------------

PARTS = {"year": ("quarter", "month"), "quarter": ("month",)}
PARTS_IN = {("year", "quarter"): 4, ("year", "month"): 12, ("quarter", "month"): 3}


def _claimant_figure(values: list[FigureValue], claimant_id: str) -> FigureValue | None:
    """A claimant's one figure for a group: its compared figures if they agree (the narrowest
    taken), None if it has none or contradicts itself."""
    own = [v for v in values if v.claimant_id == claimant_id and v.compared]
    if not own or any(v.conflicts_with and set(v.conflicts_with) & {o.claim_id for o in own} for v in own):
        return None
    return min(
        own,
        key=lambda v: (
            (v.interval.high if v.interval.high is not None else math.inf) - (v.interval.low or 0),
            _said_order(v),
        ),
    )


def _sum_checks(groups: list[FigureGroup]) -> list[SumCheck]:
    checks: list[SumCheck] = []
    by_measure: dict[str, list[FigureGroup]] = defaultdict(list)
    for group in groups:
        if group.period.granularity is not None:
            by_measure[group.measure.key].append(group)
    for measure_groups in by_measure.values():
        claimants = {(v.claimant_id, v.claimant_name) for g in measure_groups for v in g.values}
        for claimant_id, claimant_name in sorted(claimants):
            for whole_group in measure_groups:
                whole = _claimant_figure(whole_group.values, claimant_id)
                if whole is None:
                    continue
                for shape in PARTS.get(whole_group.period.granularity or "", ()):
                    parts = [
                        (g.period, figure) for g in measure_groups
                        if g.period.granularity == shape and whole_group.period.contains(g.period)
                        and (figure := _claimant_figure(g.values, claimant_id)) is not None
                    ]  # fmt: skip
                    if parts:
                        expected = PARTS_IN[(whole_group.period.granularity or "", shape)]
                        checks.append(
                            _sum_check(
                                whole_group,
                                claimant_name,
                                whole,
                                sorted(parts, key=lambda p: p[0].first_day or dt.date.min),
                                expected,
                            )
                        )
    return checks


def _sum_check(
    whole_group: FigureGroup,
    claimant_name: str,
    whole: FigureValue,
    parts: list[tuple[Period, FigureValue]],
    expected: int,
) -> SumCheck:
    lows = sum(figure.interval.low or 0 for _, figure in parts)
    highs = (
        None
        if any(figure.interval.high is None for _, figure in parts)
        else sum(figure.interval.high or 0 for _, figure in parts)
    )
    total = Interval(lows, highs, "exact" if highs == lows else "between")
    complete = len(parts) == expected
    problem = None
    name = f"{parts[0][0].granularity}s"
    if complete and not total.overlaps(whole.interval):
        problem = (
            f"the {expected} {name} add up to {total.text()}, "
            f"the {whole_group.period.granularity} is {whole.interval.text()}"
        )
    elif not complete and whole.interval.high is not None and lows > whole.interval.high:
        problem = (
            f"{len(parts)} of the {expected} {name} already add up to {total.text()}, "
            f"more than the {whole_group.period.granularity}'s {whole.interval.text()}"
        )
    return SumCheck(
        measure=whole_group.measure, claimant_id=whole.claimant_id, claimant_name=claimant_name,
        whole=whole, whole_period=whole_group.period, parts=parts, parts_expected=expected,
        parts_sum=total, adds_up=problem is None, problem=problem,
    )  # fmt: skip


# --- flat rows for CSV and JSON lines -----------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """One figure as one flat row: what `claims figures --format csv` and /figures.csv write."""

    measure: str
    measure_label: str
    claim_type: str
    place: str | None
    period: str
    period_start: str | None
    period_end: str | None
    claim_id: str
    claimant: str
    claimant_name: str
    made_in: str | None
    made_in_title: str | None
    claimed_on: str | None
    qualifier: str
    phrase: str | None
    low: int | None
    high: int | None
    interval: str
    status: str
    """conflict, restatement, superseded, agrees, alone (the only figure), or unchecked (an undated period)."""
    conflicts_with: str
    restates: str | None
    statement: str


def figure_rows(data: Figures) -> list[FigureRow]:
    rows = []
    for group in data.groups:
        voices = sum(1 for v in group.values if v.compared)
        for value in group.values:
            rows.append(FigureRow(
                measure=group.measure.key, measure_label=group.measure.label, claim_type=group.measure.claim_type,
                place=group.measure.place_id, period=group.period.text(), period_start=group.period.start,
                period_end=group.period.end, claim_id=value.claim_id, claimant=value.claimant_id,
                claimant_name=value.claimant_name, made_in=value.made_in_id, made_in_title=value.made_in_title,
                claimed_on=value.claimed_on, qualifier=value.qualifier, phrase=value.phrase,
                low=value.interval.low if value.interval.known else None, high=value.interval.high,
                interval=value.interval.text(), status=figure_status(group, value, voices),
                conflicts_with=" ".join(value.conflicts_with), restates=value.restates, statement=value.statement,
            ))  # fmt: skip
    return rows


def figure_status(group: FigureGroup, value: FigureValue, voices: int) -> str:
    if value.conflicts_with:
        return "conflict"
    if value.restates:
        return "restatement"
    if value.superseded_by:
        return "superseded"
    if not group.checked or not value.interval.known:
        return "unchecked"
    return "agrees" if voices > 1 else "alone"


# --- denials ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimBrief:
    id: str
    claimant_id: str
    claimant_name: str
    claimed_on: str | None
    statement: str
    status: str


@dataclass(frozen=True)
class Denial:
    """A claim that contradicts others (a denial), and what it contradicts."""

    claim: ClaimBrief
    denies: list[ClaimBrief] = field(default_factory=list)


def contradicts(session: Session, filters: ClaimFilter = ClaimFilter()) -> list[Denial]:
    """Every active claim with `contradicts` relations (the filters select the denials), each
    with the claims it contradicts, oldest denial first."""
    target = aliased(m.Claim)
    target_org = aliased(m.Organisation)
    query = (
        select(m.Claim, m.Organisation.name, target, target_org.name)
        .join(m.ClaimRelation, (m.ClaimRelation.claim_id == m.Claim.id) & (m.ClaimRelation.kind == "contradicts"))
        .join(m.Organisation, m.Claim.claimant_id == m.Organisation.id)
        .join(target, target.id == m.ClaimRelation.target_id)
        .join(target_org, target.claimant_id == target_org.id)
        .where(*filter_conditions(session, replace(filters, include_withdrawn=False)))
        .order_by(m.Claim.id, target.id)
    )
    found: dict[str, Denial] = {}
    for claim, name, denied, denied_name in session.execute(query).tuples():
        denial = found.setdefault(claim.id, Denial(_brief(claim, name)))
        denial.denies.append(_brief(denied, denied_name))
    return sorted(found.values(), key=lambda d: (d.claim.claimed_on or "~", d.claim.id))


def _brief(claim: m.Claim, claimant_name: str) -> ClaimBrief:
    when = claim.claimed_on_edtf or iso_partial(claim.claimed_on, claim.claimed_on_precision)
    return ClaimBrief(claim.id, claim.claimant_id, claimant_name, when, claim.statement, claim.status)


@dataclass(frozen=True)
class DenialRow:
    """One denial-target pair as a flat row (CSV)."""

    denial: str
    denial_claimant: str
    denial_claimed_on: str | None
    denial_statement: str
    denies: str
    denies_claimant: str
    denies_claimed_on: str | None
    denies_statement: str
    denies_status: str


def denial_rows(items: list[Denial]) -> list[DenialRow]:
    return [
        DenialRow(d.claim.id, d.claim.claimant_name, d.claim.claimed_on, d.claim.statement,
                  t.id, t.claimant_name, t.claimed_on, t.statement, t.status)
        for d in items for t in d.denies
    ]  # fmt: skip
