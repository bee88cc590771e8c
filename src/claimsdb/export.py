"""CSV export: one row per claim, typed value and provenance columns, described by a data package.

Columns are a public contract: researchers' scripts name them. Add columns at the end; never
rename or reorder. Rows stream from the database, so memory does not grow with the claim count.
"""

from __future__ import annotations

import codecs
import io
import itertools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

from sqlalchemy import Integer, LargeBinary, Select, String, case, cast, func, literal, or_, select, text
from sqlalchemy.orm import Session, aliased

from claimsdb import __version__
from claimsdb.db import models as m
from claimsdb.progress import NO_PROGRESS, Progress
from claimsdb.query import ClaimFilter, narrow
from claimsdb.rules import CSV_LINE_END, PRECISION_WIDTH, QUANTITY_QUALIFIERS, csv_writer, in_words


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless Table Schema type
    description: str
    vocabulary: str | None = None


COLUMNS: tuple[Column, ...] = (
    Column("claim_id", "string", "Stable id of the claim, as written in the seed file; cite it."),
    Column("claim_type", "string", "What kind of claim: execution_method, offence, defection_figure, "
                                   "execution_count, execution_location, evidence_basis or statement."),
    Column("status", "string", "active, or withdrawn (removed from the seeds; kept so citations never dangle)."),
    Column("statement", "string", "The curator's one-line restatement of the claim, attributed."),
    Column("claimant", "string", "Id of the organisation or person making the claim."),
    Column("claimant_name", "string", "Name of the claimant."),
    Column("claimant_kind", "string", "Kind of claimant.", "organisation_kinds"),
    Column("source_id", "string", "Id of the publication the claim was made in; empty when the claimant's own "
                                  "publication is not identified."),
    Column("source_title", "string", "Title of that publication."),
    Column("source_url", "string", "URL of that publication, where known."),
    Column("source_published", "string", "Publication date of that publication, ISO 8601 as precise as known "
                                         "(YYYY-MM-DD, YYYY-MM or YYYY)."),
    Column("document", "string", "Id of the held document the claim was recorded from (the verbatim text)."),
    Column("document_sha256", "string", "sha256 of the document's bytes when the quote was anchored."),
    Column("quote", "string", "The exact words of the document that carry the claim."),
    Column("quote_start", "integer", "Offset of the quote's first character in the document, in Unicode code points "
                                     "from 0 (W3C TextPositionSelector)."),
    Column("quote_end", "integer", "Offset just past the quote's last character, in code points."),
    Column("claimed_on", "string", "When the claim was made, ISO 8601 as precise as known (YYYY-MM-DD, YYYY-MM or "
                                   "YYYY)."),
    Column("claimed_on_precision", "string", "day, month or year."),
    Column("claimed_on_basis", "string", "stated (the text gives it), inferred (worked out; see the reason), "
                                         "publication (the date of the publication it was made in) or unknown."),
    Column("claimed_on_inferred_reason", "string", "Why the date is what it is, when it was worked out."),
    Column("method", "string", "Execution method (execution_method claims).", "execution_methods"),
    Column("evidence_method", "string", "What a claim rests on (evidence_basis claims).", "evidence_methods"),
    Column("offence", "string", "The offence (offence claims).", "offences"),
    Column(
        "punishment", "string", "The punishment it drew, or the kind of execution counted or located.", "punishments"
    ),
    Column("measure", "string", "What a defection figure measures.", "defection_measures"),
    Column("location", "string", "Where executions are said to take place.", "execution_locations"),
    Column("population", "string", "Who an evidence basis drew on (e.g. North Korean defectors)."),
    Column("quantity_value", "integer", "The number as said, for exact, approximate and 'almost' quantities."),
    Column("quantity_lower", "integer", "Lower bound: exact value, 'over N' (exclusive) or 'at least N' (inclusive), "
                                        "or the low end of a range."),
    Column("quantity_upper", "integer", "Upper bound: exact value, 'under N', 'at most N', 'almost N', or the high "
                                        "end of a range."),
    Column("quantity_qualifier", "string", f"{in_words(QUANTITY_QUALIFIERS)}."),
    Column("quantity_phrase", "string", "The words the source used for the number ('over 500', 'almost 34,000', "
                                        "'dozens')."),
    Column("period_start", "string", "Start of the period the claim covers, ISO 8601 as precise as known."),
    Column("period_end", "string", "End of that period, ISO 8601 as precise as known."),
    Column("period_label", "string", "The period as named in the source (e.g. Kim Jong Un's rule)."),
    Column("seed_file", "string", "Seed file the claim was loaded from."),
    Column("seed_line", "integer", "Line in that seed file where the claim starts."),
    Column("load_run", "integer", "The load run that last added or changed the claim (`claims runs`)."),
    Column("attribution", "string", "How the document attributes the claim to its claimant.", "attribution_modes"),
    Column("claimed_on_edtf", "string", "When the claim was made, in the Extended Date/Time Format (EDTF, ISO "
                                        "8601-2): 2021-12-15, 2021-12, 2021, 2021? (uncertain), 2021~ (approximate), "
                                        "2019/2021 (between), ../2021-12-16 (on or before), 2019/.. (on or after). "
                                        "`claimed_on` is empty for intervals."),
    Column("claimed_on_earliest", "date", "The earliest day the claim can have been made (empty: no lower bound)."),
    Column("claimed_on_latest", "date", "The latest day the claim can have been made (empty: no upper bound). A "
                                        "claim recorded from a dated document was made no later than that document."),
    Column("claimant_known", "string", "What the document says of a claimant it does not name (e.g. 'defected in "
                                       "2023')."),
    Column("claimant_part_of", "string", "Id of the organisation the claimant belongs to or speaks for."),
    Column("claimant_members", "string", "For a collective claimant: the names of its members the document names, "
                                         "separated by '; '."),
    Column("period_edtf", "string", "The period the claim covers, as EDTF: 2021, 2021-01/2021-03 (a quarter), "
                                    "../2023-06 (a total as of June 2023)."),
    Column("period_inferred_reason", "string", "Why the period is what it is, when the curator worked it out ('last "
                                               "year' in an article of 2021)."),
    Column("place", "string", "Id of the named place the claim concerns (seeds' gazetteer)."),
    Column("place_name", "string", "Name of that place."),
    Column("place_iso_3166_2", "string", "ISO 3166-2 code of that place (e.g. KP-05), where it has one."),
    Column("place_wikidata", "string", "Wikidata id of that place, where known."),
    Column("source_reliability", "string", "The curator's assessment, not the claimant's: Admiralty source "
                                           "reliability (A completely reliable, B usually reliable, C fairly "
                                           "reliable, D not usually reliable, E unreliable, F cannot be judged) of "
                                           "the publication the claim was made in, or, where that is not graded, of "
                                           "its claimant (`claims show` gives assessor, date and reason)."),
    Column("source_reliability_of", "string", "Id of the publication or organisation that source_reliability grades."),
    Column("information_credibility", "integer", "The curator's assessment: Admiralty information credibility of the "
                                                 "claim (1 confirmed by other independent sources, 2 probably true, "
                                                 "3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged). "
                                                 "Separate from the independent-corroboration count `claims show` "
                                                 "computes."),
    Column("claimant_wikidata", "string", "Wikidata id (Q-id) of the claimant, where known: "
                                          "http://www.wikidata.org/entity/ followed by it names the same "
                                          "organisation or person."),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""OWASP's CSV-injection list: a cell starting with one of these is run as a formula by spreadsheets."""

UNGUARDED = frozenset({
    "claim_id", "source_id", "document", "place", "claimant_part_of", "source_reliability_of",
    "claim_type", "claimant_kind", "method", "evidence_method", "offence", "punishment", "measure", "location",
    "attribution", "status", "claimed_on_precision", "claimed_on_basis", "quantity_qualifier",
    "source_published", "claimed_on", "claimed_on_edtf", "period_start", "period_end", "period_edtf",
    "document_sha256", "place_iso_3166_2", "place_wikidata", "claimant_wikidata", "source_reliability",
})  # fmt: skip
"""Text columns the formula guard skips: no value claimsdb stores in them can start with a trigger.

The guard costs a test per cell (on every text cell: ~0.6 s of the ~1.4 s of SQL of a
100,000-claim export; issue 17), so it is kept off where it can never fire. Each of these holds
only what seed validation or the loader itself restricts:
- ids a curator chooses (claim, publication, document, place, an organisation's `part_of`; what a
  reliability grade is of: the claim's publication, or an organisation an assessment names): the
  seeds' Slug pattern, which starts with a-z or 0-9;
- vocabulary terms and fixed words (claim type, kinds, typed-value terms, attribution; status,
  precision, date basis, quantity qualifier): Slugs, Literals, or words the loader writes, which the
  tables' CHECK constraints also hold to;
- dates: YYYY[-MM[-DD]] as the loader writes them from Python dates (years 1-9999), EDTF forms that
  seed validation lets start only with four digits, '..' or '/';
- the document's sha256 (hex the loader computes), ISO 3166-2 codes ([A-Z]{2}-...), Wikidata ids
  (Q...), reliability grades (A-F).
Every free text column stays guarded, and so do values only usually made of such parts: the
claimant's id (a described claimant's id is generated from the document's id and the words
describing them, not checked against the Slug pattern), URLs, and `seed_file` (a path: a seeds
folder may be named '=1+2'). A database written behind claimsdb's back can put anything anywhere:
so every batch of lines SQLite joined is searched once for a cell that starts with a trigger, and a
line that has one is written from a row with every text cell guarded (_records).
tests/test_formula_guard.py shows seed validation refusing a trigger in every field that fills
one of these columns, and fails when a column is named here without such a case.
"""


BLOCK_CLAIMS = 1_000
"""Claims per block of CSV (and per fetch): ~0.5 MiB of CSV. Memory grows with it (peak RSS of a
100,000-claim export: ~70 MiB at 1,000, 90 at 5,000, 115 at 10,000) and speed does not."""


def guard_formula(value: str) -> str:
    """Prefix a single quote so spreadsheets show the text instead of running it."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def export_rows(session: Session, filters: ClaimFilter, *, formula_guard: bool = True) -> Iterator[Sequence[Any]]:
    """One row per claim, in COLUMN_NAMES order, ready for csv.writer, streamed in the list order.

    Dates are cut to their precision and formula cells guarded in SQL (the same expressions compile
    for SQLite and PostgreSQL), so Python only hands rows to csv.writer.
    """
    query = narrow(session, _row_select(formula_guard), filters)
    # Core on the session's connection: the ORM's result machinery is not needed for plain columns
    result = session.connection().execution_options(stream_results=True, max_row_buffer=BLOCK_CLAIMS).execute(query)
    yield from result.tuples()


def write_export(
    session: Session, filters: ClaimFilter, out: TextIO, *, formula_guard: bool = True, progress: Progress = NO_PROGRESS
) -> int:
    """Write the CSV of the claims `filters` select (see csv_blocks); return how many."""
    write = _utf8_writer(out)
    count = 0
    for block, claims in csv_blocks(session, filters, formula_guard=formula_guard):
        write(block)
        if claims:
            count += claims
            progress.advance(claims)
    return count


def csv_blocks(session: Session, filters: ClaimFilter, *, formula_guard: bool = True) -> Iterator[tuple[bytes, int]]:
    """The export's CSV as UTF-8 blocks of up to BLOCK_CLAIMS claims, each with how many claims it holds
    (the header row: none). `claims export` writes them; the web site streams them.

    The query runs before the header comes out, so a filter it refuses raises at the first block.
    On SQLite, SQLite joins each claim's cells into one line (_joined_lines), so Python handles
    one value per claim instead of 38: that per-value work was most of an export's time. Other
    databases hand rows to csv.writer. Both give the same bytes.
    """
    if session.get_bind().dialect.name != "sqlite" or session.scalar(text("PRAGMA encoding")) != "UTF-8":
        yield from _writer_blocks(_started(export_rows(session, filters, formula_guard=formula_guard)))
        return
    batches = _started(_joined_lines(session, filters, formula_guard))
    yield ",".join(COLUMN_NAMES).encode() + b"\r\n", 0  # the names need no quotes
    for lines in batches:
        yield _records(lines, lambda claim_id: _row_of(session, claim_id, formula_guard), formula_guard), len(lines)


def _writer_blocks(rows: Iterator[Sequence[Any]]) -> Iterator[tuple[bytes, int]]:
    """csv.writer's RFC 4180 CSV of the rows (see write_csv), in blocks of up to BLOCK_CLAIMS rows."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(COLUMN_NAMES)
    yield _taken(buffer), 0
    for batch in iter(lambda: list(itertools.islice(rows, BLOCK_CLAIMS)), []):
        writer.writerows(batch)  # None is written as an empty cell
        yield _taken(buffer), len(batch)


def _taken(buffer: io.StringIO) -> bytes:
    """What `buffer` holds, as UTF-8, leaving it empty."""
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data


_T = TypeVar("_T")
_NOTHING = object()


def _started(items: Iterator[_T]) -> Iterator[_T]:
    """`items` with its first item already taken (so its query has run), then the rest."""
    first = next(items, _NOTHING)
    return iter(()) if first is _NOTHING else itertools.chain([first], items)  # type: ignore[list-item]


def _utf8_writer(out: TextIO) -> Callable[[bytes], Any]:
    """Write UTF-8 bytes to `out`: straight to its binary buffer when it would encode them the
    same (a UTF-8 text file, with no newline translation: on POSIX, or opened with newline=''
    as csv asks), saving a decode and an encode of every line; else as text."""
    buffer = getattr(out, "buffer", None)
    if isinstance(out, io.TextIOWrapper) and buffer is not None and os.linesep == "\n" and _is_utf8(out.encoding):
        out.flush()
        return buffer.write  # type: ignore[no-any-return]
    return lambda data: out.write(data.decode())


def _is_utf8(encoding: str | None) -> bool:
    return encoding is not None and codecs.lookup(encoding).name == "utf-8"


_WORDS = "words"
"""A cell of free text (checked for what SQLite's printf would write otherwise, see _odd)."""


_VALUE_CELLS = (
    "method", "evidence_method", "offence", "punishment", "measure", "location", "population",
    "quantity_value", "quantity_lower", "quantity_upper", "quantity_qualifier", "quantity_phrase",
    "period_start", "period_end", "period_label",
)  # fmt: skip
"""The typed value's columns in the export's (fixed) order; newer value columns come at the end."""


@dataclass(frozen=True)
class _Joined:
    """What a claim's row is read from besides its claim, claimant and place (see _from_claims)."""

    made_in: Any
    """The publication the claim was made in (an alias of sources)."""
    source_grade: Any
    claimant_grade: Any
    credibility: Any
    """The newest grade of each publication, organisation and claim graded (_latest_grades)."""
    members: Any
    """Each collective's named members, joined (_member_names)."""


def _joined() -> _Joined:
    assessment = m.Assessment
    return _Joined(
        aliased(m.Source),
        _latest_grades(assessment.reliability, assessment.source_id),
        _latest_grades(assessment.reliability, assessment.organisation_id),
        _latest_grades(assessment.credibility, assessment.claim_id),
        _member_names(),
    )


def _cells(joined: _Joined) -> list[tuple[Any, Any]]:
    """Each cell's stored column, in COLUMNS order, and how it is written: as stored (None, or
    _WORDS for free text), or as a date cut to the precision held in the column given. Which cells
    the formula guard covers is not said here (see _written)."""
    claim, org, place, made_in = m.Claim, m.Organisation, m.Place, joined.made_in
    source_grade, claimant_grade = joined.source_grade.c.grade, joined.claimant_grade.c.grade
    graded = case((source_grade.is_not(None), claim.made_in_id), (claimant_grade.is_not(None), claim.claimant_id))
    single_date = case(
        (claim.claimed_on_edtf.contains("/"), None), else_=_as_said(claim.claimed_on, claim.claimed_on_precision)
    )
    return [
        (claim.id, None), (claim.type, None), (claim.status, None), (claim.statement, _WORDS),
        (claim.claimant_id, None),
        (org.name, _WORDS), (org.kind_id, None), (made_in.id, None), (made_in.title, _WORDS), (made_in.url, _WORDS),
        (made_in.published, made_in.published_precision), (claim.document_id, None), (claim.document_sha256, None),
        (claim.quote, _WORDS), (claim.quote_start, None), (claim.quote_end, None),
        (single_date, None), (claim.claimed_on_precision, None),
        (claim.claimed_on_basis, None), (claim.claimed_on_inferred_reason, _WORDS),
        *((getattr(claim, name), _WORDS if name in _FREE_TEXT else None) for name in _VALUE_CELLS),
        (claim.seed_file, None), (claim.seed_line, None), (claim.changed_run_id, None),
        (claim.attribution, None), (claim.claimed_on_edtf, None),
        (cast(claim.claimed_on, String), None), (cast(claim.claimed_on_end, String), None),
        (org.known, _WORDS), (org.part_of_id, None), (joined.members.c.names, _WORDS),
        (_period_edtf(), None), (claim.period_inferred_reason, _WORDS),
        (claim.place, None), (place.name, _WORDS), (place.iso_3166_2, None), (place.wikidata, None),
        (func.coalesce(source_grade, claimant_grade), None), (graded, None), (joined.credibility.c.grade, None),
        (org.wikidata, None),
    ]  # fmt: skip


def _latest_grades(grade: Any, target: Any) -> Any:
    """Each target's newest grade, one row a target (columns target, grade): the grade
    query._latest_grade gives one target (newest by assessed_on, then by id).

    Joined to the claims instead of asked per claim by that correlated subquery, which SQLite
    evaluates again wherever a row uses it (the grade, which target gave it, _odd's checks): six
    index searches and sorts a claim, ~0.3 s of a 100,000-claim export with no assessment at all."""
    assessment = m.Assessment
    newest_first = (assessment.assessed_on.desc(), assessment.id.desc())
    rank = func.row_number().over(partition_by=target, order_by=newest_first)
    ranked = (
        select(target.label("target"), grade.label("grade"), rank.label("rank"))
        .where(target.is_not(None), grade.is_not(None))
        .subquery()
    )
    return select(ranked.c.target, ranked.c.grade).where(ranked.c.rank == 1).subquery()


def _member_names() -> Any:
    """Each collective's named members, joined by '; ' (columns organisation_id, names), in the
    order the seed lists them, as `claims show` gives them. Joined, not asked per claim, for the
    reason _latest_grades gives. (SQLite before 3.44 has no ORDER BY inside an aggregate: the
    names are aggregated from a subquery in that order, which both back ends keep.)"""
    member = aliased(m.Organisation)
    listed = (
        select(m.OrganisationMember.organisation_id, member.name)
        .join(member, m.OrganisationMember.member_id == member.id)
        .order_by(m.OrganisationMember.organisation_id, m.OrganisationMember.position)
        .subquery()
    )
    names = select(listed.c.organisation_id, func.aggregate_strings(listed.c.name, "; ").label("names"))
    return names.group_by(listed.c.organisation_id).subquery()


def _period_edtf() -> Any:
    """The period as EDTF: one date, start/end, or an open end written '..'."""
    start, end = m.Claim.period_start, m.Claim.period_end
    return case(
        (start.is_(None) & end.is_(None), None),
        (start == end, start),
        else_=func.coalesce(start, "..") + "/" + func.coalesce(end, ".."),
    )


def _row_select(formula_guard: bool) -> Select[Any]:
    """Every claim's cells, in COLUMN_NAMES order, as csv.writer gets them (not yet filtered), every
    text cell guarded: these rows are not checked afterwards, as _records checks joined lines."""
    joined = _joined()
    return _from_claims(select(*_written(_cells(joined), formula_guard, trusted=())), joined)


def _written(cells: list[tuple[Any, Any]], formula_guard: bool, trusted: frozenset[str] | tuple[()]) -> list[Any]:
    """Each cell as the export writes it: dates cut to their precision and, with the guard on,
    every cell of a text column (declared type "string") guarded but those named in `trusted`.
    The declared types decide, so a new text column is guarded unless it is named there."""
    written = [_cell(stored, how) for stored, how in cells]
    return [
        _guarded(cell) if formula_guard and column.type == "string" and column.name not in trusted else cell
        for column, cell in zip(COLUMNS, written, strict=True)
    ]


def _cell(column: Any, how: Any) -> Any:
    if how is None or how is _WORDS:
        return column
    return _as_said(column, how)


def _from_claims(query: Select[Any], joined: _Joined) -> Select[Any]:
    made_in, members = joined.made_in, joined.members
    return (
        query.join(m.Organisation, m.Claim.claimant_id == m.Organisation.id)
        .outerjoin(made_in, m.Claim.made_in_id == made_in.id)
        .outerjoin(m.Place, m.Claim.place == m.Place.id)
        .outerjoin(joined.source_grade, joined.source_grade.c.target == m.Claim.made_in_id)
        .outerjoin(joined.claimant_grade, joined.claimant_grade.c.target == m.Claim.claimant_id)
        .outerjoin(joined.credibility, joined.credibility.c.target == m.Claim.id)
        .outerjoin(members, members.c.organisation_id == m.Organisation.id)
    )


_FREE_TEXT = {"population", "quantity_phrase", "period_label"}
"""Value columns that hold a source's own words; the others are terms, numbers and ISO dates."""


def _as_said(column: Any, precision: Any) -> Any:
    """A date as precise as it is known, as ISO 8601 text: 2017-07-19, 2017-07 or 2017."""
    width = case(*((precision == name, width) for name, width in PRECISION_WIDTH.items()), else_=PRECISION_WIDTH["day"])
    return func.substr(cast(column, String), 1, width)


def _guarded(column: Any) -> Any:
    """OWASP's CSV-injection guard, in SQL: a leading ' makes spreadsheets show the cell as text."""
    first = func.substr(column, 1, 1)
    return case((first.in_(FORMULA_TRIGGERS), literal("'") + column), else_=column)


def write_csv(rows: Iterator[Sequence[Any]], out: TextIO, *, progress: Progress = NO_PROGRESS) -> int:
    """Write RFC 4180 CSV (CRLF line ends, minimal quoting, header row); return the row count."""
    writer = csv_writer(out)
    writer.writerow(COLUMN_NAMES)
    count = 0
    for batch in iter(lambda: list(itertools.islice(rows, BLOCK_CLAIMS)), []):
        writer.writerows(batch)  # None is written as an empty cell
        count += len(batch)
        progress.advance(len(batch))
    return count


# --- SQLite: lines joined by SQLite ----------------------------------------------------------------

_CELL = b"\x1f"
"""ASCII's unit separator, between the cells SQLite joins (a cell holding one is caught by counting)."""
_GAPS = len(COLUMNS) - 1


def _joined_lines(session: Session, filters: ClaimFilter, formula_guard: bool) -> Iterator[list[Any]]:
    """Batches of (the claim's cells joined by _CELL, its id), in the list order. The line is
    UTF-8 bytes, the database's own encoding (nothing to decode, nothing to encode), or NULL where
    a stored value is one printf would write otherwise than csv.writer (see _odd)."""
    joined = _joined()
    cells = _cells(joined)
    cells_joined = func.printf("\x1f".join(["%s"] * len(cells)), *_written(cells, formula_guard, UNGUARDED))
    line = cast(case((_odd(cells), None), else_=cells_joined), LargeBinary)
    yield from _raw_batches(session, narrow(session, _from_claims(select(line, m.Claim.id), joined), filters))


def _raw_batches(session: Session, query: Select[Any], size: int = BLOCK_CLAIMS) -> Iterator[list[Any]]:
    """The query's rows as the driver gives them, in batches: with two plain columns per row,
    SQLAlchemy's result rows would cost as much as everything else Python does here. (A plain
    CursorResult reads nothing ahead, so its cursor yields every row; pysqlite streams them.)"""
    result = session.connection().execute(query)
    try:
        while batch := result.cursor.fetchmany(size):
            yield batch
    finally:
        result.close()


def _odd(cells: list[tuple[Any, Any]]) -> Any:
    """A stored value SQLite's printf would write otherwise than csv.writer does, as far as
    claimsdb can store one, or as far as it matters: free text holding a NUL (printf stops
    there) or stored as a BLOB (it would escape the formula guard, which compares text), or a
    REAL in an integer column (Python writes its repr: a guard for schemas to come).

    Not checked, as only another program could store them and checking every cell would cost
    a tenth of the export: a BLOB in an id, term, hash, date or path (csv.writer would write
    b'...', this writes its bytes as text) or a NUL there (this would cut the cell at the NUL).
    """
    words = [column for column, how in cells if how is _WORDS]
    reals = [func.typeof(column) == "real" for column, how in cells if how is None and isinstance(column.type, Integer)]
    nuls = [func.instr(column, func.char(0)) > 0 for column in words]
    return or_(func.min(*(func.typeof(column) for column in words)) == "blob", *reals, *nuls)  # 'blob' sorts first


def _records(lines: list[Any], row_of: Callable[[str], Sequence[Any]], formula_guard: bool = True) -> bytes:
    """CSV records for a batch of joined lines, byte for byte as csv.writer writes the rows.

    A line needs its separators made commas, and the cells csv.writer would quote quoted. A
    batch holding a line SQLite could not join faithfully (NULL), or a cell holding a separator
    (a line with more than _GAPS of them), is written row by row by csv.writer instead; so is a
    batch in which any cell starts with a formula trigger after the guard: a value the seeds
    cannot put in an UNGUARDED column, written behind claimsdb's back (or a negative number).
    Those rows have every text cell guarded (_row_select).
    """
    texts = [text for text, _ in lines]
    if None not in texts and not (formula_guard and _a_cell_starts_a_formula(b"\n" + b"\n".join(texts))):
        block = b"\r\n".join([_quote_cells(text) if _needs_quotes(text) else text for text in texts])
        if block.count(_CELL) == _GAPS * len(texts):  # no line has fewer: printf writes every one
            return block.replace(_CELL, b",") + b"\r\n"
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    for line, claim_id in lines:
        faithful = line is not None and line.count(_CELL) == _GAPS
        guarded = faithful and not (formula_guard and _a_cell_starts_a_formula(b"\n" + line))
        writer.writerow(line.decode().split("\x1f") if guarded else row_of(claim_id))
    return buffer.getvalue().encode()


def _needs_quotes(line: bytes) -> bool:
    """Does a cell of the line hold what makes csv.writer quote it? (Four memchr scans: faster
    than one regex search.)"""
    return b"," in line or b'"' in line or b"\r" in line or b"\n" in line


_TRIGGERS = tuple(trigger.encode() for trigger in FORMULA_TRIGGERS)


def _a_cell_starts_a_formula(lines: bytes) -> bool:
    """Does a cell of these lines (each after a newline, its cells after _CELL) start with a
    formula trigger? One memchr scan for each trigger byte; only one found somewhere is looked for
    at the start of a cell (a regex over the lines took a third of an export's time)."""
    for trigger in _TRIGGERS:
        if trigger in lines and (_CELL + trigger in lines or b"\n" + trigger in lines):
            return True
    return False

_MARKS = re.compile(rb'[,"\r\n]')
"""What makes csv.writer (minimal quoting, CRLF) quote a cell. In UTF-8 no byte of another
character can be taken for one."""


def _quote_cells(line: bytes) -> bytes:
    """`line` with each cell that needs quotes quoted as csv.writer quotes it: in double quotes,
    its own doubled."""
    parts: list[bytes] = []
    done = 0  # line[:done] is in parts
    while mark := _MARKS.search(line, done):
        at = mark.start()
        start = line.rfind(_CELL, 0, at) + 1
        end = line.find(_CELL, at)
        end = len(line) if end < 0 else end
        parts += [line[done:start], b'"', line[start:end].replace(b'"', b'""'), b'"']
        done = end
    parts.append(line[done:])
    return b"".join(parts)


def write_claim(session: Session, claim_id: str, out: TextIO, *, formula_guard: bool = True) -> bool:
    """One claim's row, withdrawn or not, under the export's header, as write_export writes it;
    False (nothing written) if there is no such claim."""
    row = session.execute(_row_select(formula_guard).where(m.Claim.id == claim_id)).one_or_none()
    if row is None:
        return False
    write_csv(iter([row]), out)
    return True


def _row_of(session: Session, claim_id: str, formula_guard: bool) -> Sequence[Any]:
    """One claim's cells as export_rows gives them."""
    return session.execute(_row_select(formula_guard).where(m.Claim.id == claim_id)).one()


TERM_FIELDS: tuple[Column, ...] = (
    Column(
        "term", "string", "Id of the term, as claims.csv's vocabulary columns write it; unique across vocabularies."
    ),
    Column(
        "vocabulary",
        "string",
        "The vocabulary it belongs to (execution_methods, offences, ...): which columns take it.",
    ),
    Column("label", "string", "The term's name for people."),
    Column("definition", "string", "What the term means, as a documentation officer would code a claim with it."),
    Column(
        "huridocs",
        "string",
        "The equivalent term of the HURIDOCS micro-thesauri, where one exists (empty: none recorded).",
    ),
)
"""terms.csv: every vocabulary term, so the codes in claims.csv can be read and mapped to HURIDOCS."""
TERMS_FILE = "terms.csv"


def write_terms(session: Session, out: TextIO, *, formula_guard: bool = True) -> int:
    """Write terms.csv (RFC 4180, as claims.csv), every term sorted by id; return how many."""
    query = select(m.TermRow.id, m.TermRow.vocabulary_id, m.TermRow.label, m.TermRow.definition, m.TermRow.huridocs)
    guarded = [formula_guard and column.type == "string" for column in TERM_FIELDS]  # by declared type, as claims.csv
    writer = csv_writer(out)
    writer.writerow([column.name for column in TERM_FIELDS])
    count = 0
    for row in session.execute(query.order_by(m.TermRow.id)).tuples():
        cells = zip(guarded, row, strict=True)
        writer.writerow([guard_formula(cell) if guard and cell else cell for guard, cell in cells])
        count += 1
    return count


CSV_DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "lineTerminator": CSV_LINE_END, "header": True}
"""How both CSV files are written (RFC 4180, as csv.writer writes them), in Frictionless terms."""


