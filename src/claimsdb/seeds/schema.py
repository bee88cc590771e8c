"""Pydantic models of what a curator writes in a seed file.

These describe the seed format, not tables: `resolve.py` turns them into the plain records of
`records.py`, which `load.py` writes to the tables. Every model forbids unknown fields (a typo is
an error, not a silently ignored key) and is frozen. Vocabulary terms are plain strings here;
whether a term exists is checked against the vocabularies in `validate.py`, because the
vocabularies are themselves seed data.
"""

from __future__ import annotations

import functools

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from claimsdb.chars import code_point, control_problem, is_blank
from claimsdb.rules import (
    PARTIAL_DATE,
    PRECISIONS,
    QUALIFIER_OF_FORM,
    QUANTITY_FORMS,
    RELATION_KINDS,
    cut_to_precision,
    last_day,
    read_partial_date,
)

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9_-]{0,118}[a-z0-9])?$"),
]
"""An id a curator chooses: lower-case letters, digits, '-' and '_', at most 120 characters."""


def _listed_once(items: tuple[Any, ...]) -> tuple[Any, ...]:
    """Refuse a list that names something twice: each item becomes a row keyed by it (an alias, a
    member, a related claim), so a repeat is a slip (another id was meant), never a second row."""
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"lists {item!r} twice; list each once (was another one meant?)")
        seen.add(item)
    return items


ListedOnce = AfterValidator(_listed_once)



def _seed_text(*, multiline: bool) -> BeforeValidator:
    """Refuse control characters (chars.py says which and why) and text that draws nothing, before
    whitespace is stripped: a control character Python counts as whitespace is refused, not cut."""

    def check(raw: Any) -> Any:
        if isinstance(raw, str):
            problem = control_problem(raw, multiline=multiline)
            if problem:
                raise ValueError(problem)
            if is_blank(raw):
                hidden = ", ".join(sorted({code_point(c) for c in raw if not c.isspace()}))
                raise ValueError(f"is made only of invisible characters ({hidden}); write text a reader can see")
        return raw

    return BeforeValidator(check)


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), _seed_text(multiline=False)
]
"""One line of text: a name, a title, a statement. Tabs allowed, no other control character."""
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000), _seed_text(multiline=True)
]
"""Text that may run over lines: a quote, a note, a description."""
DocumentWords = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), _seed_text(multiline=True)
]
"""A short run of a document's words, which may cross a line break (a quote's prefix)."""
Precision = Literal["day", "month", "year"]


class Model(BaseModel):
    """Every seed model. Validators are built on first use (`defer_build`): only SeedFile validates
    on its own, so building one validator per model at import would cost a load that reads one
    changed file some hundredths of a second for nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True)


class PartialDate(Model):
    """A date as precise as the source says it: a day, a month or a year.

    `value` is the first day of what was said ("2017" -> 2017-01-01, precision year), so dates of
    different precision still sort and compare; `iso()` gives back the ISO 8601 form as said.
    """

    value: dt.date
    precision: Precision

    @classmethod
    def parse(cls, raw: Any) -> PartialDate:
        if isinstance(raw, PartialDate):
            return raw
        if isinstance(raw, dt.datetime):
            raise ValueError("give a date without a time of day, e.g. 2017-07-19")
        if isinstance(raw, dt.date):
            return cls.model_construct(value=raw, precision="day")  # checked here: skip re-validation
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValueError("a date is written YYYY-MM-DD, YYYY-MM or YYYY")
        value, precision = read_partial_date(raw)
        return cls.model_construct(value=value, precision=precision)

    def iso(self) -> str:
        return cut_to_precision(self.value, self.precision)

    def last_day(self) -> dt.date:
        return last_day(self.value, self.precision)


def _not_in_future(date: PartialDate | None) -> PartialDate | None:
    if date is not None and date.value > dt.date.today():
        raise ValueError(f"{date.iso()} is in the future")
    return date


class DateAsSaid(Model):
    """A date, how precisely it is known, and, if the curator worked it out, why.

    Written as a plain date (2017-07-19, 2017-07, 2017) or as {date: ..., inferred: "reason"}.
    """

    date: PartialDate
    inferred: Text | None = None
    precision: Precision | None = None
    """Optional, and only as a check: the precision is how the date is written."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, raw: Any) -> Any:
        return raw if isinstance(raw, dict | DateAsSaid) else {"date": raw}

    @field_validator("date", mode="before")
    @classmethod
    def _as_said(cls, raw: Any) -> PartialDate:
        return PartialDate.parse(raw)

    @field_validator("date")
    @classmethod
    def _date_not_in_future(cls, value: PartialDate) -> PartialDate | None:
        return _not_in_future(value)

    @model_validator(mode="after")
    def _precision_matches(self) -> DateAsSaid:
        if self.precision is not None and self.precision != self.date.precision:
            raise ValueError(
                f"precision {self.precision!r} does not match the date {self.date.iso()!r}; "
                "write the date as precisely as it is known (2017, 2017-07 or 2017-07-19) "
                "and leave precision out"
            )
        return self


