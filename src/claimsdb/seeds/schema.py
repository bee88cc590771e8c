"""Pydantic models of what a curator writes in a seed file.

These describe YAML, not tables: `load.py` maps them onto the ORM. Every model forbids unknown
fields (a typo is an error, not a silently ignored key) and is frozen. Vocabulary terms are plain
strings here; whether a term exists is checked against the vocabularies in `validate.py`, because
the vocabularies are themselves seed data.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9_-]{0,118}[a-z0-9])?$"),
]
"""An id a curator chooses: lower-case letters, digits, '-' and '_', at most 120 characters."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Precision = Literal["day", "month", "year"]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


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
        match = _PARTIAL_DATE.match(str(raw).strip())
        if not match:
            raise ValueError(f"{raw!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = match.groups()
        precision: Precision = "day" if day else "month" if month else "year"
        try:
            value = dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError as exc:
            raise ValueError(f"{raw!r} is not a real date ({exc})") from None
        return cls.model_construct(value=value, precision=precision)

    def iso(self) -> str:
        width = {"day": 10, "month": 7, "year": 4}[self.precision]
        return self.value.isoformat()[:width]

    def last_day(self) -> dt.date:
        return last_day(self.value, self.precision)


def last_day(value: dt.date, precision: str) -> dt.date:
    """The last day a date can mean: 2017 -> 2017-12-31, 2017-02 -> 2017-02-28."""
    if precision == "year":
        return dt.date(value.year, 12, 31)
    if precision == "month":
        following = dt.date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return value


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
                "write exactly one of " + ", ".join(QUANTITY_FORMS)
                + (f" (found {', '.join(forms)})" if forms else "")
            )
        if self.between is not None and not 0 <= self.between[0] < self.between[1]:
            raise ValueError("between takes [low, high] with 0 <= low < high")
        return self

    def columns(self) -> dict[str, Any]:
        """The value/lower/upper/qualifier columns a spreadsheet can filter on."""
        value = lower = upper = None
        if self.exact is not None:
            value = lower = upper = self.exact
            qualifier = "exact"
        elif self.over is not None:
            lower, qualifier = self.over, "more_than"
        elif self.at_least is not None:
            lower, qualifier = self.at_least, "at_least"
        elif self.under is not None:
            upper, qualifier = self.under, "less_than"
        elif self.at_most is not None:
            upper, qualifier = self.at_most, "at_most"
        elif self.about is not None:
            value, qualifier = self.about, "approximately"
        elif self.almost is not None:
            value, upper, qualifier = self.almost, self.almost, "almost"
        elif self.between is not None:
            (lower, upper), qualifier = self.between, "range"
        else:
            qualifier = "vague"
        return {
            "quantity_value": value,
            "quantity_lower": lower,
            "quantity_upper": upper,
            "quantity_qualifier": qualifier,
            "quantity_phrase": self.phrase or self.vague,
        }


QUANTITY_FORMS = ("exact", "over", "at_least", "under", "at_most", "about", "almost", "between", "vague")


class Period(Model):
    """The span a claim covers: a year, a month, from-to, or a named era with dates."""

    start: PartialDate | None = None
    end: PartialDate | None = None
    label: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, raw: Any) -> Any:
        if isinstance(raw, dict):
            return {
                **raw,
                **{k: PartialDate.parse(raw[k]) for k in ("start", "end") if raw.get(k) is not None},
            }
        single = PartialDate.parse(raw)
        return {"start": single, "end": single}

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start is None and self.end is None and self.label is None:
            raise ValueError("a period needs a start, an end or a label")
        if self.start and self.end and self.start.value > self.end.value:
            raise ValueError(f"period starts ({self.start.iso()}) after it ends ({self.end.iso()})")
        return self


# --- typed claim values: one model per claim type; the type's name selects it ------------------


class ExecutionMethodValue(Model):
    method: Slug
    punishment: Slug | None = None


class OffenceValue(Model):
    offence: Slug
    punishment: Slug
    quantity: Quantity | None = None
    period: Period | None = None


class DefectionFigureValue(Model):
    quantity: Quantity
    measure: Slug
    period: Period | None = None


class ExecutionCountValue(Model):
    quantity: Quantity
    punishment: Slug | None = None
    period: Period | None = None


class ExecutionLocationValue(Model):
    location: Slug
    punishment: Slug | None = None
    period: Period | None = None


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


RELATION_KINDS = ("corroborates", "contradicts", "refines", "supersedes")


class ClaimBase(Model):
    """One attributed claim, recorded from the document of the file it sits in."""

    id: Slug
    claimant: Slug
    made_in: Slug | None = None
    statement: Text
    quote: LongText
    occurrence: int | None = Field(default=None, ge=1)
    quote_prefix: Text | None = None
    claimed_on: DateAsSaid | None = None
    corroborates: tuple[Slug, ...] = ()
    contradicts: tuple[Slug, ...] = ()
    refines: tuple[Slug, ...] = ()
    supersedes: tuple[Slug, ...] = ()
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


class OrganisationSeed(Model):
    id: Slug
    name: Text
    kind: Slug
    aliases: tuple[Text, ...] = ()
    part_of: Slug | None = None
    description: LongText | None = None


class SourceSeed(Model):
    """A publication known only through what a held document says of it (a report, a statement)."""

    id: Slug
    title: Text
    publisher: Slug | None = None
    published: DateAsSaid | None = None
    url: Text | None = None
    reports_on: tuple[Slug, ...] = ()
    description: LongText | None = None


class DocumentSeed(SourceSeed):
    """A publication we hold verbatim: the source plus the file of its text."""

    file: Text
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class TermSeed(Model):
    label: Text
    definition: LongText


class VocabularySeed(Model):
    label: Text
    description: LongText | None = None
    terms: dict[Slug, TermSeed]


class SeedFile(Model):
    """One YAML file: any of these sections; `claims` needs the `document` they were recorded from."""

    vocabularies: dict[Slug, VocabularySeed] = {}
    organisations: tuple[OrganisationSeed, ...] = ()
    sources: tuple[SourceSeed, ...] = ()
    document: DocumentSeed | None = None
    claims: tuple[ClaimSeed, ...] = ()

    @model_validator(mode="after")
    def _claims_need_document(self) -> SeedFile:
        if self.claims and self.document is None:
            raise ValueError("claims must sit in a file with the `document` they were recorded from")
        return self