def datapackage(session: Session, *, formula_guard: bool) -> dict[str, Any]:
    """A Frictionless Data Package describing claims.csv: every column, vocabularies as enums."""
    terms: dict[str, list[tuple[str, str, str]]] = {}
    for vocabulary, term_id, label, definition in session.execute(
        select(m.TermRow.vocabulary_id, m.TermRow.id, m.TermRow.label, m.TermRow.definition).order_by(m.TermRow.id)
    ).tuples():
        terms.setdefault(vocabulary, []).append((term_id, label, definition))
    guard_note = (
        " Text cells starting with = + - @ tab or carriage return are prefixed with a single quote (') "
        "so spreadsheets do not run them as formulas; strip it to get the raw text."
        if formula_guard
        else ""
    )
    fields = []
    for column in COLUMNS:
        field: dict[str, Any] = {"name": column.name, "type": column.type, "description": column.description}
        if column.vocabulary:
            field["constraints"] = {"enum": [t[0] for t in terms.get(column.vocabulary, [])]}
        if column.vocabulary:
            field["description"] += " Terms: " + "; ".join(
                f"{term_id} ({label}): {definition}" for term_id, label, definition in terms.get(column.vocabulary, [])
            )
        fields.append(field)
    sources = session.execute(select(m.Source.id, m.Source.title, m.Source.url).where(m.Source.held)).tuples().all()
    return {
        "profile": "tabular-data-package",
        "name": "claimsdb-claims",
        "title": "Attributed claims about human-rights abuses in North Korea",
        "description": "One row per claim: who claims what, in which publication, when, with the exact words and "
                       "where they sit in the held document. Exported by claimsdb "
        + __version__
        + "."
        + guard_note,
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "sources": [{"title": title, **({"path": url} if url else {}), "id": sid} for sid, title, url in sources],
        "resources": [
            {
                "name": "claims",
                "path": "claims.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": CSV_DIALECT,
                "schema": {
                    "fields": fields,
                    "primaryKey": ["claim_id"],
                    "missingValues": [""],
                    "foreignKeys": [
                        {"fields": column.name, "reference": {"resource": "terms", "fields": "term"}}
                        for column in COLUMNS
                        if column.vocabulary
                    ],
                },
            },
            {
                "name": "terms",
                "path": TERMS_FILE,
                "profile": "tabular-data-resource",
                "title": "Vocabulary terms",
                "description": "Every term of the controlled vocabularies, with its definition and its HURIDOCS "
                               "equivalent where one exists; claims.csv's vocabulary columns refer to it.",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": CSV_DIALECT,
                "schema": {
                    "fields": [{"name": c.name, "type": c.type, "description": c.description} for c in TERM_FIELDS],
                    "primaryKey": ["term"],
                    "missingValues": [""],
                },
            },
        ],
    }