@dataclass(frozen=True)
class DateSpan:
    """A date as an interval: the earliest and latest day it can be (None: open), how precisely its
    bounds were written, and its Extended Date/Time Format (EDTF, ISO 8601-2) form."""

    earliest: dt.date | None
    latest: dt.date | None
    precision: Precision
    edtf: str


_EDTF_END = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)([?~%]?)$")


def parse_edtf(raw: Any) -> DateSpan:
    """A date or interval as archives write it in EDTF: 2021-12, 2021?, 2021~, 2019/2021, ../2024-06-28.

    Plain dates take a fast path; anything else goes through the `edtf` library (Library of
    Congress EDTF, levels 0-1), which checks it and gives its bounds. Only dates to the day and
    intervals between them are accepted: times, seasons and unspecified digits say more than a
    claim's date needs and less than a reader can check.
    """
    if isinstance(raw, dt.datetime):
        raise ValueError("give a date without a time of day, e.g. 2017-07-19")
    if isinstance(raw, dt.date | int) and not isinstance(raw, bool):
        date = PartialDate.parse(raw)
        return DateSpan(date.value, date.last_day(), date.precision, date.iso())
    if not isinstance(raw, str):
        raise ValueError("a date is written YYYY-MM-DD, YYYY-MM or YYYY, or as an EDTF interval such as 2019/2021")
    text = raw.strip()
    if PARTIAL_DATE.match(text):
        date = PartialDate.parse(text)
        return DateSpan(date.value, date.last_day(), date.precision, date.iso())
    ends = text.split("/")
    if len(ends) > 2 or not all(_EDTF_END.match(end) or (len(ends) == 2 and end in ("", "..")) for end in ends):
        raise ValueError(
            f"{raw!r} is not a date this format accepts; write 2021-12-15, 2021-12 or 2021, optionally with ? "
            "(uncertain) or ~ (approximate), or an EDTF interval: 2019/2021, ../2024-06-28 (on or before), "
            "2019/.. (on or after)"
        )
    bounds = _plain_interval(ends) or _edtf_bounds(text)
    if isinstance(bounds, str):
        raise ValueError(f"{raw!r} is not a valid EDTF date ({bounds})")
    earliest, latest = bounds
    if earliest is None and latest is None:
        raise ValueError(f"{raw!r} has no bound at all; leave the date out instead")
    if earliest is not None and latest is not None and earliest > latest:
        raise ValueError(f"{raw!r} starts after it ends")
    written = [PartialDate.parse(match.group(1)) for end in ends if (match := _EDTF_END.match(end))]
    precision = min((d.precision for d in written), key=PRECISIONS.index)
    return DateSpan(earliest, latest, precision, text)


def _plain_interval(ends: list[str]) -> tuple[dt.date | None, dt.date | None] | None:
    """The bounds of an interval between plain dates (or `..`, open), as the edtf library gives
    them, without it: its grammar costs ~20 ms a date. None for any other form (the library's)."""
    if len(ends) != 2 or ends == ["..", ".."]:
        return None
    bounds: list[dt.date | None] = []
    for end, first in zip(ends, (True, False), strict=True):
        if end == "..":
            bounds.append(None)
            continue
        if not PARTIAL_DATE.match(end):
            return None
        try:
            date = PartialDate.parse(end)
        except ValueError:
            return None  # the library says what is wrong with it
        bounds.append(date.value if first else date.last_day())
    return bounds[0], bounds[1]


@functools.lru_cache(maxsize=4096)
def _edtf_bounds(text: str) -> tuple[dt.date | None, dt.date | None] | str:
    """The strict bounds the edtf library gives `text`, or why it refuses it; the same text (a
    date many claims share) is parsed once."""
    from edtf import parse_edtf as edtf_parse  # ~0.1 s to import: only for dates that need it
    from edtf.parser.edtf_exceptions import EDTFParseException

    try:
        parsed = edtf_parse(text)
    except (EDTFParseException, ValueError) as exc:
        return str(exc)
    return _day(parsed.lower_strict()), _day(parsed.upper_strict())


def _day(value: Any) -> dt.date | None:
    """A bound from the edtf library (a struct_time, or +/- infinity for an open end) as a date."""
    if isinstance(value, float):
        return None
    return dt.date(value.tm_year, value.tm_mon, value.tm_mday)


class ClaimDate(Model):
    """When a claim was made: a date, an EDTF interval, or bounds, and why when worked out.

    Written as 2021-12-15 / 2021-12 / 2021, as EDTF ("2021?", "2019/2021", "../2024-06-28"), as
    {date: ..., inferred: "reason"}, or as bounds {before: D, after: D, inferred: "reason"}, both
    inclusive: "before 2024-06-28" is "../2024-06-28", made on that day or earlier.
    """

    date: Any = None
    before: Any = None
    after: Any = None
    inferred: Text | None = None
    precision: Precision | None = None
    """Optional, and only as a check: the precision is how the date is written."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, raw: Any) -> Any:
        return raw if isinstance(raw, dict | ClaimDate) else {"date": raw}

    @field_validator("date", mode="before")
    @classmethod
    def _edtf(cls, raw: Any) -> DateSpan | None:
        return None if raw is None else parse_edtf(raw)

    @field_validator("before", "after", mode="before")
    @classmethod
    def _bound(cls, raw: Any) -> PartialDate | None:
        return None if raw is None else PartialDate.parse(raw)

    @model_validator(mode="after")
    def _one_form(self) -> ClaimDate:
        if (self.date is None) == (self.before is None and self.after is None):
            raise ValueError("write either a date (or EDTF interval) or bounds (before, after), not both and not "
                             "neither")
        span = self.span()
        if span.earliest is not None and span.earliest > dt.date.today():
            raise ValueError(f"{span.edtf} is in the future")
        if self.precision is not None and self.precision != span.precision:
            raise ValueError(
                f"precision {self.precision!r} does not match the date {span.edtf!r}; "
                "write the date as precisely as it is known (2017, 2017-07 or 2017-07-19) and leave precision out"
            )
        return self

    def span(self) -> DateSpan:
        if isinstance(self.date, DateSpan):
            return self.date
        after, before = self.after, self.before
        if after is not None and before is not None and after.value > before.value:
            raise ValueError(f"after {after.iso()} comes later than before {before.iso()}")
        edtf = f"{after.iso() if after else '..'}/{before.iso() if before else '..'}"
        finest = min((d.precision for d in (after, before) if d is not None), key=PRECISIONS.index)
        return DateSpan(after.value if after else None, before.last_day() if before else None, finest, edtf)


MAX_QUANTITY = 2_000_000_000
"""Quantities are counts of people, executions, sites: far below this, which fits every database."""
Count = Annotated[int, Field(ge=0, le=MAX_QUANTITY)]


class Quantity(Model):
    """A number as it was said: the curator writes one form, the surface phrase is kept.

    exactly one of: exact, over, at_least, under, at_most, about, almost, between [low, high],
    vague ("dozens"). `phrase` is the words the source used ("over 500"); it must appear in the quote.
    """

    exact: Count | None = None
    over: Count | None = None
    at_least: Count | None = None
    under: Count | None = None
    at_most: Count | None = None
    about: Count | None = None
    almost: Count | None = None
    between: tuple[Count, Count] | None = None
    vague: Text | None = None
    phrase: Text | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Quantity:
        forms = [name for name in QUANTITY_FORMS if getattr(self, name) is not None]
        if len(forms) != 1:
            raise ValueError(
                "write exactly one of " + ", ".join(QUANTITY_FORMS) + (f" (found {', '.join(forms)})" if forms else "")
            )
        if self.between is not None and not 0 <= self.between[0] < self.between[1]:
            raise ValueError("between takes [low, high] with 0 <= low < high")
        return self

    def columns(self) -> dict[str, Any]:
        """The value/lower/upper/qualifier columns a spreadsheet can filter on."""
        form = next((name for name in QUANTITY_FORMS if getattr(self, name) is not None), "vague")
        given = getattr(self, form)
        value = lower = upper = None
        if form == "exact":
            value = lower = upper = given
        elif form in ("over", "at_least"):
            lower = given
        elif form in ("under", "at_most"):
            upper = given
        elif form == "about":
            value = given
        elif form == "almost":
            value = upper = given
        elif form == "between":
            lower, upper = given
        return {
            "quantity_value": value,
            "quantity_lower": lower,
            "quantity_upper": upper,
            "quantity_qualifier": QUALIFIER_OF_FORM[form],
            "quantity_phrase": self.phrase or self.vague,
        }


class Period(Model):
    """The span a claim covers: a year, a month, a quarter, from-to, as of a date, or a named era.

    Written as 2021, 2021-12, 2021-Q1 (a quarter), an EDTF interval (2019/2021; ../2023-06 for a
    total as of June 2023), or {start, end, label, inferred}; `inferred` says why, when the
    curator worked it out ("last year" in an article of January 2021 -> 2020).
    """

    start: PartialDate | None = None
    end: PartialDate | None = None
    label: Text | None = None
    inferred: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, raw: Any) -> Any:
        if isinstance(raw, dict):
            return {
                **raw,
                **{k: PartialDate.parse(raw[k]) for k in ("start", "end") if raw.get(k) is not None},
            }
        if isinstance(raw, str) and (quarter := _QUARTER.match(raw.strip())):
            year, number = int(quarter.group(1)), int(quarter.group(2))
            return {
                "start": PartialDate.parse(f"{year}-{3 * number - 2:02d}"),
                "end": PartialDate.parse(f"{year}-{3 * number:02d}"),
            }
        if isinstance(raw, str) and "/" in raw:
            start, _, end = raw.strip().partition("/")
            return {k: PartialDate.parse(v) for k, v in (("start", start), ("end", end)) if v not in ("", "..")}
        single = PartialDate.parse(raw)
        return {"start": single, "end": single}

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start is None and self.end is None and self.label is None:
            raise ValueError("a period needs a start, an end or a label")
        if self.start and self.end and self.start.value > self.end.value:
            raise ValueError(f"period starts ({self.start.iso()}) after it ends ({self.end.iso()})")
        return self


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


# --- typed claim values: one model per claim type; the type's name selects it ------------------


class ExecutionMethodValue(Model):
    method: Slug
    punishment: Slug | None = None


class OffenceValue(Model):
    offence: Slug
    punishment: Slug
    quantity: Quantity | None = None
    period: Period | None = None
    place: Slug | None = None


class DefectionFigureValue(Model):
    quantity: Quantity
    measure: Slug
    period: Period | None = None
    place: Slug | None = None


class ExecutionCountValue(Model):
    quantity: Quantity
    punishment: Slug | None = None
    period: Period | None = None
    place: Slug | None = None


class ExecutionLocationValue(Model):
    location: Slug
    punishment: Slug | None = None
    period: Period | None = None
    place: Slug | None = None


class EvidenceBasisValue(Model):
    method: Slug
    size: Quantity | None = None
    population: Text | None = None
    period: Period | None = None


# Which vocabulary each term-valued field draws on. Adding a typed field means adding it here.
TERM_FIELDS: dict[str, str] = {
    "method@execution_method": "execution_methods",
    "method@evidence_basis": "evidence_methods",
    "punishment": "punishments",
    "offence": "offences",
    "measure": "defection_measures",
    "location": "execution_locations",
}


def term_column(claim_type: str, field_name: str) -> str:
    """The claims-table column a value's term field is stored in (both `method`s cannot share one)."""
    return "evidence_method" if (claim_type, field_name) == ("evidence_basis", "method") else field_name


def term_fields(claim_type: str) -> list[tuple[str, str]]:
    """(field, vocabulary) of each term field a claim of this type may have."""
    fields = []
    for key, vocabulary in TERM_FIELDS.items():
        field_name, _, only_for = key.partition("@")
        if not only_for or only_for == claim_type:
            fields.append((field_name, vocabulary))
    return fields


UNNAMED_KINDS = ("unnamed_person", "unnamed_group", "collective")
"""Claimant kinds described on the claim itself, never in organisations.yaml (organisation_kinds terms)."""


class DescribedClaimant(Model):
    """A claimant the document does not name: "a North Korean defector", "experts", "UN member
    countries". Described on the claim that cites them, so no placeholder organisation is invented;
    stored as a claimant of its own kind. `id` lets other claims refer to the same one."""

    kind: Literal["unnamed_person", "unnamed_group", "collective"]
    name: Text
    known: LongText | None = None
    part_of: Slug | None = None
    members: Annotated[tuple[Slug, ...], ListedOnce] = ()
    id: Slug | None = None

    @model_validator(mode="after")
    def _members_for_collectives(self) -> DescribedClaimant:
        if self.members and self.kind != "collective":
            raise ValueError("only a collective claimant has members; use kind: collective or leave members out")
        return self


def _claimant_form(raw: Any) -> str:
    return "described" if isinstance(raw, dict | DescribedClaimant) else "by_id"


ClaimantRef = Annotated[
    Annotated[Slug, Tag("by_id")] | Annotated[DescribedClaimant, Tag("described")],
    Discriminator(_claimant_form),
]
"""An organisation id, or an unnamed or collective claimant described in place."""
CLAIMANT_TAGS = ("by_id", "described")


class ClaimBase(Model):
    """One attributed claim, recorded from the document of the file it sits in."""

    id: Slug
    claimant: ClaimantRef
    made_in: Slug | None = None
    attribution: Slug | None = None
    """How the document attributes it (an attribution_modes term); own_voice by default when the
    claimant is the document's publisher, required otherwise."""
    statement: Text
    quote: LongText
    occurrence: int | None = Field(default=None, ge=1)
    quote_prefix: DocumentWords | None = None
    claimed_on: ClaimDate | None = None
    corroborates: Annotated[tuple[Slug, ...], ListedOnce] = ()
    contradicts: Annotated[tuple[Slug, ...], ListedOnce] = ()
    refines: Annotated[tuple[Slug, ...], ListedOnce] = ()
    supersedes: Annotated[tuple[Slug, ...], ListedOnce] = ()
    note: LongText | None = None

    @field_validator("quote", mode="before")
    @classmethod
    def _quote_kept_verbatim(cls, raw: Any) -> Any:
        if isinstance(raw, str) and raw != raw.strip():
            raise ValueError("the quote starts or ends with whitespace; quote the words only")
        return raw

    @model_validator(mode="after")
    def _one_disambiguation(self) -> ClaimBase:
        if self.occurrence is not None and self.quote_prefix is not None:
            raise ValueError("give occurrence or quote_prefix, not both")
        return self

    def relations(self) -> list[tuple[str, str]]:
        """(kind, target claim id) for every relation the curator wrote on this claim."""
        return [(kind, target) for kind in RELATION_KINDS for target in getattr(self, kind)]


class ExecutionMethodClaim(ClaimBase):
    type: Literal["execution_method"]
    value: ExecutionMethodValue


class OffenceClaim(ClaimBase):
    type: Literal["offence"]
    value: OffenceValue


class DefectionFigureClaim(ClaimBase):
    type: Literal["defection_figure"]
    value: DefectionFigureValue


class ExecutionCountClaim(ClaimBase):
    type: Literal["execution_count"]
    value: ExecutionCountValue


class ExecutionLocationClaim(ClaimBase):
    type: Literal["execution_location"]
    value: ExecutionLocationValue


class EvidenceBasisClaim(ClaimBase):
    type: Literal["evidence_basis"]
    value: EvidenceBasisValue


class StatementClaim(ClaimBase):
    """A claim with no structured value: a denial, a funding statement, an assessment."""

    type: Literal["statement"]
    value: None = None


ClaimSeed = Annotated[
    ExecutionMethodClaim
    | OffenceClaim
    | DefectionFigureClaim
    | ExecutionCountClaim
    | ExecutionLocationClaim
    | EvidenceBasisClaim
    | StatementClaim,
    Field(discriminator="type"),
]
CLAIM_TYPES: tuple[str, ...] = (
    "execution_method",
    "offence",
    "defection_figure",
    "execution_count",
    "execution_location",
    "evidence_basis",
    "statement",
)


WIKIDATA_PATTERN = r"^Q[1-9][0-9]*$"
ISO_3166_2_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{1,3}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
WikidataId = Annotated[str, StringConstraints(pattern=WIKIDATA_PATTERN)]
"""A Wikidata item id (Q42), written only once checked against Wikidata itself."""


class OrganisationSeed(Model):
    id: Slug
    name: Text
    kind: Slug
    aliases: Annotated[tuple[Text, ...], ListedOnce] = ()
    part_of: Slug | None = None
    wikidata: WikidataId | None = None
    description: LongText | None = None


class PlaceSeed(Model):
    """A named place (a province, a special city, a town), from the gazetteer in the seeds."""

    id: Slug
    name: Text
    kind: Slug
    aliases: Annotated[tuple[Text, ...], ListedOnce] = ()
    part_of: Slug | None = None
    iso_3166_2: Annotated[str, StringConstraints(pattern=ISO_3166_2_PATTERN)] | None = None
    wikidata: WikidataId | None = None
    description: LongText | None = None


class SourceSeed(Model):
    """A publication known only through what a held document says of it (a report, a statement)."""

    id: Slug
    title: Text
    publisher: Slug | None = None
    published: DateAsSaid | None = None
    url: Text | None = None
    reports_on: Annotated[tuple[Slug, ...], ListedOnce] = ()
    description: LongText | None = None


class DocumentSeed(SourceSeed):
    """A publication we hold verbatim: the source plus the file of its text."""

    file: Text
    sha256: Annotated[str, StringConstraints(pattern=SHA256_PATTERN)] | None = None


class TermSeed(Model):
    label: Text
    definition: LongText
    huridocs: Text | None = None
    """The equivalent term of the HURIDOCS micro-thesauri, where one exists (e.g. "Execution")."""


RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
"""Admiralty source reliability: A completely reliable ... E unreliable, F cannot be judged."""
CREDIBILITY_GRADES = (1, 2, 3, 4, 5, 6)
"""Admiralty information credibility: 1 confirmed by other independent sources ... 5 improbable, 6 cannot be judged."""


class AssessmentTarget(Model):
    """What is assessed: exactly one of an organisation, a publication or a claim."""

    organisation: Slug | None = None
    source: Slug | None = None
    claim: Slug | None = None

    @model_validator(mode="after")
    def _one(self) -> AssessmentTarget:
        given = [name for name in ("organisation", "source", "claim") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("assess exactly one of organisation, source or claim")
        return self

    def kind_and_id(self) -> tuple[str, str]:
        for name in ("organisation", "source", "claim"):
            value = getattr(self, name)
            if value is not None:
                return name, value
        raise AssertionError("validated: one target")


class AssessmentSeed(Model):
    """The curator's judgement, kept apart from what claimants claim: the Admiralty grading of a
    source's reliability (A-F, of an organisation or publication) and of a claim's credibility (1-6)."""

    id: Slug
    target: AssessmentTarget
    reliability: Literal["A", "B", "C", "D", "E", "F"] | None = None
    credibility: Literal[1, 2, 3, 4, 5, 6] | None = None
    assessor: Text
    assessed_on: PartialDate
    reason: LongText

    @field_validator("assessed_on", mode="before")
    @classmethod
    def _date(cls, raw: Any) -> PartialDate:
        return PartialDate.parse(raw)

    @model_validator(mode="after")
    def _grades(self) -> AssessmentSeed:
        kind, _ = self.target.kind_and_id()
        if self.reliability is None and self.credibility is None:
            raise ValueError("give a reliability (A-F) or a credibility (1-6)")
        if self.credibility is not None and kind != "claim":
            raise ValueError(
                "credibility (1-6) grades a claim's information; an organisation or publication gets a reliability "
                "(A-F)"
            )
        if self.reliability is not None and kind == "claim":
            raise ValueError(
                "reliability (A-F) grades where a claim comes from: assess its source or organisation instead"
            )
        return self


class VocabularySeed(Model):
    label: Text
    description: LongText | None = None
    terms: dict[Slug, TermSeed]


class SeedFile(Model):
    """One YAML file: any of these sections; `claims` needs the `document` they were recorded from."""

    vocabularies: dict[Slug, VocabularySeed] = {}
    organisations: tuple[OrganisationSeed, ...] = ()
    places: tuple[PlaceSeed, ...] = ()
    sources: tuple[SourceSeed, ...] = ()
    document: DocumentSeed | None = None
    claims: tuple[ClaimSeed, ...] = ()
    assessments: tuple[AssessmentSeed, ...] = ()

    @model_validator(mode="after")
    def _claims_need_document(self) -> SeedFile:
        if self.claims and self.document is None:
            raise ValueError("claims must sit in a file with the `document` they were recorded from")
        return self
